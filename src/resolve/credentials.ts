// Rules about git access: every URL a job pushes to needs a credential that may write, every URL it
// clones should have one, and every configured key must open something. A CircleCI job has no
// key of its own for other repositories: the OAuth checkout key is read-only and opens only the
// project's repository, and GitHub App projects have none at all.
import { error, quote, warning, type Diagnostic, type Origin } from '../diagnostics.ts';
import { parseGitUrl } from '../settings/values.ts';
import type { ParsedProject } from '../settings/parse.ts';
import {
  at,
  knownDirection,
  lookUpCarbonRepository,
  repositoriesOf,
  type Rule,
  type RuleContext,
} from './context.ts';
import { gitKey, renderGitUrl, sshKeyFor } from './links.ts';

/**
 * What opens a written git URL: nothing needed (file://), the https token, an SSH key, or nothing.
 * An invalid URL was reported by parse already: nothing more is said of it.
 */
type Access = 'local' | 'token' | 'key' | 'none' | 'invalid';

export function accessOf(written: string, context: RuleContext): Access {
  const location = parseGitUrl(written);
  if (location === undefined) return 'invalid';
  if (location.kind === 'file') return 'local';
  if (context.config.git.transport === 'https') return 'token';
  return sshKeyFor(written, context.config.git.sshKeys) === undefined ? 'none' : 'key';
}

/** `"github.com/Owner": "SHA256:…"`, the entry that would open a URL. */
function suggestedEntry(owner: string): string {
  return `${quote(owner)}: "SHA256:…"`;
}

/** `host/owner` of a remote URL: the entry one key for all of an owner's repositories has. */
function ownerOf(written: string): string {
  return (gitKey(written) ?? written).split('/').slice(0, 2).join('/');
}

/** A use of a git URL that needs a key: where it is written, and what it is. */
interface Use {
  where: Origin;
  written: string;
  what: string;
}

/**
 * One finding per project and owner whose key is missing, at its first use: one missing entry in
 * carbon.config.ts is one cause, however many rules and builds it breaks.
 */
function byOwner(uses: Use[], context: RuleContext): Map<string, Use[]> {
  const missing = new Map<string, Use[]>();
  for (const use of uses) {
    if (accessOf(use.written, context) !== 'none') continue;
    const owner = ownerOf(use.written);
    const same = missing.get(owner);
    if (same) same.push(use);
    else missing.set(owner, [use]);
  }
  return missing;
}

const more = (uses: Use[]) =>
  uses.length > 1
    ? ` (and ${uses.length - 1} more use${uses.length > 2 ? 's' : ''} in this project)`
    : '';

/** Every push a project's sync rules make: to local for `direction: 'local'`, else to origin. */
function pushUses(project: ParsedProject): Use[] {
  const uses: Use[] = [];
  for (const { index, settings: repository } of project.repositories) {
    if (!repository.origin) continue;
    repository.sync.forEach((rule, ruleIndex) => {
      if (!knownDirection(rule)) return;
      const written = rule.direction === 'local' ? repository.local.git : repository.origin!.git;
      uses.push({
        where: at(project, 'repositories', index, 'sync', ruleIndex),
        written,
        what: rule.direction,
      });
    });
  }
  return uses;
}

export const syncTargetsCanBeWritten: Rule = (context) => {
  if (context.configFailed) return [];
  const found: Diagnostic[] = [];
  for (const project of context.projects) {
    for (const [owner, pushes] of byOwner(pushUses(project), context)) {
      const first = pushes[0]!;
      found.push(
        error(
          'sync-target-without-key',
          first.where,
          `this rule pushes to ${renderGitUrl(first.written, 'ssh')} (${first.what})${more(pushes)}, but no ` +
            'git.sshKeys entry in carbon.config.ts opens it, and a push needs a key with write access: add ' +
            `${suggestedEntry(owner)} to git.sshKeys (a deploy key with write access, added to ` +
            'the CircleCI project as an additional SSH key), or use git.transport "https" with a token',
        ),
      );
    }
  }
  return found;
};

export const clonesHaveKeys: Rule = (context) => {
  if (context.configFailed) return [];
  const found: Diagnostic[] = [];
  for (const project of context.projects) {
    const uses: Use[] = [];
    const { byId } = repositoriesOf(project);
    for (const { index, settings: repository } of project.repositories) {
      const build = repository.build;
      if (build?.enabled) {
        const carbon = lookUpCarbonRepository(project, repository, build.carbonRepo);
        const carbonGit =
          carbon.kind === 'member'
            ? byId.get(carbon.id)?.local.git
            : carbon.kind === 'sibling'
              ? carbon.url
              : undefined;
        if (carbonGit)
          uses.push({
            where: at(project, 'repositories', index, 'build', 'carbonRepo'),
            written: carbonGit,
            what: 'the carbon repository',
          });
        for (const linked of Object.keys(build.branches)) {
          const git = byId.get(linked)?.local.git;
          if (git)
            uses.push({
              where: at(project, 'repositories', index, 'build', 'branches', linked),
              written: git,
              what: 'the linked repository',
            });
        }
      }
      if (!repository.origin) continue;
      repository.sync.forEach((rule, ruleIndex) => {
        if (!knownDirection(rule)) return;
        const source = rule.direction === 'local' ? repository.origin!.git : repository.local.git;
        uses.push({
          where: at(project, 'repositories', index, 'sync', ruleIndex),
          written: source,
          what: "this rule's source",
        });
      });
    }
    // A push without a key is an error already: its owner is not said twice.
    const pushOwners = new Set(byOwner(pushUses(project), context).keys());
    for (const [owner, clones] of byOwner(uses, context)) {
      if (pushOwners.has(owner)) continue;
      const first = clones[0]!;
      found.push(
        warning(
          'clone-without-key',
          first.where,
          `${first.what} ${renderGitUrl(first.written, 'ssh')}${more(clones)} has no git.sshKeys entry: ` +
            "the job would clone it with the project's checkout key, which opens only the project's own " +
            `repository (and GitHub App projects have none), so it fails unless it is public; add ${suggestedEntry(owner)}`,
        ),
      );
    }
  }
  return found;
};

export const CREDENTIAL_RULES: Rule[] = [syncTargetsCanBeWritten, clonesHaveKeys];
