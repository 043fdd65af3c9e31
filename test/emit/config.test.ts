// Emitted configs: golden files for the sample, then the facts that matter asserted one by one,
// in every scheduling mode and orb reference mode, each validated against the official schema.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSettings } from '../../src/compile/resolved-settings.ts';
import { emitWorkspace, type Artifact } from '../../src/emit/emit.ts';
import { packOrb } from '../../src/emit/orb.ts';
import { renderYaml } from '../../src/emit/yaml.ts';
import { ORB_TEMPLATES } from '../../src/paths.ts';
import { SCHEMA } from '../helpers/schema.ts';
import { validateArtifacts } from '../../src/compile/validate.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { TEST_KEY, makeWorkspace } from '../helpers/workspace.ts';

const KEYS = `{ 'github.com/BlackstoneStudio': '${TEST_KEY}', 'github.com/Software-as-a-Service-LLC': '${TEST_KEY}' }`;

const SAMPLE = readFileSync(join(REPO_ROOT, 'projects', 'taxaroo.ts'), 'utf8');

async function emit(config?: string): Promise<Artifact[]> {
  const root =
    config === undefined
      ? REPO_ROOT
      : makeWorkspace({ 'carbon.config.ts': config, 'projects/taxaroo.ts': SAMPLE });
  const { workspace, diagnostics } = await compileSettings(root);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const orb = packOrb(ORB_TEMPLATES);
  const artifacts = emitWorkspace(workspace!, orb, root);
  expect(validateArtifacts(artifacts, orb, SCHEMA)).toEqual([]);
  return artifacts;
}

type Doc = Record<string, any>;
const find = (artifacts: Artifact[], path: string): Doc => {
  const artifact = artifacts.find((a) => a.path === path);
  expect(artifact, path).toBeDefined();
  return artifact!.document as Doc;
};
const configOf = (artifacts: Artifact[], repository: string) =>
  find(artifacts, `generated/taxaroo/${repository}/.circleci/config.yml`);

