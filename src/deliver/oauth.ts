// OAuth (and Bitbucket Cloud) projects: a CircleCI project is one repository, and Carbon owns the
// schedules of its syncs, made with the schedule API from exactly what schedules.yml lists.
import type { Schedule } from '../emit/circleci.ts';
import type { Timetable } from '../settings/timetable.ts';
import { PATHS, type CircleCiApi, type ScheduleRead, type UserRead } from './circleci/api.ts';
import { isNotFound } from './circleci/http.ts';
import {
  actorAlias,
  byKey,
  changedTopLevel,
  createdFields,
  missingProject,
  scopeGroups,
  fieldChanges,
  type Change,
  type Json,
  type PlanGroup,
} from './changes.ts';
import type { DesiredScope } from './desired.ts';
import { isCarbonSchedule } from './ownership.ts';
import { MONTHS } from '../settings/cron.ts';

export type OauthCurrent =
  | { kind: 'missing'; message: string }
  | { kind: 'found'; schedules: ScheduleRead[]; me?: UserRead };

export async function readOauth(api: CircleCiApi, slug: string): Promise<OauthCurrent> {
  let schedules: ScheduleRead[];
  try {
    schedules = await api.schedules(slug);
  } catch (caught) {
    if (isNotFound(caught)) return { kind: 'missing', message: caught.message };
    throw caught;
  }
  // Who `current` is, to tell a schedule attributed to the token's user from a `system` one.
  const me = schedules.some(isCarbonSchedule) ? await api.currentUser() : undefined;
  return { kind: 'found', schedules, ...(me ? { me } : {}) };
}

export function planOauth(scope: DesiredScope, current: OauthCurrent): PlanGroup[] {
  if (current.kind === 'missing') return missingProject(scope, current.message);
  const { groups, rest, finish } = scopeGroups(scope);
  const carbon = byKey(current.schedules.filter(isCarbonSchedule), (s) => s.name);
  const foreign = current.schedules.filter((schedule) => !isCarbonSchedule(schedule));
  const wanted = new Set<string>();
  scope.repositories.forEach((repository, index) => {
    const group = groups[index]!;
    for (const schedule of repository.schedules) {
      wanted.add(schedule.name);
      const clash = foreign.find((other) => other.name === schedule.name);
      if (clash) {
        group.problems.push(
          `a schedule named ${JSON.stringify(schedule.name)} exists that is not Carbon's (its description lacks "managed by Carbon"): rename or delete it in CircleCI, then apply again`,
        );
        continue;
      }
      const [existing, ...duplicates] = carbon.get(schedule.name) ?? [];
      const change = existing
        ? scheduleChange(scope.slug, schedule, existing, current.me!)
        : create(scope.slug, schedule);
      if (change) group.changes.push(change);
      else group.unchanged.push(label(schedule.name));
      for (const duplicate of duplicates)
        group.changes.push(remove(duplicate, 'a second schedule of this name'));
    }
  });
  // Carbon's schedules no sync rule makes any more, and what is not Carbon's.
  for (const [name, schedules] of carbon)
    if (!wanted.has(name) && scope.ownsOrphans)
      for (const schedule of schedules)
        rest.changes.push(remove(schedule, 'no sync rule makes it any more'));
  rest.foreign.push(...foreign.map((schedule) => label(schedule.name)));
  return finish();
}

const label = (name: string) => `schedule ${JSON.stringify(name)}`;

function create(slug: string, schedule: Schedule): Change {
  return {
    action: 'create',
    kind: 'schedule',
    label: label(schedule.name),
    fields: createdFields(schedule),
    steps: [{ method: 'POST', path: PATHS.schedules(slug), body: schedule }],
  };
}

function remove(schedule: ScheduleRead, why: string): Change {
  return {
    action: 'delete',
    kind: 'schedule',
    label: label(schedule.name),
    fields: [],
    why,
    steps: [{ method: 'DELETE', path: PATHS.schedule(schedule.id) }],
  };
}

function scheduleChange(
  slug: string,
  wanted: Schedule,
  existing: ScheduleRead,
  me: UserRead,
): Change | undefined {
  const fields = fieldChanges(comparable(wanted), comparable(asWritten(existing, me)));
  if (fields.length === 0) return undefined;
  const path = PATHS.schedule(existing.id);
  // Whether a PATCHed timetable replaces or merges is not documented: a timetable that changes
  // from days of the week to days of the month (or back) could keep both, so it is made again.
  if (dayKind(wanted.timetable) !== dayKind(existing.timetable))
    return {
      action: 'replace',
      kind: 'schedule',
      label: label(wanted.name),
      fields,
      why: 'its timetable changes between days of the week and days of the month',
      steps: [
        { method: 'DELETE', path },
        { method: 'POST', path: PATHS.schedules(slug), body: wanted },
      ],
    };
  return {
    action: 'update',
    kind: 'schedule',
    label: label(wanted.name),
    fields,
    steps: [{ method: 'PATCH', path, body: changedTopLevel(wanted, fields) }],
  };
}

/** A schedule read back in the shape it is written in. */
function asWritten(schedule: ScheduleRead, me: UserRead): Schedule {
  return {
    name: schedule.name,
    description: schedule.description ?? '',
    'attribution-actor': actorAlias(schedule.actor?.id, me),
    parameters: schedule.parameters as Schedule['parameters'],
    timetable: schedule.timetable,
  };
}

const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];

/** A schedule as compared: sets in a fixed order, empty or everything-lists left out. */
function comparable(schedule: Schedule): Json {
  const t = schedule.timetable;
  const timetable: Record<string, Json> = {
    'per-hour': t['per-hour'],
    'hours-of-day': [...t['hours-of-day']].sort((a, b) => a - b),
  };
  if (t['days-of-week']?.length) timetable['days-of-week'] = sortBy(t['days-of-week'], DAYS);
  if (t['days-of-month']?.length)
    timetable['days-of-month'] = [...t['days-of-month']].sort((a, b) => a - b);
  if (t.months?.length && t.months.length < 12) timetable['months'] = sortBy(t.months, MONTHS);
  return {
    name: schedule.name,
    description: schedule.description,
    'attribution-actor': schedule['attribution-actor'],
    parameters: Object.fromEntries(Object.entries(schedule.parameters).sort()),
    timetable,
  };
}

function sortBy(values: string[], order: string[]): string[] {
  return [...values].sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

function dayKind(timetable: Timetable): 'week' | 'month' {
  return timetable['days-of-month']?.length ? 'month' : 'week';
}
