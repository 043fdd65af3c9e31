// What every cross-repository rule works with: the parsed settings, and small helpers to walk the
// repositories and to say where in the settings a finding is.
import type { Diagnostic, Origin, PathSegment } from '../diagnostics.ts';
import type { ParsedProject, Source } from '../settings/parse.ts';
import type { Config, Repository } from '../settings/schema.ts';
import { closest } from '../suggest.ts';
import { siblingGitUrl } from './links.ts';

export interface RuleContext {
  /** The workspace root: messages name files relative to it. */
  root: string;
  config: Config;
  /** Where carbon.config.ts's settings were written, when the workspace has one. */
  configSource?: Source;
  /**
   * carbon.config.ts has an error (reported there): `config` holds the defaults, so rules that
   * read it (AWS account, SSH keys) say nothing rather than blame the projects.
   */
  configFailed?: boolean;
  projects: ParsedProject[];
}

export type Rule = (context: RuleContext) => Diagnostic[];

export interface RepositoryEntry {
  project: ParsedProject;
  index: number;
  repository: Repository;
}

export function* eachRepository(context: RuleContext): Generator<RepositoryEntry> {
  for (const project of context.projects) {
    for (const { index, settings } of project.repositories)
      yield { project, index, repository: settings };
  }
}

export function at(project: ParsedProject, ...path: PathSegment[]): Origin {
  return atSource(project.source, ...path);
}

/** A place in a settings module's export: carbon.config.ts's, or a project's by its source. */
export function atSource(source: Source, ...path: PathSegment[]): Origin {
  return { file: source.file, exportName: source.exportName, path };
}

/** A project's repositories by id, found once per project rather than once per repository or link. */
export interface RepositoryIndex {
  /** Every repository id, including those that failed to parse, in the written order. */
  ids: string[];
  known: Set<string>;
  /** The repositories that parsed, by id (the first written, of ids written twice). */
  byId: Map<string, Repository>;
  /**
   * The id closest to a name that is none (a build.carbonRepo outside the project), by name: the
   * repositories of a project mostly name the same one.
   */
  closestIds: Map<string, string | undefined>;
}

const indexes = new WeakMap<ParsedProject, RepositoryIndex>();

export function repositoriesOf(project: ParsedProject): RepositoryIndex {
  let index = indexes.get(project);
  if (index) return index;
  const ids = [...project.repositories.map((r) => r.settings.id), ...project.invalidRepositoryIds];
  const byId = new Map<string, Repository>();
  for (const { settings } of project.repositories)
    if (!byId.has(settings.id)) byId.set(settings.id, settings);
  index = { ids, known: new Set(ids), byId, closestIds: new Map() };
  indexes.set(project, index);
  return index;
}

/**
 * Whether a sync rule's direction is one Carbon knows: the rules skip one that is not (its error
 * says so), rather than read it as 'origin' and report what follows from that.
 */
export function knownDirection(rule: Repository['sync'][number]): boolean {
  return rule.direction === 'local' || rule.direction === 'origin';
}

/** The side and branch a sync rule writes. */
export function syncTarget(rule: Repository['sync'][number]): {
  side: 'origin' | 'local';
  branch: string;
} {
  return rule.direction === 'local'
    ? { side: 'local', branch: rule.branches.local }
    : { side: 'origin', branch: rule.branches.origin };
}

export type CarbonLookup =
  | { kind: 'member'; id: string }
  | { kind: 'typo'; suggestion: string }
  | { kind: 'sibling'; url: string | undefined };

/**
 * What `build.carbonRepo` names: a repository of the project, a typo of one (a close name is never
 * guessed to be another repository), or the repository of that name beside this one.
 */
export function lookUpCarbonRepository(
  project: ParsedProject,
  repository: Repository,
  carbonRepo: string,
): CarbonLookup {
  const { ids, known, closestIds } = repositoriesOf(project);
  if (known.has(carbonRepo)) return { kind: 'member', id: carbonRepo };
  if (!closestIds.has(carbonRepo)) closestIds.set(carbonRepo, closest(carbonRepo, ids));
  const suggestion = closestIds.get(carbonRepo);
  if (suggestion !== undefined) return { kind: 'typo', suggestion };
  return { kind: 'sibling', url: siblingGitUrl(repository.local.git, carbonRepo) };
}
