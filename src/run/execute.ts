// Runs a processed job on this machine, the way CircleCI runs it in a container: `checkout` from
// the repository's git URL, each `run` step with `bash -eo pipefail` and its environment, the
// CIRCLE_* variables jobs rely on, and BASH_ENV sourced at the start of every step.
// `add_ssh_keys` puts your keys with the fingerprints asked for where the job looks for them
// (ssh-keys.ts); `setup_remote_docker` is announced: the docker on PATH serves. After a failed
// step only the steps marked `when: always` or `on_fail` run, as on CircleCI.
//
// The job keeps to itself: it gets a HOME of its own in a temporary folder (so known_hosts and
// other dotfiles a step writes never touch yours), paths it is given must stay inside the working
// folder, and everything is removed afterwards unless kept. SIGINT and SIGTERM go to the running
// step, which is waited for: a sync half way through a push is never abandoned.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { UserError } from '../errors.ts';
import type { ProcessedJob, ProcessedStep } from './process.ts';
import { offerKeys } from './ssh-keys.ts';

export interface ExecuteOptions {
  job: ProcessedJob;
  /** Where the repository's own checkout comes from. */
  repository: { name: string; url: string };
  /** CIRCLE_BRANCH, and what `checkout` checks out unless `commit` is given. */
  branch: string;
  commit?: string;
  /** The job's working folder; a fresh temporary one when absent. */
  workdir?: string;
  /** Keep the temporary working folder after the job. */
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
  /** The signal that stopped the job, when one did. */
  signal?: NodeJS.Signals;
}

/** Variables of the orb's steps that name a path inside the working folder. */
const PATH_VARIABLE = /(?:_PATH|^CARBON_DOCKERFILE|^CARBON_DOCKER_CONTEXT)$/;

