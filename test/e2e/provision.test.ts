// The first builds of a project whose ECS service does not exist yet, run with `carbon run` and the
// real AWS CLI (pip, v1, current models) against a local AWS (aws-world.ts), one per provision
// kind: the hook creates the service and the rollout then rolls it; the CloudFormation stack is
// created with the service and owns the image on later builds, which update it or find nothing to
// change. Every request that reaches the endpoint, the CLI's and the rollout's own, is checked
// against AWS's SDK v3 models and its signature (aws-endpoint.ts); docker is the recording fake.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { installPipAws } from '../helpers/aws-endpoint.ts';
import { startAwsWorld, type AwsWorld, type Stack } from '../helpers/aws-world.ts';
import { e2eWorkspace } from './workspace.ts';

const IMAGE = '123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/api';
const DIGEST = 'sha256:0c8d4e36a7ce8b0dbbc0a16b7d5e3e5b1e9bd2d5a1f3c77f8a5e6a3b2c1d0e9f';
const DOCKERFILE = 'FROM node:20\nCOPY Api /srv/api\nCOPY App /srv/app\n';

/** The carbon repository's provision hook: the function that creates the API's environment. */
const UP = `#!/usr/bin/env bash
set -euo pipefail
# infra/up.sh: the cluster, task definition and service of acme/Api, made when they are missing.
printf '%s\\n' "$#" >"$E2E_HOOK_LOG.argc"
env | grep -E '^(CARBON_|AWS_REGION=)' | sort >"$E2E_HOOK_LOG"
status="$(aws ecs describe-services --cluster "$CARBON_ECS_CLUSTER" --services "$CARBON_ECS_SERVICE" \\
  --query 'services[0].status' --output text 2>/dev/null || true)"
if [[ "$status" == ACTIVE ]]; then
  echo "service $CARBON_ECS_SERVICE is there: nothing to make"
  exit 0
fi
aws ecs create-cluster --cluster-name "$CARBON_ECS_CLUSTER" >/dev/null
task="$(aws ecs register-task-definition --family "$CARBON_PROJECT-$CARBON_ECS_SERVICE" \\
  --container-definitions "name=$CARBON_ECS_CONTAINER,image=$CARBON_IMAGE_URI,essential=true" \\
  --requires-compatibilities FARGATE --network-mode awsvpc --cpu 256 --memory 512 \\
  --query taskDefinition.taskDefinitionArn --output text)"
aws ecs create-service --cluster "$CARBON_ECS_CLUSTER" --service-name "$CARBON_ECS_SERVICE" \\
  --task-definition "$task" --desired-count 1 --launch-type FARGATE \\
  --network-configuration 'awsvpcConfiguration={subnets=[subnet-0a1b2c3d4e5f60718],assignPublicIp=DISABLED}' \\
  >/dev/null
echo "made service $CARBON_ECS_SERVICE in cluster $CARBON_ECS_CLUSTER"
`;

/** The carbon repository's template: cluster, role, task definition and service of acme/Api. */
const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Description: acme/Api on ECS
Parameters:
  ImageUri:
    Type: String
    Description: The image Carbon built (set on every build)
  DesiredCount:
    Type: Number
    Default: 1
Resources:
  Cluster:
    Type: AWS::ECS::Cluster
    Properties:
      ClusterName: acme-main
  TaskRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: acme-api-task
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Service: ecs-tasks.amazonaws.com }
            Action: sts:AssumeRole
  TaskDefinition:
    Type: AWS::ECS::TaskDefinition
    Properties:
      Family: acme-api
      TaskRoleArn: !GetAtt TaskRole.Arn
      RequiresCompatibilities: [FARGATE]
      NetworkMode: awsvpc
      Cpu: '256'
      Memory: '512'
      ContainerDefinitions:
        - Name: api
          Image: !Ref ImageUri
          Essential: true
  Service:
    Type: AWS::ECS::Service
    Properties:
      Cluster: !Ref Cluster
      ServiceName: api
      TaskDefinition: !Ref TaskDefinition
      DesiredCount: !Ref DesiredCount
      LaunchType: FARGATE
Outputs:
  ServiceName:
    Value: !GetAtt Service.Name
