// Sync rules in words and their next runs, from what the generated files schedule: the timetable
// of schedules.yml (schedule triggers: CircleCI picks the minute) or the cron of a legacy trigger.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  cadenceOf,
  describeCadence,
  nextRuns,
  type Scheduling,
} from '../../src/settings/cadence.ts';
import { REPO_ROOT } from '../helpers/cli.ts';

// A Thursday, 15:40 UTC.
const NOW = new Date('2026-11-26T15:40:00Z');

describe('sync rules in words', () => {
  const table: { cron: string; scheduling: Scheduling; words: string }[] = [
    {
      cron: '0 * * * *',
      scheduling: 'schedule-triggers',
      words: 'every hour (at a minute CircleCI picks)',
    },
    {
      cron: '*/30 * * * *',
      scheduling: 'schedule-triggers',
      words: 'twice an hour, every hour (at minutes CircleCI picks)',
    },
    {
      cron: '15 * * * *',
      scheduling: 'schedule-triggers',
      words: 'every hour (at a minute CircleCI picks)',
    },
    {
      cron: '0 */2 * * *',
      scheduling: 'schedule-triggers',
      words: 'every 2 hours (at a minute CircleCI picks)',
    },
    {
      cron: '0 3-23/6 * * *',
      scheduling: 'schedule-triggers',
      words: 'every 6 hours from 03:00 UTC (at a minute CircleCI picks)',
    },
    {
      cron: '0 6 * * 1-5',
      scheduling: 'schedule-triggers',
      words: 'Monday to Friday, once between 06:00 and 07:00 UTC (at a minute CircleCI picks)',
    },
    {
      cron: '0 2 * * *',
      scheduling: 'schedule-triggers',
      words: 'every day, once between 02:00 and 03:00 UTC (at a minute CircleCI picks)',
    },
    {
      cron: '0 3 1,15 * *',
      scheduling: 'schedule-triggers',
      words:
        'on days 1 and 15 of the month, once between 03:00 and 04:00 UTC (at a minute CircleCI picks)',
    },
    {
      cron: '0 8,13 * 1,7 0,6',
      scheduling: 'schedule-triggers',
      words:
        'on Saturdays and Sundays, in January and July, once within each of 08:00–09:00 and 13:00–14:00 UTC (at a minute CircleCI picks)',
    },
    { cron: '0 * * * *', scheduling: 'scheduled-workflows', words: 'every hour, on the hour' },
    { cron: '15 * * * *', scheduling: 'scheduled-workflows', words: 'every hour, at minute 15' },
    { cron: '*/15 * * * *', scheduling: 'scheduled-workflows', words: 'every 15 minutes' },
    {
      cron: '0 6 * * 1-5',
      scheduling: 'scheduled-workflows',
      words: 'Monday to Friday, at 06:00 UTC',
    },
    { cron: '30 2 * * *', scheduling: 'scheduled-workflows', words: 'every day at 02:30 UTC' },
    {
      cron: '0 9 * * 1,3',
      scheduling: 'scheduled-workflows',
      words: 'on Mondays and Wednesdays, at 09:00 UTC',
    },
  ];
  it.each(table)('$cron with $scheduling: $words', ({ cron, scheduling, words }) => {
    expect(describeCadence(cadenceOf(cron, scheduling))).toBe(words);
  });
});

describe('next runs', () => {
  it('lists the hours of a timetable from the next whole hour, without inventing a minute', () => {
    const runs = nextRuns(cadenceOf('0 * * * *', 'schedule-triggers'), NOW);
    expect(runs).toEqual([
      { at: '2026-11-26T16:00Z', text: 'Thu 26 Nov 2026 16:00–17:00 UTC' },
      { at: '2026-11-26T17:00Z', text: 'Thu 26 Nov 2026 17:00–18:00 UTC' },
      { at: '2026-11-26T18:00Z', text: 'Thu 26 Nov 2026 18:00–19:00 UTC' },
    ]);
  });

  it('skips the weekend of a weekday rule and says how often within the hour', () => {
    expect(
      nextRuns(cadenceOf('0 6 * * 1-5', 'schedule-triggers'), NOW).map((run) => run.at),
    ).toEqual(['2026-11-27T06:00Z', '2026-11-30T06:00Z', '2026-12-01T06:00Z']);
    expect(nextRuns(cadenceOf('*/20 * * * *', 'schedule-triggers'), NOW, 1)[0]!.text).toBe(
      'Thu 26 Nov 2026 16:00–17:00 UTC (3 times)',
    );
  });

  it('gives exact minutes for a legacy cron, including the rest of the current hour', () => {
    expect(nextRuns(cadenceOf('*/15 * * * *', 'scheduled-workflows'), NOW)).toEqual([
      { at: '2026-11-26T15:45Z', text: 'Thu 26 Nov 2026 15:45 UTC' },
      { at: '2026-11-26T16:00Z', text: 'Thu 26 Nov 2026 16:00 UTC' },
      { at: '2026-11-26T16:15Z', text: 'Thu 26 Nov 2026 16:15 UTC' },
    ]);
  });

  it('reads both restricted day fields of a cron as either one, as cron does', () => {
    // The 1st of the month or any Monday: Mon 30 Nov, Tue 1 Dec, Mon 7 Dec.
    expect(
      nextRuns(cadenceOf('0 9 1 * 1', 'scheduled-workflows'), NOW).map((run) => run.at),
    ).toEqual(['2026-11-30T09:00Z', '2026-12-01T09:00Z', '2026-12-07T09:00Z']);
  });

  it('finds a run years ahead (29 February)', () => {
    expect(nextRuns(cadenceOf('0 0 29 2 *', 'scheduled-workflows'), NOW, 1)[0]!.at).toBe(
      '2028-02-29T00:00Z',
    );
  });
});

describe('the same data as the generated schedules', () => {
  it('describes the sample from the timetables its committed schedules.yml files hold', () => {
    const file = join(REPO_ROOT, 'generated/taxaroo/Taxaroo-App/.circleci/schedules.yml');
    const { schedules } = parse(readFileSync(file, 'utf8')) as {
      schedules: { description: string; timetable: Record<string, unknown> }[];
    };
    const crons = schedules.map((schedule) => /cron (.+) UTC\)$/.exec(schedule.description)![1]!);
    expect(crons).toEqual(['0 * * * *', '0 6 * * 1-5']);
    schedules.forEach((schedule, at) => {
      const cadence = cadenceOf(crons[at]!, 'schedule-triggers');
      const timetable = schedule.timetable;
      expect(cadence.minutes).toEqual({ perHour: timetable['per-hour'] });
      expect(cadence.hours).toEqual(timetable['hours-of-day']);
      const days = timetable['days-of-week'] as string[];
      expect(cadence.daysOfWeek?.length ?? 7).toBe(days.length);
    });
  });
});
