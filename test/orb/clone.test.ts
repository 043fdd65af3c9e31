// clone.sh against real git: a local bare repository with a file:// URL stands in for GitHub.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSandbox } from './harness.ts';
import { bareRepository, commit, git, installGitWrapper, realGit } from './git.ts';
import { installSshHost, loadCircleCiKeys, type CircleCiKey } from './ssh.ts';

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

  describe('over SSH, with several keys loaded the way add_ssh_keys loads them', () => {
    function sshWorld() {
      const sandbox = createSandbox();
      const carbon = bareRepository(sandbox, 'acme/carbon');
      const tip = commit(sandbox, carbon.path, 'develop', 'first');
      const host = installSshHost(sandbox);
      const keys = loadCircleCiKeys(sandbox, 3);
      host.authorize('acme/carbon.git', keys[1]!);
      const env = {
        CARBON_CLONE_URL: host.url('acme/carbon.git'),
        CARBON_CLONE_BRANCH: 'develop',
        CARBON_CLONE_PATH: 'carbon',
      };
      return { sandbox, host, keys, tip, env };
    }

    it.each([
      ['SHA256', (key: CircleCiKey) => key.sha256],
      ['MD5 with the MD5: prefix', (key: CircleCiKey) => key.md5],
      ['MD5 as CircleCI shows it', (key: CircleCiKey) => key.md5.slice('MD5:'.length)],
      ['MD5 in upper case', (key: CircleCiKey) => key.md5.slice('MD5:'.length).toUpperCase()],
    ])('offers only the key of the fingerprint (%s)', async (_, written) => {
      const { sandbox, host, keys, tip, env } = sshWorld();
      const result = await sandbox.run('clone.sh', {
        env: { ...env, CARBON_SSH_KEY_FINGERPRINT: written(keys[1]!) },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(git(sandbox, ['-C', join(sandbox.work, 'carbon'), 'rev-parse', 'HEAD'])).toBe(tip);
      expect(host.connections()).toEqual([
        {
          identity: keys[1]!.file,
          identitiesOnly: true,
          host: 'git@git.example.test',
          command: "git-upload-pack 'acme/carbon.git'",
          admitted: true,
        },
      ]);
    });

    it('uses the key of the fingerprint even when the host refuses it: no other key is tried', async () => {
      const { sandbox, host, keys, env } = sshWorld();
      const result = await sandbox.run('clone.sh', {
        env: { ...env, CARBON_SSH_KEY_FINGERPRINT: keys[0]!.sha256 },
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('Permission denied (publickey)');
      expect(new Set(host.connections().map((c) => c.identity))).toEqual(new Set([keys[0]!.file]));
      // The hint is about the key it used, not about https tokens.
      expect(result.stderr).toContain(
        `SSH used only the key with fingerprint ${keys[0]!.sha256} (git.sshKeys), as add_ssh_keys stored it.`,
      );
      expect(result.stderr).not.toMatch(/https|CARBON_GIT_TOKEN/);
    });

    it('fails, saying what to add, when no loaded key has the fingerprint', async () => {
      const { sandbox, host, keys, env } = sshWorld();
      const missing = 'SHA256:4nx0bS1kqlHgWnNh5Y2m1Ue6x0dgVlkbVTfZqf6c1Yk';
      const result = await sandbox.run('clone.sh', {
        env: { ...env, CARBON_SSH_KEY_FINGERPRINT: missing },
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(
        `clone.sh: error: no SSH key with fingerprint ${missing} is loaded for git@git.example.test:acme/carbon.git.`,
      );
      expect(result.stderr).toContain('Project Settings > SSH Keys');
      for (const key of keys) expect(result.stderr).toContain(key.sha256);
      expect(host.connections()).toEqual([]);
      expect(existsSync(join(sandbox.work, 'carbon'))).toBe(false);
    });

    it('refuses a fingerprint that is neither SHA256 nor MD5', async () => {
      const { sandbox, env } = sshWorld();
      const result = await sandbox.run('clone.sh', {
        env: { ...env, CARBON_SSH_KEY_FINGERPRINT: '0a:1b:2c:3d' },
      });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain("'0a:1b:2c:3d' is not an SSH key fingerprint.");
    });

    it('uses the default keys without a fingerprint, and ignores one for URLs without SSH', async () => {
      const { sandbox, keys } = sshWorld();
      const gitCalls = installGitWrapper(sandbox);
      const local = bareRepository(sandbox, 'local');
      commit(sandbox, local.path, 'develop', 'first');
      const result = await sandbox.run('clone.sh', {
        env: {
          CARBON_CLONE_URL: local.url,
          CARBON_CLONE_BRANCH: 'develop',
          CARBON_CLONE_PATH: 'local',
          CARBON_SSH_KEY_FINGERPRINT: keys[2]!.sha256,
        },
      });
      expect(result.code, result.stderr).toBe(0);
      expect(gitCalls().map((call) => call.sshCommand)).toEqual(gitCalls().map(() => ''));
    });
  });
});
