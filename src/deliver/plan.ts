// plan: reads what CircleCI holds for every CircleCI project the selected repositories use (all at
// once, the client bounding the requests in flight) and compares it with the desired state.
import { UserError } from '../errors.ts';
import type { CircleCiApi } from './circleci/api.ts';
import { ApiError } from './circleci/http.ts';
import { emptyGroup, type PlanGroup } from './changes.ts';
import type { DesiredScope, DesiredState, Integration } from './desired.ts';
import { planGitHubApp, readGitHubApp } from './github-app.ts';
import { planOauth, readOauth } from './oauth.ts';

export interface Plan {
  integration: Integration;
  groups: PlanGroup[];
}

/** Told after each CircleCI project is read. */
export type OnProgress = (done: number, total: number) => void;

export async function makePlan(
  api: CircleCiApi,
  desired: DesiredState,
  onProgress?: OnProgress,
): Promise<Plan> {
  let done = 0;
  const groups = await Promise.all(
    desired.scopes.map(async (scope) => {
      const planned = await planScope(api, desired.integration, scope);
      onProgress?.(++done, desired.scopes.length);
      return planned;
    }),
  );
  return { integration: desired.integration, groups: groups.flat() };
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
    const problem = apiProblem(caught, scope, 'reading');
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
export function apiProblem(caught: unknown, scope: DesiredScope, doing: string): string {
  if (!(caught instanceof ApiError)) throw caught;
  const where = `CircleCI project ${scope.slug} (${scope.repositories.map((r) => r.key).join(', ')})`;
  if (caught.status === 401)
    throw new UserError(
      `${doing} ${where}: CircleCI refused the token in CIRCLE_TOKEN (${caught.message}): give a personal API token (User Settings > Personal API Tokens); project tokens do not work with API v2`,
    );
  if (caught.status === 403)
    return `${doing} ${where}: the token's user may not do this (${caught.message}): it needs to be an admin of the project, or a member of the organization with write access`;
  if (caught.status === 404)
    return `${doing} ${where}: ${caught.method} ${caught.path}: not found (${caught.message})`;
  return `${doing} ${where}: ${caught.method} ${caught.path}: ${caught.message}`;
}
