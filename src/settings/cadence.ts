// When a sync rule runs, told from what the generated files actually schedule: with schedule
// triggers (the default) that is the CircleCI timetable emit writes into schedules.yml (toTimetable),
// which has no minutes: CircleCI picks them; with legacy scheduled workflows it is the cron itself,
// minutes and all. The words and the next runs both come from one Cadence, so they cannot disagree.
// The site and `carbon ls` both tell it.
import { DAYS, MONTHS, expand, parseCron, type CronField } from './cron.ts';
import type { Config } from './schema.ts';
import { toTimetable, type Timetable } from './timetable.ts';

export type Scheduling = Config['circleci']['scheduling'];

export interface Cadence {
  /** Exact minutes (a cron), or a number of runs an hour at minutes CircleCI picks (a timetable). */
  minutes: { exact: number[] } | { perHour: number };
  /** Hours of the day, UTC, ascending. */
  hours: number[];
  /** Days of the week (0 is Sunday); absent: any. */
  daysOfWeek?: number[];
  /** Days of the month; absent: any. */
  daysOfMonth?: number[];
  /** Months, 1 to 12; absent: any. */
  months?: number[];
}

export interface NextRun {
  /** Start of the run, or of the hour it falls in when CircleCI picks the minute: `2025-11-26T16:00Z`. */
  at: string;
  text: string;
}

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** The cadence the generated files give a cron under the workspace's scheduling mode. */
export function cadenceOf(cron: string, scheduling: Scheduling): Cadence {
  if (scheduling === 'schedule-triggers') {
    const result = toTimetable(cron);
    // The resolver refused every cron that has no timetable, as emit does.
    if (!result.ok) throw new Error(`site: ${cron} has no timetable: ${result.reason}`);
    return timetableCadence(result.timetable);
  }
  const parsed = parseCron(cron);
  if (!parsed.ok) throw new Error(`site: ${cron} was not validated: ${parsed.message}`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = parsed.cron;
  return {
    minutes: { exact: expand(minute) },
    hours: expand(hour),
    ...(wholeRange(dayOfWeek) ? {} : { daysOfWeek: expand(dayOfWeek) }),
    ...(wholeRange(dayOfMonth) ? {} : { daysOfMonth: expand(dayOfMonth) }),
    ...(wholeRange(month) ? {} : { months: expand(month) }),
  };
}

function timetableCadence(timetable: Timetable): Cadence {
  // Absent when the timetable restricts the days of the month instead: then any day of the week.
  const days = (timetable['days-of-week'] ?? DAYS)
    .map((day) => DAYS.indexOf(day))
    .sort((a, b) => a - b);
  return {
    minutes: { perHour: timetable['per-hour'] },
    hours: timetable['hours-of-day'],
    ...(days.length === 7 ? {} : { daysOfWeek: days }),
    ...(timetable['days-of-month'] ? { daysOfMonth: timetable['days-of-month'] } : {}),
    ...(timetable.months
      ? { months: timetable.months.map((name) => MONTHS.indexOf(name) + 1) }
      : {}),
  };
}

function wholeRange(field: CronField): boolean {
  return field.ranges.some((range) => range.star && range.step === 1);
}

/** The cadence in words: "every hour (at a minute CircleCI picks)", "Monday to Friday at 06:00 UTC". */
export function describeCadence(cadence: Cadence): string {
  const days = describeDays(cadence);
  const time = describeTime(cadence);
  return days === '' ? time : `${days}, ${time}`;
}

function describeDays({ daysOfWeek, daysOfMonth, months }: Cadence): string {
  const parts: string[] = [];
  if (daysOfWeek) parts.push(weekdays(daysOfWeek));
  if (daysOfMonth)
    parts.push(
      `on day${daysOfMonth.length === 1 ? '' : 's'} ${list(daysOfMonth.map(String))} of the month`,
    );
  if (months) parts.push(`in ${list(months.map((month) => MONTH_NAMES[month - 1]!))}`);
  return parts.join(', ');
}

function weekdays(days: number[]): string {
  const key = days.join(',');
  if (key === '1,2,3,4,5') return 'Monday to Friday';
  if (key === '0,6') return 'on Saturdays and Sundays';
  return `on ${list(days.map((day) => `${DAY_NAMES[day]}s`))}`;
}

function describeTime({ minutes, hours, daysOfWeek, daysOfMonth }: Cadence): string {
  const everyDay = !daysOfWeek && !daysOfMonth;
  const hourly = hourlyPattern(hours);
  if ('perHour' in minutes) {
    const picked =
      minutes.perHour === 1 ? 'at a minute CircleCI picks' : 'at minutes CircleCI picks';
    const count = times(minutes.perHour);
    if (hourly)
      return `${minutes.perHour === 1 ? hourly : `${count} an hour, ${hourly}`} (${picked})`;
    const windows =
      hours.length === 1
        ? `between ${clock(hours[0]!, 0)} and ${clock((hours[0]! + 1) % 24, 0)}`
        : `within each of ${list(hours.map((hour) => `${clock(hour, 0)}–${clock((hour + 1) % 24, 0)}`))}`;
    return `${everyDay ? 'every day, ' : ''}${count} ${windows} UTC (${picked})`;
  }
  const exact = minutes.exact;
  const step = stepOf(exact, 60);
  if (hours.length === 24 && step !== undefined && exact[0] === 0 && exact.length > 1)
    return `every ${step} minutes`;
  if (hourly && exact.length === 1)
    return exact[0] === 0 ? `${hourly}, on the hour` : `${hourly}, at minute ${exact[0]}`;
  if (hourly) return `${hourly}, at minutes ${list(exact.map(String))}`;
  const clocks = hours.flatMap((hour) => exact.map((minute) => clock(hour, minute)));
  return `${everyDay ? 'every day ' : ''}at ${list(clocks)} UTC`;
}

/** "every hour", "every 2 hours" (from midnight) or "every 6 hours from 03:00 UTC", when hours are evenly spaced. */
function hourlyPattern(hours: number[]): string | undefined {
  if (hours.length === 24) return 'every hour';
  const step = stepOf(hours, 24);
  if (step === undefined || hours.length < 2) return undefined;
  return `every ${step} hours${hours[0] === 0 ? '' : ` from ${clock(hours[0]!, 0)} UTC`}`;
}

/** The step of an evenly spaced list that runs to the end of its range, if it is one. */
function stepOf(values: number[], size: number): number | undefined {
  if (values.length < 2) return undefined;
  const step = values[1]! - values[0]!;
  const even = values.every((value, index) => value === values[0]! + index * step);
  return even && values.at(-1)! + step >= size && values[0]! < step ? step : undefined;
}

function times(count: number): string {
  if (count === 1) return 'once';
  if (count === 2) return 'twice';
  return `${count} times`;
}

function clock(hour: number, minute: number): string {
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

function list(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

const HOUR = 3_600_000;
/** How far ahead runs are looked for: four years covers a 29 February. */
const HORIZON_HOURS = 4 * 366 * 24;

/**
 * The next `count` runs after `now`. Where CircleCI picks the minute, a run is the hour it falls in,
 * counted from the next whole hour (the current hour's run may already be past).
 */
export function nextRuns(cadence: Cadence, now: Date, count = 3): NextRun[] {
  const runs: NextRun[] = [];
  const start = Math.floor(now.getTime() / HOUR) * HOUR;
  for (let slot = start; runs.length < count && slot < start + HORIZON_HOURS * HOUR; slot += HOUR) {
    const date = new Date(slot);
    if (!hourMatches(cadence, date)) continue;
    if ('perHour' in cadence.minutes) {
      if (slot < now.getTime()) continue;
      const perHour = cadence.minutes.perHour;
      const window = `${clock(date.getUTCHours(), 0)}–${clock((date.getUTCHours() + 1) % 24, 0)} UTC`;
      runs.push({
        at: isoMinute(date),
        text: `${dayText(date)} ${window}${perHour === 1 ? '' : ` (${times(perHour)})`}`,
      });
      continue;
    }
    for (const minute of cadence.minutes.exact) {
      const run = new Date(slot + minute * 60_000);
      if (run.getTime() <= now.getTime() || runs.length === count) continue;
      runs.push({
        at: isoMinute(run),
        text: `${dayText(run)} ${clock(run.getUTCHours(), minute)} UTC`,
      });
    }
  }
  return runs;
}

function hourMatches(cadence: Cadence, date: Date): boolean {
  if (!cadence.hours.includes(date.getUTCHours())) return false;
  if (cadence.months && !cadence.months.includes(date.getUTCMonth() + 1)) return false;
  const weekday = cadence.daysOfWeek?.includes(date.getUTCDay());
  const monthDay = cadence.daysOfMonth?.includes(date.getUTCDate());
  // Cron runs when either restricted day field matches; a timetable never restricts both.
  if (weekday === undefined) return monthDay ?? true;
  if (monthDay === undefined) return weekday;
  return weekday || monthDay;
}

/** `2025-11-26T16:00Z`: a valid HTML datetime, to the minute. */
export function isoMinute(date: Date): string {
  return `${date.toISOString().slice(0, 16)}Z`;
}

/** "Wed 26 Nov 2025", in English whatever the machine's locale, so that pages are the same everywhere. */
export function dayText(date: Date): string {
  const day = DAY_NAMES[date.getUTCDay()]!.slice(0, 3);
  const month = MONTH_NAMES[date.getUTCMonth()]!.slice(0, 3);
  return `${day} ${date.getUTCDate()} ${month} ${date.getUTCFullYear()}`;
}
