// plan: reads what CircleCI holds for every CircleCI project the selected repositories use (all at
// once, the client bounding the requests in flight) and compares it with the desired state.
import { UserError } from '../errors.ts';
import type { CircleCiApi } from './circleci/api.ts';
import { ApiError } from './circleci/http.ts';
import { emptyGroup, type PlanGroup } from './changes.ts';
import type { DesiredScope, DesiredState, Integration } from './desired.ts';
import type { OrbRegistry } from './circleci/orbs.ts';
import { planGitHubApp, readGitHubApp } from './github-app.ts';
import { planOauth, readOauth } from './oauth.ts';
import { orbGroup, planOrb, readOrb, type DesiredOrb, type OrbPlan } from './orb.ts';

export interface Plan {
  integration: Integration;
  /** The orb's group first, when the configs reference a published orb. */
  groups: PlanGroup[];
  orb?: OrbPlan;
}

/** The orb the configs reference, and the registry to read it from. */
export interface OrbTarget {
  registry: OrbRegistry;
  orb: DesiredOrb;
}

/** Told after each CircleCI project is read. */
export type OnProgress = (done: number, total: number) => void;

export async function makePlan(
  api: CircleCiApi,
  desired: DesiredState,
  onProgress?: OnProgress,
  target?: OrbTarget,
): Promise<Plan> {
  let done = 0;
  const [orb, groups] = await Promise.all([
    target ? planOrbTarget(target) : undefined,
    Promise.all(
      desired.scopes.map(async (scope) => {
        const planned = await planScope(api, desired.integration, scope);
        onProgress?.(++done, desired.scopes.length);
        return planned;
      }),
    ),
  ]);
  return {
    integration: desired.integration,
    groups: [...(orb ? [orb.group] : []), ...groups.flat()],
    ...(orb ? { orb } : {}),
  };
}

export async function planOrbTarget({ registry, orb }: OrbTarget): Promise<OrbPlan> {
  try {
    return planOrb(orb, await readOrb(registry, orb));
  } catch (caught) {
    const group = orbGroup(orb);
    group.problems.push(apiProblem(caught, `reading ${orb.reference} in CircleCI's orb registry`));
    return { orb, group };
  }
}

export async function planScope(
  api: CircleCiApi,
  integration: Integration,
  scope: DesiredScope,
): Promise<PlanGroup[]> {
  try {
    return integration === 'oauth'
      ? planOauth(scope, await readOauth(api, scope.slug))
      : planGitHubApp(scope, await readGitHubApp(api, scope.slug));
  } catch (caught) {
    const repositories = scope.repositories.map((repository) => repository.key).join(', ');
    const problem = apiProblem(caught, `reading CircleCI project ${scope.slug} (${repositories})`);
    return scope.repositories.map((repository) => {
      const group = emptyGroup(repository.key, scope.slug);
      group.problems.push(problem);
      return group;
    });
  }
}

/**
 * What an API error means for a project, in words. A refused token is refused everywhere: it
 * stops the whole run, naming the project it was found on.
 */
export function apiProblem(caught: unknown, doing: string): string {
  if (!(caught instanceof ApiError)) throw caught;
  if (caught.status === 401)
    throw new UserError(
      `${doing}: CircleCI refused the token in CIRCLE_TOKEN (${caught.message}): give a personal API token (User Settings > Personal API Tokens); project tokens do not work with API v2`,
    );
  if (caught.status === 403)
    return `${doing}: the token's user may not do this (${caught.message}): it needs to be an admin of the project, or a member of the organization with write access`;
  if (caught.status === 404)
    return `${doing}: ${caught.method} ${caught.path}: not found (${caught.message})`;
  return `${doing}: ${caught.method} ${caught.path}: ${caught.message}`;
}
