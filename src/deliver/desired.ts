// The CircleCI state the settings ask for, per integration, from the same resolved settings and
// the same functions generate uses: the schedules are those schedules.yml lists, byte for byte.
//
// OAuth: a project is a repository; Carbon owns its schedules. GitHub App: a project holds
// pipeline definitions; Carbon owns one per repository with a config (reading it from the
// workspace repository) with its triggers: pushes, when the repository builds, cross-repo triggers
// from what its build checks out (cascades), and schedules.
import type { Schedule } from '../emit/circleci.ts';
import { needsConfig } from '../emit/config.ts';
import { configPath, MANAGED_MARKER, repositorySchedules } from '../emit/emit.ts';
import { UserError } from '../errors.ts';
import type { Workspace } from '../resolve/model.ts';
import type { PipelineDefinitionBody, TriggerBody } from './circleci/api.ts';
import { crossRepoTriggers } from './cross-repo.ts';
import { CARBON_PREFIX } from './ownership.ts';
import {
  allTargets,
  githubIdOf,
  projectSlugOf,
  selectTargets,
  unusedEntries,
  type Target,
} from './target.ts';

export type Integration = 'oauth' | 'github-app';

export interface DesiredRepository {
  /** `project/repository`. */
  key: string;
  /** Whether it has a config: then its CircleCI project must exist. */
  needed: boolean;
  /** OAuth: the schedules of its project. */
  schedules: Schedule[];
  /** GitHub App: the name of its pipeline definition, wanted or not (then it is deleted). */
  pipelineName: string;
  pipeline?: {
    body: PipelineDefinitionBody;
    triggers: TriggerBody[];
    /** What each cross-repo trigger rebuilds on, in words, by its key (cross-repo.ts). */
    crossRepo: Record<string, string>;
  };
}

/** One CircleCI project and the selected repositories it serves. */
export interface DesiredScope {
  slug: string;
  repositories: DesiredRepository[];
  /**
   * Whether every repository the settings map to this project is selected: only then may Carbon's
   * objects that no repository wants be deleted.
   */
  ownsOrphans: boolean;
}

export interface DesiredState {
  integration: Integration;
  scopes: DesiredScope[];
}

export interface DesiredOptions {
  /** `[project[/repository]]`. */
  filter?: string;
  /** The workspace's folder inside its git repository (`infra/carbon/`), '' at its root. */
  pathPrefix: string;
}

export function desiredState(workspace: Workspace, options: DesiredOptions): DesiredState {
  const settings = workspace.config;
  const integration = settings.circleci.integration;
  const selected = new Set(selectTargets(workspace, options.filter).map((target) => target.key));
  const problems = unusedEntries(workspace);
  const scopes = new Map<string, DesiredScope>();
  for (const target of allTargets(workspace)) {
    const needed = needsConfig(target.repository);
    const slug = projectSlugOf(target, settings);
    if (slug === undefined) {
      if (needed && selected.has(target.key)) problems.push(noProject(target, integration));
      continue;
    }
    const scope = scopes.get(slug) ?? { slug, repositories: [], ownsOrphans: true };
    scopes.set(slug, scope);
    if (!selected.has(target.key)) {
      scope.ownsOrphans = false;
      continue;
    }
    const repository: DesiredRepository = {
      key: target.key,
      needed,
      schedules: [],
      pipelineName: `${CARBON_PREFIX}${target.repository.id}`,
    };
    if (integration === 'oauth') {
      const schedules = repositorySchedules(target.repository, settings);
      if (schedules?.kind === 'schedules') repository.schedules = schedules.schedules;
    } else if (needed) {
      const pipeline = gitHubAppPipeline(target, workspace, options.pathPrefix, problems);
      if (pipeline) repository.pipeline = pipeline;
    }
    const clash = scope.repositories.find(
      (other) => other.pipelineName === repository.pipelineName,
    );
    if (integration === 'github-app' && clash)
      problems.push(
        `${clash.key} and ${target.key} would both have the pipeline ${repository.pipelineName} in CircleCI project ${slug}: map their projects to different CircleCI projects in circleci.projects`,
      );
    scope.repositories.push(repository);
  }
  if (problems.length > 0)
    throw new UserError(
      `the settings do not say enough to reach CircleCI:\n${problems.map((p) => `  ${p}`).join('\n')}`,
    );
  return {
    integration,
    scopes: [...scopes.values()].filter((scope) => scope.repositories.length > 0),
  };
}

function noProject(target: Target, integration: Integration): string {
  if (integration === 'github-app')
    return `${target.key}: no CircleCI project: add "${target.project.id}": "circleci/<org id>/<project id>" (from Project Settings) to circleci.projects`;
  return `${target.key}: ${target.repository.local.url} is on neither GitHub nor Bitbucket, so its CircleCI project cannot be derived: add "${target.key}": "<vcs>/<org>/<repo>" to circleci.projects`;
}

function gitHubAppPipeline(
  target: Target,
  workspace: Workspace,
  pathPrefix: string,
  problems: string[],
): DesiredRepository['pipeline'] {
  const settings = workspace.config;
  const id = githubIdOf(target, settings);
  if (id === undefined) {
    problems.push(
      `${target.key}: no GitHub id for ${target.repository.local.url}: add it to circleci.githubIds (\`gh api repos/<owner>/<repo> --jq .id\` prints it)`,
    );
    return undefined;
  }
  const { githubId: configId, ref } = settings.circleci.configRepository!;
  const file = configPath(target.project.id, target.repository.id);
  const body: PipelineDefinitionBody = {
    name: `${CARBON_PREFIX}${target.repository.id}`,
    description: `${target.repository.name} (${target.key}), ${MANAGED_MARKER}: its config is ${file}; change the settings, not this pipeline.`,
    config_source: {
      provider: 'github_app',
      repo: { external_id: configId },
      file_path: `${pathPrefix}${file}`,
    },
    checkout_source: { provider: 'github_app', repo: { external_id: id } },
  };
  const triggers: TriggerBody[] = [];
  if (target.repository.build?.enabled) {
    // The config comes from another repository than the pushes: CircleCI then needs its ref.
    triggers.push({
      event_source: { provider: 'github_app', repo: { external_id: id } },
      event_preset: 'all-pushes',
      ...(configId === id ? {} : { config_ref: ref }),
      disabled: false,
    });
  }
  const cascades = crossRepoTriggers(target, settings, problems);
  triggers.push(...cascades.triggers);
  const schedules = repositorySchedules(target.repository, settings);
  if (schedules?.kind === 'triggers') triggers.push(...schedules.triggers);
  return { body, triggers, crossRepo: cascades.labels };
}
