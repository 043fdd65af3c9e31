// Which repositories a delivery command works on, and what CircleCI calls each of them: the
// project slug (derived from the git URL for OAuth, from circleci.projects otherwise) and, for
// GitHub App projects, GitHub's numeric repository id.
import { UserError } from '../errors.ts';
import { circleCiProjectSlug, gitKey, normalizeKeyPrefix } from '../resolve/links.ts';
import type { ResolvedProject, ResolvedRepository, Workspace } from '../resolve/model.ts';
import type { Config as Settings } from '../settings/schema.ts';
import { didYouMean } from '../suggest.ts';

export interface Target {
  project: ResolvedProject;
  repository: ResolvedRepository;
  /** `project/repository`, as the filter and the plan name it. */
  key: string;
}

/** Every repository of the workspace, in the order of the settings. */
export function allTargets(workspace: Workspace): Target[] {
  return workspace.projects.flatMap((project) =>
    project.repositories.map((repository) => ({
      project,
      repository,
      key: `${project.id}/${repository.id}`,
    })),
  );
}

/** The repositories `[project[/repository]]` names; all of them without a filter. */
export function selectTargets(workspace: Workspace, filter: string | undefined): Target[] {
  const targets = allTargets(workspace);
  if (filter === undefined) return targets;
  const [projectId, repositoryId, ...rest] = filter.split('/');
  const projects = workspace.projects.map((project) => project.id);
  const project = workspace.projects.find((candidate) => candidate.id === projectId);
  if (!project || rest.length > 0)
    throw new UserError(
      `${JSON.stringify(filter)} names no project${didYouMean(projectId ?? '', projects)}: write project or project/repository (projects: ${projects.join(', ')})`,
    );
  if (repositoryId === undefined) return targets.filter((target) => target.project === project);
  const ids = project.repositories.map((repository) => repository.id);
  const chosen = targets.filter(
    (target) => target.project === project && target.repository.id === repositoryId,
  );
  if (chosen.length === 0)
    throw new UserError(
      `project ${project.id} has no repository ${JSON.stringify(repositoryId)}${didYouMean(repositoryId, ids)} (repositories: ${ids.join(', ')})`,
    );
  return chosen;
}

/** The CircleCI project of a repository (see circleCiProjectSlug). */
export function projectSlugOf(target: Target, settings: Settings): string | undefined {
  return circleCiProjectSlug(
    settings.circleci,
    target.project.id,
    target.repository.id,
    target.repository.local.url,
  );
}

/** GitHub's id of the repository, from `circleci.githubIds` by `host/owner/repo`. */
export function githubIdOf(target: Target, settings: Settings): string | undefined {
  return githubIdOfUrl(target.repository.local.url, settings);
}

/** GitHub's id of the repository at a git URL, from `circleci.githubIds` by `host/owner/repo`. */
export function githubIdOfUrl(url: string, settings: Settings): string | undefined {
  const key = gitKey(url);
  if (key === undefined) return undefined;
  for (const [written, id] of Object.entries(settings.circleci.githubIds))
    if (normalizeKeyPrefix(written).toLowerCase() === key.toLowerCase()) return id;
  return undefined;
}

/** Entries of `circleci.projects` and `circleci.githubIds` that name nothing in the settings. */
export function unusedEntries(workspace: Workspace): string[] {
  const targets = allTargets(workspace);
  const { projects, githubIds } = workspace.config.circleci;
  const names = [...workspace.projects.map((project) => project.id), ...targets.map((t) => t.key)];
  // A carbon repository beside a project is no repository of the settings, but its pushes may
  // rebuild builds: its id is used too.
  const repositories = targets.flatMap((target) =>
    [target.repository.local.url, ...(target.repository.build?.rebuiltBy ?? []).map((s) => s.url)]
      .map(gitKey)
      .filter((key) => key !== undefined),
  );
  const lower = new Set(repositories.map((key) => key.toLowerCase()));
  const problems: string[] = [];
  for (const key of Object.keys(projects))
    if (!names.includes(key))
      problems.push(
        `circleci.projects[${JSON.stringify(key)}] names no project or project/repository${didYouMean(key, names)}`,
      );
  for (const key of Object.keys(githubIds))
    if (!lower.has(normalizeKeyPrefix(key).toLowerCase()))
      problems.push(
        `circleci.githubIds[${JSON.stringify(key)}] is the URL of no repository's local.git${didYouMean(key, repositories)}`,
      );
  return problems;
}
