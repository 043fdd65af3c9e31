// `carbon publish`: OAuth projects read `.circleci/config.yml` from the branch that runs, so the
// generated config is committed into each branch CircleCI reads (the build branch; the branch the
// schedules run on) of the repository's own git URL, and pushed. Plumbing only (no checkout): a
// shallow fetch of the branch, a commit of one file on top of it, a fast-forward push, so a
// branch that moved meanwhile is never overwritten. A config without Carbon's header is never
// replaced. `--via-branch NAME` pushes the commit to a review branch instead, which is replaced
// only when it is Carbon's own (see push): nothing but a fast-forward reaches other branches.
import { join } from 'node:path';
import { needsConfig } from '../emit/config.ts';
import { configPath } from '../emit/emit.ts';
import { isCarbons } from '../output/layout.ts';
import type { Workspace } from '../resolve/model.ts';
import { scratchFolder } from '../scratch.ts';
import { withoutUrlCredentials } from '../secrets.ts';
import { runGit } from './git.ts';
import { selectTargets } from './target.ts';

export const CONFIG_FILE = '.circleci/config.yml';

export interface PublishTarget {
  /** `project/repository`. */
  key: string;
  /** The repository's git URL, as configs write it. */
  url: string;
  /** The branches CircleCI reads the config from, each once. */
  branches: string[];
  /** The generated config's path in the workspace. */
  source: string;
  /** The settings module it comes from, for the commit message. */
  module: string;
}

export type PublishStatus = 'committed' | 'up-to-date' | 'foreign' | 'failed';

export interface PublishOutcome {
  key: string;
  branch: string;
  /** Where the commit went: the branch, or the review branch. */
  pushedTo: string;
  status: PublishStatus;
  /** The commit made, when one was. */
  commit?: string;
  message: string;
}

/** The repositories with a config, and the branches CircleCI reads it from. */
export function publishTargets(
  workspace: Workspace,
  filter: string | undefined,
  module: (file: string) => string,
): PublishTarget[] {
  return selectTargets(workspace, filter)
    .filter(({ repository }) => needsConfig(repository))
    .map(({ project, repository, key }) => {
      const branches = new Set<string>();
      if (repository.build?.enabled) branches.add(repository.build.branch);
      // Schedules (and legacy scheduled workflows) run on the mirror's default branch.
      if (repository.syncs.length > 0) branches.add(repository.local.defaultBranch);
      // A cascade runs on pushes to the branch others check out.
      for (const cascade of repository.cascades) branches.add(cascade.branch);
      return {
        key,
        url: repository.local.url,
        branches: [...branches],
        source: configPath(project.id, repository.id),
        module: module(project.source.file),
      };
    });
}

export interface PublishOptions {
  /** Push to this review branch (NAME, or NAME-<branch> when there are several) instead. */
  viaBranch?: string;
  /** The workspace's commit, named in the commit message. */
  workspaceCommit?: { sha: string; dirty: boolean };
  env: NodeJS.ProcessEnv;
}

/** The review branch of a target branch. */
export function reviewBranch(name: string, branch: string, branches: string[]): string {
  return branches.length === 1 ? name : `${name}-${branch.replaceAll('/', '-')}`;
}

