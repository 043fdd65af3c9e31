// Where CircleCI's official JSON schema comes from. It is data Carbon does not ship: --schema FILE,
// then $CARBON_CIRCLECI_SCHEMA, then ../shared/circleci/schema.json beside Carbon (CI), then the
// copy `carbon fetch-schema` keeps (pinned commit, checked digest). Without any, configs are checked
// by Carbon's own rules only, which is said once per run; CARBON_REQUIRE_SCHEMA=1 (CI) makes a
// missing schema an error instead.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeAtomically } from '../atomic-write.ts';
import { UserError } from '../errors.ts';
import { hashOfText } from '../hash.ts';
import { DEFAULT_SCHEMA } from '../paths.ts';
import { withoutUrlCredentials } from '../secrets.ts';
import { STORE_FOLDER } from '../store.ts';

/** The schema Carbon was validated with: CircleCI-Public/circleci-yaml-language-server schema.json. */
export const PINNED_SCHEMA = {
  repository: 'CircleCI-Public/circleci-yaml-language-server',
  commit: 'c9a13f55002be4d417369b2dfce7f9da1ea7e517',
  sha256: '943887ba97ed0047f4170e83d3e5bf045ae12d824f6da56ca50c2224a7fbb458',
} as const;

export function pinnedSchemaUrl(env: NodeJS.ProcessEnv): string {
  return (
    env['CARBON_SCHEMA_URL'] ??
    `https://raw.githubusercontent.com/${PINNED_SCHEMA.repository}/${PINNED_SCHEMA.commit}/schema.json`
  );
}

/** Where `carbon fetch-schema` keeps the pinned schema. */
export const FETCHED_SCHEMA = join(STORE_FOLDER, 'schema', `${PINNED_SCHEMA.commit}.json`);

export interface SchemaSource {
  /** The schema file, or undefined when there is none: Carbon's own checks only. */
  path: string | undefined;
}

export function findSchema(
  option: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): SchemaSource {
  const given: [string, string] | undefined = option
    ? [resolve(cwd, option), '--schema']
    : env['CARBON_CIRCLECI_SCHEMA']
      ? [resolve(cwd, env['CARBON_CIRCLECI_SCHEMA']), 'CARBON_CIRCLECI_SCHEMA']
      : undefined;
  if (given) {
    const [path, from] = given;
    if (!existsSync(path))
      throw new UserError(
        `the CircleCI schema was not found at ${path} (${from}): give the schema.json published in ` +
          `${PINNED_SCHEMA.repository}, or run \`carbon fetch-schema\` and leave ${from} out`,
      );
    if (!statSync(path).isFile())
      throw new UserError(
        `the CircleCI schema at ${path} (${from}) is a folder: give the schema.json file`,
      );
    return { path };
  }
  for (const path of [DEFAULT_SCHEMA, FETCHED_SCHEMA])
    if (existsSync(path) && statSync(path).isFile()) return { path };
  if (env['CARBON_REQUIRE_SCHEMA'] === '1')
    throw new UserError(
      "CircleCI's schema is required here (CARBON_REQUIRE_SCHEMA=1) but was not found: run `carbon fetch-schema`, or give --schema FILE",
    );
  return { path: undefined };
}

/** The note said once when no schema is there. */
export const NO_SCHEMA_NOTE =
  "carbon: note: CircleCI's schema is not here, so configs were checked by Carbon's own rules only; `npm run carbon -- fetch-schema` gets it\n";

/**
 * Downloads the pinned schema, checks its digest, and keeps it. Returns what happened, for the
 * command to say (the URL without its credentials).
 */
export async function fetchSchema(
  env: NodeJS.ProcessEnv,
): Promise<{ path: string; fetched: boolean; url: string }> {
  const url = pinnedSchemaUrl(env);
  // What is said of it: a mirror's URL may carry credentials.
  const shown = withoutUrlCredentials(url);
  // Already here: kept by an earlier fetch, or the pinned schema beside Carbon (../shared).
  for (const path of [FETCHED_SCHEMA, DEFAULT_SCHEMA])
    if (existsSync(path) && hashOfText(readFileSync(path)) === PINNED_SCHEMA.sha256)
      return { path, fetched: false, url: shown };
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    throw new UserError(
      `could not download the CircleCI schema from ${shown}: ${withoutUrlCredentials((error as Error).message)} (no network?); download it another way and give it to generate, check and validate with --schema FILE or CARBON_CIRCLECI_SCHEMA, or set CARBON_SCHEMA_URL to a mirror`,
    );
  }
  if (!response.ok)
    throw new UserError(
      `could not download the CircleCI schema from ${shown}: HTTP ${response.status}`,
    );
  const bytes = Buffer.from(await response.arrayBuffer());
  const digest = hashOfText(bytes);
  if (digest !== PINNED_SCHEMA.sha256)
    throw new UserError(
      `the schema downloaded from ${shown} has digest ${digest}, not the pinned ${PINNED_SCHEMA.sha256}: not kept`,
    );
  writeAtomically([{ path: FETCHED_SCHEMA, content: bytes }]);
  return { path: FETCHED_SCHEMA, fetched: true, url: shown };
}
