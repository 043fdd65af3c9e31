// What a plan is made of: per repository, the changes to CircleCI (each with the requests that
// carry it out), what is already right, and what is not Carbon's. Plain data: `carbon plan`
// prints it, `carbon apply` sends its requests, tests read it.

import type { DesiredScope } from './desired.ts';

/**
 * A JSON value as JavaScript holds it: an object's undefined fields are left out, as JSON.stringify
 * leaves them out, so that the request bodies Carbon sends are Json as they are typed.
 */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json | undefined };

/** `orb`: made and published in CircleCI's orb registry, before anything else is applied. */
export type Kind = 'schedule' | 'pipeline' | 'trigger' | 'orb';

/** `replace`: what CircleCI cannot change in place is deleted and made again. */
export type Action = 'create' | 'update' | 'replace' | 'delete';

export interface FieldChange {
  /** Dotted path, as `timetable.hours-of-day`. */
  field: string;
  before?: Json;
  after?: Json;
}

/** One request. `{pipeline:NAME}` in a path stands for the id of the pipeline definition NAME. */
export interface Step {
  method: 'POST' | 'PATCH' | 'DELETE';
  path: string;
  body?: unknown;
  /** The id in this request's answer is the pipeline definition of this name. */
  defines?: string;
}

export interface Change {
  action: Action;
  kind: Kind;
  /** What the plan calls the object. */
  label: string;
  /** Create: the fields set; update and replace: the fields that differ. */
  fields: FieldChange[];
  why?: string;
  steps: Step[];
}

export interface PlanGroup {
  /** `project/repository`, or `CircleCI project <slug>` for what belongs to no one repository. */
  title: string;
  /** The CircleCI project. */
  slug: string;
  /** What the plan shows above the group, when it is not in a CircleCI project (the orb). */
  heading?: string;
  changes: Change[];
  /** Carbon's objects that are as the settings want them. */
  unchanged: string[];
  /** Objects that are not Carbon's: listed, never changed. */
  foreign: string[];
  /** What stops this repository from being planned or applied. */
  problems: string[];
}

export function emptyGroup(title: string, slug: string): PlanGroup {
  return { title, slug, changes: [], unchanged: [], foreign: [], problems: [] };
}

/**
 * The groups of one CircleCI project's plan: one per selected repository, and `rest` for what
 * belongs to none of them (the repository's own group when the project serves just one).
 */
export function scopeGroups(scope: DesiredScope) {
  const groups = scope.repositories.map((repository) => emptyGroup(repository.key, scope.slug));
  const rest =
    groups.length === 1 ? groups[0]! : emptyGroup(`CircleCI project ${scope.slug}`, scope.slug);
  return {
    groups,
    rest,
    /** The groups in order, each's changes in the order they are carried out. */
    finish(): PlanGroup[] {
      const all =
        rest === groups[0] || rest.changes.length + rest.foreign.length === 0
          ? groups
          : [...groups, rest];
      for (const group of all) sortChanges(group);
      return all;
    },
  };
}

/** A project CircleCI does not know (or shows this token): a problem for each repository that needs it. */
export function missingProject(scope: DesiredScope, message: string): PlanGroup[] {
  return scope.repositories.map((repository) => {
    const group = emptyGroup(repository.key, scope.slug);
    if (repository.needed)
      group.problems.push(
        `CircleCI has no project ${scope.slug} that this token can see (${message}): set the project up in CircleCI, or give circleci.projects the right slug`,
      );
    return group;
  });
}

/**
 * The order changes are carried out in: what is made or changed first (a pipeline before its
 * triggers, as planned), then deletions, a pipeline's last. A renamed schedule is made before the
 * old one goes, so a sync is never left without a schedule.
 */
export function sortChanges(group: PlanGroup): void {
  const rank = (change: Change) =>
    change.action !== 'delete' ? 0 : change.kind === 'pipeline' ? 2 : 1;
  group.changes.sort((a, b) => rank(a) - rank(b));
}

/** Every leaf of a JSON value by dotted path; lists are leaves. */
export function flatten(value: Json | undefined, prefix = '', into = new Map<string, Json>()) {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value))
      flatten(inner, prefix === '' ? key : `${prefix}.${key}`, into);
  } else if (value !== undefined && prefix !== '') {
    into.set(prefix, value);
  }
  return into;
}

/** The fields whose values differ between what is wanted and what is there, in the wanted order. */
export function fieldChanges(wanted: Json, current: Json): FieldChange[] {
  const after = flatten(wanted);
  const before = flatten(current);
  const changes: FieldChange[] = [];
  for (const field of new Set([...after.keys(), ...before.keys()])) {
    const a = after.get(field);
    const b = before.get(field);
    if (JSON.stringify(a) === JSON.stringify(b)) continue;
    changes.push({
      field,
      ...(b === undefined ? {} : { before: b }),
      ...(a === undefined ? {} : { after: a }),
    });
  }
  return changes;
}

/** The fields of a new object, as a create shows them. */
export function createdFields(wanted: Json): FieldChange[] {
  return [...flatten(wanted)].map(([field, after]) => ({ field, after }));
}

/** The top-level keys of the wanted object that a set of field changes touches, with their values. */
export function changedTopLevel<T extends object>(wanted: T, changes: FieldChange[]): Partial<T> {
  const keys = new Set(changes.map((change) => change.field.split('.')[0]!));
  return Object.fromEntries(Object.entries(wanted).filter(([key]) => keys.has(key))) as Partial<T>;
}

/** `system` or `current`, from the user CircleCI resolved the attribution actor to. */
export function actorAlias(actorId: string | undefined, me: { id: string }): 'system' | 'current' {
  return actorId === me.id ? 'current' : 'system';
}

/** Objects of the same identity, the first kept and the others duplicates. */
export function byKey<T>(items: T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    map.set(k, [...(map.get(k) ?? []), item]);
  }
  return map;
}
