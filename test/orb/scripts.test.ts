// Static checks of every orb script: shellcheck, the mandatory header, no CircleCI-only syntax,
// and the shared functions (helpers.sh, git.sh): each defined once, and carried only by the steps
// whose scripts use it.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap } from '../../src/emit/yaml.ts';
import { orbRuns, scriptNames, scriptsDir, sharedFunctions } from './harness.ts';

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

  /** The functions a script defines, in order. */
  const defined = (name: string) =>
    [...readFileSync(join(scriptsDir, name), 'utf8').matchAll(/^(\w+)\(\) \{/gm)].map(
      (match) => match[1]!,
    );
  /** A script's text without its comment lines. */
  const codeOf = (name: string) =>
    readFileSync(join(scriptsDir, name), 'utf8')
      .split('\n')
      .filter((line) => !line.trimStart().startsWith('#'))
      .join('\n');
  const evaluates = (code: string, variable: string) => code.includes(`eval "$${variable}"`);

  it('define each shared function once, in helpers.sh or git.sh, which no script copies', () => {
    // helpers.sh goes into most steps: the git functions stay out of it, in git.sh.
    expect(defined('helpers.sh')).toEqual([
      'set_script_name',
      'fail',
      'warn',
      'require',
      'shown_name',
    ]);
    expect(defined('git.sh')).toEqual([
      'redact_url',
      'refuse_credentials_in_url',
      'setup_token_helper',
      'access_hint',
      'git_with_token',
      'ssh_command_for',
    ]);
    for (const file of Object.values(sharedFunctions))
      for (const helper of defined(file))
        expect(
          scripts.filter((name) => defined(name).includes(helper)),
          helper,
        ).toEqual([file]);
  });

  it('evaluate exactly the shared functions they use', () => {
    // A script that evaluates a file it does not use makes its step carry that file for nothing;
    // one that uses a function it does not evaluate fails when it calls it.
    for (const name of scripts.filter(
      (script) => !Object.values<string>(sharedFunctions).includes(script),
    )) {
      const code = codeOf(name);
      for (const [variable, file] of Object.entries(sharedFunctions)) {
        const uses = defined(file).some((helper) => new RegExp(`\\b${helper}\\b`).test(code));
        expect(evaluates(code, variable), `${name} and ${file}`).toBe(uses);
      }
    }
    // git.sh reports through helpers.sh, so whoever evaluates it evaluates helpers.sh first.
    for (const name of scripts.filter((script) =>
      evaluates(codeOf(script), 'CARBON_GIT_HELPERS'),
    )) {
      const code = codeOf(name);
      expect(code.indexOf('eval "$CARBON_HELPERS"'), name).toBeGreaterThan(-1);
      expect(code.indexOf('eval "$CARBON_HELPERS"'), name).toBeLessThan(
        code.indexOf('eval "$CARBON_GIT_HELPERS"'),
      );
    }
    expect(scripts.filter((name) => evaluates(codeOf(name), 'CARBON_GIT_HELPERS'))).toEqual([
      'clone.sh',
      'sync.sh',
    ]);
  });

  it('are given, by every step, exactly the shared functions their script evaluates', () => {
    const runs = orbRuns();
    expect(runs.length).toBeGreaterThan(10);
    for (const run of runs) {
      const command = String(run['command']);
      const environment = isMap(run['environment']) ? run['environment'] : {};
      for (const [variable, file] of Object.entries(sharedFunctions))
        expect(environment[variable], `${variable} of ${String(run['name'])}`).toBe(
          evaluates(command, variable) ? readFileSync(join(scriptsDir, file), 'utf8') : undefined,
        );
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
