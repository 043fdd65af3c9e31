// Before any test: CircleCI's schema, which many tests check configs against. It is in
// ../shared/circleci/schema.json beside Carbon's CI, or kept by `carbon fetch-schema`; on a fresh
// clone it is fetched here, as .ci/run does (pinned commit, checked digest). Without a network,
// the run stops with one line that says what is missing, instead of failing suite after suite.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './cli.ts';
import { findSchema } from '../../src/validate/schema-source.ts';

export default function setup(): void {
  const env = { ...process.env, CARBON_REQUIRE_SCHEMA: '' };
  if (findSchema(undefined, env, process.cwd()).path !== undefined) return;
  const fetched = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/carbon.mjs'), 'fetch-schema'], {
    encoding: 'utf8',
    env,
  });
  if (fetched.status === 0) return;
  const reason =
    fetched.stderr
      .trim()
      .split('\n')
      .at(-1)
      ?.replace(/^carbon: /, '') ?? '';
  process.stderr.write(
    `The tests need CircleCI's schema (../shared/circleci/schema.json, or the copy \`npm run carbon -- fetch-schema\` keeps), and fetching it failed: ${reason}\n`,
  );
  process.exit(2);
}
