// sync.sh against real git: local bare repositories with file:// URLs stand in for GitHub.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSandbox } from './harness.ts';
import { installSshHost, loadCircleCiKeys, type CircleCiKey, type SshHost } from './ssh.ts';
import {
  bareRepository,
  branchTip,
  commit,
  copyBranch,
  installGitWrapper,
  realGit,
  shellQuote,
} from './git.ts';

const sourceBranch = 'develop';
const targetBranch = 'sync/develop';

/** sync.sh over SSH from the host's client/api to its agency/api, each with the key given. */
function sshSyncEnv(host: SshHost, sourceKey: string, targetKey: string) {
  return {
    CARBON_SYNC_SOURCE_URL: host.url('client/api.git'),
    CARBON_SYNC_SOURCE_BRANCH: sourceBranch,
    CARBON_SYNC_TARGET_URL: host.url('agency/api.git'),
    CARBON_SYNC_TARGET_BRANCH: targetBranch,
    CARBON_SYNC_SOURCE_SSH_KEY: sourceKey,
    CARBON_SYNC_TARGET_SSH_KEY: targetKey,
  };
}

/** A source repository with two commits on develop, and an empty target repository. */
function world() {
  const sandbox = createSandbox();
  const source = bareRepository(sandbox, 'taxaroo-api');
  const target = bareRepository(sandbox, 'Taxaroo-API-V2');
  const first = commit(sandbox, source.path, sourceBranch, 'first');
  const second = commit(sandbox, source.path, sourceBranch, 'second', first);
  const env = {
    CARBON_SYNC_SOURCE_URL: source.url,
    CARBON_SYNC_SOURCE_BRANCH: sourceBranch,
    CARBON_SYNC_TARGET_URL: target.url,
    CARBON_SYNC_TARGET_BRANCH: targetBranch,
  };
  return { sandbox, source, target, first, second, env };
}

function pushes(calls: { argv: string[] }[]): string[][] {
  return calls.filter((call) => call.argv.includes('push')).map((call) => call.argv);
}

/** A racer that commits onto the target branch with the real git (as another writer would). */
function racerScript(target: string, raceShaFile: string): string {
  const g = shellQuote(realGit);
  const t = shellQuote(target);
  return [
    `blob=$(printf 'racer\\n' | ${g} -C ${t} hash-object -w --stdin)`,
    `tree=$(printf '100644 blob %s\\tRACER\\n' "$blob" | ${g} -C ${t} mktree)`,
    `parent=$(${g} -C ${t} rev-parse --verify --quiet refs/heads/${targetBranch} || true)`,
    `if [[ -n "$parent" ]]; then sha=$(${g} -C ${t} commit-tree "$tree" -p "$parent" -m racer);`,
    `else sha=$(${g} -C ${t} commit-tree "$tree" -m racer); fi`,
    `${g} -C ${t} update-ref refs/heads/${targetBranch} "$sha"`,
    `printf '%s' "$sha" >${shellQuote(raceShaFile)}`,
  ].join('\n');
}

