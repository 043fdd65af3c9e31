// Carbon's own CI: the CircleCI config is valid, its scripts pass shellcheck, and .ci/run runs
// the stale check and the README's test command.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SCHEMA } from './helpers/schema.ts';
import { PINNED_SCHEMA } from '../src/validate/schema-source.ts';
import { validateAgainstSchema } from '../src/validate/schema.ts';
import { REPO_ROOT } from './helpers/cli.ts';

describe("Carbon's own CI", () => {
  it('has a CircleCI config the official schema accepts, running the check, the tests and the orb publication', () => {
    const config = parse(readFileSync(join(REPO_ROOT, '.circleci/config.yml'), 'utf8'));
    expect(validateAgainstSchema(SCHEMA, config)).toEqual([]);
    // The test job runs the same entry point as the local CI.
    expect(JSON.stringify(config.jobs.test.steps)).toContain('bash .ci/run');
    expect(JSON.stringify(config.jobs['publish-orb'])).toContain('publish-orb.sh');
  });

  it('has scripts that pass shellcheck', () => {
    const scripts = ['.circleci/publish-orb.sh', '.ci/run'].map((file) => join(REPO_ROOT, file));
    expect(() =>
      execFileSync('shellcheck', ['--shell=bash', ...scripts], { encoding: 'utf8' }),
    ).not.toThrow();
  });

  it('pins the schema carbon fetch-schema gets to the digest of the one in ../shared, and fetches it in CI', () => {
    const digest = execFileSync('sha256sum', [SCHEMA], { encoding: 'utf8' }).split(' ')[0];
    expect(PINNED_SCHEMA.sha256).toBe(digest);
    const run = readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8');
    expect(run).toContain('node bin/carbon.mjs fetch-schema');
    expect(run).toContain('export CARBON_REQUIRE_SCHEMA=1');
  });

  it('runs the stale check and the test command of the README in .ci/run', () => {
    const run = readFileSync(join(REPO_ROOT, '.ci/run'), 'utf8');
    expect(run).toContain('npm run check');
    expect(run).toContain('npm test');
    expect(run).toMatch(/apt-get install[^\n]*shellcheck/);
    // The provision end-to-end tests run the pip AWS CLI, pinned, which the tests find by it.
    expect(run).toMatch(/pip install --quiet awscli==1\.\d+\.\d+\n/);
    expect(run).toContain('export CARBON_PIP_AWS=');
  });
});
