// Cascades of GitHub App projects: cross-repo triggers on each build's pipeline, one per repository
// whose pushes rebuild it, made, compared and deleted by plan and apply against the CircleCI
// stand-in (which checks each request against the API reference and the Terraform provider's
// client), for the sample and for a fleet. Then a push, followed as CircleCI follows it: each
// pipeline it starts runs its build once, and no pipeline starts another.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { compileSettings } from '../../src/compile/resolved-settings.ts';
import { desiredState } from '../../src/deliver/desired.ts';
import { CircleCiStandIn, STAND_IN_TOKEN } from '../helpers/circleci-api.ts';
import { jobsRun } from '../helpers/circleci-pipeline.ts';
import { APP_SLUG, CONFIG_REPOSITORY_ID } from '../helpers/circleci-workspace.ts';
import { REPO_ROOT, carbon as carbonCli } from '../helpers/cli.ts';
import { TEST_KEY, makeWorkspace, writeFiles } from '../helpers/workspace.ts';

let api: CircleCiStandIn | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

const SAMPLE = readFileSync(join(REPO_ROOT, 'projects/taxaroo.ts'), 'utf8');
/** GitHub's id of each repository of the sample. */
const IDS: Record<string, string> = {
  'Taxaroo-API-V2': '952038801',
  'Taxaroo-App': '952038802',
  'Taxaroo-Admin': '952038803',
  'Taxaroo-Clients': '952038804',
  'Taxaroo-Carbon': '952038805',
};
const DEFAULT_BRANCH: Record<string, string> = {
  'Taxaroo-API-V2': 'develop',
  'Taxaroo-App': 'develop',
  'Taxaroo-Admin': 'develop',
  'Taxaroo-Clients': 'main',
  'Taxaroo-Carbon': 'develop',
};

function githubAppConfig(ids: Record<string, string>): string {
  const keys = `'github.com/BlackstoneStudio': '${TEST_KEY}', 'github.com/Software-as-a-Service-LLC': '${TEST_KEY}'`;
  const githubIds = Object.entries(ids)
    .map(([url, id]) => `'${url}': '${id}'`)
    .join(', ');
  return `export default { aws: { accountId: '123456789012' }, git: { sshKeys: { ${keys} } }, circleci: { integration: 'github-app', configRepository: { githubId: '${CONFIG_REPOSITORY_ID}' }, projects: { taxaroo: '${APP_SLUG}' }, githubIds: { ${githubIds} } } };\n`;
}

async function sampleOnGitHubApp() {
  const ids = Object.fromEntries(
    Object.entries(IDS).map(([id, github]) => [`github.com/BlackstoneStudio/${id}`, github]),
  );
  const root = makeWorkspace({
    'carbon.config.ts': githubAppConfig(ids),
    'projects/taxaroo.ts': SAMPLE,
  });
  api = await new CircleCiStandIn().start();
  api.addProject(APP_SLUG, 'github-app');
  const env = { CIRCLE_TOKEN: STAND_IN_TOKEN, CARBON_CIRCLECI_URL: api.url, CARBON_CACHE: '0' };
  const carbon = (args: string[]) => carbonCli([...args, '--root', root], { env });
  const generated = await carbon(['generate']);
  expect(generated.code, generated.stderr).toBe(0);
  expect(generated.stderr).toBe('');
  return { root, api, carbon };
}

type Json = Record<string, any>;

/** The cross-repo triggers of each pipeline, in short: from which repository, how filtered. */
function crossRepo(api: CircleCiStandIn): Record<string, string[]> {
  const byId = Object.fromEntries(Object.entries(IDS).map(([name, id]) => [id, name]));
  return Object.fromEntries(
    (api.definitions(APP_SLUG) as Json[])
      .map((definition) => {
        const checkout = definition['checkout_source'].repo.external_id as string;
        const triggers = api
          .triggers(APP_SLUG, definition['name'])
          .filter(
            (t: Json) =>
              t['event_source'].provider === 'github_app' &&
              t['event_source'].repo.external_id !== checkout,
          )
          .map(
            (t: Json) =>
              `${byId[t['event_source'].repo.external_id]} ${t['event_preset']} -> ${t['checkout_ref']} (config ${t['config_ref']})`,
          );
        return [definition['name'] as string, triggers] as const;
      })
      .filter(([, triggers]) => triggers.length > 0),
  );
}

/**
 * A push to a repository at a branch, as CircleCI's GitHub App triggers take it: the pipelines it
 * starts, each checking out its trigger's checkout ref (else the branch pushed), with the jobs its
 * config runs there.
 */
