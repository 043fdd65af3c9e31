// The generated CarbonSync, run with `carbon run` against local bare repositories: every case of
// the sync, checked on the repositories' refs afterwards.
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { realGit, shellQuote } from '../orb/git.ts';
import { IDENTITY, e2eWorkspace } from './workspace.ts';

const WORKFLOW = 'carbon-sync-to-local-sync/main';

describe('the generated CarbonSync, run locally', () => {
  it('creates the missing target branch at the source commit, then finds it up to date', () => {
    const w = e2eWorkspace();
    const source = w.commitFiles(w.repos.origin, 'main', { 'README.md': 'client\n' });
    expect(w.tip(w.repos.api, 'sync/main')).toBeUndefined();

    const created = w.run(['acme/Api', WORKFLOW]);
    expect(created.code, created.stdout + created.stderr).toBe(0);
    expect(w.tip(w.repos.api, 'sync/main')).toBe(source);
    expect(created.stdout).toContain('== step 4/5: Sync main into sync/main');
    expect(created.stdout).toContain("== step 5/5: Remove the job's state folder");
    expect(created.stdout).toContain('== carbon/CarbonSync succeeded');

    const again = w.run(['acme/Api', WORKFLOW]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/up to date/);
    expect(w.tip(w.repos.api, 'sync/main')).toBe(source);
  });

  it('fast-forwards a target that is behind', () => {
    const w = e2eWorkspace();
    const first = w.commitFiles(w.repos.origin, 'main', { 'README.md': 'one\n' });
    w.git(['-C', w.repos.origin, 'push', '--quiet', w.repos.api, `${first}:refs/heads/sync/main`]);
    const second = w.commitFiles(w.repos.origin, 'main', { 'README.md': 'two\n' });
    const result = w.run(['acme/Api', WORKFLOW]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(w.tip(w.repos.api, 'sync/main')).toBe(second);
  });

  it('fails on a diverged target, naming both commits, and leaves it untouched', () => {
    const w = e2eWorkspace();
    const base = w.commitFiles(w.repos.origin, 'main', { 'README.md': 'base\n' });
    w.git(['-C', w.repos.origin, 'push', '--quiet', w.repos.api, `${base}:refs/heads/sync/main`]);
    const agency = w.commitFiles(w.repos.api, 'sync/main', { 'AGENCY.md': 'ours\n' });
    const client = w.commitFiles(w.repos.origin, 'main', { 'CLIENT.md': 'theirs\n' });
    const result = w.run(['acme/Api', WORKFLOW]);
    expect(result.code).not.toBe(0);
    const output = result.stdout + result.stderr;
    expect(output).toContain(agency);
    expect(output).toContain(client);
    expect(output).toMatch(/diverged/);
    expect(result.stdout).toContain('== step 4 failed');
    expect(w.tip(w.repos.api, 'sync/main')).toBe(agency);
  });

  it('refuses to overwrite a commit pushed to the target during the sync (the lease)', () => {
    const w = e2eWorkspace();
    const first = w.commitFiles(w.repos.origin, 'main', { 'README.md': 'one\n' });
    w.git(['-C', w.repos.origin, 'push', '--quiet', w.repos.api, `${first}:refs/heads/sync/main`]);
    w.commitFiles(w.repos.origin, 'main', { 'README.md': 'two\n' });
    // A git first on PATH that, just before the sync's push, lets a racer commit onto the target.
    const racer = w.commitFiles(
      w.repos.api,
      'racer-staging',
      { 'RACER.md': 'raced\n' },
      'sync/main',
    );
    const wrapper = join(w.sandbox.bin, 'git');
    writeFileSync(
      wrapper,
      [
        '#!/usr/bin/env bash',
        'set -euo pipefail',
        ...Object.entries(IDENTITY).map(([name, value]) => `export ${name}=${shellQuote(value)}`),
        'for arg in "$@"; do',
        '  if [[ "$arg" == push ]]; then',
        `    ${shellQuote(realGit)} -C ${shellQuote(w.repos.api)} update-ref refs/heads/sync/main ${racer}`,
        '    break',
        '  fi',
        'done',
        `exec ${shellQuote(realGit)} "$@"`,
        '',
      ].join('\n'),
    );
    chmodSync(wrapper, 0o755);
    const result = w.run(['acme/Api', WORKFLOW]);
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/changed during the sync/);
    expect(w.tip(w.repos.api, 'sync/main')).toBe(racer);
  });

  it('rehearses with --dry-run: the steps and their commands, nothing run', () => {
    const w = e2eWorkspace();
    const source = w.commitFiles(w.repos.origin, 'main', { 'README.md': 'client\n' });
    const result = w.run(['acme/Api', WORKFLOW, '--dry-run']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('carbon/CarbonSync (CircleCI image cimg/base:2026.09)');
    expect(result.stdout).toContain('4. run: Sync main into sync/main');
    expect(result.stdout).toContain(`CARBON_SYNC_SOURCE_URL=file://${w.repos.origin}`);
    expect(result.stdout).toContain('     | set -euo pipefail');
    expect(w.tip(w.repos.api, 'sync/main')).toBeUndefined();
    expect(source).toMatch(/^[0-9a-f]{40}$/);
  });
});
