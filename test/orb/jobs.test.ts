// The orb's jobs as CircleCI would run them (processed with carbon run's processor): which SSH keys
// each job loads, the version guard first, CircleCI's no-output limit above the deploy's timeout,
// and the pinned executor image.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packOrb } from '../../src/emit/orb.ts';
import { ORB_TEMPLATES } from '../../src/paths.ts';
import { processJob, type ProcessedStep } from '../../src/run/process.ts';
import { scriptsDir } from './harness.ts';

type Orb = Parameters<typeof processJob>[0];
const orb = packOrb(ORB_TEMPLATES) as Orb;
const SOURCE = 'SHA256:4nx0bS1kqlHgWnNh5Y2m1Ue6x0dgVlkbVTfZqf6c1Yk';
const TARGET = '9f:2a:41:0c:7d:5e:88:13:b6:aa:04:e2:19:c3:5d:70';
const LINKED = 'MD5:1d:0c:55:e8:03:9a:6b:47:f1:20:8e:c4:9b:2d:aa:31';

const sshSteps = (steps: ProcessedStep[]) =>
  steps.flatMap((step) => (step.kind === 'add_ssh_keys' ? [step.fingerprints] : []));

const sync = (fingerprints: Record<string, string>) =>
  processJob(orb, 'carbon', 'carbon/CarbonSync', {
    source_url: 'git@github.com:client/api.git',
    source_branch: 'develop',
    target_url: 'git@github.com:agency/api.git',
    target_branch: 'sync/develop',
    ...fingerprints,
  }).steps;

/** CarbonBuild's required parameters, for a build of acme/Api with the carbon repository Carbon. */
const BUILD = {
  project: 'acme',
  repository: 'Api',
  carbon_repository: 'Carbon',
  carbon_repository_url: 'git@github.com:agency/carbon.git',
  carbon_branch: 'develop',
  aws_region: 'us-east-1',
  aws_account_id: '123456789012',
  aws_role_arn: 'arn:aws:iam::123456789012:role/CarbonCircleCI',
  ecr_repository: 'acme/api',
  dockerfile: 'Carbon/Api/Dockerfile',
};

const build = (carbonFingerprint: string, linkedFingerprint: string) =>
  processJob(orb, 'carbon', 'carbon/CarbonBuild', {
    ...BUILD,
    carbon_ssh_key_fingerprint: carbonFingerprint,
    linked_checkouts: [
      {
        'carbon/clone': {
          url: 'git@github.com:agency/app.git',
          branch: 'develop',
          path: 'App',
          ssh_key_fingerprint: linkedFingerprint,
        },
      },
    ],
  }).steps;

describe('add_ssh_keys in the jobs', () => {
  it('CarbonSync loads exactly the source and target keys', () => {
    expect(
      sshSteps(sync({ source_ssh_key_fingerprint: SOURCE, target_ssh_key_fingerprint: TARGET })),
    ).toEqual([[SOURCE], [TARGET]]);
    expect(sshSteps(sync({ target_ssh_key_fingerprint: TARGET }))).toEqual([[TARGET]]);
  });

  it('CarbonSync without any fingerprint loads every key of the project, as before 2.0.0', () => {
    expect(sshSteps(sync({}))).toEqual([[]]);
  });

  it('CarbonBuild loads the carbon and each linked repository’s key, each in its clone', () => {
    const steps = build(SOURCE, LINKED);
    expect(sshSteps(steps)).toEqual([[SOURCE], [LINKED]]);
    const names = steps.map((step) => (step.kind === 'run' ? step.name : step.kind));
    expect(names.indexOf('Clone Carbon at develop')).toBe(names.indexOf('add_ssh_keys') + 1);
    expect(names.indexOf('Clone App at develop')).toBe(names.lastIndexOf('add_ssh_keys') + 1);
  });

  it('CarbonBuild without a carbon fingerprint loads every key first, as before 2.0.0', () => {
    expect(sshSteps(build('', ''))).toEqual([[]]);
    expect(sshSteps(build('', LINKED))).toEqual([[], [LINKED]]);
  });
});