`;

/**
 * What CloudFormation does with TEMPLATE, as this world knows it: the cluster, a task definition
 * revision whenever the image changes, and the service, created the first time and rolled after.
 */
function applyTemplate(stack: Stack, world: AwsWorld): void {
  world.createCluster('acme-main');
  const service = world.services.get('acme-main/api');
  const running = service && world.taskDefinitions.get(service.taskDefinition);
  const image = (running?.['containerDefinitions'] as { image: string }[] | undefined)?.[0]?.image;
  if (image !== stack.parameters['ImageUri']) {
    const revision = world.registerTaskDefinition({
      family: 'acme-api',
      requiresCompatibilities: ['FARGATE'],
      networkMode: 'awsvpc',
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'api', image: stack.parameters['ImageUri'], essential: true }],
    });
    const desiredCount = Number(stack.parameters['DesiredCount']);
    if (service)
      world.updateService({
        cluster: 'acme-main',
        service: 'api',
        taskDefinition: revision['taskDefinitionArn'],
        desiredCount,
      });
    else
      world.createService({
        cluster: 'acme-main',
        serviceName: 'api',
        taskDefinition: revision['taskDefinitionArn'],
        desiredCount,
      });
  }
  stack.outputs = { ServiceName: 'api' };
}

async function setUp(provision: string, applyStack?: typeof applyTemplate) {
  const world = await startAwsWorld(applyStack ? { applyStack } : {});
  onTestFinished(world.close);
  const w = e2eWorkspace({ provision });
  installPipAws(w.sandbox.bin, w.sandbox.home, world.endpoint);
  const tips = {
    api: w.commitFiles(w.repos.api, 'main', { 'server.js': 'console.log("api")\n' }),
    app: w.commitFiles(w.repos.app, 'release', { 'index.html': '<h1>app</h1>\n' }),
    carbon: w.commitFiles(
      w.repos.carbon,
      'develop',
      { 'Api/Dockerfile': DOCKERFILE, 'infra/up.sh': UP, 'infra/api.yml': TEMPLATE },
      undefined,
      ['infra/up.sh'],
    ),
  };
  w.scenario({});
  const log = join(w.sandbox.root, 'hook');
  const build = () =>
    w.runAsync(
      [
        'acme/Api',
        'carbon-build',
        '--workdir',
        join(mkdtempSync(join(tmpdir(), 'carbon-e2e-')), 'work'),
        '--param',
        'deploy_poll_interval=1',
      ],
      {
        CIRCLE_OIDC_TOKEN_V2: 'e2e-oidc-token',
        AWS_ENDPOINT_URL: world.endpoint.url,
        E2E_HOOK_LOG: log,
      },
    );
  return { world, w, tips, log, build };
}

const operations = (world: AwsWorld, from = 0) =>
  world.endpoint.requests.slice(from).map((r) => `${r.service}:${r.operation}`);

const imageOf = (world: AwsWorld, key: string) => {
  const service = world.services.get(key)!;
  const definition = world.taskDefinitions.get(service.taskDefinition)!;
  return (definition['containerDefinitions'] as { image: string }[])[0]!.image;
};

function inputsTag(stdout: string): string {
  const tag = /Build inputs \((inputs-[0-9a-f]{32})\):/.exec(stdout)?.[1];
  expect(tag, stdout).toBeDefined();
  return tag!;
}

// A job with the pip CLI makes a dozen calls of a second or so each: more than the default 30 s.
describe(
  'the first build of a project whose service does not exist yet',
  { timeout: 180_000 },
  () => {
    it('provisions with the hook, which makes the service, then rolls it onto the image', async () => {
      const { world, tips, log, build } = await setUp("{ hook: 'infra/up.sh' }");

      const result = await build();

      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(world.endpoint.problems).toEqual([]);
      const tag = inputsTag(result.stdout);
      expect(result.stdout).toContain('Running the provision hook Carbon/infra/up.sh');
      expect(result.stdout).toContain('made service api in cluster acme-main');
      // The hook got every documented variable, and nothing in its arguments.
      expect(readFileSync(`${log}.argc`, 'utf8')).toBe('0\n');
      const hookEnv = Object.fromEntries(
        readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
      expect(hookEnv).toMatchObject({
        CARBON_IMAGE_URI: `${IMAGE}:${tag}`,
        CARBON_IMAGE_TAG: tag,
        CARBON_IMAGE_DIGEST: DIGEST,
        CARBON_AWS_ACCOUNT_ID: '123456789012',
        AWS_REGION: 'us-east-1',
        CARBON_AWS_REGION: 'us-east-1',
        CARBON_ECR_REPOSITORY: 'acme/api',
        CARBON_ECS_CLUSTER: 'acme-main',
        CARBON_ECS_SERVICE: 'api',
        CARBON_ECS_CONTAINER: 'api',
        CARBON_PROJECT: 'acme',
        CARBON_REPOSITORY: 'Api',
        CARBON_BRANCH: 'main',
        CARBON_COMMIT: tips.api,
      });
      // The hook made the service through the CLI; the rollout then found it and rolled it itself.
      expect(operations(world)).toEqual([
        'sts:AssumeRoleWithWebIdentity',
        'ecr:DescribeRepositories',
        'ecr:CreateRepository',
        'ecr:GetRegistryScanningConfiguration',
        'ecr:DescribeImages',
        'ecr:GetAuthorizationToken',
        'ecs:DescribeServices',
        'ecs:CreateCluster',
        'ecs:RegisterTaskDefinition',
        'ecs:CreateService',
        'ecs:DescribeServices',
        'ecs:DescribeTaskDefinition',
        'ecs:RegisterTaskDefinition',
        'ecs:UpdateService',
        'ecs:DescribeServices',
      ]);
      expect(imageOf(world, 'acme-main/api')).toBe(`${IMAGE}:${tag}`);
      const service = world.services.get('acme-main/api')!;
      expect(service.deployments).toHaveLength(1);
      expect(service.deploymentConfiguration['deploymentCircuitBreaker']).toEqual({
        enable: true,
        rollback: true,
      });
      expect(result.stdout).toContain('Service is stable: 1/1 tasks running');
    });

    it('provisions with the CloudFormation stack, which makes the service; later builds update the stack or change nothing', async () => {
      const { world, w, build } = await setUp(
        "{ cloudformation: { template: 'infra/api.yml', parameters: { DesiredCount: '2' }, capabilities: ['CAPABILITY_NAMED_IAM'] } }",
        applyTemplate,
      );

      const first = await build();

      expect(first.code, first.stdout + first.stderr).toBe(0);
      expect(world.endpoint.problems).toEqual([]);
      const tag = inputsTag(first.stdout);
      const stack = world.stacks.get('acme-api-main')!;
      expect(stack).toMatchObject({
        StackStatus: 'CREATE_COMPLETE',
        parameters: { ImageUri: `${IMAGE}:${tag}`, DesiredCount: '2' },
        tags: { 'carbon:project': 'acme', 'carbon:repository': 'Api' },
        capabilities: ['CAPABILITY_NAMED_IAM'],
      });
      expect(imageOf(world, 'acme-main/api')).toBe(`${IMAGE}:${tag}`);
      expect(world.services.get('acme-main/api')!.desiredCount).toBe(2);
      // The stack owns the image: no ECS call of the job's own, no rollout after it.
      const after = operations(world).slice(
        operations(world).indexOf('ecr:GetAuthorizationToken') + 1,
      );
      expect(after).toEqual([
        'cloudformation:ValidateTemplate',
        'cloudformation:DescribeStacks',
        'cloudformation:DescribeStacks',
        'cloudformation:CreateChangeSet',
        'cloudformation:DescribeChangeSet',
        'cloudformation:ExecuteChangeSet',
        'cloudformation:DescribeStacks',
        'cloudformation:DescribeStacks',
      ]);
      const createChangeSet = world.endpoint.requests.find(
        (r) => r.operation === 'CreateChangeSet',
      )!.input as Record<string, unknown>;
      expect(createChangeSet).toMatchObject({
        StackName: 'acme-api-main',
        ChangeSetType: 'CREATE',
        Capabilities: ['CAPABILITY_NAMED_IAM'],
        Parameters: [
          { ParameterKey: 'ImageUri', ParameterValue: `${IMAGE}:${tag}` },
          { ParameterKey: 'DesiredCount', ParameterValue: '2' },
        ],
        Tags: [
          { Key: 'carbon:project', Value: 'acme' },
          { Key: 'carbon:repository', Value: 'Api' },
        ],
      });
      expect(first.stdout).toContain(
        'Stack acme-api-main is CREATE_COMPLETE.\n  ServiceName = api\n',
      );

      // A later build of new commits: the stack takes the new image and rolls the service.
      w.commitFiles(w.repos.app, 'release', { 'index.html': '<h1>app 2</h1>\n' });
      const before = world.endpoint.requests.length;
      const second = await build();
      expect(second.code, second.stdout + second.stderr).toBe(0);
      const newTag = inputsTag(second.stdout);
      expect(newTag).not.toBe(tag);
      expect(world.stacks.get('acme-api-main')).toMatchObject({
        StackStatus: 'UPDATE_COMPLETE',
        parameters: { ImageUri: `${IMAGE}:${newTag}`, DesiredCount: '2' },
      });
      expect(imageOf(world, 'acme-main/api')).toBe(`${IMAGE}:${newTag}`);
      expect(operations(world, before)).toContain('cloudformation:GetTemplateSummary');
      expect(operations(world, before).filter((op) => op.startsWith('ecs:'))).toEqual([]);

      // The same commits again: the same image, so nothing for the stack to do, and no failure.
      const revisions = world.taskDefinitions.size;
      const third = await build();
      expect(third.code, third.stdout + third.stderr).toBe(0);
      expect(third.stdout).toContain('No changes to deploy. Stack acme-api-main is up to date');
      expect(world.stacks.get('acme-api-main')!.StackStatus).toBe('UPDATE_COMPLETE');
      expect(world.taskDefinitions.size).toBe(revisions);
      expect(world.endpoint.problems).toEqual([]);
    });

    it('stops before anything is deployed when the provision hook fails, with its output and status', async () => {
      const { world, w, build } = await setUp("{ hook: 'infra/up.sh' }");
      w.commitFiles(
        w.repos.carbon,
        'develop',
        { 'infra/up.sh': '#!/usr/bin/env bash\necho "no quota for a new cluster" >&2\nexit 4\n' },
        undefined,
        ['infra/up.sh'],
      );

      const result = await build();

      expect(result.code).toBe(4);
      expect(result.stdout + result.stderr).toContain('no quota for a new cluster');
      expect(result.stdout + result.stderr).toContain(
        'the provision hook Carbon/infra/up.sh failed with exit code 4 (its output is above); nothing was deployed.',
      );
      expect(operations(world).filter((op) => op.startsWith('ecs:'))).toEqual([]);
    });
  },
);
