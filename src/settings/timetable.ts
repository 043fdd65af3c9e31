// Cron rules as CircleCI can schedule them: resolve refuses what it cannot, emit writes the
// timetables into schedules.yml, the site and ls tell them in words (cadence.ts).
//
// Schedule triggers take a timetable, not a cron: runs per hour, hours of the day, days of the
// week, days of the month, months. A timetable cannot pin minutes (CircleCI spreads the runs of an
// hour itself), so a cron whose minute field asks for particular minutes keeps its count of runs
// per hour and loses the offsets: a warning. `0` (once an hour), `*` and `*/n` with n dividing 60
// (evenly spread) say nothing a timetable cannot. A cron restricting both day fields runs when
// either matches; a timetable needs both to match: an error, as is anything else it cannot say.
import { rememberedByText } from '../memo.ts';
import { DAYS, MONTHS, expand, parseCron, restricted } from './cron.ts';

/** Days of the week and days of the month are mutually exclusive: a timetable has one of them. */
export type Timetable = {
  'per-hour': number;
  'hours-of-day': number[];
  'days-of-week'?: string[];
  'days-of-month'?: number[];
  months?: string[];
};

export type TimetableResult =
  { ok: true; timetable: Timetable; minutesLost?: string } | { ok: false; reason: string };

/**
 * Timetables, remembered by cron: a fleet has a few crons and thousands of rules. Shared by the
 * documents they are put into: those are only ever read (rendered, validated).
 */
export const toTimetable: (text: string) => TimetableResult = rememberedByText(
  toTimetableOnce,
  10_000,
);

function toTimetableOnce(text: string): TimetableResult {
  const parsed = parseCron(text);
  if (!parsed.ok) return { ok: false, reason: parsed.message };
  const [minute, hour, dayOfMonth, month, dayOfWeek] = parsed.cron;
  if (restricted(dayOfMonth) && restricted(dayOfWeek)) {
    return {
      ok: false,
      reason:
        'it restricts both the day of the month and the day of the week, which cron reads as either ' +
        'one and a CircleCI timetable as both: keep one day field and set the other to "*"',
    };
  }
  const minutes = expand(minute);
  const timetable: Timetable = { 'per-hour': minutes.length, 'hours-of-day': expand(hour) };
  // The schedule API takes days of the week or days of the month, never both: the restricted one,
  // else every day of the week (Mondays first, as CircleCI lists them).
  if (restricted(dayOfMonth)) timetable['days-of-month'] = expand(dayOfMonth);
  else timetable['days-of-week'] = rotateToMonday(expand(dayOfWeek)).map((day) => DAYS[day]!);
  if (restricted(month)) timetable.months = expand(month).map((value) => MONTHS[value - 1]!);
  const evenlySpread =
    minute.text === '0' ||
    minute.text === '*' ||
    (/^\*\/\d+$/.test(minute.text) && 60 % minute.ranges[0]!.step === 0);
  if (evenlySpread) return { ok: true, timetable };
  const times = `${minutes.length} time${minutes.length === 1 ? '' : 's'}`;
  const hours = restricted(hour) ? 'in each hour it runs' : 'an hour';
  const exact = spreadMinute(minutes.length);
  return {
    ok: true,
    timetable,
    minutesLost:
      `a CircleCI timetable cannot pin minutes: it will run ${times} ${hours}, at minutes CircleCI ` +
      `picks, not at minute ${minute.text}` +
      (exact === undefined
        ? ''
        : ` (${JSON.stringify([exact, ...parsed.cron.slice(1).map((field) => field.text)].join(' '))} says just that, with no warning)`),
  };
}

/** The minute field that says "so many times an hour" and nothing more, when there is one. */
function spreadMinute(count: number): string | undefined {
  if (count === 1) return '0';
  return 60 % count === 0 ? `*/${60 / count}` : undefined;
}

function rotateToMonday(days: number[]): number[] {
  return [...days.filter((day) => day !== 0), ...days.filter((day) => day === 0)];
}

/**
 * What CircleCI's scheduled workflows (`triggers: - schedule: cron:`) refuse in a valid cron:
 * step values, and ranges inside lists.
 */
export function legacyCronProblem(text: string): string | undefined {
  const parsed = parseCron(text);
  if (!parsed.ok) return parsed.message;
  for (const field of parsed.cron) {
    if (field.text.includes('/')) {
      return `its ${field.name} field ${JSON.stringify(field.text)} uses a step value, which scheduled workflows do not accept: list the values instead (as "0,15,30,45")`;
    }
    if (field.ranges.length > 1 && field.text.includes('-')) {
      return `its ${field.name} field ${JSON.stringify(field.text)} has a range inside a list, which scheduled workflows do not accept: list every value`;
    }
  }
  return undefined;
}
