// apply: carries a plan out, CircleCI project by project (all at once, the client bounding the
// requests in flight; within a project in the plan's order), then reads every project it changed
// back and plans again: what is still not as the settings want is reported, not assumed done.
//
// Every change is computed from what CircleCI holds, so a run that stops half way (a failure, a
// kill) leaves nothing to remember: the next plan starts from what is there and converges.
import type { CircleCiApi } from './circleci/api.ts';
import type { Change, PlanGroup } from './changes.ts';
import type { DesiredState } from './desired.ts';
import { applyOrbChange } from './orb.ts';
import {
  apiProblem,
  planOrbTarget,
  planScope,
  type OnProgress,
  type OrbTarget,
  type Plan,
} from './plan.ts';

export interface ApplyResult {
  /** Changes carried out, with their group. */
  done: { group: PlanGroup; change: Change }[];
  /** The change that failed in a group; the group's later changes were not tried. */
  failed: { group: PlanGroup; change: Change; problem: string; skipped: number }[];
  /** What reading back still finds different, in groups whose changes all went through. */
  unconfirmed: PlanGroup[];
}

export async function applyPlan(
  api: CircleCiApi,
  plan: Plan,
  desired: DesiredState,
  onProgress?: OnProgress,
  target?: OrbTarget,
): Promise<ApplyResult> {
  const result: ApplyResult = { done: [], failed: [], unconfirmed: [] };
  // The orb first: every config references it, so nothing else goes live without it.
  if (plan.orb && target) {
    const { group, orb } = plan.orb;
    const notTried = () => {
      for (const other of plan.groups)
        if (other !== group && other.changes.length > 0)
          result.failed.push({
            group: other,
            change: other.changes[0]!,
            problem: `not tried: the configs reference ${orb.reference}, which is not published as orb.yml has it`,
            skipped: other.changes.length - 1,
          });
      return result;
    };
    if (group.problems.length > 0) return notTried();
    for (const [index, change] of group.changes.entries()) {
      try {
        await applyOrbChange(target.registry, plan.orb, change);
        result.done.push({ group, change });
      } catch (caught) {
        const problem = apiProblem(caught, `publishing ${change.label} in CircleCI's orb registry`);
        result.failed.push({ group, change, problem, skipped: group.changes.length - index - 1 });
        return notTried();
      }
    }
    if (group.changes.length > 0) {
      const after = await planOrbTarget(target);
      if (after.group.changes.length + after.group.problems.length > 0)
        result.unconfirmed.push(after.group);
    }
  }
  const todo = desired.scopes.filter((scope) =>
    plan.groups.some((group) => group.slug === scope.slug && group.changes.length > 0),
  );
  let finished = 0;
  await Promise.all(
    todo.map(async (scope) => {
      const groups = plan.groups.filter((group) => group.slug === scope.slug);
      // Ids of the pipeline definitions made in this project, for the `{pipeline:NAME}` of later steps.
      const made = new Map<string, string>();
      for (const group of groups) {
        for (const [index, change] of group.changes.entries()) {
          try {
            for (const step of change.steps) {
              const path = step.path.replace(/\{pipeline:([^}]+)\}/g, (_, name: string) =>
                encodeURIComponent(made.get(name) ?? name),
              );
              if (step.defines)
                made.set(step.defines, await api.create(step.method, path, step.body));
              else await api.send(step.method, path, step.body);
            }
            result.done.push({ group, change });
          } catch (caught) {
            const problem = apiProblem(
              caught,
              `${verb(change)} ${change.label} in CircleCI project ${scope.slug}`,
            );
            const skipped = group.changes.length - index - 1;
            result.failed.push({ group, change, problem, skipped });
            break;
          }
        }
      }
      const failedHere = new Set(result.failed.map((failure) => failure.group.title));
      const after = await planScope(api, desired.integration, scope);
      for (const group of after)
        if (!failedHere.has(group.title) && (group.changes.length > 0 || group.problems.length > 0))
          result.unconfirmed.push(group);
      onProgress?.(++finished, todo.length);
    }),
  );
  return result;
}

function verb(change: Change): string {
  return { create: 'creating', update: 'updating', replace: 'replacing', delete: 'deleting' }[
    change.action
  ];
}
