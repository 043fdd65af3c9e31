// Rules about git access: every URL a job pushes to needs a credential that may write, every URL it
// clones should have one, and every configured key must open something. A CircleCI job has no
// key of its own for other repositories: the OAuth checkout key is read-only and opens only the
// project's repository, and GitHub App projects have none at all.
import { error, quote, warning, type Diagnostic, type Origin } from '../diagnostics.ts';
import { parseGitUrl } from '../settings/values.ts';
import {
  at,
  eachRepository,
  lookUpCarbonRepository,
  type Rule,
  type RuleContext,
} from './context.ts';
import { gitKey, renderGitUrl, sshKeyFor } from './links.ts';

/**
 * What opens a written git URL: nothing needed (file://), the https token, an SSH key, or nothing.
 * An invalid URL was reported by parse already: nothing more is said of it.
 */
type Access = 'local' | 'token' | 'key' | 'none' | 'invalid';

function accessOf(written: string, context: RuleContext): Access {
  const location = parseGitUrl(written);
  if (location === undefined) return 'invalid';
  if (location.kind === 'file') return 'local';
  if (context.config.git.transport === 'https') return 'token';
  return sshKeyFor(written, context.config.git.sshKeys) === undefined ? 'none' : 'key';
}

/** `"github.com/Owner": "SHA256:…"`, the entry that would open a URL. */
function suggestedEntry(written: string): string {
  const key = gitKey(written) ?? written;
  return `${quote(key.split('/').slice(0, 2).join('/'))}: "SHA256:…"`;
}

export const syncTargetsCanBeWritten: Rule = (context) => {
  const found: Diagnostic[] = [];
  for (const { project, index, repository } of eachRepository(context)) {
    if (!repository.origin) continue;
    repository.sync.forEach((rule, ruleIndex) => {
      const side = rule.direction;
      const written = side === 'local' ? repository.local.git : repository.origin!.git;
      if (accessOf(written, context) !== 'none') return;
      found.push(
        error(
          'sync-target-without-key',
          at(project, 'repositories', index, 'sync', ruleIndex),
          `this rule pushes to ${renderGitUrl(written, 'ssh')} (${side}), but no git.sshKeys entry ` +
            'in carbon.config.ts opens it, and a push needs a key with write access: add ' +
            `${suggestedEntry(written)} to git.sshKeys (a deploy key with write access, added to ` +
            'the CircleCI project as an additional SSH key), or use git.transport "https" with a token',
        ),
      );
    });
  }
  return found;
};

export const clonesHaveKeys: Rule = (context) => {
  const found: Diagnostic[] = [];
  const warn = (where: Origin, written: string, what: string) => {
    if (accessOf(written, context) !== 'none') return;
    found.push(
      warning(
        'clone-without-key',
        where,
        `${what} ${renderGitUrl(written, 'ssh')} has no git.sshKeys entry: the job would clone it with ` +
          "the project's checkout key, which opens only the project's own repository (and GitHub " +
          `App projects have none), so it fails unless the repository is public; add ${suggestedEntry(written)}`,
      ),
    );
  };
  for (const { project, index, repository } of eachRepository(context)) {
    const build = repository.build;
    if (build?.enabled) {
      const carbon = lookUpCarbonRepository(project, repository, build.carbonRepo);
      const carbonGit =
        carbon.kind === 'member'
          ? project.repositories.find((r) => r.settings.id === carbon.id)?.settings.local.git
          : carbon.kind === 'sibling'
            ? carbon.url
            : undefined;
      if (carbonGit)
        warn(
          at(project, 'repositories', index, 'build', 'carbonRepo'),
          carbonGit,
          'the carbon repository',
        );
      for (const linked of Object.keys(build.branches)) {
        const git = project.repositories.find((r) => r.settings.id === linked)?.settings.local.git;
        if (git)
          warn(
            at(project, 'repositories', index, 'build', 'branches', linked),
            git,
            'the linked repository',
          );
      }
    }
    if (!repository.origin) continue;
    repository.sync.forEach((rule, ruleIndex) => {
      const source = rule.direction === 'local' ? repository.origin!.git : repository.local.git;
      warn(at(project, 'repositories', index, 'sync', ruleIndex), source, "this rule's source");
    });
  }
  return found;
};

export const CREDENTIAL_RULES: Rule[] = [syncTargetsCanBeWritten, clonesHaveKeys];
