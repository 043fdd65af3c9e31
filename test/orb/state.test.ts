// The job's state folder (checkouts, AWS requests, the task definition with its plaintext
// environment): one per job, found the same way by every script, private, and removed at the end
// of the job by a step that runs even when the job failed.
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packOrb } from '../../src/emit/orb.ts';
import { ORB_TEMPLATES } from '../../src/paths.ts';
import { createSandbox, type Sandbox } from './harness.ts';
import { bareRepository, commit } from './git.ts';

/** Clones a one-commit repository into `path` with clone.sh (which records it in the state). */
function cloneInto(sandbox: Sandbox, path: string, env: Record<string, string | undefined>) {
  const repository = bareRepository(sandbox, `repo-${path}`);
  commit(sandbox, repository.path, 'main', 'first');
  return sandbox.run('clone.sh', {
    env: {
      CARBON_CLONE_URL: repository.url,
      CARBON_CLONE_BRANCH: 'main',
      CARBON_CLONE_PATH: path,
      ...env,
    },
  });
}

describe('the job state folder', () => {
  /** state-open.sh with a fresh BASH_ENV, and the folder it named there. */
  async function open(sandbox: Sandbox, env: Record<string, string | undefined>) {
    const bashEnv = join(sandbox.root, `bash_env-${Math.random().toString(36).slice(2)}`);
    writeFileSync(bashEnv, '');
    const result = await sandbox.run('state-open.sh', {
      env: { CARBON_STATE_DIR: undefined, BASH_ENV: bashEnv, ...env },
    });
    const named = /^export CARBON_STATE_DIR=(.+)$/m.exec(readFileSync(bashEnv, 'utf8'))?.[1];
    return { result, bashEnv, named };
  }

  it('is named after CIRCLE_WORKFLOW_JOB_ID, private, one per job, and used by the later steps', async () => {
    const sandbox = createSandbox();
    const first = await open(sandbox, {
      CIRCLE_WORKFLOW_JOB_ID: '7c1f2a9e-0b3d-4e5f-8a6b-1c2d3e4f5a6b',
    });
    const second = await open(sandbox, {
      CIRCLE_WORKFLOW_JOB_ID: '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    });

    expect(first.result.code, first.result.stderr).toBe(0);
    expect(first.named).toBe(
      join(sandbox.tmp, 'carbon-state-7c1f2a9e-0b3d-4e5f-8a6b-1c2d3e4f5a6b'),
    );
    expect(second.named).toBe(
      join(sandbox.tmp, 'carbon-state-0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d'),
    );
    expect(statSync(first.named!).mode & 0o777).toBe(0o700);

    // A later step of the first job: its shell sources BASH_ENV, and finds the folder there.
    const cloned = await cloneInto(sandbox, 'a', {
      CARBON_STATE_DIR: undefined,
      BASH_ENV: first.bashEnv,
    });
    expect(cloned.code, cloned.stderr).toBe(0);
    expect(readFileSync(join(first.named!, 'checkouts'), 'utf8')).toMatch(/^a [0-9a-f]{40}\n$/);
    expect(existsSync(join(second.named!, 'checkouts'))).toBe(false);

    const cleanup = await sandbox.run('state-cleanup.sh', {
      env: { CARBON_STATE_DIR: undefined, BASH_ENV: first.bashEnv },
    });
    expect(cleanup.code, cleanup.stderr).toBe(0);
    expect(cleanup.stdout).toContain(`Removed the state folder ${first.named}.`);
    expect(existsSync(first.named!)).toBe(false);
    expect(existsSync(second.named!)).toBe(true);
  });

  it('is a new folder of its own without a job id', async () => {
    const sandbox = createSandbox();
    const one = await open(sandbox, {});
    const two = await open(sandbox, {});
    expect(one.result.code, one.result.stderr).toBe(0);
    expect(one.named).toMatch(new RegExp(`^${sandbox.tmp}/carbon-state-[A-Za-z0-9]{8}$`));
    expect(two.named).not.toBe(one.named);
  });

  it('is the given CARBON_STATE_DIR, made private', async () => {
    const sandbox = createSandbox();
    const given = join(sandbox.root, 'given');
    const result = await sandbox.run('state-open.sh', { env: { CARBON_STATE_DIR: given } });
    expect(result.code, result.stderr).toBe(0);
    expect(statSync(given).mode & 0o777).toBe(0o700);
  });

  it('is required by the scripts that keep state, which say where it comes from', async () => {
    const sandbox = createSandbox();
    const result = await cloneInto(sandbox, 'a', { CARBON_STATE_DIR: undefined });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('CARBON_STATE_DIR is not set.');
    expect(result.stderr).toContain('state-open.sh');
  });

  it('refuses a folder that is a link planted in a shared /tmp', async () => {
    const sandbox = createSandbox();
    const elsewhere = join(sandbox.root, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(elsewhere, join(sandbox.tmp, 'carbon-state-job-1'));

    const opened = await open(sandbox, { CIRCLE_WORKFLOW_JOB_ID: 'job-1' });
    const cleanup = await sandbox.run('state-cleanup.sh', {
      env: { CARBON_STATE_DIR: join(sandbox.tmp, 'carbon-state-job-1') },
    });

    expect(opened.result.code).not.toBe(0);
    expect(opened.result.stderr).toContain('is a link or not this user');
    expect(cleanup.code).not.toBe(0);
    expect(existsSync(elsewhere)).toBe(true);
  });

  it('is never the home or the working directory when cleaning up', async () => {
    const sandbox = createSandbox();
    writeFileSync(join(sandbox.home, 'keep'), '');
    for (const folder of [sandbox.home, sandbox.work]) {
      const result = await sandbox.run('state-cleanup.sh', { env: { CARBON_STATE_DIR: folder } });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('refusing to remove');
      expect(existsSync(folder)).toBe(true);
    }
    expect(existsSync(join(sandbox.home, 'keep'))).toBe(true);
  });

  it('is opened first and removed by the last step of each job, which runs even when the job failed', () => {
    type Step = string | Record<string, unknown>;
    const orb = packOrb(ORB_TEMPLATES) as {
      jobs: Record<string, { steps: Step[] }>;
      commands: Record<string, { steps: Record<string, Record<string, unknown>>[] }>;
    };
    for (const job of ['CarbonBuild', 'CarbonSync']) {
      expect(orb.jobs[job]!.steps.at(-1)).toBe('remove_job_state');
      expect(orb.jobs[job]!.steps.slice(0, 2)).toContain('open_job_state');
    }
    const [step] = orb.commands['remove_job_state']!.steps;
    expect(step!['run']!['when']).toBe('always');
    expect(step!['run']!['command']).toContain('state-cleanup.sh: remove the job');
  });
});
