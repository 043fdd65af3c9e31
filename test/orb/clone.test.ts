// clone.sh against real git: a local bare repository with a file:// URL stands in for GitHub.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSandbox } from './harness.ts';
import { bareRepository, commit, git, installGitWrapper, realGit } from './git.ts';

function world() {
  const sandbox = createSandbox();
  const carbon = bareRepository(sandbox, 'Taxaroo-Carbon');
  const first = commit(sandbox, carbon.path, 'develop', 'first');
  const tip = commit(sandbox, carbon.path, 'develop', 'second', first);
  const other = commit(sandbox, carbon.path, 'main', 'main only');
  const env = {
    CARBON_CLONE_URL: carbon.url,
    CARBON_CLONE_BRANCH: 'develop',
    CARBON_CLONE_PATH: 'carbon',
  };
  return { sandbox, carbon, first, tip, other, env };
}

describe('clone.sh', () => {
  it('clones the branch shallowly into the path and records "path sha"', async () => {
    const { sandbox, tip, env } = world();

    const result = await sandbox.run('clone.sh', { env });

    expect(result.code).toBe(0);
    const clone = join(sandbox.work, 'carbon');
    expect(git(sandbox, ['-C', clone, 'rev-parse', 'HEAD'])).toBe(tip);
    expect(git(sandbox, ['-C', clone, 'rev-parse', '--is-shallow-repository'])).toBe('true');
    expect(git(sandbox, ['-C', clone, 'rev-list', '--count', 'HEAD'])).toBe('1');
    expect(git(sandbox, ['-C', clone, 'branch', '--remotes', '--format=%(refname:short)'])).toBe(
      'origin/develop',
    );
    expect(readFileSync(join(sandbox.stateDir, 'checkouts'), 'utf8')).toBe(`carbon ${tip}\n`);
    expect(result.stdout).toContain(`at ${tip} into carbon`);
  });

  it('replaces the checkouts line of the same path and keeps the others', async () => {
    const { sandbox, first, tip, env } = world();
    writeFileSync(
      join(sandbox.stateDir, 'checkouts'),
      `Taxaroo-App ${'a'.repeat(40)}\ncarbon ${first}\ncarbon-old ${'b'.repeat(40)}\n`,
    );

    const result = await sandbox.run('clone.sh', { env: { ...env, CARBON_CLONE_PATH: 'carbon/' } });

    expect(result.code).toBe(0);
    expect(readFileSync(join(sandbox.stateDir, 'checkouts'), 'utf8')).toBe(
      `Taxaroo-App ${'a'.repeat(40)}\ncarbon-old ${'b'.repeat(40)}\ncarbon ${tip}\n`,
    );
  });

  it('fails on a missing branch, naming it and the URL, and records nothing', async () => {
    const { sandbox, carbon, env } = world();

    const result = await sandbox.run('clone.sh', {
      env: { ...env, CARBON_CLONE_BRANCH: 'feature/missing' },
    });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `clone.sh: error: branch 'feature/missing' does not exist in ${carbon.url}.`,
    );
    expect(existsSync(join(sandbox.work, 'carbon'))).toBe(false);
    expect(existsSync(join(sandbox.stateDir, 'checkouts'))).toBe(false);
  });

  it.each([
    [
      'user and token',
      'https://ci-bot:ghp_s3cr3tT0ken@github.com/BlackstoneStudio/Taxaroo-Carbon.git',
    ],
    ['token only', 'https://ghp_s3cr3tT0ken@github.com/BlackstoneStudio/Taxaroo-Carbon.git'],
  ])('refuses a URL with credentials (%s) without printing them', async (_name, url) => {
    const { sandbox, env } = world();
    const gitCalls = installGitWrapper(sandbox);

    const result = await sandbox.run('clone.sh', { env: { ...env, CARBON_CLONE_URL: url } });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'CARBON_CLONE_URL carries credentials: https://***@github.com/BlackstoneStudio/Taxaroo-Carbon.git',
    );
    expect(result.stderr).toContain('set CARBON_GIT_TOKEN_ENV to its name');
    expect(result.stdout + result.stderr).not.toContain('ghp_s3cr3tT0ken');
    expect(gitCalls().filter((call) => call.argv.includes('clone'))).toEqual([]);
  });

  it('refuses a path that is not empty', async () => {
    const { sandbox, env } = world();
    mkdirSync(join(sandbox.work, 'carbon'));
    writeFileSync(join(sandbox.work, 'carbon', 'keep.txt'), 'mine\n');

    const result = await sandbox.run('clone.sh', { env });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('carbon already exists and is not empty');
    expect(readFileSync(join(sandbox.work, 'carbon', 'keep.txt'), 'utf8')).toBe('mine\n');
  });

  it('hands git the token through a credential helper, never through argv or output', async () => {
    const { sandbox, tip, env } = world();
    const gitCalls = installGitWrapper(sandbox);
    const token = 'ghp_T0kenThatMustNotLeak';

    const result = await sandbox.run('clone.sh', {
      env: { ...env, CARBON_GIT_TOKEN_ENV: 'GITHUB_TOKEN', GITHUB_TOKEN: token },
    });

    expect(result.code).toBe(0);
    expect(git(sandbox, ['-C', join(sandbox.work, 'carbon'), 'rev-parse', 'HEAD'])).toBe(tip);
    const calls = gitCalls();
    expect(JSON.stringify(calls)).not.toContain(token);
    expect(result.stdout + result.stderr).not.toContain(token);
    const clone = calls.find((call) => call.argv.includes('clone'))!;
    expect(clone.argv.slice(0, 4)).toEqual([
      '-c',
      'credential.helper=',
      '-c',
      expect.stringMatching(/^credential\.helper=!/),
    ]);
    // The helper, run the way git runs it, answers with the token read from the environment.
    const fill = spawnSync(
      realGit,
      ['-c', 'credential.helper=', '-c', clone.argv[3]!, 'credential', 'fill'],
      {
        input: 'protocol=https\nhost=github.com\n\n',
        encoding: 'utf8',
        env: {
          PATH: sandbox.baseEnv.PATH,
          HOME: sandbox.home,
          GIT_CONFIG_NOSYSTEM: '1',
          GITHUB_TOKEN: token,
        },
      },
    );
    expect(fill.stdout).toContain(`password=${token}\n`);
    expect(fill.stdout).toContain('username=x-access-token\n');
  });

  it('quietly uses no token when the token variable is empty, and says so when git fails', async () => {
    const { sandbox, env } = world();

    const cloned = await sandbox.run('clone.sh', {
      env: { ...env, CARBON_GIT_TOKEN_ENV: 'CARBON_GIT_TOKEN' },
    });
    const failed = await sandbox.run('clone.sh', {
      env: {
        ...env,
        CARBON_CLONE_PATH: 'elsewhere',
        CARBON_CLONE_URL: `file://${join(sandbox.root, 'remotes', 'missing.git')}`,
        CARBON_GIT_TOKEN_ENV: 'CARBON_GIT_TOKEN',
      },
    });

    expect(cloned.code).toBe(0);
    expect(cloned.stderr).not.toMatch(/warning|token/i);
    expect(failed.code).not.toBe(0);
    expect(failed.stderr).toContain(
      `clone.sh: error: could not clone file://${join(sandbox.root, 'remotes', 'missing.git')} (branch develop)`,
    );
    expect(failed.stderr).toContain(
      'https URLs used no token: CARBON_GIT_TOKEN (named by CARBON_GIT_TOKEN_ENV) is empty or unset.',
    );
  });

  it('uses the add_ssh_keys key of the fingerprint, and says which key file is missing', async () => {
    const { sandbox, env } = world();
    const key = join(sandbox.home, '.ssh', 'id_rsa_0a1b2c3d');
    mkdirSync(join(sandbox.home, '.ssh'));
    writeFileSync(key, 'key\n', { mode: 0o600 });
    const gitCalls = installGitWrapper(sandbox);

    const withKey = await sandbox.run('clone.sh', {
      env: { ...env, CARBON_SSH_KEY_FINGERPRINT: '0a:1b:2c:3d' },
    });
    const withoutKey = await sandbox.run('clone.sh', {
      env: { ...env, CARBON_CLONE_PATH: 'carbon2', CARBON_SSH_KEY_FINGERPRINT: 'ff:ee' },
    });

    expect(withKey.code).toBe(0);
    expect(withoutKey.code).toBe(0);
    const clones = gitCalls().filter((call) => call.argv.includes('clone'));
    expect(clones.map((call) => call.sshCommand)).toEqual([
      `ssh -i ${key} -o IdentitiesOnly=yes`,
      '',
    ]);
    expect(withoutKey.stderr).toContain(
      `no key file ${join(sandbox.home, '.ssh', 'id_rsa_ffee')} for SSH fingerprint ff:ee`,
    );
  });
});