describe('the sample configs', () => {
  it('match the golden files', async () => {
    for (const artifact of await emit()) {
      if (artifact.kind === 'orb') continue;
      const name = artifact.path.replace('generated/taxaroo/', '').replace('/.circleci/', '.');
      await expect(renderYaml(artifact.document, artifact.header)).toMatchFileSnapshot(
        `golden/${name}`,
      );
    }
  });

  it('write a config for every repository with an enabled build, a sync rule or a cascade (the carbon repository: others check it out)', async () => {
    expect((await emit()).map((a) => a.path)).toEqual([
      'orb.yml',
      'generated/taxaroo/Taxaroo-API-V2/.circleci/config.yml',
      'generated/taxaroo/Taxaroo-API-V2/.circleci/schedules.yml',
      'generated/taxaroo/Taxaroo-App/.circleci/config.yml',
      'generated/taxaroo/Taxaroo-App/.circleci/schedules.yml',
      'generated/taxaroo/Taxaroo-Admin/.circleci/config.yml',
      'generated/taxaroo/Taxaroo-Clients/.circleci/config.yml',
      'generated/taxaroo/Taxaroo-Clients/.circleci/schedules.yml',
      'generated/taxaroo/Taxaroo-Carbon/.circleci/config.yml',
    ]);
  });

  it('declare the pipeline parameters that choose workflows and mark cascades, and no deprecated pipeline value', async () => {
    for (const artifact of await emit()) {
      if (artifact.kind !== 'config') continue;
      expect((artifact.document as Doc)['parameters']).toEqual({
        carbon_schedule: {
          type: 'string',
          default: '',
          description:
            'Set by each Carbon schedule to the name of the sync workflow it runs; empty on pushes, which run the build.',
        },
        carbon_cascade: {
          type: 'string',
          default: '',
          description:
            'Set by the pipeline that triggered this one to what changed (a cascade); empty on pushes. A pipeline with it set triggers no others.',
        },
      });
      const text = renderYaml(artifact.document);
      expect(text).not.toContain('trigger_source');
      expect(text).not.toContain('pipeline.schedule');
    }
  });

  it('build on pushes to the build branch only, never in a scheduled pipeline, with every resolved parameter', async () => {
    const api = configOf(await emit(), 'Taxaroo-API-V2');
    expect(api['orbs']).toEqual({ carbon: 'blackstone/carbon@2.2.0' });
    const build = api['workflows']['carbon-build'];
    expect(build.when).toEqual({ equal: ['', '<< pipeline.parameters.carbon_schedule >>'] });
    const job = build.jobs[0]['carbon/CarbonBuild'];
    expect(job.filters).toBe('pipeline.git.branch == "develop"');
    expect(job['serial-group']).toBe(
      'carbon-deploy/123456789012/us-east-1/taxaroo-develop/taxaroo-api-v2',
    );
    expect(job.context).toBe('carbon-aws');
    expect(job).toMatchObject({
      carbon_repository: 'Taxaroo-Carbon',
      carbon_repository_url: 'git@github.com:BlackstoneStudio/Taxaroo-Carbon.git',
      carbon_branch: 'develop',
      aws_region: 'us-east-1',
      aws_account_id: '123456789012',
      aws_role_arn: 'arn:aws:iam::123456789012:role/CarbonCircleCI',
      ecr_repository: 'taxaroo/taxaroo-api-v2',
      dockerfile: 'Taxaroo-Carbon/Taxaroo-API-V2/Dockerfile',
      deploy: 'ecs_service',
      ecs_cluster: 'taxaroo-develop',
      ecs_service: 'taxaroo-api-v2',
    });
    expect(job.linked_checkouts.map((step: Doc) => step['carbon/clone'])).toEqual([
      {
        url: 'git@github.com:BlackstoneStudio/Taxaroo-App.git',
        branch: 'develop',
        path: 'Taxaroo-App',
        ssh_key_fingerprint: 'c6:1a:0f:63:b1:7c:2e:9d:80:51:3a:4e:d2:77:19:05',
      },
      {
        url: 'git@github.com:BlackstoneStudio/Taxaroo-Admin.git',
        branch: 'develop',
        path: 'Taxaroo-Admin',
        ssh_key_fingerprint: 'c6:1a:0f:63:b1:7c:2e:9d:80:51:3a:4e:d2:77:19:05',
      },
      {
        url: 'git@github.com:BlackstoneStudio/Taxaroo-Clients.git',
        branch: 'develop',
        path: 'Taxaroo-Clients',
        ssh_key_fingerprint: 'c6:1a:0f:63:b1:7c:2e:9d:80:51:3a:4e:d2:77:19:05',
      },
    ]);
  });

  it('gate each sync workflow on its own schedule, with no context, and pass the keys of both ends', async () => {
    const app = configOf(await emit(), 'Taxaroo-App');
    const names = Object.keys(app['workflows']);
    expect(names).toEqual([
      'carbon-build',
      'carbon-sync-to-local-sync/develop',
      'carbon-sync-to-origin-agency/release',
    ]);
    const toOrigin = app['workflows']['carbon-sync-to-origin-agency/release'];
    expect(toOrigin.when).toEqual({
      equal: ['carbon-sync-to-origin-agency/release', '<< pipeline.parameters.carbon_schedule >>'],
    });
    expect(toOrigin.jobs).toEqual([
      {
        'carbon/CarbonSync': {
          source_url: 'git@github.com:BlackstoneStudio/Taxaroo-App.git',
          source_branch: 'release/client',
          target_url: 'git@github.com:Software-as-a-Service-LLC/taxaroo-app.git',
          target_branch: 'agency/release',
          source_ssh_key_fingerprint: 'c6:1a:0f:63:b1:7c:2e:9d:80:51:3a:4e:d2:77:19:05',
          target_ssh_key_fingerprint: 'SHA256:4nx0bS1kqlHgWnNh5Y2m1Ue6x0dgVlkbVTfZqf6c1Yk',
        },
      },
    ]);
  });

  it('list each schedule as the schedule API takes it, on the mirror default branch', async () => {
    const schedules = find(await emit(), 'generated/taxaroo/Taxaroo-App/.circleci/schedules.yml')[
      'schedules'
    ];
    expect(schedules[1]).toEqual({
      name: 'carbon-sync-to-origin-agency/release',
      description:
        'Taxaroo App, managed by Carbon: copy local release/client into origin agency/release (cron 0 6 * * 1-5 UTC)',
      'attribution-actor': 'system',
      parameters: { branch: 'develop', carbon_schedule: 'carbon-sync-to-origin-agency/release' },
      timetable: {
        'per-hour': 1,
        'hours-of-day': [6],
        'days-of-week': ['MON', 'TUE', 'WED', 'THU', 'FRI'],
      },
    });
  });

  it('leave a disabled build out, keep its syncs and cascades, and pass hook deploys their hook', async () => {
    const artifacts = await emit();
    expect(Object.keys(configOf(artifacts, 'Taxaroo-Clients')['workflows'])).toEqual([
      'carbon-cascade-develop',
      'carbon-sync-to-local-sync/main',
    ]);
    const admin = configOf(artifacts, 'Taxaroo-Admin')['workflows']['carbon-build'].jobs[0][
      'carbon/CarbonBuild'
    ];
    expect(admin).toMatchObject({ deploy: 'hook', deploy_hook: 'deploy/admin-task.sh' });
  });
});

