// The rules that look across projects. Each project module is compiled on its own (and kept by
// the cache on its own), so these rules see every project through a small summary of it.
import { relative } from 'node:path';
import { error, quote, warning, type Diagnostic } from '../diagnostics.ts';
import type { Source } from '../settings/parse.ts';
import type { Config } from '../settings/schema.ts';
import { closest, editDistance, meant } from '../suggest.ts';
import { atSource } from './context.ts';
import { unusedSshKeys } from './links.ts';
import { syncTargetsAreUnique, type SyncWrite } from './sync-targets.ts';

/** What the workspace rules need to know of a project. */
export interface ProjectSummary {
  id: string;
  source: Source;
  /**
   * `host/owner/repo` of every git URL of its repositories (local and origin; file URLs have
   * none), as git.sshKeys entries match them: found where the module is compiled, so that a
   * cached unit brings them along and no URL is parsed again across projects.
   */
  gitKeys: string[];
  /** The ids of its repositories, in the written order (their index is their position). */
  repositories: string[];
  /** Where its enabled builds push and deploy (known when the project has no error). */
  targets: BuildTarget[];
  /** The branches its sync rules write. */
  syncWrites: SyncWrite[];
  /** The links its enabled builds would be rebuilt on by OAuth cascades, in words (cascade.ts). */
  cascadeLinks: string[];
}

export interface BuildTarget {
  /** Index of the repository in the written list, and its id. */
  index: number;
  repository: string;
  /** `account/region/name` of the ECR repository. */
  ecr: string;
  /** `account/region/cluster/service`, when the build deploys an ECS service. */
  ecs?: string;
  /** `account/region/stack`, when the build provisions with a CloudFormation stack. */
  stack?: string;
}

export interface WorkspaceContext {
  root: string;
  config: Config;
  configSource?: Source;
  projects: ProjectSummary[];
  /** Whether every module was read and parsed: rules about what is absent need all of them. */
  complete: boolean;
  /** carbon.config.ts has an error: `config` holds the defaults (see RuleContext). */
  configFailed: boolean;
}

export type WorkspaceRule = (context: WorkspaceContext) => Diagnostic[];

/**
 * Project ids name folders and AWS resources: `taxaroo` and `Taxaroo` would share a folder on macOS
 * and Windows and an ECR repository everywhere, so ids are compared ignoring case.
 */
export const projectIdsAreUnique: WorkspaceRule = ({ root, projects }) => {
  const byId = new Map<string, ProjectSummary[]>();
  for (const project of projects) {
    if (project.id === '') continue;
    const key = project.id.toLowerCase();
    byId.set(key, [...(byId.get(key) ?? []), project]);
  }
  const found: Diagnostic[] = [];
  // Each of them is reported, naming the others: which one is the new one, only the user knows.
  for (const sharing of byId.values()) {
    if (sharing.length < 2) continue;
    for (const project of sharing)
      for (const other of sharing.filter((candidate) => candidate !== project)) {
        const how =
          other.id === project.id
            ? 'is also used'
            : `differs only in case from ${quote(other.id)}, used`;
        found.push(
          error(
            'duplicate-project-id',
            atSource(project.source, 'id'),
            `project id ${quote(project.id)} ${how} by the export ${quote(other.source.exportName)} of ` +
              `${relative(root, other.source.file)}: project ids must be unique across the workspace, ignoring case`,
          ),
        );
      }
  }
  return found;
};