function push(api: CircleCiStandIn, root: string, repository: string, branch: string): string[] {
  const started: string[] = [];
  for (const definition of api.definitions(APP_SLUG) as Json[]) {
    for (const trigger of api.triggers(APP_SLUG, definition['name']) as Json[]) {
      const source = trigger['event_source'];
      if (source.provider !== 'github_app' || source.repo.external_id !== IDS[repository]) continue;
      const preset = trigger['event_preset'];
      if (preset === 'default-branch-pushes' && branch !== DEFAULT_BRANCH[repository]) continue;
      if (preset !== 'all-pushes' && preset !== 'default-branch-pushes') continue;
      const checkout = trigger['checkout_ref'] ?? branch;
      const config = readFileSync(join(root, definition['config_source'].file_path), 'utf8');
      const jobs = jobsRun(config, { branch: checkout }).map((job) => job.job);
      started.push(`${definition['name']}@${checkout}: ${jobs.join(', ') || 'nothing'}`);
    }
  }
  return started;
}

describe('GitHub App cascades of the sample', () => {
  it('apply makes a cross-repo trigger per link, filtered to the default branch where it can; a second apply changes nothing', async () => {
    const { root, api, carbon } = await sampleOnGitHubApp();
    const plan = await carbon(['plan']);
    expect(plan.code, plan.stderr).toBe(1);
    expect(plan.stdout).toContain('+ cross-repo trigger (pushes to Taxaroo-Carbon develop)');
    const apply = await carbon(['apply']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(apply.stdout).toContain('read back, CircleCI matches the settings.');
    expect(api.refused).toEqual([]);
    const config = 'main'; // the workspace's ref, where CircleCI reads each config
    expect(crossRepo(api)).toEqual({
      'carbon-Taxaroo-API-V2': [
        `Taxaroo-Carbon default-branch-pushes -> develop (config ${config})`,
        `Taxaroo-App default-branch-pushes -> develop (config ${config})`,
        `Taxaroo-Admin default-branch-pushes -> develop (config ${config})`,
        // The API checks out the Clients' develop, not its default branch: every push starts it.
        `Taxaroo-Clients all-pushes -> develop (config ${config})`,
      ],
      'carbon-Taxaroo-App': [
        `Taxaroo-Carbon default-branch-pushes -> develop (config ${config})`,
        `Taxaroo-API-V2 default-branch-pushes -> develop (config ${config})`,
      ],
      'carbon-Taxaroo-Admin': [
        `Taxaroo-Carbon default-branch-pushes -> develop (config ${config})`,
        `Taxaroo-API-V2 default-branch-pushes -> develop (config ${config})`,
      ],
    });
    const changes = api.changing().length;
    const again = await carbon(['apply']);
    expect(again.code).toBe(0);
    expect(api.changing()).toHaveLength(changes);

    // A push to the App starts its own pipeline and the API's (a cycle: the API's build makes no
    // push, so nothing starts the App's again); each runs its build, once.
    expect(push(api, root, 'Taxaroo-App', 'develop')).toEqual([
      'carbon-Taxaroo-API-V2@develop: carbon/CarbonBuild',
      'carbon-Taxaroo-App@develop: carbon/CarbonBuild',
    ]);
    expect(push(api, root, 'Taxaroo-Carbon', 'develop')).toEqual([
      'carbon-Taxaroo-API-V2@develop: carbon/CarbonBuild',
      'carbon-Taxaroo-App@develop: carbon/CarbonBuild',
      'carbon-Taxaroo-Admin@develop: carbon/CarbonBuild',
    ]);
    // Pushes to another branch of a repository the build checks out at its default branch.
    expect(push(api, root, 'Taxaroo-App', 'feature/x')).toEqual([
      'carbon-Taxaroo-App@feature/x: nothing',
    ]);
  });

  it('deletes the cross-repo triggers of links rebuildOn leaves out, only those', async () => {
    const { root, api, carbon } = await sampleOnGitHubApp();
    expect((await carbon(['apply'])).code).toBe(0);
    writeFiles(root, {
      'projects/taxaroo.ts': SAMPLE.replace(
        "'Taxaroo-Clients': develop,\n        },\n",
        "'Taxaroo-Clients': develop,\n        },\n        rebuildOn: ['Taxaroo-App'],\n",
      ),
    });
    expect((await carbon(['generate'])).code).toBe(0);
    const plan = await carbon(['plan']);
    expect(plan.code).toBe(1);
    for (const gone of ['Taxaroo-Carbon', 'Taxaroo-Admin', 'Taxaroo-Clients'])
      expect(plan.stdout).toContain(
        `- cross-repo trigger (pushes to agency/repository-${IDS[gone]}) (the build no longer checks that repository out, or build.rebuildOn leaves it out)`,
      );
    expect(plan.stdout).toMatch(/^Plan: 0 to create, 0 to update, 0 to replace, 3 to delete\./m);
    const apply = await carbon(['apply', '--yes']);
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    expect(crossRepo(api)['carbon-Taxaroo-API-V2']).toEqual([
      'Taxaroo-App default-branch-pushes -> develop (config main)',
    ]);
    expect(crossRepo(api)['carbon-Taxaroo-App']).toHaveLength(2);
  });

  it('asks for the GitHub id of a repository whose pushes rebuild a build', async () => {
    const root = makeWorkspace({
      'carbon.config.ts': githubAppConfig({
        'github.com/BlackstoneStudio/Taxaroo-API-V2': IDS['Taxaroo-API-V2']!,
        'github.com/BlackstoneStudio/Taxaroo-App': IDS['Taxaroo-App']!,
        'github.com/BlackstoneStudio/Taxaroo-Admin': IDS['Taxaroo-Admin']!,
        'github.com/BlackstoneStudio/Taxaroo-Clients': IDS['Taxaroo-Clients']!,
      }),
      'projects/taxaroo.ts': SAMPLE,
    });
    const { workspace } = await compileSettings(root);
    expect(() => desiredState(workspace!, { pathPrefix: '' })).toThrow(
      'taxaroo/Taxaroo-API-V2: no GitHub id for git@github.com:BlackstoneStudio/Taxaroo-Carbon.git (Taxaroo-Carbon, whose pushes to develop rebuild it): add it to circleci.githubIds',
    );
  });
});

describe('GitHub App cascades of a fleet', () => {
  it('apply makes every pipeline and trigger with at most 8 requests in flight, and converges', async () => {
    const count = 12;
    const ids: Record<string, string> = {};
    const modules: Record<string, string> = {};
    for (let n = 0; n < count; n++) {
      for (const [index, name] of ['api', 'web', 'carbon'].entries())
        ids[`github.com/fleet/p${n}-${name}`] = String(960000000 + n * 10 + index);
      modules[`projects/p${n}.ts`] = `export const p${n} = {
  id: 'p${n}',
  name: 'Project ${n}',
  repositories: [
    { id: 'Api', name: 'Api', build: { branch: 'main', carbonRepo: 'Carbon', branches: { Web: 'main' } }, local: { git: 'github.com/fleet/p${n}-api.git' } },
    { id: 'Web', name: 'Web', build: { branch: 'main', carbonRepo: 'Carbon', branches: { Api: 'main' } }, local: { git: 'github.com/fleet/p${n}-web.git' } },
    { id: 'Carbon', name: 'Carbon', local: { git: 'github.com/fleet/p${n}-carbon.git' } },
  ],
};
`;
    }
    const slugs = Array.from({ length: count }, (_, n) => `circleci/fleet/p${n}`);
    const githubIds = Object.entries(ids)
      .map(([url, id]) => `'${url}': '${id}'`)
      .join(', ');
    const root = makeWorkspace({
      'carbon.config.ts': `export default { aws: { accountId: '123456789012' }, git: { sshKeys: { 'github.com/fleet': '${TEST_KEY}' } }, circleci: { integration: 'github-app', configRepository: { githubId: '${CONFIG_REPOSITORY_ID}' }, projects: { ${slugs.map((slug, n) => `p${n}: '${slug}'`).join(', ')} }, githubIds: { ${githubIds} } } };\n`,
      ...modules,
    });
    api = await new CircleCiStandIn().start();
    for (const slug of slugs) api.addProject(slug, 'github-app');
    api.delayMs = 10;
    const env = { CIRCLE_TOKEN: STAND_IN_TOKEN, CARBON_CIRCLECI_URL: api.url };
    expect((await carbonCli(['generate', '--root', root], { env })).code).toBe(0);
    const apply = await carbonCli(['apply', '--root', root], { env });
    expect(apply.code, apply.stdout + apply.stderr).toBe(0);
    // Per project: 2 pipelines, 2 push triggers, and 4 cross-repo triggers (each build from the
    // carbon repository and from the other).
    expect(apply.stdout).toContain(`Apply: ${count * 8} created, 0 updated, 0 replaced, 0 deleted`);
    expect(api.refused).toEqual([]);
    expect(api.maxInFlight).toBeLessThanOrEqual(8);
    for (const slug of slugs) {
      const cross = (api.definitions(slug) as Json[])
        .flatMap((definition) => api!.triggers(slug, definition['name']))
        .filter((trigger: Json) => trigger['checkout_ref'] === 'main');
      expect(cross, slug).toHaveLength(4);
    }
    const changes = api.changing().length;
    expect((await carbonCli(['apply', '--root', root], { env })).code).toBe(0);
    expect(api.changing()).toHaveLength(changes);
  });
});
