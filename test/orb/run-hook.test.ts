// run-hook.sh: runs an executable of the carbon repository, the provision hook or the deploy hook,
// with the documented variables and nothing in its arguments.
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from './harness.ts';

const documented = {
  CARBON_IMAGE_URI:
    '123456789012.dkr.ecr.us-east-1.amazonaws.com/taxaroo-api:inputs-0d3f5a8c2b1e4d6f8a9c0b1d2e3f4a5b',
  CARBON_IMAGE_TAG: 'inputs-0d3f5a8c2b1e4d6f8a9c0b1d2e3f4a5b',
  CARBON_IMAGE_DIGEST: 'sha256:0c8d4e36a7ce8b0dbbc0a16b7d5e3e5b1e9bd2d5a1f3c77f8a5e6a3b2c1d0e9f',
  CARBON_PROJECT: 'taxaroo',
  CARBON_REPOSITORY: 'Taxaroo-API-V2',
  CARBON_BRANCH: 'develop',
  CARBON_COMMIT: '1f0e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6',
  AWS_REGION: 'us-east-1',
  CARBON_AWS_REGION: 'us-east-1',
  CARBON_AWS_ACCOUNT_ID: '123456789012',
  CARBON_ECR_REPOSITORY: 'taxaroo-api',
  CARBON_ECS_CLUSTER: 'taxaroo-develop',
  CARBON_ECS_SERVICE: 'taxaroo-api',
  CARBON_ECS_CONTAINER: 'api',
};

const env = {
  CARBON_HOOK: 'deploy/hook.sh',
  CARBON_CARBON_PATH: 'carbon',
  CARBON_IMAGE_URI: documented.CARBON_IMAGE_URI,
  CARBON_IMAGE_TAG: documented.CARBON_IMAGE_TAG,
  CARBON_IMAGE_DIGEST: documented.CARBON_IMAGE_DIGEST,
  CARBON_AWS_ACCOUNT_ID: '123456789012',
  CARBON_PROJECT: 'taxaroo',
  CARBON_REPOSITORY: 'Taxaroo-API-V2',
  CIRCLE_BRANCH: 'develop',
  CIRCLE_SHA1: documented.CARBON_COMMIT,
  CARBON_AWS_REGION: 'us-east-1',
  CARBON_ECR_REPOSITORY: 'taxaroo-api',
  CARBON_ECS_CLUSTER: 'taxaroo-develop',
  CARBON_ECS_SERVICE: 'taxaroo-api',
  CARBON_ECS_CONTAINER: 'api',
};

/** A hook that writes its working directory and environment (NUL-separated) next to the sandbox. */
function writeHook(sandbox: Sandbox, { executable = true, exitCode = 0 } = {}): string {
  const output = join(sandbox.root, 'hook-output');
  mkdirSync(join(sandbox.work, 'carbon/deploy'), { recursive: true });
  const hook = join(sandbox.work, 'carbon/deploy/hook.sh');
  writeFileSync(
    hook,
    `#!/usr/bin/env bash\npwd >'${output}.pwd'\necho "$#" >'${output}.argc'\nenv -0 >'${output}.env'\necho 'the hook speaks'\nexit ${exitCode}\n`,
  );
  chmodSync(hook, executable ? 0o755 : 0o644);
  return output;
}

function readHookEnv(output: string): Record<string, string> {
  const entries = readFileSync(`${output}.env`, 'utf8')
    .split('\0')
    .filter((entry) => entry !== '')
    .map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]);
  return Object.fromEntries(entries) as Record<string, string>;
}