describe('other workspace settings', () => {
  const base = `aws: { accountId: '123456789012' }, git: { sshKeys: ${KEYS} }`;

  it('scheduling with scheduled workflows: cron triggers on the default branch, no schedule manifest', async () => {
    const artifacts = await emit(
      `export default { ${base}, circleci: { scheduling: 'scheduled-workflows' } };\n`,
    );
    expect(artifacts.some((a) => a.kind === 'schedules')).toBe(false);
    const sync = configOf(artifacts, 'Taxaroo-App')['workflows'][
      'carbon-sync-to-origin-agency/release'
    ];
    expect(sync.when).toBeUndefined();
    expect(sync.triggers).toEqual([
      { schedule: { cron: '0 6 * * 1-5', filters: { branches: { only: 'develop' } } } },
    ]);
  });

  it('GitHub App: schedules.yml lists triggers of the pipeline that run the cron itself, with the config at the workspace ref', async () => {
    const artifacts = await emit(
      `export default { ${base}, circleci: { integration: 'github-app', configRepository: { githubId: 952038793, ref: 'release' } } };\n`,
    );
    const schedules = find(artifacts, 'generated/taxaroo/Taxaroo-App/.circleci/schedules.yml');
    expect(schedules['schedules']).toBeUndefined();
    expect(schedules['triggers'][1]).toEqual({
      event_name: 'carbon-sync-to-origin-agency/release',
      event_source: {
        provider: 'schedule',
        schedule: { cron_expression: '0 6 * * 1-5', attribution_actor: 'system' },
      },
      checkout_ref: 'develop',
      config_ref: 'release',
      parameters: { carbon_schedule: 'carbon-sync-to-origin-agency/release' },
      disabled: false,
    });
  });

  it('a URL orb', async () => {
    const url = 'https://orbs.example.com/carbon/1.2.0/orb.yml';
    const artifacts = await emit(
      `export default { ${base}, orb: { reference: 'url', url: '${url}' } };\n`,
    );
    expect(configOf(artifacts, 'Taxaroo-API-V2')['orbs']).toEqual({ carbon: url });
  });

  it('an inline orb: the whole orb in the config, runnable with nothing published', async () => {
    const artifacts = await emit(`export default { ${base}, orb: { reference: 'inline' } };\n`);
    const inline = configOf(artifacts, 'Taxaroo-API-V2')['orbs']['carbon'];
    expect(Object.keys(inline)).toEqual(['description', 'commands', 'executors', 'jobs']);
    expect(inline.jobs.CarbonBuild.steps.length).toBeGreaterThan(5);
  });

  it('https transport and a custom registry orb', async () => {
    const artifacts = await emit(
      `export default { aws: { accountId: '123456789012' }, orb: { namespace: 'agency', name: 'ci', version: '3.1.4' }, git: { transport: 'https' } };\n`,
    );
    const api = configOf(artifacts, 'Taxaroo-API-V2');
    expect(api['orbs']).toEqual({ carbon: 'agency/ci@3.1.4' });
    expect(
      api['workflows']['carbon-build'].jobs[0]['carbon/CarbonBuild'].carbon_repository_url,
    ).toBe('https://github.com/BlackstoneStudio/Taxaroo-Carbon.git');
  });
});

