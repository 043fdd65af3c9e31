// How plans and applies read, like `terraform plan`: per repository, `+` create, `~` update with
// the fields that change, `-/+` replace, `-` delete; what is not Carbon's, listed; then one line.
// Repositories where nothing is to be done are not listed: a fleet's plan shows only its drift.
import type { ApplyResult } from './apply.ts';
import type { Change, FieldChange, Json, PlanGroup } from './changes.ts';
import type { Plan } from './plan.ts';

const SIGN = { create: '+', update: '~', replace: '-/+', delete: '-' };

export function formatPlan(plan: Plan): string {
  const lines: string[] = [];
  for (const group of plan.groups) {
    if (group.changes.length + group.foreign.length + group.problems.length === 0) continue;
    lines.push(
      group.heading ??
        (group.title.startsWith('CircleCI project')
          ? group.title
          : `${group.title} (CircleCI project ${group.slug})`),
    );
    for (const change of group.changes) lines.push(...formatChange(change));
    for (const foreign of group.foreign) lines.push(`  · not Carbon's, left alone: ${foreign}`);
    for (const problem of group.problems) lines.push(`  ! ${problem}`);
    lines.push('');
  }
  lines.push(summary(plan));
  return `${lines.join('\n')}\n`;
}

function formatChange(change: Change): string[] {
  const why = change.why ? ` (${change.why})` : '';
  const width = Math.max(0, ...change.fields.map((field) => field.field.length)) + 1;
  const show = (json: Json | undefined) => (json === undefined ? '(none)' : JSON.stringify(json));
  const value = (field: FieldChange) =>
    change.action === 'create'
      ? show(field.after)
      : `${show(field.before)} -> ${show(field.after)}`;
  return [
    `  ${SIGN[change.action]} ${change.label}${why}`,
    ...change.fields.map((field) => `      ${`${field.field}:`.padEnd(width)} ${value(field)}`),
  ];
}

export function counts(groups: PlanGroup[]) {
  const tally = {
    create: 0,
    update: 0,
    replace: 0,
    delete: 0,
    unchanged: 0,
    foreign: 0,
    problems: 0,
  };
  for (const group of groups) {
    for (const change of group.changes) tally[change.action]++;
    tally.unchanged += group.unchanged.length;
    tally.foreign += group.foreign.length;
    tally.problems += group.problems.length;
  }
  return tally;
}

export function hasChanges(plan: Plan): boolean {
  return plan.groups.some((group) => group.changes.length > 0);
}

function summary(plan: Plan): string {
  const c = counts(plan.groups);
  const rest = [`${c.unchanged} unchanged`];
  if (c.foreign > 0) rest.push(`${c.foreign} not Carbon's, left alone`);
  if (c.problems > 0) rest.push(`${c.problems} problem${c.problems === 1 ? '' : 's'} (marked !)`);
  const changes = c.create + c.update + c.replace + c.delete;
  // A repository that could not be read was not compared: no match is claimed for it.
  if (changes === 0 && c.problems > 0)
    return `No changes found where CircleCI could be read, but it was not compared with the settings where a problem is marked. ${rest.join('; ')}.`;
  if (changes === 0) return `No changes: CircleCI matches the settings. ${rest.join('; ')}.`;
  return `Plan: ${c.create} to create, ${c.update} to update, ${c.replace} to replace, ${c.delete} to delete. ${rest.join('; ')}.`;
}

export function formatApply(result: ApplyResult): string {
  const lines: string[] = [];
  const past = { create: 'created', update: 'updated', replace: 'replaced', delete: 'deleted' };
  for (const { group, change } of result.done)
    lines.push(`${group.title}: ${past[change.action]} ${change.label}`);
  for (const failure of result.failed) {
    const skipped =
      failure.skipped > 0 ? `; ${failure.skipped} later change(s) of it not tried` : '';
    lines.push(`${failure.group.title}: ! ${failure.problem}${skipped}`);
  }
  for (const group of result.unconfirmed) {
    for (const change of group.changes)
      lines.push(
        `${group.title}: ! CircleCI does not show what was applied: ${SIGN[change.action]} ${change.label} is still to do`,
      );
    for (const problem of group.problems) lines.push(`${group.title}: ! ${problem}`);
  }
  const tally = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const { change } of result.done) tally[change.action]++;
  const failures = result.failed.length + result.unconfirmed.length;
  lines.push(
    `Apply: ${tally.create} created, ${tally.update} updated, ${tally.replace} replaced, ${tally.delete} deleted` +
      (failures === 0
        ? '; read back, CircleCI matches the settings.'
        : `; ${failures} failed or unconfirmed (marked !): run carbon apply again once the cause is fixed.`),
  );
  return `${lines.join('\n')}\n`;
}
