// git, as delivery needs it: the workspace's place in its repository and commit, and the
// plumbing publish commits with. Every call is bounded in time and never asks for input.
import { execFile } from 'node:child_process';

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

const TIMEOUT_MS = 120_000;

/** Runs git; resolves with its exit code and output whatever the code. */
export function runGit(
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<GitResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      args,
      {
        cwd: options.cwd,
        env: { ...(options.env ?? process.env), GIT_TERMINAL_PROMPT: '0' },
        timeout: TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') {
          if ((error as { killed?: boolean }).killed)
            resolve({
              code: 124,
              stdout,
              stderr: `git ${args[0]} took longer than ${TIMEOUT_MS / 1000} s`,
            });
          else reject(error);
          return;
        }
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** The workspace's folder relative to its repository's root (`infra/carbon/`), '' at the root or outside git. */
export async function workspacePrefix(root: string, env?: NodeJS.ProcessEnv): Promise<string> {
  const result = await runGit(['rev-parse', '--show-prefix'], {
    cwd: root,
    ...(env ? { env } : {}),
  });
  return result.code === 0 ? result.stdout.trim() : '';
}

/** The workspace's commit, and whether the working tree differs from it; undefined outside git. */
export async function workspaceCommit(
  root: string,
  env?: NodeJS.ProcessEnv,
): Promise<{ sha: string; dirty: boolean } | undefined> {
  const head = await runGit(['rev-parse', '--verify', '--quiet', 'HEAD'], {
    cwd: root,
    ...(env ? { env } : {}),
  });
  if (head.code !== 0) return undefined;
  const status = await runGit(['status', '--porcelain', '--', '.'], {
    cwd: root,
    ...(env ? { env } : {}),
  });
  return { sha: head.stdout.trim(), dirty: status.stdout.trim() !== '' };
}
