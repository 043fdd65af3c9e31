// Real git for the orb tests: bare repositories in a sandbox stand in for GitHub (file:// URLs).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sandbox } from './harness.ts';

export const realGit = execFileSync('bash', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();

const identity = {
  GIT_AUTHOR_NAME: 'Carbon Test',
  GIT_AUTHOR_EMAIL: 'carbon-test@example.com',
  GIT_COMMITTER_NAME: 'Carbon Test',
  GIT_COMMITTER_EMAIL: 'carbon-test@example.com',
};

/** Runs the real git in a clean environment and returns its trimmed stdout. */
export function git(sandbox: Sandbox, args: string[], input?: string): string {
  return execFileSync(realGit, args, {
    encoding: 'utf8',
    input,
    env: { ...sandbox.baseEnv, ...identity },
    stdio: ['pipe', 'pipe', 'pipe'],
  }).trim();
}

/** Creates an empty bare repository under the sandbox; returns its path and file:// URL. */
export function bareRepository(sandbox: Sandbox, name: string): { path: string; url: string } {
  const path = join(sandbox.root, 'remotes', `${name}.git`);
  mkdirSync(path, { recursive: true });
  git(sandbox, ['init', '--quiet', '--bare', '--initial-branch=main', path]);
  return { path, url: `file://${path}` };
}

/** Commits one file on top of `parent` (or as a root commit) and points `branch` at it. */
export function commit(
  sandbox: Sandbox,
  repository: string,
  branch: string,
  message: string,
  parent?: string,
): string {
  const blob = git(sandbox, ['-C', repository, 'hash-object', '-w', '--stdin'], `${message}\n`);
  const tree = git(sandbox, ['-C', repository, 'mktree'], `100644 blob ${blob}\tREADME\n`);
  const sha = git(sandbox, [
    '-C',
    repository,
    'commit-tree',
    tree,
    ...(parent ? ['-p', parent] : []),
    '-m',
    message,
  ]);
  git(sandbox, ['-C', repository, 'update-ref', `refs/heads/${branch}`, sha]);
  return sha;
}

/** The commit a branch points at, or undefined when it does not exist. */
export function branchTip(
  sandbox: Sandbox,
  repository: string,
  branch: string,
): string | undefined {
  try {
    return git(sandbox, [
      '-C',
      repository,
      'rev-parse',
      '--verify',
      '--quiet',
      `refs/heads/${branch}`,
    ]);
  } catch {
    return undefined;
  }
}

/** Copies a commit (with its history) from one bare repository to a branch of another. */
export function copyBranch(
  sandbox: Sandbox,
  from: string,
  sha: string,
  to: string,
  branch: string,
): void {
  git(sandbox, ['-C', from, 'push', '--quiet', to, `${sha}:refs/heads/${branch}`]);
}

export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

export interface GitCall {
  /** GIT_SSH_COMMAND as git saw it ('' when unset). */
  sshCommand: string;
  argv: string[];
}

export interface GitWrapperOptions {
  /** Before the nth (1-based) git call whose argv contains `on`, run `script` with the real git. */
  race?: { on: string; nth?: number; script: string };
}

/**
 * Puts a `git` first on the sandbox PATH that records every call (argv and GIT_SSH_COMMAND), can run
 * a racer just before a chosen call, then execs the real git. Returns a reader for the calls.
 */
export function installGitWrapper(
  sandbox: Sandbox,
  options: GitWrapperOptions = {},
): () => GitCall[] {
  const log = join(sandbox.root, 'git-calls.log');
  const counter = join(sandbox.root, 'git-race.count');
  writeFileSync(log, '');
  const race = options.race;
  const lines = [
    '#!/usr/bin/env bash',
    'set -euo pipefail',
    `{ printf '%s\\x1f' "ssh=\${GIT_SSH_COMMAND-}" "$@"; printf '\\x1e'; } >>${shellQuote(log)}`,
  ];
  if (race) {
    const racer = join(sandbox.root, 'git-racer.sh');
    const exports = Object.entries(identity).map(
      ([name, value]) => `export ${name}=${shellQuote(value)}`,
    );
    writeFileSync(
      racer,
      ['#!/usr/bin/env bash', 'set -euo pipefail', ...exports, race.script, ''].join('\n'),
    );
    chmodSync(racer, 0o755);
    lines.push(
      `for arg in "$@"; do`,
      `  if [[ "$arg" == ${shellQuote(race.on)} ]]; then`,
      `    count=$(( $(cat ${shellQuote(counter)} 2>/dev/null || echo 0) + 1 ))`,
      `    echo "$count" >${shellQuote(counter)}`,
      `    if [[ "$count" -eq ${race.nth ?? 1} ]]; then ${shellQuote(racer)}; fi`,
      `    break`,
      `  fi`,
      `done`,
    );
  }
  lines.push(`exec ${shellQuote(realGit)} "$@"`);
  const wrapper = join(sandbox.bin, 'git');
  writeFileSync(wrapper, `${lines.join('\n')}\n`);
  chmodSync(wrapper, 0o755);
  return () =>
    readFileSync(log, 'utf8')
      .split('\x1e')
      .filter((record) => record !== '')
      .map((record) => {
        const [ssh, ...argv] = record.split('\x1f').slice(0, -1);
        return { sshCommand: (ssh ?? '').slice('ssh='.length), argv };
      });
}