/** Two builds pushing to one ECR repository, or deploying one ECS service, overwrite each other. */
export const buildTargetsAreUnique: WorkspaceRule = (context) => {
  const found: Diagnostic[] = [];
  // Projects whose ids collide share every derived name: that is reported once, as the id.
  const counts = new Map<string, number>();
  for (const { id } of context.projects)
    counts.set(id.toLowerCase(), (counts.get(id.toLowerCase()) ?? 0) + 1);
  const projects = context.projects.filter((project) => counts.get(project.id.toLowerCase()) === 1);
  for (const [kind, what, code, field] of [
    ['ecr', 'ECR repository', 'shared-ecr-repository', 'ecs.ecrRepository'],
    ['ecs', 'ECS service', 'shared-ecs-service', 'ecs.service'],
    ['stack', 'CloudFormation stack', 'shared-stack', 'provision.cloudformation.stack'],
  ] as const) {
    const users = new Map<string, { project: ProjectSummary; target: BuildTarget }[]>();
    for (const project of projects)
      for (const target of project.targets) {
        const key = target[kind];
        if (key === undefined) continue;
        const sharing = users.get(key);
        if (sharing) sharing.push({ project, target });
        else users.set(key, [{ project, target }]);
      }
    for (const [key, sharing] of users) {
      if (sharing.length < 2) continue;
      const names = sharing.map(({ project, target }) => `${project.id}/${target.repository}`);
      for (const { project, target } of sharing) {
        const others = names.filter((name) => name !== `${project.id}/${target.repository}`);
        found.push(
          error(
            code,
            atSource(project.source, 'repositories', target.index, 'build'),
            `this build and ${others.join(', ')} would both use the ${what} ${key.split('/').slice(2).join('/')} ` +
              `(account ${key.split('/')[0]}, ${key.split('/')[1]}): each would overwrite the other; set ` +
              `build.${field} of one of them`,
          ),
        );
      }
    }
  }
  return found;
};

export const sshKeysOpenRepositories: WorkspaceRule = (context) => {
  const { configSource } = context;
  if (!configSource || context.projects.length === 0) return [];
  const keys = context.projects.flatMap((project) => project.gitKeys);
  const found: Diagnostic[] = [];
  // The keys to suggest from are gathered once, and only when an entry opens none.
  let suggestions: Set<string> | undefined;
  for (const { written: prefix, normalized } of unusedSshKeys(context.config.git.sshKeys, keys)) {
    suggestions ??= suggestedKeys(context.projects);
    const match = closest(normalized, suggestions);
    // Without every project (one failed) an entry is not known to be unused, unless it is a
    // misspelling of a repository's, a typo or two away, which leaves that repository without a
    // key (the error there says to add one; this one says which entry meant to be it).
    if (
      !context.complete &&
      (match === undefined || editDistance(normalized.toLowerCase(), match.toLowerCase()) > 2)
    )
      continue;
    found.push(
      error(
        'unused-ssh-key',
        atSource(configSource, 'git', 'sshKeys', prefix),
        `git.sshKeys entry ${quote(prefix)} matches no repository of the settings, so its key would ` +
          `never be used${meant(match)}: write host/owner or host/owner/repo as in ` +
          'the git URLs (without ".git")',
      ),
    );
  }
  return found;
};

/** What a git.sshKeys entry could have meant: every host/owner/repo of the settings, and its host/owner. */
function suggestedKeys(projects: ProjectSummary[]): Set<string> {
  const keys = new Set<string>();
  for (const project of projects) {
    for (const key of project.gitKeys) {
      keys.add(key);
      keys.add(key.split('/').slice(0, 2).join('/'));
    }
  }
  return keys;
}

/**
 * OAuth cascades need a token to trigger pipelines: without `circleci.cascadeContext` they are off,
 * which is said once for the workspace, where it is switched on, rather than at every link.
 */
export const oauthCascadesNeedAToken: WorkspaceRule = (context) => {
  const { config, configSource, projects } = context;
  // Said once the settings have no error: until then it would only add to what must be fixed.
  if (context.configFailed || !context.complete) return [];
  if (config.circleci.integration !== 'oauth' || config.circleci.cascadeContext !== undefined)
    return [];
  const links = projects.flatMap((project) => project.cascadeLinks);
  const first = projects.find((project) => project.cascadeLinks.length > 0);
  if (!first) return [];
  const more = links.length > 1 ? `, and ${links.length - 1} more` : '';
  return [
    warning(
      'cascades-off',
      configSource ? atSource(configSource, 'circleci') : atSource(first.source, 'repositories'),
      `builds are not rebuilt when what they check out changes (${links[0]}${more}): OAuth projects ` +
        "trigger those rebuilds through CircleCI's API, which needs a token; set circleci.cascadeContext " +
        'in carbon.config.ts to a context holding CIRCLE_TOKEN (a personal API token that may trigger ' +
        "the projects' pipelines), or set build.rebuildOn: [] where you do without",
    ),
  ];
};

/** Every workspace rule, in the order their findings are reported. */
export const WORKSPACE_RULES: WorkspaceRule[] = [
  projectIdsAreUnique,
  buildTargetsAreUnique,
  syncTargetsAreUnique,
  sshKeysOpenRepositories,
  oauthCascadesNeedAToken,
];
