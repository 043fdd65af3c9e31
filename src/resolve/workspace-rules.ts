// The rules that look across projects. Each project module is compiled on its own (and kept by
// the cache on its own), so these rules see every project through a small summary of it.
import { relative } from 'node:path';
import { error, quote, type Diagnostic } from '../diagnostics.ts';
import type { Source } from '../settings/parse.ts';
import type { Config } from '../settings/schema.ts';
import { didYouMean } from '../suggest.ts';
import { atConfig } from './context.ts';
import { gitKey, normalizeKeyPrefix } from './links.ts';

/** What the workspace rules need to know of a project. */
export interface ProjectSummary {
  id: string;
  source: Source;
  /** Every git URL of its repositories, as written (local and origin). */
  gitUrls: string[];
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

const atProject = (project: ProjectSummary, ...path: string[]) => ({
  file: project.source.file,
  exportName: project.source.exportName,
  path,
});

export const projectIdsAreUnique: WorkspaceRule = ({ root, projects }) => {
  const first = new Map<string, ProjectSummary>();
  const found: Diagnostic[] = [];
  for (const project of projects) {
    const id = project.id;
    if (id === '') continue;
    const earlier = first.get(id);
    if (earlier) {
      found.push(
        error(
          'duplicate-project-id',
          atProject(project, 'id'),
          `project id ${quote(id)} is already used by the export ${quote(earlier.source.exportName)} of ` +
            `${relative(root, earlier.source.file)}: project ids must be unique across the workspace`,
        ),
      );
    } else {
      first.set(id, project);
    }
  }
  return found;
};

export const sshKeysOpenRepositories: WorkspaceRule = (context) => {
  const { configSource } = context;
  const prefixes = Object.keys(context.config.git.sshKeys);
  if (!configSource || prefixes.length === 0 || !context.complete) return [];
  const keys = new Set<string>();
  for (const project of context.projects) {
    for (const written of project.gitUrls) {
      const key = gitKey(written);
      if (key === undefined) continue;
      keys.add(key);
      keys.add(key.split('/').slice(0, 2).join('/'));
    }
  }
  const found: Diagnostic[] = [];
  for (const prefix of prefixes) {
    const normalized = normalizeKeyPrefix(prefix);
    const opens = [...keys].some((key) => key === normalized || key.startsWith(`${normalized}/`));
    if (opens) continue;
    found.push(
      error(
        'unused-ssh-key',
        atConfig(configSource, 'git', 'sshKeys', prefix),
        `git.sshKeys entry ${quote(prefix)} matches no repository of the settings, so its key would ` +
          `never be used${didYouMean(normalized, keys)}: write host/owner or host/owner/repo as in ` +
          'the git URLs (without ".git")',
      ),
    );
  }
  return found;
};

/** Every workspace rule, in the order their findings are reported. */
export const WORKSPACE_RULES: WorkspaceRule[] = [projectIdsAreUnique, sshKeysOpenRepositories];