describe('the environment step (build.provision) in the config', () => {
  const module = (build: string, extra = '') => `import { defineProject } from 'carbon';
export const acme = defineProject({
  id: 'acme',
  name: 'Acme',
  repositories: [
    { id: 'Api', name: 'API', build: { branch: 'develop', carbonRepo: 'Carbon', rebuildOn: [], ${build} }, local: { git: 'github.com/acme/api.git' } },
    ${extra}
    { id: 'Carbon', name: 'Carbon', local: { git: 'github.com/acme/carbon.git' } },
  ],
});
`;
  async function job(build: string, extra = ''): Promise<Doc> {
    const root = makeWorkspace({
      'carbon.config.ts': `export default { aws: { accountId: '123456789012' }, git: { sshKeys: { 'github.com/acme': '${TEST_KEY}' } } };\n`,
      'projects/acme.ts': module(build, extra),
    });
    const { workspace, diagnostics } = await compileSettings(root);
    expect(diagnostics).toEqual([]);
    const orb = packOrb(ORB_TEMPLATES);
    const artifacts = emitWorkspace(workspace!, orb, root);
    expect(validateArtifacts(artifacts, orb, SCHEMA)).toEqual([]);
    return find(artifacts, 'generated/acme/Api/.circleci/config.yml')['workflows']['carbon-build']
      .jobs[0]['carbon/CarbonBuild'];
  }

  it('runs a provision hook before the rollout, giving it the ECS names', async () => {
    const build = await job("provision: { hook: 'infra/up.sh' }");
    expect(build).toMatchObject({
      deploy: 'ecs_service',
      ecs_cluster: 'acme-develop',
      ecs_service: 'api',
      ecs_container: 'api',
      provision: 'hook',
      provision_hook: 'infra/up.sh',
    });
    expect(build['serial-group']).toBe('carbon-deploy/123456789012/us-east-1/acme-develop/api');
  });

  it('gives a provision hook the ECS names even when nothing is rolled out after it', async () => {
    const build = await job("ecs: { deploy: 'none' }, provision: { hook: 'infra/up.sh' }");
    expect(build).toMatchObject({ deploy: 'none', ecs_cluster: 'acme-develop', provision: 'hook' });
  });

  it('deploys a template as the stack named by convention, which then owns the image: no rollout', async () => {
    const build = await job(
      "provision: { cloudformation: { template: 'infra/api.yml', parameters: { DesiredCount: '2', Domain: 'api.acme.example' }, capabilities: ['CAPABILITY_IAM', 'CAPABILITY_AUTO_EXPAND'] } }",
    );
    expect(build).toMatchObject({
      deploy: 'none',
      provision: 'cloudformation',
      cloudformation_template: 'infra/api.yml',
      cloudformation_stack: 'acme-api-develop',
      cloudformation_parameters: 'DesiredCount=2\nDomain=api.acme.example',
      cloudformation_capabilities: 'CAPABILITY_IAM CAPABILITY_AUTO_EXPAND',
    });
    expect(build).not.toHaveProperty('ecs_service');
    // One stack is deployed by one job at a time.
    expect(build['serial-group']).toBe(
      'carbon-deploy/123456789012/us-east-1/cloudformation/acme-api-develop',
    );
  });

  it('leaves out what a stack without parameters or capabilities does not need, and keeps a named stack', async () => {
    const build = await job(
      "provision: { cloudformation: { template: 'infra/api.yml', stack: 'AcmeApi' } }",
    );
    expect(build['cloudformation_stack']).toBe('AcmeApi');
    expect(build).not.toHaveProperty('cloudformation_parameters');
    expect(build).not.toHaveProperty('cloudformation_capabilities');
  });

  it('refuses two builds that would deploy one stack, at both', async () => {
    const root = makeWorkspace({
      'carbon.config.ts': `export default { aws: { accountId: '123456789012' }, git: { sshKeys: { 'github.com/acme': '${TEST_KEY}' } } };\n`,
      'projects/acme.ts': module(
        "provision: { cloudformation: { template: 'infra/api.yml', stack: 'shared' } }",
        "{ id: 'Web', name: 'Web', build: { branch: 'develop', carbonRepo: 'Carbon', rebuildOn: [], provision: { cloudformation: { template: 'infra/web.yml', stack: 'shared' } } }, local: { git: 'github.com/acme/web.git' } },",
      ),
    });
    const { diagnostics } = await compileSettings(root);
    expect(diagnostics.map((d) => [d.code, d.message])).toEqual([
      [
        'shared-stack',
        'this build and acme/Web would both use the CloudFormation stack shared (account 123456789012, us-east-1): each would overwrite the other; set build.provision.cloudformation.stack of one of them',
      ],
      [
        'shared-stack',
        'this build and acme/Api would both use the CloudFormation stack shared (account 123456789012, us-east-1): each would overwrite the other; set build.provision.cloudformation.stack of one of them',
      ],
    ]);
  });
});

describe('the serial group', () => {
  it('stays within the 512 characters CircleCI takes, readable and unique', async () => {
    const { serialGroup } = await import('../../src/emit/config.ts');
    const plan = (service: string) =>
      ({
        aws: { accountId: '123456789012', region: 'us-east-1', roleArn: '' },
        deploy: { mode: 'ecs_service', cluster: `c${'l'.repeat(254)}`, service, container: 'x' },
      }) as unknown as Parameters<typeof serialGroup>[0];
    const long = serialGroup(plan(`a${'s'.repeat(254)}`));
    const other = serialGroup(plan(`b${'s'.repeat(254)}`));
    expect(long).toHaveLength(512);
    expect(other).toHaveLength(512);
    expect(long).not.toBe(other);
    expect(long).toMatch(/^carbon-deploy\/123456789012\/us-east-1\/cl+\/as+-[0-9a-f]{64}$/);
    expect(serialGroup(plan(`a${'s'.repeat(254)}`))).toBe(long);
    expect(serialGroup(plan('api'))).toBe(
      `carbon-deploy/123456789012/us-east-1/c${'l'.repeat(254)}/api`,
    );
  });
});
