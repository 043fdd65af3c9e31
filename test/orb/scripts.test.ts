// Static checks of every orb script: shellcheck, the mandatory header, and no CircleCI-only syntax.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scriptNames, scriptsDir } from './harness.ts';

const scripts = readdirSync(scriptsDir)
  .filter((name) => name.endsWith('.sh'))
  .sort();

describe('orb scripts', () => {
  it('are exactly the scripts the orb jobs include', () => {
    expect(scripts).toEqual([...scriptNames].sort());
  });

  it('pass shellcheck', () => {
    const version = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
    // CI installs shellcheck (.ci/run); a missing shellcheck is a failure, never a skip.
    expect(
      version.error,
      'shellcheck must be installed (apt-get install shellcheck)',
    ).toBeUndefined();
    const result = spawnSync(
      'shellcheck',
      ['--shell=bash', '--external-sources', ...scripts.map((name) => join(scriptsDir, name))],
      { encoding: 'utf8' },
    );
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  /** The block between `# --- <what>` and `# --- end of <what> ---` of a script. */
  const block = (name: string, what: string) => {
    const text = readFileSync(join(scriptsDir, name), 'utf8');
    const start = text.indexOf(`# --- ${what}`);
    const end = text.indexOf(`# --- end of ${what} ---`);
    expect(start, name).toBeGreaterThan(0);
    expect(end, name).toBeGreaterThan(start);
    return text.slice(start, end);
  };

  it('repeat the shared git helpers identically (scripts cannot source each other)', () => {
    expect(block('sync.sh', 'git helpers')).toBe(block('clone.sh', 'git helpers'));
  });

  it('repeat their small message helpers identically wherever they define them', () => {
    // fail, warn, require and shown_name are copied into each script that needs them: one change
    // must reach every copy.
    for (const helper of ['fail', 'warn', 'require', 'shown_name']) {
      const copies = new Map<string, string>();
      for (const name of scripts) {
        const body = new RegExp(`^${helper}\\(\\) \\{\\n[\\s\\S]*?^\\}$`, 'm').exec(
          readFileSync(join(scriptsDir, name), 'utf8'),
        )?.[0];
        if (body !== undefined) copies.set(name, body);
      }
      expect(copies.size, helper).toBeGreaterThan(1);
      const [first] = [...copies.values()];
      for (const [name, body] of copies) expect(body, `${helper} in ${name}`).toBe(first);
    }
  });

  it('keep state only in the folder state-open.sh names, never at a fixed path', () => {
    for (const name of scripts) {
      const text = readFileSync(join(scriptsDir, name), 'utf8');
      expect(text, name).not.toMatch(/carbon-state["}\/]/);
      if (name !== 'state-open.sh' && /\$state_dir/.test(text))
        expect(text, name).toMatch(/^state_dir="\$\{?CARBON_STATE_DIR(:-)?\}?"$/m);
    }
  });

  describe.each(scripts)('%s', (name) => {
    const text = readFileSync(join(scriptsDir, name), 'utf8');
    const lines = text.split('\n');
    const code = lines.filter((line) => !line.trimStart().startsWith('#')).join('\n');
    const header = lines
      .slice(
        0,
        lines.findIndex((line, index) => index > 1 && !line.startsWith('#')),
      )
      .join('\n');

    it('starts with the bash shebang and set -euo pipefail', () => {
      expect(lines[0]).toBe('#!/usr/bin/env bash');
      expect(lines[1]).toBe('set -euo pipefail');
    });

    it('never traces commands (set -x would print secrets)', () => {
      expect(code).not.toMatch(/\bset\s+-[a-wyz]*x/);
      expect(code).not.toMatch(/\bset\s+-o\s+xtrace/);
    });

    it('turns off an inherited set -x (BASH_ENV) before its first command', () => {
      const commands = code.split('\n').filter((line) => line.trim() !== '');
      expect(commands.slice(0, 2)).toEqual(['set -euo pipefail', 'set +x']);
    });

    it('has no "<<": CircleCI would read it as parameter syntax once the script is included', () => {
      expect(text).not.toContain('<<');
    });

    it('uses no CircleCI-only tool', () => {
      expect(code).not.toMatch(/(^|[\s;|&(])circleci\s/m);
    });

    it('documents in its usage comment every CARBON_ and CIRCLE_ variable it reads', () => {
      expect(header).toMatch(/Reads/);
      expect(header).toMatch(/Writes/);
      const variables = new Set(code.match(/\b(CARBON|CIRCLE)_[A-Z0-9_]+/g) ?? []);
      const undocumented = [...variables].filter((variable) => !header.includes(variable));
      expect(undocumented).toEqual([]);
    });
  });
});