describe('sync.sh', () => {
  it('exits 0 and leaves the target alone when both branches are at the same commit', async () => {
    const { sandbox, source, target, second, env } = world();
    copyBranch(sandbox, source.path, second, target.path, targetBranch);
    const gitCalls = installGitWrapper(sandbox);

    const result = await sandbox.run('sync.sh', { env });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`up to date`);
    expect(result.stdout).toContain(second);
    expect(branchTip(sandbox, target.path, targetBranch)).toBe(second);
    expect(pushes(gitCalls())).toEqual([]);
  });

  it('creates a missing target branch at the source commit, leased on "must not exist"', async () => {
    const { sandbox, target, second, env } = world();
    const gitCalls = installGitWrapper(sandbox);

    const result = await sandbox.run('sync.sh', { env });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Created branch ${targetBranch}`);
    expect(branchTip(sandbox, target.path, targetBranch)).toBe(second);
    const [push, ...others] = pushes(gitCalls());
    expect(others).toEqual([]);
    expect(push).toContain(`--force-with-lease=refs/heads/${targetBranch}:`);
    expect(push?.at(-1)).toBe(`${second}:refs/heads/${targetBranch}`);
    expect(push).not.toContain('--force');
    expect(push?.some((arg) => arg.startsWith('+'))).toBe(false);
  });

  it('fast-forwards the target, leased on its old commit', async () => {
    const { sandbox, source, target, first, second, env } = world();
    copyBranch(sandbox, source.path, first, target.path, targetBranch);
    const gitCalls = installGitWrapper(sandbox);

    const result = await sandbox.run('sync.sh', { env });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `Fast-forwarded ${target.url} ${targetBranch} from ${first} to ${second}`,
    );
    expect(branchTip(sandbox, target.path, targetBranch)).toBe(second);
    const allPushes = pushes(gitCalls());
    expect(allPushes).toHaveLength(1);
    expect(allPushes[0]).toContain(`--force-with-lease=refs/heads/${targetBranch}:${first}`);
    expect(allPushes[0]).not.toContain('--force');
    expect(allPushes[0]!.some((arg) => arg.startsWith('+'))).toBe(false);
  });

  it('fails on a diverged target, naming both commits, and leaves it untouched', async () => {
    const { sandbox, source, target, first, second, env } = world();
    copyBranch(sandbox, source.path, first, target.path, targetBranch);
    const theirs = commit(sandbox, target.path, targetBranch, 'made on the mirror', first);
    const gitCalls = installGitWrapper(sandbox);

    const result = await sandbox.run('sync.sh', { env });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('diverged');
    expect(result.stderr).toContain(
      `source: ${env.CARBON_SYNC_SOURCE_URL} ${sourceBranch} at ${second}`,
    );
    expect(result.stderr).toContain(
      `target: ${env.CARBON_SYNC_TARGET_URL} ${targetBranch} at ${theirs}`,
    );
    expect(result.stderr).toContain(`last common commit: ${first}`);
    expect(branchTip(sandbox, target.path, targetBranch)).toBe(theirs);
    expect(pushes(gitCalls())).toEqual([]);
  });

  it('fails when the target is ahead of the source, and leaves it untouched', async () => {
    const { sandbox, source, target, second, env } = world();
    copyBranch(sandbox, source.path, second, target.path, targetBranch);
    const ahead = commit(sandbox, target.path, targetBranch, 'only on the mirror', second);

    const result = await sandbox.run('sync.sh', { env });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'cannot fast-forward: the target has commits the source does not have. The target was left untouched.',
    );
    expect(result.stderr).toContain(`target: ${target.url} ${targetBranch} at ${ahead}`);
    expect(branchTip(sandbox, target.path, targetBranch)).toBe(ahead);
  });

  it('fails when the source branch does not exist, and does not touch the target', async () => {
    const { sandbox, source, target, first, env } = world();
    copyBranch(sandbox, source.path, first, target.path, targetBranch);

    const result = await sandbox.run('sync.sh', {
      env: { ...env, CARBON_SYNC_SOURCE_BRANCH: 'release/2.0' },
    });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      `the source branch 'release/2.0' does not exist in ${source.url}`,
    );
    expect(branchTip(sandbox, target.path, targetBranch)).toBe(first);
  });

  describe.each([
    { name: 'the target branch is created meanwhile', existing: false },
    { name: 'the target branch moves meanwhile', existing: true },
  ])('when $name (after ls-remote, before the push)', ({ existing }) => {
    it('the lease refuses the push, the job fails, and the racer’s commit stays', async () => {
      const { sandbox, source, target, first, env } = world();
      if (existing) copyBranch(sandbox, source.path, first, target.path, targetBranch);
      const raceShaFile = join(sandbox.root, 'race.sha');
      const gitCalls = installGitWrapper(sandbox, {
        race: { on: 'push', script: racerScript(target.path, raceShaFile) },
      });

      const result = await sandbox.run('sync.sh', { env });

      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(
        `the target branch '${targetBranch}' of ${target.url} changed during the sync; nothing was overwritten.`,
      );
      expect(result.stderr).toContain(
        existing
          ? `It was at ${first} when the sync started.`
          : 'It did not exist when the sync started.',
      );
      const racer = readFileSync(raceShaFile, 'utf8');
      expect(racer).toMatch(/^[0-9a-f]{40}$/);
      expect(branchTip(sandbox, target.path, targetBranch)).toBe(racer);
      const [push] = pushes(gitCalls());
      expect(push).toContain(
        `--force-with-lease=refs/heads/${targetBranch}:${existing ? first : ''}`,
      );
    });
  });

  it('reads the source and pushes the target each with its own key among several loaded', async () => {
    const sandbox = createSandbox();
    const source = bareRepository(sandbox, 'client/api');
    const target = bareRepository(sandbox, 'agency/api');
    const tip = commit(sandbox, source.path, sourceBranch, 'first');
    const host = installSshHost(sandbox);
    const [sourceKey, other, targetKey] = loadCircleCiKeys(sandbox, 3) as [
      CircleCiKey,
      CircleCiKey,
      CircleCiKey,
    ];
    host.authorize('client/api.git', sourceKey);
    host.authorize('agency/api.git', targetKey);
    host.authorize('agency/api.git', other);

    const result = await sandbox.run('sync.sh', {
      env: sshSyncEnv(host, sourceKey.md5.slice('MD5:'.length), targetKey.sha256),
    });

    expect(result.code, result.stderr).toBe(0);
    expect(branchTip(sandbox, target.path, targetBranch)).toBe(tip);
    const offered = (path: string) =>
      new Set(
        host
          .connections()
          .filter((c) => c.command.endsWith(`'${path}'`))
          .map((c) => `${c.identity} only=${c.identitiesOnly} admitted=${c.admitted}`),
      );
    expect(offered('client/api.git')).toEqual(
      new Set([`${sourceKey.file} only=true admitted=true`]),
    );
    expect(offered('agency/api.git')).toEqual(
      new Set([`${targetKey.file} only=true admitted=true`]),
    );
    expect(host.connections().map((c) => c.command)).toContain("git-receive-pack 'agency/api.git'");
  });

  it('says which key a failed SSH push used, and nothing of https tokens', async () => {
    const sandbox = createSandbox();
    const source = bareRepository(sandbox, 'client/api');
    bareRepository(sandbox, 'agency/api');
    commit(sandbox, source.path, sourceBranch, 'first');
    const host = installSshHost(sandbox);
    const [sourceKey, targetKey] = loadCircleCiKeys(sandbox, 2) as [CircleCiKey, CircleCiKey];
    host.authorize('client/api.git', sourceKey);
    // The target's key is loaded, but the host does not let it in.
    const result = await sandbox.run('sync.sh', {
      env: sshSyncEnv(host, sourceKey.sha256, targetKey.sha256),
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('could not read the branches of the target');
    expect(result.stderr).toContain(
      `SSH used only the key with fingerprint ${targetKey.sha256} (git.sshKeys), as add_ssh_keys stored it.`,
    );
    expect(result.stderr).not.toMatch(/https|CARBON_GIT_TOKEN/);
  });

  it('refuses URLs with credentials', async () => {
    const { sandbox, env } = world();
    const refused = await sandbox.run('sync.sh', {
      env: {
        ...env,
        CARBON_SYNC_TARGET_URL: 'https://mirror:ghp_s3cr3tT0ken@github.com/org/repo.git',
      },
    });
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(
      'CARBON_SYNC_TARGET_URL carries credentials: https://***@github.com/org/repo.git',
    );
    expect(refused.stderr).toContain('CARBON_GIT_TOKEN_ENV');
    expect(refused.stdout + refused.stderr).not.toContain('ghp_s3cr3tT0ken');
  });
});