export async function publishTarget(
  target: PublishTarget,
  text: string,
  options: PublishOptions,
): Promise<PublishOutcome[]> {
  // Removed also when publish is stopped by a signal.
  const scratch = scratchFolder('carbon-publish-');
  const env = gitEnvironment(options.env);
  const git = (args: string[], input?: string, extra: NodeJS.ProcessEnv = {}) =>
    runGit(args, {
      cwd: scratch.path,
      env: { ...env, ...extra },
      ...(input === undefined ? {} : { input }),
    });
  try {
    const init = await git(['init', '--quiet']);
    if (init.code !== 0) throw new Error(`git init failed: ${init.stderr}`);
    if ((await git(['var', 'GIT_COMMITTER_IDENT'])).code !== 0) Object.assign(env, CARBON_IDENTITY);
    const outcomes: PublishOutcome[] = [];
    for (const branch of target.branches) {
      const pushedTo = options.viaBranch
        ? reviewBranch(options.viaBranch, branch, target.branches)
        : branch;
      const outcome = (
        status: PublishStatus,
        message: string,
        commit?: string,
      ): PublishOutcome => ({
        key: target.key,
        branch,
        pushedTo,
        status,
        message,
        ...(commit ? { commit } : {}),
      });
      const fetched = await git([
        'fetch',
        '--quiet',
        '--depth=1',
        target.url,
        `refs/heads/${branch}`,
      ]);
      if (fetched.code !== 0) {
        outcomes.push(
          outcome(
            'failed',
            `cannot fetch ${branch} from ${target.url}: ${firstLine(fetched.stderr)}`,
          ),
        );
        continue;
      }
      const tip = (await git(['rev-parse', 'FETCH_HEAD'])).stdout.trim();
      const existing = await git(['cat-file', 'blob', `${tip}:${CONFIG_FILE}`]);
      if (existing.code === 0 && existing.stdout === text) {
        outcomes.push(outcome('up-to-date', `${CONFIG_FILE} is up to date`));
        continue;
      }
      if (existing.code === 0 && !isCarbons(existing.stdout)) {
        outcomes.push(
          outcome(
            'foreign',
            `left alone: its ${CONFIG_FILE} has no Carbon header, so it was written by hand; move it away (or delete it) in the repository, then publish again`,
          ),
        );
        continue;
      }
      const message = commitMessage(target, options, options.viaBranch ? pushedTo : undefined);
      const commit = await commitConfig(git, tip, text, message);
      const pushed = await push(git, target.url, commit, pushedTo, options.viaBranch !== undefined);
      outcomes.push(
        pushed.ok
          ? outcome(
              pushed.already ? 'up-to-date' : 'committed',
              pushed.already
                ? `${pushedTo} already holds this config`
                : `committed ${commit.slice(0, 12)} and pushed it to ${pushedTo}`,
              pushed.already ? undefined : commit,
            )
          : outcome(pushed.foreign ? 'foreign' : 'failed', pushed.message),
      );
    }
    return outcomes;
  } finally {
    scratch.remove();
  }
}

type Git = (args: string[], input?: string, extra?: NodeJS.ProcessEnv) => ReturnType<typeof runGit>;

/** A commit of `tip`'s tree with the config replaced, made without a checkout. */
async function commitConfig(git: Git, tip: string, text: string, message: string): Promise<string> {
  const blob = (await git(['hash-object', '-w', '--stdin'], text)).stdout.trim();
  const index = { GIT_INDEX_FILE: join('.git', 'carbon-index') };
  for (const args of [
    ['read-tree', tip],
    ['update-index', '--add', '--cacheinfo', `100644,${blob},${CONFIG_FILE}`],
  ]) {
    const result = await git(args, undefined, index);
    if (result.code !== 0) throw new Error(`git ${args[0]} failed: ${result.stderr}`);
  }
  const tree = (await git(['write-tree'], undefined, index)).stdout.trim();
  const commit = await git(['commit-tree', tree, '-p', tip, '-F', '-'], message);
  if (commit.code !== 0) throw new Error(`git commit-tree failed: ${commit.stderr}`);
  return commit.stdout.trim();
}

/**
 * Pushes the commit. To the branch itself: a plain push, which git refuses unless it is a fast
 * forward. To a review branch: created when absent, left as it is when it already holds the same
 * config on the same branch tip, and replaced (with a lease on what it held) only when it is
 * Carbon's own: one commit of Carbon's, marked for that review branch, on top of the branch it
 * reviews. A branch that holds anything else holds someone's work, and is left alone.
 */
