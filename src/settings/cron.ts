// Cron strings: exactly five numeric fields, bounds checked. Names and @macros are refused with the
// numeric form to write instead, because CircleCI's schedulers accept only numbers. A cron whose
// fields are valid but never all match (`0 0 31 2 *`) is refused too: a sync scheduled so never
// runs, which is never what was meant, and a warning would let that be committed and deployed.

import { rememberedByText } from '../memo.ts';

export interface CronRange {
  start: number;
  end: number;
  step: number;
  /** Written as `*` or `*\/n`: the whole range of the field. */
  star: boolean;
}

export interface CronField {
  name: 'minute' | 'hour' | 'day-of-month' | 'month' | 'day-of-week';
  text: string;
  ranges: CronRange[];
}

export type Cron = [CronField, CronField, CronField, CronField, CronField];

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day-of-week', min: 0, max: 6 },
] as const;

const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Month and weekday names, as cron and CircleCI's timetables write them (January, Sunday first). */
export const MONTHS = [
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC',
];
export const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export type CronResult = { ok: true; cron: Cron } | { ok: false; message: string };

/** Crons parsed, remembered: each is read by parse, the rules, the schedules and the site. */
export const parseCron: (text: string) => CronResult = rememberedByText(parseCronOnce, 10_000);

function parseCronOnce(text: string): CronResult {
  const fail = (why: string): CronResult => ({
    ok: false,
    message: `${JSON.stringify(text)} ${why}`,
  });
  const trimmed = text.trim();
  const macro = MACROS[trimmed.toLowerCase()];
  if (macro) return fail(`uses a macro: write the five fields instead, "${macro}"`);
  if (trimmed.startsWith('@'))
    return fail('uses a macro: write five numeric fields, as "0 * * * *"');
  const parts = trimmed.split(/\s+/);
  if (parts.length !== 5) {
    return fail(
      `has ${parts.length} field${parts.length === 1 ? '' : 's'}: write exactly five ` +
        '(minute hour day-of-month month day-of-week), as "0 * * * *"',
    );
  }
  const fields: CronField[] = [];
  for (let i = 0; i < 5; i++) {
    const spec = FIELDS[i]!;
    const result = parseField(parts[i]!, spec.name, spec.min, spec.max);
    if (typeof result === 'string') return fail(result);
    fields.push({ name: spec.name, text: parts[i]!, ranges: result });
  }
  const cron = fields as Cron;
  const never = neverFires(cron);
  return never ? fail(never) : { ok: true, cron };
}

/** The longest each month can be (February in a leap year). */
const MONTH_DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Why a cron never fires, when it does not: it names days of the month that none of the months it
 * names has, and no day of the week (cron runs when either restricted day field matches).
 */
function neverFires([, , dayOfMonth, month, dayOfWeek]: Cron): string | undefined {
  if (!restricted(dayOfMonth) || restricted(dayOfWeek)) return undefined;
  const days = expand(dayOfMonth);
  const months = expand(month);
  const longest = Math.max(...months.map((m) => MONTH_DAYS[m - 1]!));
  if (days[0]! <= longest) return undefined;
  const names = months.map((m) => MONTHS[m - 1]!).join(', ');
  const monthText =
    months.length === 1
      ? `month ${months[0]} (${names}) has`
      : `months ${listed(months)} (${names}) have`;
  const dayText = days.length === 1 ? `day ${days[0]} is` : `days ${listed(days)} are`;
  return (
    `never fires: ${monthText} at most ${longest} days, and ${dayText} named: name a day from 1 ` +
    `to ${longest}, or other months`
  );
}

function listed(values: number[]): string {
  return values.length === 1
    ? String(values[0])
    : `${values.slice(0, -1).join(', ')} and ${values[values.length - 1]}`;
}

/** Whether a field narrows what it matches (`*` alone, or `*` with step 1, does not). */
export function restricted(field: CronField): boolean {
  return !field.ranges.some((range) => range.star && range.step === 1);
}

function parseField(text: string, name: string, min: number, max: number): CronRange[] | string {
  const ranges: CronRange[] = [];
  for (const item of text.split(',')) {
    const range = parseItem(item, name, min, max);
    if (typeof range === 'string') return range;
    ranges.push(range);
  }
  return ranges;
}

function parseItem(item: string, name: string, min: number, max: number): CronRange | string {
  const [base = '', stepText, extra] = item.split('/');
  if (extra !== undefined || base === '')
    return `has a malformed ${name} field ${JSON.stringify(item)}`;
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText) || Number(stepText) === 0) {
      return `has a malformed step ${JSON.stringify(`/${stepText}`)} in the ${name} field: write a positive number`;
    }
    step = Number(stepText);
  }
  if (base === '*') return { start: min, end: max, step, star: true };
  const bounds = base.split('-');
  if (bounds.length > 2)
    return `has a malformed range ${JSON.stringify(base)} in the ${name} field`;
  const numbers: number[] = [];
  for (const bound of bounds) {
    const value = parseNumber(bound, name, min, max);
    if (typeof value === 'string') return value;
    numbers.push(value);
  }
  const start = numbers[0]!;
  const end = numbers[1] ?? (stepText === undefined ? start : max);
  if (end < start) return `has a backwards range ${JSON.stringify(base)} in the ${name} field`;
  return { start, end, step, star: false };
}

function parseNumber(text: string, name: string, min: number, max: number): number | string {
  const upper = text.toUpperCase();
  const month = MONTHS.indexOf(upper);
  if (name === 'month' && month >= 0) return `names a month: write ${month + 1} for ${upper}`;
  const day = DAYS.indexOf(upper);
  if (name === 'day-of-week' && day >= 0) return `names a day: write ${day} for ${upper}`;
  if (name === 'day-of-week' && text === '7') return 'uses 7 for Sunday: write 0';
  if (!/^\d+$/.test(text)) {
    return `has ${JSON.stringify(text)} in the ${name} field: write a number from ${min} to ${max}`;
  }
  const value = Number(text);
  if (value < min || value > max) {
    return `has ${value} in the ${name} field: it must be from ${min} to ${max}`;
  }
  return value;
}

/** Every value a field matches, ascending. */
export function expand(field: CronField): number[] {
  const values = new Set<number>();
  for (const range of field.ranges) {
    for (let v = range.start; v <= range.end; v += range.step) values.add(v);
  }
  return [...values].sort((a, b) => a - b);
}
