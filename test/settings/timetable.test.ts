// Cron to CircleCI timetable, and the cron restrictions of legacy scheduled workflows.
import { describe, expect, it } from 'vitest';
import { legacyCronProblem, toTimetable } from '../../src/settings/timetable.ts';

const ALL_HOURS = Array.from({ length: 24 }, (_, hour) => hour);
const ALL_DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

describe('cron to timetable', () => {
  it.each([
    ['0 * * * *', { 'per-hour': 1, 'hours-of-day': ALL_HOURS, 'days-of-week': ALL_DAYS }],
    ['* * * * *', { 'per-hour': 60, 'hours-of-day': ALL_HOURS, 'days-of-week': ALL_DAYS }],
    ['*/15 * * * *', { 'per-hour': 4, 'hours-of-day': ALL_HOURS, 'days-of-week': ALL_DAYS }],
    [
      '0 6 * * 1-5',
      { 'per-hour': 1, 'hours-of-day': [6], 'days-of-week': ['MON', 'TUE', 'WED', 'THU', 'FRI'] },
    ],
    ['0 */6 * * *', { 'per-hour': 1, 'hours-of-day': [0, 6, 12, 18], 'days-of-week': ALL_DAYS }],
    [
      '0 9-17/4 * * 0,6',
      { 'per-hour': 1, 'hours-of-day': [9, 13, 17], 'days-of-week': ['SAT', 'SUN'] },
    ],
    [
      // Days of the month or of the week, never both: the schedule API takes one of them.
      '0 0 1,15 * *',
      { 'per-hour': 1, 'hours-of-day': [0], 'days-of-month': [1, 15] },
    ],
    [
      '0 3 * 1,7 *',
      { 'per-hour': 1, 'hours-of-day': [3], 'days-of-week': ALL_DAYS, months: ['JAN', 'JUL'] },
    ],
    ['0 0 1 * *', { 'per-hour': 1, 'hours-of-day': [0], 'days-of-month': [1] }],
    [
      '0 0 1 1 *',
      {
        'per-hour': 1,
        'hours-of-day': [0],
        'days-of-month': [1],
        months: ['JAN'],
      },
    ],
  ])('%s is exact', (cron, timetable) => {
    expect(toTimetable(cron)).toEqual({ ok: true, timetable });
  });

  it.each([
    [
      '15 * * * *',
      1,
      'run 1 time an hour, at minutes CircleCI picks, not at minute 15 ("0 * * * *" says just that, with no warning)',
    ],
    [
      '0,30 * * * *',
      2,
      'run 2 times an hour, at minutes CircleCI picks, not at minute 0,30 ("*/30 * * * *" says',
    ],
    [
      '2 */2 * * *',
      1,
      'run 1 time in each hour it runs, at minutes CircleCI picks, not at minute 2 ("0 */2 * * *" says',
    ],
    [
      '5-9 2 * * 1',
      5,
      'run 5 times in each hour it runs, at minutes CircleCI picks, not at minute 5-9 ("*/12 2 * * 1" says',
    ],
    ['*/7 * * * *', 9, 'run 9 times an hour, at minutes CircleCI picks, not at minute */7'],
  ])(
    '%s keeps the count of runs (%i an hour) and loses the minutes: a warning',
    (cron, perHour, reason) => {
      const result = toTimetable(cron);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.timetable['per-hour']).toBe(perHour);
      expect(result.minutesLost).toContain(reason);
      // Nine a hour are no whole number of minutes apart: nothing says just that.
      if (perHour === 9) expect(result.minutesLost).not.toContain('says just that');
    },
  );

  it.each(['0 0 1 * 1', '0 0 */2 * 1-5'])('%s restricts both day fields: an error', (cron) => {
    const result = toTimetable(cron);
    expect(result).toMatchObject({ ok: false });
    if (!result.ok)
      expect(result.reason).toContain('both the day of the month and the day of the week');
  });
});

describe('legacy scheduled workflows', () => {
  it.each(['0 * * * *', '0 6 * * 1-5', '0,30 9,17 * * *', '0 0 1 1 *'])('accept %s', (cron) => {
    expect(legacyCronProblem(cron)).toBeUndefined();
  });

  it.each([
    ['*/15 * * * *', 'step value'],
    ['0 */6 * * *', 'step value'],
    ['0 1-3,5 * * *', 'range inside a list'],
    ['0 0 * * 1-2,4-5', 'range inside a list'],
  ])('refuse %s (%s)', (cron, why) => {
    expect(legacyCronProblem(cron)).toContain(why);
  });
});
