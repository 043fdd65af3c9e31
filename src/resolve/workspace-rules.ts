// The rules that look across projects. Each project module is compiled on its own (and kept by
// the cache on its own), so these rules see every project through a small summary of it.
import { relative } from 'node:path';
import { error, quote, type Diagnostic } from '../diagnostics.ts';
import type { Source } from '../settings/parse.ts';
import type { Config } from '../settings/schema.ts';
import { didYouMean } from '../suggest.ts';
import { atSource } from './context.ts';
import { unusedSshKeys } from './links.ts';

/** What the workspace rules need to know of a project. */
export interface ProjectSummary {
  id: string;
  source: Source;
  /**
   * `host/owner/repo` of every git URL of its repositories (local and origin; file URLs have
   * none), as git.sshKeys entries match them: found where the module is compiled, whose URL
   * parser is warm (the main thread's would parse 4,000 URLs of 500 projects again: 10 ms).
   */
  gitKeys: string[];
  /** The ids of its repositories, in the written order (their index is their position). */
  repositories: string[];
  /** Where its enabled builds push and deploy (known when the project has no error). */
  targets: BuildTarget[];
}

export interface BuildTarget {
  /** Index of the repository in the written list, and its id. */
  index: number;
  repository: string;
  /** `account/region/name` of the ECR repository. */
  ecr: string;
  /** `account/region/cluster/service`, when the build deploys an ECS service. */
  ecs?: string;
}

export interface WorkspaceContext {
  root: string;
  config: Config;
  configSource?: Source;
  projects: ProjectSummary[];
  /** Whether every module was read and parsed: rules about what is absent need all of them. */
  complete: boolean;
}

export type WorkspaceRule = (context: WorkspaceContext) => Diagnostic[];

/**
 * Project ids name folders and AWS resources: `taxaroo` and `Taxaroo` would share a folder on macOS
 * and Windows and an ECR repository everywhere, so ids are compared ignoring case.
 */
export const projectIdsAreUnique: WorkspaceRule = ({ root, projects }) => {
  const first = new Map<string, ProjectSummary>();
  const found: Diagnostic[] = [];
  for (const project of projects) {
    const id = project.id;
    if (id === '') continue;
    const earlier = first.get(id.toLowerCase());
    if (earlier) {
      const how =
        earlier.id === id
          ? 'is already used'
          : `differs only in case from ${quote(earlier.id)}, used`;
      found.push(
        error(
          'duplicate-project-id',
          atSource(project.source, 'id'),
          `project id ${quote(id)} ${how} by the export ${quote(earlier.source.exportName)} of ` +
            `${relative(root, earlier.source.file)}: project ids must be unique across the workspace, ignoring case`,
        ),
      );
    } else {
      first.set(id.toLowerCase(), project);
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
  for (const [kind, what] of [
    ['ecr', 'ECR repository'],
    ['ecs', 'ECS service'],
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
            kind === 'ecr' ? 'shared-ecr-repository' : 'shared-ecs-service',
            atSource(project.source, 'repositories', target.index, 'build'),
            `this build and ${others.join(', ')} would both use the ${what} ${key.split('/').slice(2).join('/')} ` +
              `(account ${key.split('/')[0]}, ${key.split('/')[1]}): each would overwrite the other; set ` +
              `build.ecs.${kind === 'ecr' ? 'ecrRepository' : 'service'} of one of them`,
          ),
        );
      }
    }
  }
  return found;
};

export const sshKeysOpenRepositories: WorkspaceRule = (context) => {
  const { configSource } = context;
  // Without every project (one failed, or none at all) nothing can be said to be unused.
  if (!configSource || !context.complete || context.projects.length === 0) return [];
  const keys = context.projects.flatMap((project) => project.gitKeys);
  const found: Diagnostic[] = [];
  // The keys to suggest from are gathered once, and only when an entry opens none.
  let suggestions: Set<string> | undefined;
  for (const { written: prefix, normalized } of unusedSshKeys(context.config.git.sshKeys, keys)) {
    suggestions ??= suggestedKeys(context.projects);
    found.push(
      error(
        'unused-ssh-key',
        atSource(configSource, 'git', 'sshKeys', prefix),
        `git.sshKeys entry ${quote(prefix)} matches no repository of the settings, so its key would ` +
          `never be used${didYouMean(normalized, suggestions)}: write host/owner or host/owner/repo as in ` +
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

/** Every workspace rule, in the order their findings are reported. */
export const WORKSPACE_RULES: WorkspaceRule[] = [
  projectIdsAreUnique,
  buildTargetsAreUnique,
  sshKeysOpenRepositories,
];