export async function executeJob(options: ExecuteOptions): Promise<ExecuteResult> {
  const { job, out } = options;
  const scratch = mkdtempSync(join(tmpdir(), 'carbon-run-'));
  const workdir = options.workdir ? resolve(options.workdir) : join(scratch, 'project');
  try {
    prepareWorkdir(workdir);
    checkPaths(job, workdir);
  } catch (error) {
    rmSync(scratch, { recursive: true, force: true });
    throw error;
  }
  const bashEnv = join(scratch, 'bash_env');
  writeFileSync(bashEnv, '');
  mkdirSync(join(scratch, 'tmp'));
  mkdirSync(join(scratch, 'home'));
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
    // The job's own HOME and scratch files (CARBON_STATE_DIR among them), apart from yours.
    HOME: join(scratch, 'home'),
    TMPDIR: join(scratch, 'tmp'),
    ...(options.commit ? { CIRCLE_SHA1: options.commit } : {}),
  };
  out(
    `carbon run: ${job.name}${job.image ? ` (image ${job.image}, not started: steps run on this machine)` : ''}\n`,
  );
  out(`carbon run: working directory ${workdir}\n`);
  const signals = new SignalRelay();
  let result: ExecuteResult = { code: 0, workdir };
  try {
    for (const [index, step] of job.steps.entries()) {
      const failed = result.code !== 0;
      const when = step.kind === 'run' ? step.when : 'on_success';
      // After a signal only `always` steps run (they clean up); after a failure, `on_fail` too.
      if (signals.received && when !== 'always') continue;
      if (failed && when === 'on_success') continue;
      if (!failed && when === 'on_fail') continue;
      out(`\n== step ${index + 1}/${job.steps.length}: ${describeStep(step)}\n`);
      const code = await runStep(step, { env, workdir, options, signals });
      if (code !== 0 && !failed) {
        const why = signals.received
          ? `stopped by ${signals.received}`
          : `failed with exit code ${code}`;
        out(`\n== step ${index + 1} ${why}; only steps marked to run on failure run now\n`);
        result = {
          code,
          workdir,
          failedStep: index + 1,
          ...(signals.received ? { signal: signals.received } : {}),
        };
      }
    }
  } finally {
    signals.stop();
    if (result.code === 0) out(`\n== ${job.name} succeeded\n`);
    if (options.keep && !options.workdir) {
      // The working folder is inside the scratch folder: only it stays.
      out(`carbon run: kept ${workdir}\n`);
      for (const name of ['bash_env', 'home', 'tmp'])
        rmSync(join(scratch, name), { recursive: true, force: true });
    } else {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  return result;
}

function prepareWorkdir(workdir: string): void {
  try {
    mkdirSync(workdir, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR')
      throw new UserError(`--workdir ${workdir} is a file: give an empty or new folder`);
    throw error;
  }
  let entries: string[];
  try {
    entries = readdirSync(workdir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR')
      throw new UserError(`--workdir ${workdir} is a file: give an empty or new folder`);
    throw error;
  }
  if (entries.length > 0)
    throw new UserError(`--workdir ${workdir} is not empty: give an empty or new folder`);
}

/** Every path the job is given must stay inside its working folder: `--param path=../..` does not. */
function checkPaths(job: ProcessedJob, workdir: string): void {
  const inside = (path: string) => {
    const within = relative(workdir, resolve(workdir, path));
    return (
      within === '' ||
      (!within.startsWith(`..${sep}`) && within !== '..' && !within.startsWith(sep))
    );
  };
  for (const step of job.steps) {
    const paths: [string, string][] =
      step.kind === 'checkout' && step.path !== undefined
        ? [['checkout path', step.path]]
        : step.kind === 'run'
          ? Object.entries(step.environment).filter(([name]) => PATH_VARIABLE.test(name))
          : [];
    for (const [name, path] of paths) {
      if (!inside(path))
        throw new UserError(
          `${name} ${JSON.stringify(path)} leaves the working folder: carbon run keeps a job inside it; give a path relative to it, without ".."`,
        );
    }
  }
}

export function describeStep(step: ProcessedStep): string {
  switch (step.kind) {
    case 'run':
      return step.when === 'on_success' ? step.name : `${step.name} (when ${step.when})`;
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

/** While a step runs, SIGINT and SIGTERM go to its process group instead of stopping Carbon. */
class SignalRelay {
  received: NodeJS.Signals | undefined;
  private child: number | undefined;
  private readonly handler = (signal: NodeJS.Signals) => {
    this.received = signal;
    if (this.child !== undefined) {
      try {
        process.kill(-this.child, signal);
      } catch {
        // Already gone.
      }
    }
  };

  constructor() {
    process.on('SIGINT', this.handler);
    process.on('SIGTERM', this.handler);
  }

  running(pid: number | undefined): void {
    this.child = pid;
  }

  stop(): void {
    process.off('SIGINT', this.handler);
    process.off('SIGTERM', this.handler);
  }
}

async function runStep(
  step: ProcessedStep,
  context: {
    env: NodeJS.ProcessEnv;
    workdir: string;
    options: ExecuteOptions;
    signals: SignalRelay;
  },
): Promise<number> {
  const { env, workdir, options, signals } = context;
  switch (step.kind) {
    case 'run': {
      const cwd = step.workingDirectory
        ? resolve(workdir, step.workingDirectory.replace(/^~\//, `${env['HOME'] ?? ''}/`))
        : workdir;
      mkdirSync(cwd, { recursive: true });
      const child = spawn('bash', ['-eo', 'pipefail', '-c', step.command], {
        cwd,
        env: { ...env, ...step.environment },
        stdio: ['ignore', 'inherit', 'inherit'],
        // Its own process group, so that a signal reaches every process of the step.
        detached: true,
      });
      signals.running(child.pid);
      try {
        return await new Promise<number>((done, fail) => {
          child.on('error', fail);
          child.on('exit', (code, signal) =>
            done(code ?? (signal ? 128 + signalNumber(signal) : 1)),
          );
        });
      } finally {
        signals.running(undefined);
      }
    }
    case 'checkout':
      return checkout(step.path, context);
    case 'add_ssh_keys':
      return addSshKeys(step.fingerprints, env['HOME']!, options);
    case 'setup_remote_docker':
      options.out('skipped here: the docker command on your PATH serves\n');
      return 0;
    case 'other':
      options.out(`carbon run cannot carry out the step ${step.name}: it needs CircleCI itself\n`);
      return 2;
  }
}

/** Your keys with the fingerprints the step asks for, where the job looks for them (ssh-keys.ts). */
function addSshKeys(fingerprints: string[], jobHome: string, options: ExecuteOptions): number {
  if (fingerprints.length === 0) {
    options.out('no fingerprint given: ssh offers what your ssh-agent holds (SSH_AUTH_SOCK)\n');
    return 0;
  }
  const userHome = options.env['HOME'] ?? homedir();
  for (const offer of offerKeys(fingerprints, userHome, jobHome))
    options.out(
      offer.key
        ? `${offer.fingerprint}: your ${offer.key}, as ${offer.linked} for the job\n`
        : `${offer.fingerprint}: no key in ${join(userHome, '.ssh')} has this fingerprint (a private key with its .pub beside it): the steps that need it fail, as on CircleCI without the key\n`,
    );
  return 0;
}

function signalNumber(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : signal === 'SIGKILL' ? 9 : 1;
}

/** Clones the repository into the working folder (or `path` inside it) at the branch or commit. */
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