describe('run-hook.sh', () => {
  it('runs the hook from the build workspace with every documented variable', async () => {
    const sandbox = createSandbox();
    const output = writeHook(sandbox);

    const result = await sandbox.run('run-hook.sh', { env });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(readFileSync(`${output}.pwd`, 'utf8').trim()).toBe(sandbox.work);
    expect(readHookEnv(output)).toMatchObject(documented);
    // Everything reaches the hook through its environment: nothing in its arguments.
    expect(readFileSync(`${output}.argc`, 'utf8').trim()).toBe('0');
    expect(result.stdout).toContain('Running the deploy hook carbon/deploy/hook.sh');
  });

  it('runs the provision hook the same way, naming it as such', async () => {
    const sandbox = createSandbox();
    const output = writeHook(sandbox);

    const result = await sandbox.run('run-hook.sh', {
      env: { ...env, CARBON_HOOK_STEP: 'provision' },
    });

    expect(result.code, result.stderr).toBe(0);
    expect(readHookEnv(output)).toMatchObject(documented);
    expect(result.stdout).toContain(
      `Running the provision hook carbon/deploy/hook.sh for taxaroo/Taxaroo-API-V2 (develop) with ${documented.CARBON_IMAGE_URI}`,
    );
    expect(result.stdout).toContain('the hook speaks');
  });

  it('stops with the provision hook’s exit status and output, saying nothing was deployed', async () => {
    const sandbox = createSandbox();
    writeHook(sandbox, { exitCode: 7 });

    const result = await sandbox.run('run-hook.sh', {
      env: { ...env, CARBON_HOOK_STEP: 'provision' },
    });

    expect(result.code).toBe(7);
    expect(result.stdout).toContain('the hook speaks');
    expect(result.stderr).toBe(
      'run-hook.sh: error: the provision hook carbon/deploy/hook.sh failed with exit code 7 (its output is above); nothing was deployed.\n',
    );
  });

  it('refuses a hook that leads outside the carbon repository through a link', async () => {
    const sandbox = createSandbox();
    const output = writeHook(sandbox);
    mkdirSync(join(sandbox.work, 'other'));
    writeFileSync(join(sandbox.work, 'other/up.sh'), '#!/usr/bin/env bash\ntouch ran\n');
    chmodSync(join(sandbox.work, 'other/up.sh'), 0o755);
    symlinkSync('../../other/up.sh', join(sandbox.work, 'carbon/deploy/up.sh'));

    const result = await sandbox.run('run-hook.sh', {
      env: { ...env, CARBON_HOOK: 'deploy/up.sh', CARBON_HOOK_STEP: 'provision' },
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'the provision hook carbon/deploy/up.sh leads outside the carbon repository',
    );
    expect(() => readFileSync(`${output}.env`)).toThrow();
  });

  it('prefers CARBON_BRANCH and CARBON_COMMIT over the CircleCI variables', async () => {
    const sandbox = createSandbox();
    const output = writeHook(sandbox);
    const commit = 'aaaabbbbccccddddeeeeffff0000111122223333';

    const result = await sandbox.run('run-hook.sh', {
      env: { ...env, CARBON_BRANCH: 'release/2.0', CARBON_COMMIT: commit },
    });

    expect(result.code).toBe(0);
    expect(readHookEnv(output)).toMatchObject({
      CARBON_BRANCH: 'release/2.0',
      CARBON_COMMIT: commit,
    });
  });

  it('exports the ECS names empty when the job deploys without ECS', async () => {
    const sandbox = createSandbox();
    const output = writeHook(sandbox);

    const result = await sandbox.run('run-hook.sh', {
      env: {
        ...env,
        CARBON_ECS_CLUSTER: undefined,
        CARBON_ECS_SERVICE: '',
        CARBON_ECS_CONTAINER: undefined,
        CARBON_IMAGE_DIGEST: undefined,
      },
    });

    expect(result.code).toBe(0);
    expect(readHookEnv(output)).toMatchObject({
      ...documented,
      CARBON_ECS_CLUSTER: '',
      CARBON_ECS_SERVICE: '',
      CARBON_ECS_CONTAINER: '',
      CARBON_IMAGE_DIGEST: '',
    });
  });

  it('exits with the hook’s exit status', async () => {
    const sandbox = createSandbox();
    writeHook(sandbox, { exitCode: 3 });

    const result = await sandbox.run('run-hook.sh', { env });

    expect(result.code).toBe(3);
  });

  it('fails clearly when the hook does not exist', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('run-hook.sh', { env });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'run-hook.sh: error: the deploy hook carbon/deploy/hook.sh does not exist.',
    );
    expect(result.stderr).toContain("Add 'deploy/hook.sh' to the carbon repository");
  });

  it('fails clearly when the hook is not executable, saying how to fix it', async () => {
    const sandbox = createSandbox();
    const output = writeHook(sandbox, { executable: false });

    const result = await sandbox.run('run-hook.sh', { env });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('the deploy hook carbon/deploy/hook.sh is not executable.');
    expect(result.stderr).toContain("git update-index --chmod=+x 'deploy/hook.sh'");
    expect(() => readFileSync(`${output}.env`)).toThrow();
  });
});
