// known-hosts.sh: pinned host keys into ~/.ssh/known_hosts, once each.
import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSandbox } from './harness.ts';

const GITHUB_ED25519 =
  'github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl';

describe('known-hosts.sh', () => {
  it("trusts GitHub's published keys by default, with private permissions", async () => {
    const sandbox = createSandbox();
    const result = await sandbox.run('known-hosts.sh');
    expect(result.code, result.stderr).toBe(0);
    const file = join(sandbox.home, '.ssh', 'known_hosts');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe(GITHUB_ED25519);
    expect(lines[1]).toMatch(/^github\.com ecdsa-sha2-nistp256 AAAA/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(sandbox.home, '.ssh')).mode & 0o777).toBe(0o700);
    expect(result.stdout).toContain('Trusting 2 new host key line(s)');
  });

  it('adds given lines once, keeping what is there, and skips comments', async () => {
    const sandbox = createSandbox();
    mkdirSync(join(sandbox.home, '.ssh'));
    writeFileSync(join(sandbox.home, '.ssh', 'known_hosts'), `${GITHUB_ED25519}\n`);
    const given = `# the agency's GitLab\ngitlab.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIexample\n${GITHUB_ED25519}\n`;
    for (const expected of [1, 0]) {
      const result = await sandbox.run('known-hosts.sh', { env: { CARBON_KNOWN_HOSTS: given } });
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain(`Trusting ${expected} new host key line(s)`);
    }
    expect(readFileSync(join(sandbox.home, '.ssh', 'known_hosts'), 'utf8')).toBe(
      `${GITHUB_ED25519}\ngitlab.example.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIexample\n`,
    );
  });

  it('refuses a line that is not host, key type and key', async () => {
    const sandbox = createSandbox();
    const result = await sandbox.run('known-hosts.sh', {
      env: { CARBON_KNOWN_HOSTS: 'github.com' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('not a known_hosts line (host keytype key): github.com');
  });
});