async function push(
  git: Git,
  url: string,
  commit: string,
  branch: string,
  review: boolean,
): Promise<{ ok: true; already: boolean } | { ok: false; foreign?: boolean; message: string }> {
  const ref = `refs/heads/${branch}`;
  let lease: string[] = [];
  if (review) {
    const listed = await git(['ls-remote', url, ref]);
    if (listed.code !== 0)
      return { ok: false, message: `cannot read ${branch}: ${firstLine(listed.stderr)}` };
    const held = listed.stdout.split('\t')[0]?.trim() ?? '';
    if (held !== '') {
      const fetched = await git(['fetch', '--quiet', '--depth=2', url, ref]);
      if (fetched.code !== 0)
        return { ok: false, message: `cannot fetch ${branch}: ${firstLine(fetched.stderr)}` };
      if ((await git(['rev-parse', 'FETCH_HEAD'])).stdout.trim() !== held)
        return { ok: false, message: MOVED(branch) };
      const same =
        (await git(['rev-parse', `${held}^{tree}`, `${held}^`])).stdout ===
        (await git(['rev-parse', `${commit}^{tree}`, `${commit}^`])).stdout;
      if (same) return { ok: true, already: true };
      if (!(await isCarbonReview(git, held, branch)))
        return {
          ok: false,
          foreign: true,
          message:
            `left alone: ${branch} exists and is not a review branch of Carbon's (its tip ${held.slice(0, 12)} is not ` +
            `the one commit Carbon makes there), so it may hold someone's work: name another branch with ` +
            `--via-branch, or delete ${branch} if it is an old review branch nobody needs`,
        };
    }
    lease = [`--force-with-lease=${ref}:${held}`];
  }
  const pushed = await git(['push', '--quiet', ...lease, url, `${commit}:${ref}`]);
  if (pushed.code === 0) return { ok: true, already: false };
  const why = /non-fast-forward|fetch first|stale info|rejected/.test(pushed.stderr)
    ? MOVED(branch)
    : `push to ${branch} failed: ${firstLine(pushed.stderr)}`;
  return { ok: false, message: why };
}

const MOVED = (branch: string) =>
  `push to ${branch} failed: ${branch} moved while publishing (nothing was overwritten): publish again`;

/** The trailer that marks the commit Carbon makes on a review branch, naming that branch. */
const REVIEW_TRAILER = 'Carbon-Review-Branch';

/**
 * Whether a review branch's tip is Carbon's: a commit with one parent (the branch it reviews),
 * changing nothing but the config, with Carbon's trailer for this very review branch. Carbon's
 * commits on the branches CircleCI reads carry no such trailer: they are never review branches.
 */
async function isCarbonReview(git: Git, tip: string, branch: string): Promise<boolean> {
  const raw = await git(['cat-file', 'commit', tip]);
  if (raw.code !== 0) return false;
  const [head = '', ...body] = raw.stdout.split('\n\n');
  const parents = head.split('\n').filter((line) => line.startsWith('parent ')).length;
  if (parents !== 1 || !body.join('\n\n').split('\n').includes(`${REVIEW_TRAILER}: ${branch}`))
    return false;
  const changed = await git(['diff-tree', '--no-commit-id', '--name-only', '-r', `${tip}^`, tip]);
  return changed.code === 0 && changed.stdout === `${CONFIG_FILE}\n`;
}

function commitMessage(
  target: PublishTarget,
  options: PublishOptions,
  review: string | undefined,
): string {
  const commit = options.workspaceCommit;
  const at = commit
    ? `workspace commit ${commit.sha}${commit.dirty ? ' (with uncommitted changes)' : ''}`
    : 'a workspace outside git';
  return [
    `Carbon: update ${CONFIG_FILE} (workspace ${commit ? commit.sha.slice(0, 12) : 'outside git'})`,
    '',
    `Generated by Carbon from ${target.module} (${target.key}) at ${at}:`,
    `${target.source}. Change the settings there, not this file.`,
    ...(review === undefined ? [] : ['', `${REVIEW_TRAILER}: ${review}`]),
    '',
  ].join('\n');
}

/** git never asks: no terminal prompt, SSH in batch mode unless the user chose an SSH command. */
function gitEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, GIT_SSH_COMMAND: env['GIT_SSH_COMMAND'] ?? 'ssh -o BatchMode=yes' };
}

/** Who commits when git knows no one on this machine. */
const CARBON_IDENTITY = {
  GIT_AUTHOR_NAME: 'Carbon',
  GIT_AUTHOR_EMAIL: 'carbon@localhost',
  GIT_COMMITTER_NAME: 'Carbon',
  GIT_COMMITTER_EMAIL: 'carbon@localhost',
};

/** git's message, without the credentials of a URL it names (from a url.<base>.insteadOf, say). */
function firstLine(text: string): string {
  return withoutUrlCredentials(
    text
      .split('\n')
      .map((line) => line.replace(/^(fatal|error): /, '').trim())
      .find(Boolean) ?? 'no message from git',
  );
}
