// Carbon's own CI: the CircleCI config is valid, its scripts pass shellcheck, and .ci/run runs
// the stale check and the README's test command.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DEFAULT_SCHEMA } from '../src/paths.ts';
import { validateAgainstSchema } from '../src/validate/schema.ts';
import { REPO_ROOT } from './helpers/cli.ts';

describe("Carbon's own CI", () => {
  it('has a CircleCI config the official schema accepts, running the check, the tests and the orb publication', () => {
    const config = parse(readFileSync(join(REPO_ROOT, '.circleci/config.yml'), 'utf8'));
    expect(validateAgainstSchema(DEFAULT_SCHEMA, config)).toEqual([]);
    const steps = JSON.stringify(config.jobs.test.steps);
    expect(steps).toContain('npm run check');
    expect(steps).toContain('npm test');
    expect(JSON.stringify(config.jobs['publish-orb'])).toContain('publish-orb.sh');
  });

  it('has scripts that pass shellcheck', () => {
    const scripts = ['.circleci/fetch-schema.sh', '.circleci/publish-orb.sh', '.ci/run'].map(
      (file) => join(REPO_ROOT, file),
    );
    expect(() =>
      execFileSync('shellcheck', ['--shell=bash', ...scripts], { encoding: 'utf8' }),
    ).not.toThrow();
  });

  it('pins the schema it fetches to the digest of the one in ../shared', () => {
    const script = readFileSync(join(REPO_ROOT, '.circleci/fetch-schema.sh'), 'utf8');
    const digest = execFileSync('sha256sum', [DEFAULT_SCHEMA], { encoding: 'utf8' }).split(' ')[0];
    expect(script).toContain(`digest="${digest}"`);
  });

  it('runs the stale check and the test command of the README in .ci/run', () => {
    const run = readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8');
    expect(run).toContain('npm run check');
    expect(run).toContain('npm test');
    expect(run).toMatch(/apt-get install[^\n]*shellcheck/);
  });
});
