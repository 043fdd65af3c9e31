// `carbon run` of a sync over SSH with the user's own keys: add_ssh_keys finds, in the user's
// ~/.ssh, the keys whose fingerprints the job asks for and links them where the orb's scripts look
// (the job's own ~/.ssh/id_rsa_<MD5>), and a git host that admits only the right key for each
// repository, offered alone (IdentitiesOnly), sees exactly those. The user's ~/.ssh is not touched.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCarbon } from '../helpers/cli.ts';
import { realGit } from '../orb/git.ts';
import { createSandbox } from '../orb/harness.ts';
import {
  circleCiKeyName,
  installSshHost,
  makeKey,
  type CircleCiKey,
  type SshHost,
} from '../orb/ssh.ts';
import { IDENTITY } from './workspace.ts';

/** A key pair in the user's ~/.ssh, named as people name theirs (not as CircleCI does). */
const userKey = (ssh: string, name: string) => makeKey(join(ssh, name), name);

/**
 * A sandbox with a git host that admits keys per repository, and a workspace syncing the client's
 * repository into the agency's over SSH, with the `git.sshKeys` fingerprints `keys` returns after
 * making the user's keys in `ssh`; `run` runs the sync.
 */
function sshWorkspace(keys: (ssh: string, host: SshHost) => { client: string; agency: string }) {
  const sandbox = createSandbox();
  const host = installSshHost(sandbox);
  const env = { ...sandbox.baseEnv, ...IDENTITY };
  delete (env as Record<string, string | undefined>)['CARBON_STATE_DIR'];
  const ssh = join(sandbox.home, '.ssh');
  mkdirSync(ssh, { recursive: true, mode: 0o700 });
  const fingerprints = keys(ssh, host);
  const root = join(sandbox.root, 'workspace');
  mkdirSync(join(root, 'projects'), { recursive: true });
  writeFileSync(
    join(root, 'carbon.config.ts'),
    `export default { git: { sshKeys: { 'git.example.test/client': '${fingerprints.client}', 'git.example.test/agency': '${fingerprints.agency}' } } };\n`,
  );
  writeFileSync(
    join(root, 'projects/acme.ts'),
    `export const acme = { id: 'acme', name: 'Acme', repositories: [{ id: 'Api', name: 'Api', sync: [{ direction: 'local', cron: '0 * * * *', branches: { origin: 'main', local: 'sync/main' } }], local: { git: '${host.url('agency/api.git')}', defaultBranch: 'main' }, origin: { git: '${host.url('client/api.git')}', defaultBranch: 'main' } }] };\n`,
  );
  const generated = runCarbon(['generate', '--root', root]);
  expect(generated.code, generated.stderr).toBe(0);
  const run = () =>
    runCarbon(['run', '--root', root, 'acme/Api', 'carbon-sync-to-local-sync/main'], { env });
  return { sandbox, host, env, ssh, run };
}

describe('carbon run of a sync over SSH', () => {
  it('offers each repository the user key with its fingerprint, alone, from the job own HOME', () => {
    let client!: CircleCiKey;
    let agency!: CircleCiKey;
    const {
      sandbox,
      host,
      env,
      ssh,
      run: sync,
    } = sshWorkspace((ssh, host) => {
      // Three keys of the user's: one opens the client's repository, one the agency's, one neither.
      client = userKey(ssh, 'client_deploy');
      agency = userKey(ssh, 'id_ed25519');
      userKey(ssh, 'unrelated');
      host.authorize('client/api.git', client);
      host.authorize('agency/api.git', agency);
      // One key by its SHA256 fingerprint, the other by MD5, as CircleCI shows older keys.
      return { client: client.sha256, agency: agency.md5.slice('MD5:'.length) };
    });
    const git = (args: string[]) => execFileSync(realGit, args, { encoding: 'utf8', env }).trim();
    for (const path of ['client/api.git', 'agency/api.git'])
      git([
        'init',
        '--quiet',
        '--bare',
        '--initial-branch=main',
        join(sandbox.root, 'remotes', path),
      ]);
    const scratch = join(sandbox.root, 'scratch');
    git(['init', '--quiet', '--initial-branch=main', scratch]);
    writeFileSync(join(scratch, 'README.md'), 'client\n');
    git(['-C', scratch, 'add', '--all']);
    git(['-C', scratch, 'commit', '--quiet', '-m', 'client work']);
    git(['-C', scratch, 'push', '--quiet', join(sandbox.root, 'remotes/client/api.git'), 'main']);
    const source = git(['-C', scratch, 'rev-parse', 'HEAD']);
    const before = readdirSync(ssh).sort();

    const run = sync();
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(`${client.sha256}: your ${client.file}, as `);
    expect(
      git(['-C', join(sandbox.root, 'remotes/agency/api.git'), 'rev-parse', 'sync/main']),
    ).toBe(source);
    const connections = host.connections();
    expect(connections.length).toBeGreaterThan(0);
    for (const connection of connections) {
      expect(connection).toMatchObject({ identitiesOnly: true, admitted: true });
      // CircleCI's name for the key, in the job's own HOME, never a path in the user's.
      expect(basename(connection.identity)).toMatch(/^id_rsa_[0-9a-f]{32}$/);
      expect(connection.identity.startsWith(ssh)).toBe(false);
    }
    const offered = new Set(connections.map((c) => basename(c.identity)));
    expect([...offered].sort()).toEqual([circleCiKeyName(client), circleCiKeyName(agency)].sort());
    // Nothing written into the user's ~/.ssh: no known_hosts, no copies.
    expect(readdirSync(ssh).sort()).toEqual(before);
  });

  it('says which fingerprint no key of the user has, and the step then fails naming it', () => {
    const missing = 'SHA256:0000000000000000000000000000000000000000000';
    const { sandbox, host, run: sync } = sshWorkspace(() => ({ client: missing, agency: missing }));
    const run = sync();
    expect(run.code).not.toBe(0);
    expect(run.stdout).toContain(
      `${missing}: no key in ${join(sandbox.home, '.ssh')} has this fingerprint`,
    );
    expect(run.stdout + run.stderr).toContain(`no SSH key with fingerprint ${missing} is loaded`);
    expect(host.connections()).toEqual([]);
  });
});