describe('CarbonBuild', () => {
  it('checks the AWS CLI first and removes its state last', () => {
    const steps = build('', '');
    expect(steps[0]).toMatchObject({ kind: 'run', name: 'Check the AWS CLI version' });
    expect(steps.at(-1)).toMatchObject({ kind: 'run', name: "Remove the job's state folder" });
  });

  it('lets the provision, deploy and hook steps be silent longer than the deploy timeout', () => {
    type Commands = Record<string, { steps: { run: { no_output_timeout?: string } }[] }>;
    const commands = (orb as { commands: Commands }).commands;
    const waiting = ['deploy_service', 'run_deploy_hook', 'run_provision_hook', 'deploy_stack'];
    for (const command of waiting) {
      const limit = commands[command]!.steps[0]!.run.no_output_timeout ?? '';
      const seconds = Number(
        /^(\d+)s$/.exec(limit.replace('<< parameters.timeout >>', '900'))?.[1],
      );
      expect(seconds, `${command}: ${limit}`).toBeGreaterThan(900);
    }
    const job = JSON.stringify((orb as { jobs: Record<string, unknown> }).jobs['CarbonBuild']);
    expect(job.match(/"timeout":"<< parameters.deploy_timeout >>"/g)).toHaveLength(waiting.length);
  });

  const provisioned = (parameters: Record<string, string>) =>
    processJob(orb, 'carbon', 'carbon/CarbonBuild', {
      ...BUILD,
      ecs_cluster: 'acme-develop',
      ecs_service: 'api',
      ecs_container: 'api',
      ...parameters,
    }).steps.flatMap((step) => (step.kind === 'run' ? [step] : []));
  const names = (steps: ReturnType<typeof provisioned>) => steps.map((step) => step.name);

  it('runs no provision step unless asked', () => {
    expect(names(provisioned({})).filter((name) => /provision|stack/i.test(name))).toEqual([]);
  });

  it('runs the provision hook after the push and before the rollout, which is told of it', () => {
    const steps = provisioned({ provision: 'hook', provision_hook: 'infra/up.sh' });
    const order = names(steps);
    const hook = order.indexOf('Run provision hook infra/up.sh');
    expect(hook).toBeGreaterThan(order.indexOf('Build and push acme/api'));
    expect(hook).toBe(order.indexOf('Deploy api on acme-develop') - 1);
    expect(steps[hook]!.environment).toMatchObject({
      CARBON_HOOK: 'infra/up.sh',
      CARBON_HOOK_STEP: 'provision',
      CARBON_CARBON_PATH: 'Carbon',
      CARBON_AWS_ACCOUNT_ID: '123456789012',
      CARBON_ECS_CLUSTER: 'acme-develop',
      CARBON_ECS_SERVICE: 'api',
      CARBON_ECS_CONTAINER: 'api',
    });
    expect(steps[hook + 1]!.environment['CARBON_PROVISION']).toBe('hook');
  });

  it('deploys the stack after the push, and nothing after it with deploy none', () => {
    const steps = provisioned({
      provision: 'cloudformation',
      cloudformation_template: 'infra/api.yml',
      cloudformation_stack: 'acme-api-develop',
      cloudformation_parameters: 'DesiredCount=2',
      cloudformation_capabilities: 'CAPABILITY_IAM',
      deploy: 'none',
    });
    const order = names(steps);
    expect(order.slice(order.indexOf('Build and push acme/api') + 1)).toEqual([
      'Deploy stack acme-api-develop',
      "Remove the job's state folder",
    ]);
    expect(steps[order.indexOf('Deploy stack acme-api-develop')]!.environment).toEqual({
      CARBON_CFN_TEMPLATE: 'infra/api.yml',
      CARBON_CARBON_PATH: 'Carbon',
      CARBON_CFN_STACK: 'acme-api-develop',
      CARBON_CFN_PARAMETERS: 'DesiredCount=2',
      CARBON_CFN_CAPABILITIES: 'CAPABILITY_IAM',
      CARBON_PROJECT: 'acme',
      CARBON_REPOSITORY: 'Api',
      CARBON_AWS_REGION: 'us-east-1',
      CARBON_HELPERS: readFileSync(join(scriptsDir, 'helpers.sh'), 'utf8'),
    });
  });

  it('runs in a pinned current cimg/aws by default', () => {
    const job = processJob(orb, 'carbon', 'carbon/CarbonBuild', {
      project: 'a',
      repository: 'A',
      carbon_repository: 'C',
      carbon_repository_url: 'file:///c.git',
      carbon_branch: 'main',
      aws_region: 'us-east-1',
      aws_account_id: '123456789012',
      aws_role_arn: 'arn:aws:iam::123456789012:role/R',
      ecr_repository: 'a/a',
      dockerfile: 'C/A/Dockerfile',
    });
    expect(job.image).toBe('cimg/aws:2026.04.1');
  });
});

describe('CarbonCascade', () => {
  it('is one step with its parameters in the environment, in the small base image, with nothing to clone or log in to', () => {
    const job = processJob(orb, 'carbon', 'carbon/CarbonCascade', {
      cascade_from: 'acme/App@develop',
      dependents: 'gh/acme/api develop\n',
    });
    expect(job.image).toBe('cimg/base:2026.09');
    expect(job.steps).toHaveLength(1);
    expect(job.steps[0]).toMatchObject({
      kind: 'run',
      name: 'Rebuild what checks out acme/App@develop',
      environment: {
        CARBON_CASCADE_FROM: 'acme/App@develop',
        CARBON_CASCADE_DEPENDENTS: 'gh/acme/api develop\n',
        CARBON_CASCADE_TOKEN_ENV: 'CIRCLE_TOKEN',
        CARBON_CASCADE_API_URL: 'https://circleci.com/api/v2',
      },
    });
  });
});
