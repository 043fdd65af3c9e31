// Type tests for what users write: defineProject and defineConfig catch mistakes in the editor.
import { expectTypeOf, test } from 'vitest';
import {
  defineConfig,
  defineProject,
  type BuildSettings,
  type CarbonConfig,
  type CloudFormationSettings,
  type ProjectSettings,
  type SyncRule,
} from '../../src/index.ts';

const web = { id: 'Web', name: 'Web', local: { git: 'github.com/acme/web.git' } };

test('defineProject takes and returns ProjectSettings', () => {
  expectTypeOf(defineProject).parameter(0).toEqualTypeOf<ProjectSettings>();
  expectTypeOf(
    defineProject({ id: 'acme', name: 'Acme', repositories: [web] }),
  ).toEqualTypeOf<ProjectSettings>();
});

test('the seed shape type-checks as written', () => {
  defineProject({
    id: 'taxaroo',
    name: 'Taxaroo',
    projectKey: 'TAXR',
    boardId: '32',
    avatar: 'https://example.com/a.png',
    hero: 'https://example.com/h.jpg',
    repositories: [
      {
        id: 'Taxaroo-API-V2',
        name: 'Taxaroo API',
        build: {
          enabled: true,
          strategy: 'ecs',
          job: 'CarbonBuild',
          branch: 'develop',
          carbonRepo: 'Taxaroo-Carbon',
          carbonBranch: 'develop',
          branches: { 'Taxaroo-App': 'develop' },
          rebuildOn: ['Taxaroo-App'],
          ecs: { deploy: 'hook', hook: 'deploy/api.sh' },
        },
        sync: [
          {
            direction: 'local',
            cron: '0 * * * *',
            branches: { origin: 'develop', local: 'sync/develop' },
          },
        ],
        local: { git: 'github.com/BlackstoneStudio/Taxaroo-API-V2.git', defaultBranch: 'develop' },
        origin: {
          git: 'github.com/Software-as-a-Service-LLC/taxaroo-api.git',
          defaultBranch: 'develop',
          defaultBranchFrom: 'develop',
        },
      },
    ],
  });
});

test('mistakes are type errors', () => {
  // Short typed views keep each mistake on the line its @ts-expect-error names.
  const build = (value: BuildSettings) => value;
  const rule = (value: SyncRule) => value;
  const stack = (value: CloudFormationSettings) => value;
  // @ts-expect-error a misspelt field is an excess property
  build({ carbonrepo: 'Carbon' });
  // @ts-expect-error strategy is a known name
  build({ carbonRepo: 'C', strategy: 'k8s' });
  // @ts-expect-error job is one the strategy provides
  build({ carbonRepo: 'C', job: 'Build' });
  // @ts-expect-error deploy is one of three modes
  build({ carbonRepo: 'C', ecs: { deploy: 'lambda' } });
  build({ carbonRepo: 'C', provision: { hook: 'infra/up.sh' } });
  build({
    carbonRepo: 'C',
    provision: {
      cloudformation: {
        template: 'infra/api.yml',
        stack: 'api',
        parameters: { DesiredCount: '2' },
        capabilities: ['CAPABILITY_NAMED_IAM'],
      },
    },
  });
  // @ts-expect-error a stack's template is required
  build({ carbonRepo: 'C', provision: { cloudformation: { stack: 'api' } } });
  // @ts-expect-error capabilities are CloudFormation's
  stack({ template: 't', capabilities: ['IAM'] });
  // @ts-expect-error parameter values are strings, as CloudFormation takes them
  stack({ template: 't', parameters: { N: 2 } });
  // @ts-expect-error rebuildOn lists repository ids
  build({ carbonRepo: 'C', rebuildOn: 'C' });
  // @ts-expect-error direction is local or origin
  rule({ direction: 'both', cron: '0 * * * *', branches: { origin: 'a', local: 'b' } });
  // @ts-expect-error repositories are required
  defineProject({ id: 'a', name: 'A' });
  // @ts-expect-error local.git is required
  defineProject({ id: 'a', name: 'A', repositories: [{ id: 'b', name: 'B', local: {} }] });
  // @ts-expect-error a misspelt repository field is an excess property
  defineProject({ id: 'a', name: 'A', repositories: [{ ...web, orgin: web.local }] });
});

test('defineConfig takes CarbonConfig, every field optional', () => {
  expectTypeOf(defineConfig).parameter(0).toEqualTypeOf<CarbonConfig>();
  defineConfig({});
  defineConfig({
    orb: { reference: 'inline' },
    circleci: { scheduling: 'scheduled-workflows', cascadeContext: 'carbon-circleci' },
    git: { transport: 'https' },
  });
  // @ts-expect-error reference is registry, url or inline
  defineConfig({ orb: { reference: 'git' } });
  // @ts-expect-error transport is ssh or https
  defineConfig({ git: { transport: 'sftp' } });
});
