// Runs a processed job on this machine, in a working directory of its own, the way CircleCI runs
// it in a container: `checkout` from the repository's git URL, each `run` step with
// `bash -eo pipefail` and its environment, the CIRCLE_* variables jobs rely on, and BASH_ENV
// sourced at the start of every step. `add_ssh_keys` and `setup_remote_docker` are announced
// no-ops: your own SSH keys and the docker on PATH serve. The first failing step ends the job.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ProcessedJob, ProcessedStep } from './process.ts';

export interface ExecuteOptions {
  job: ProcessedJob;
  /** Where the repository's own checkout comes from. */
  repository: { name: string; url: string };
  /** CIRCLE_BRANCH, and what `checkout` checks out unless `commit` is given. */
  branch: string;
  commit?: string;
  /** The job's working directory; a fresh temporary one when absent. */
  workdir?: string;
  /** Keep the temporary working directory after the job. */
  keep?: boolean;
  env: NodeJS.ProcessEnv;
  out: (text: string) => void;
}

export interface ExecuteResult {
  /** 0 when every step succeeded, else the failing step's exit code. */
  code: number;
  workdir: string;
  /** The step that failed, counted from 1. */
  failedStep?: number;
}

export function executeJob(options: ExecuteOptions): ExecuteResult {
  const { job, out } = options;
  const scratch = mkdtempSync(join(tmpdir(), 'carbon-run-'));
  const workdir = options.workdir ? resolve(options.workdir) : join(scratch, 'project');
  mkdirSync(workdir, { recursive: true });
  if (readdirSync(workdir).length > 0) {
    rmSync(scratch, { recursive: true, force: true });
    throw new Error(`the working directory ${workdir} is not empty: give an empty or new one`);
  }
  const bashEnv = join(scratch, 'bash_env');
  writeFileSync(bashEnv, '');
  mkdirSync(join(scratch, 'tmp'));
  const env: NodeJS.ProcessEnv = {
    ...options.env,
    CI: 'true',
    CIRCLECI: 'true',
    CIRCLE_JOB: job.name,
    CIRCLE_BRANCH: options.branch,
    CIRCLE_PROJECT_REPONAME: options.repository.name,
    CIRCLE_REPOSITORY_URL: options.repository.url,
    CIRCLE_WORKING_DIRECTORY: workdir,
    CIRCLE_BUILD_NUM: options.env['CIRCLE_BUILD_NUM'] ?? '0',
    BASH_ENV: bashEnv,
    // Jobs keep their scratch files (CARBON_STATE_DIR among them) apart from every other run.
    TMPDIR: join(scratch, 'tmp'),
    ...(options.commit ? { CIRCLE_SHA1: options.commit } : {}),
  };
  out(
    `carbon run: ${job.name}${job.image ? ` (image ${job.image}, not started: steps run on this machine)` : ''}\n`,
  );
  out(`carbon run: working directory ${workdir}\n`);
  let result: ExecuteResult = { code: 0, workdir };
  for (const [index, step] of job.steps.entries()) {
    out(`\n== step ${index + 1}/${job.steps.length}: ${describeStep(step)}\n`);
    const code = runStep(step, { env, workdir, options });
    if (code !== 0) {
      out(`\n== step ${index + 1} failed with exit code ${code}; the job stops here\n`);
      result = { code, workdir, failedStep: index + 1 };
      break;
    }
  }
  if (result.code === 0) out(`\n== ${job.name} succeeded\n`);
  if (options.keep || options.workdir) {
    if (!options.workdir) out(`carbon run: kept ${workdir}\n`);
    rmSync(bashEnv, { force: true });
  } else {
    rmSync(scratch, { recursive: true, force: true });
  }
  return result;
}

export function describeStep(step: ProcessedStep): string {
  switch (step.kind) {
    case 'run':
      return step.name;
    case 'checkout':
      return `checkout${step.path ? ` into ${step.path}` : ''}`;
    case 'add_ssh_keys':
      return 'add_ssh_keys';
    case 'setup_remote_docker':
      return 'setup_remote_docker';
    case 'other':
      return step.name;
  }
}

function runStep(
  step: ProcessedStep,
  context: { env: NodeJS.ProcessEnv; workdir: string; options: ExecuteOptions },
): number {
  const { env, workdir, options } = context;
  switch (step.kind) {
    case 'run': {
      const cwd = step.workingDirectory
        ? resolve(workdir, step.workingDirectory.replace(/^~\//, `${env['HOME'] ?? ''}/`))
        : workdir;
      mkdirSync(cwd, { recursive: true });
      const child = spawnSync('bash', ['-eo', 'pipefail', '-c', step.command], {
        cwd,
        env: { ...env, ...step.environment },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      if (child.error) throw child.error;
      return child.status ?? 1;
    }
    case 'checkout':
      return checkout(step.path, context);
    case 'add_ssh_keys':
      options.out('skipped here: carbon run uses your own SSH agent and keys\n');
      return 0;
    case 'setup_remote_docker':
      options.out('skipped here: the docker command on your PATH serves\n');
      return 0;
    case 'other':
      options.out(`carbon run cannot carry out the step ${step.name}: it needs CircleCI itself\n`);
      return 2;
  }
}

/** Clones the repository into the working directory (or `path` inside it) at the branch or commit. */
function checkout(
  path: string | undefined,
  context: { env: NodeJS.ProcessEnv; workdir: string; options: ExecuteOptions },
): number {
  const { env, workdir, options } = context;
  const target = path ? resolve(workdir, path) : workdir;
  const git = (args: string[]) => spawnSync('git', args, { env, encoding: 'utf8' });
  const clone = git(['clone', '--quiet', '--no-checkout', '--', options.repository.url, target]);
  if (clone.status !== 0) {
    options.out(clone.stderr);
    return clone.status ?? 1;
  }
  const ref = options.commit ?? `origin/${options.branch}`;
  const resolved = git(['-C', target, 'rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  if (resolved.status !== 0) {
    options.out(
      `checkout: ${options.commit ? `commit ${options.commit}` : `branch ${options.branch}`} is not in ${options.repository.url}\n`,
    );
    return 1;
  }
  const sha = resolved.stdout.trim();
  const switched = git(['-C', target, 'checkout', '--quiet', '-B', options.branch, sha]);
  if (switched.status !== 0) {
    options.out(switched.stderr);
    return switched.status ?? 1;
  }
  env['CIRCLE_SHA1'] = sha;
  options.out(`checked out ${options.branch} at ${sha} into ${target}\n`);
  return 0;
}
