// Workspaces for the delivery tests: a project whose repositories live on github.com (so OAuth
// slugs derive from their URLs), CircleCI projects for them in the stand-in, and the real CLI run
// asynchronously, so that the stand-in in this process can answer it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { carbon as carbonCli, type CliResult } from './cli.ts';
import { CircleCiStandIn, STAND_IN_TOKEN } from './circleci-api.ts';
import { makeWorkspace, TEST_KEY, writeFiles } from './workspace.ts';

export type Integration = 'oauth' | 'github-app';

/** The GitHub App project every repository of the test project maps to. */
export const APP_SLUG = 'circleci/8e4z1Akd74woxagxnvLT5q/CzMcAU8dvQo4FJhyj87QsA';
export const GITHUB_IDS = { api: '952038793', web: '952038794', carbon: '952038795' };
export const CONFIG_REPOSITORY_ID = '952030001';

export interface SyncRuleText {
  direction: 'local' | 'origin';
  cron: string;
  origin: string;
  local: string;
}

export const API_SYNCS: SyncRuleText[] = [
  { direction: 'local', cron: '0 * * * *', origin: 'develop', local: 'sync/develop' },
  { direction: 'origin', cron: '0 6 * * 1-5', origin: 'agency/release', local: 'release/client' },
];

/** A schedule someone made in CircleCI's web app: not Carbon's. */
export const HAND_MADE_SCHEDULE = {
  name: 'nightly backup',
  description: 'made in the web app',
  'attribution-actor': 'current',
  parameters: { branch: 'main' },
  timetable: { 'per-hour': 1, 'hours-of-day': [3], 'days-of-week': ['SUN'] },
};

export function projectModule(syncs: SyncRuleText[] = API_SYNCS): string {
  const rules = syncs
    .map(
      (s) =>
        `{ direction: '${s.direction}', cron: '${s.cron}', branches: { origin: '${s.origin}', local: '${s.local}' } }`,
    )
    .join(',\n        ');
  return `export const acme = {
  id: 'acme',
  name: 'Acme',
  repositories: [
    {
      id: 'Api',
      name: 'Acme API',
      build: { branch: 'develop', carbonRepo: 'Carbon' },
      sync: [
        ${rules}
      ],
      local: { git: 'github.com/acme/api.git', defaultBranch: 'main' },
      origin: { git: 'github.com/client/api.git', defaultBranch: 'develop' },
    },
    {
      id: 'Web',
      name: 'Acme Web',
      build: { branch: 'main', carbonRepo: 'Carbon' },
      local: { git: 'github.com/acme/web.git' },
    },
    { id: 'Carbon', name: 'Acme Carbon', local: { git: 'github.com/acme/carbon.git' } },
  ],
};
`;
}

export function configModule(integration: Integration, extra = ''): string {
  const keys = `git: { sshKeys: { 'github.com/acme': '${TEST_KEY}', 'github.com/client': '${TEST_KEY}' } }`;
  const app =
    integration === 'github-app'
      ? `integration: 'github-app', configRepository: { githubId: '${CONFIG_REPOSITORY_ID}', ref: 'main' }, projects: { acme: '${APP_SLUG}' }, githubIds: { 'github.com/acme/api': '${GITHUB_IDS.api}', 'github.com/acme/web': ${GITHUB_IDS.web}, 'github.com/acme/carbon': '${GITHUB_IDS.carbon}' }${extra}`
      : `integration: 'oauth', cascadeContext: 'carbon-circleci'${extra}`;
  return `export default { aws: { accountId: '123456789012' }, ${keys}, circleci: { ${app} } };\n`;
}

export interface DeliveryFixture {
  root: string;
  api: CircleCiStandIn;
  env: NodeJS.ProcessEnv;
  carbon: (args: string[], env?: NodeJS.ProcessEnv) => Promise<CliResult>;
  /** Rewrites the project module (then generates again). */
  setSyncs: (syncs: SyncRuleText[]) => Promise<void>;
  /** schedules.yml of a repository as generated. */
  schedulesFile: (repository: string) => Record<string, unknown[]>;
}

export async function deliveryFixture(integration: Integration): Promise<DeliveryFixture> {
  const root = makeWorkspace({
    'carbon.config.ts': configModule(integration),
    'projects/acme.ts': projectModule(),
  });
  const api = await new CircleCiStandIn().start();
  if (integration === 'oauth') {
    api.addProject('gh/acme/api', 'oauth');
    api.addProject('gh/acme/web', 'oauth');
    // Its config triggers the builds that check it out (a cascade).
    api.addProject('gh/acme/carbon', 'oauth');
  } else {
    api.addProject(APP_SLUG, 'github-app');
  }
  const env = { CIRCLE_TOKEN: STAND_IN_TOKEN, CARBON_CIRCLECI_URL: api.url, CARBON_CACHE: '0' };
  const carbon = (args: string[], more: NodeJS.ProcessEnv = {}) =>
    carbonCli([...args, '--root', root], { env: { ...env, ...more } });
  const generate = async () => {
    const result = await carbon(['generate']);
    if (result.code !== 0) throw new Error(`generate failed: ${result.stderr}`);
  };
  await generate();
  return {
    root,
    api,
    env,
    carbon,
    setSyncs: async (syncs) => {
      writeFiles(root, { 'projects/acme.ts': projectModule(syncs) });
      await generate();
    },
    schedulesFile: (repository) =>
      parse(
        readFileSync(
          join(root, 'generated', 'acme', repository, '.circleci', 'schedules.yml'),
          'utf8',
        ),
      ) as Record<string, unknown[]>,
  };
}
