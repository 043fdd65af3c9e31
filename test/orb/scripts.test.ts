// Static checks of every orb script: shellcheck, the mandatory header, and no CircleCI-only syntax.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packOrb } from '../../src/emit/orb.ts';
import { isMap } from '../../src/emit/yaml.ts';
import { ORB_TEMPLATES } from '../../src/paths.ts';
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

  it('define the shared helpers once, in helpers.sh, which no script copies', () => {
    const defined = (name: string) =>
      [...readFileSync(join(scriptsDir, name), 'utf8').matchAll(/^(\w+)\(\) \{/gm)].map(
        (match) => match[1]!,
      );
    const shared = defined('helpers.sh');
    expect(shared).toEqual(expect.arrayContaining(['fail', 'warn', 'require', 'shown_name']));
    for (const name of scripts.filter((script) => script !== 'helpers.sh'))
      expect(
        defined(name).filter((helper) => shared.includes(helper)),
        name,
      ).toEqual([]);
  });

  it('are given helpers.sh by every step whose script evaluates it', () => {
    const helpers = readFileSync(join(scriptsDir, 'helpers.sh'), 'utf8');
    const { commands, jobs } = packOrb(ORB_TEMPLATES);
    const runs = [commands, jobs]
      .flatMap((components) => (isMap(components) ? Object.values(components) : []))
      .flatMap((component) => (isMap(component) ? [component['steps']].flat() : []))
      .flatMap((step) => (isMap(step) && isMap(step['run']) ? [step['run']] : []));
    const evaluating = runs.filter((run) =>
      String(run['command']).includes('eval "$CARBON_HELPERS"'),
    );
    expect(evaluating.length).toBeGreaterThan(10);
    for (const run of evaluating) {
      const environment = isMap(run['environment']) ? run['environment'] : {};
      expect(environment['CARBON_HELPERS'], String(run['name'])).toBe(helpers);
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
