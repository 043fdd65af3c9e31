// The generated CarbonBuild, run with `carbon run` against local bare repositories, recording aws
// and docker executables, and a local ECS (aws-world.ts) for the rollout's own ECS calls:
// checkouts at the configured branches and paths, the exact AWS and Docker calls, and no build at
// all the second time.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { installRealAws, startAwsEndpoint } from '../helpers/aws-endpoint.ts';
import { startAwsWorld, type AwsWorld } from '../helpers/aws-world.ts';
import { awsError, fixture } from '../orb/fixtures.ts';
import type { Scenario } from '../orb/harness.ts';
import { e2eWorkspace, type E2eWorkspace } from './workspace.ts';

const REGISTRY = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const IMAGE = `${REGISTRY}/acme/api`;
const REGION = ['--region', 'us-east-1'];
const REGISTRY_ID = ['--registry-id', '123456789012'];
/** What `aws --version` prints in cimg/aws:2026.04.1. */
const CURRENT_AWS_CLI = 'aws-cli/2.34.30 Python/3.13.11 Linux/6.8.0 exe/x86_64.ubuntu.24\n';

function scenario(): Scenario {
  return {
    aws: [
      { match: ['--version'], stdout: CURRENT_AWS_CLI },
      {
        match: ['sts', 'assume-role-with-web-identity'],
        stdout: fixture('assume-role-with-web-identity'),
      },
      { match: ['ecr', 'describe-repositories'], stdout: fixture('describe-repositories') },
      {
        match: ['ecr', 'get-registry-scanning-configuration'],
        stdout: {
          registryId: '123456789012',
          scanningConfiguration: {
            scanType: 'BASIC',
            rules: [
              {
                scanFrequency: 'SCAN_ON_PUSH',
                repositoryFilters: [{ filter: '*', filterType: 'WILDCARD' }],
              },
            ],
          },
        },
      },
      // ECR holds no image of these inputs the first time, and holds it ever after.
      { match: ['ecr', 'describe-images'], times: 1, ...awsError('ImageNotFoundException') },
      { match: ['ecr', 'describe-images'], stdout: fixture('describe-images') },
      { match: ['ecr', 'get-login-password'], stdout: 'not-a-real-password\n' },
      { match: ['ecr', 'batch-get-image'], stdout: fixture('batch-get-image') },
      { match: ['ecr', 'put-image'], stdout: fixture('put-image') },
    ],
  };
}

/** The ECS the rollout calls itself: cluster acme-main with the service api running revision 1. */
async function ecs(): Promise<AwsWorld> {
  const world = await startAwsWorld();
  onTestFinished(world.close);
  world.createCluster('acme-main');
  const current = world.registerTaskDefinition({
    family: 'acme-api',
    containerDefinitions: [{ name: 'api', image: `${IMAGE}:inputs-old`, essential: true }],
  });
  world.createService({
    cluster: 'acme-main',
    serviceName: 'api',
    taskDefinition: current['taskDefinitionArn'],
    desiredCount: 2,
  });
  return world;
}

async function prepare(): Promise<{
  w: E2eWorkspace;
  tips: Record<string, string>;
  world: AwsWorld;
}> {
  const world = await ecs();
  const w = e2eWorkspace();
  const tips = {
    api: w.commitFiles(w.repos.api, 'main', { 'server.js': 'console.log("api")\n' }),
    app: w.commitFiles(w.repos.app, 'release', { 'index.html': '<h1>app</h1>\n' }),
    carbon: w.commitFiles(w.repos.carbon, 'develop', {
      'Api/Dockerfile': 'FROM node:20\nCOPY Api /srv/api\nCOPY App /srv/app\n',
    }),
  };
  // Branches that must not be the ones checked out.
  w.commitFiles(w.repos.app, 'main', { 'index.html': '<h1>wrong branch</h1>\n' });
  w.commitFiles(w.repos.carbon, 'main', { 'Api/Dockerfile': 'FROM scratch\n' });
  w.scenario(scenario());
  return { w, tips, world };
}

const build = (w: E2eWorkspace, world: AwsWorld, workdir: string) =>
  w.runAsync(
    ['acme/Api', 'carbon-build', '--workdir', workdir, '--param', 'deploy_poll_interval=1'],
    { CIRCLE_OIDC_TOKEN_V2: 'e2e-oidc-token', AWS_ENDPOINT_URL: world.endpoint.url },
  );

const ecsOperations = (world: AwsWorld) => world.endpoint.requests.map((r) => r.operation);

const head = (repository: string) =>
  execFileSync('git', ['-C', repository, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();

describe('the generated CarbonBuild, run locally', () => {
  it('checks out every repository at its branch and path, then builds, pushes and deploys with the exact calls', async () => {
    const { w, tips, world } = await prepare();
    const workdir = join(mkdtempSync(join(tmpdir(), 'carbon-e2e-')), 'work');
    const result = await build(w, world, workdir);
    expect(result.code, result.stdout + result.stderr).toBe(0);

    expect(head(join(workdir, 'Api'))).toBe(tips.api);
    expect(head(join(workdir, 'Carbon'))).toBe(tips.carbon);
    expect(head(join(workdir, 'App'))).toBe(tips.app);
    expect(readFileSync(join(workdir, 'Carbon/Api/Dockerfile'), 'utf8')).toContain('COPY App');
    expect(readFileSync(join(workdir, 'App/index.html'), 'utf8')).toBe('<h1>app</h1>\n');
    expect(existsSync(join(workdir, 'Api/server.js'))).toBe(true);
    // The job's state (the task definition with its environment among it) is gone with the job.
    expect(existsSync(w.sandbox.stateDir)).toBe(false);

    const calls = w.calls();
    const aws = calls.filter((c) => c[0] === 'aws').map((c) => c.slice(1));
    const docker = calls.filter((c) => c[0] === 'docker').map((c) => c.slice(1));
    const inputsTag =
      aws
        .find((call) => call[1] === 'describe-images')
        ?.find((arg) => arg.startsWith('imageTag='))
        ?.slice('imageTag='.length) ?? '';
    expect(inputsTag).toMatch(/^inputs-[0-9a-f]{32}$/);
    const stsInput = aws[1]?.[3] ?? '';
    expect(aws).toEqual([
      ['--version'],
      [
        'sts',
        'assume-role-with-web-identity',
        '--cli-input-json',
        stsInput,
        ...REGION,
        '--output',
        'json',
      ],
      [
        'ecr',
        'describe-repositories',
        ...REGISTRY_ID,
        '--repository-names',
        'acme/api',
        ...REGION,
        '--output',
        'json',
      ],
      ['ecr', 'get-registry-scanning-configuration', ...REGION, '--output', 'json'],
      [
        'ecr',
        'describe-images',
        ...REGISTRY_ID,
        '--repository-name',
        'acme/api',
        '--image-ids',
        `imageTag=${inputsTag}`,
        ...REGION,
        '--output',
        'json',
      ],
      ['ecr', 'get-login-password', ...REGION],
    ]);
    // The rollout called ECS itself, signed with the job's session: the endpoint found nothing
    // AWS would refuse, and the service now runs the image just pushed.
    expect(world.endpoint.problems).toEqual([]);
    expect(ecsOperations(world)).toEqual([
      'DescribeServices',
      'DescribeTaskDefinition',
      'RegisterTaskDefinition',
      'UpdateService',
      'DescribeServices',
    ]);
    const service = world.services.get('acme-main/api')!;
    expect(world.taskDefinitions.get(service.taskDefinition)!['containerDefinitions']).toEqual([
      { name: 'api', image: `${IMAGE}:${inputsTag}`, essential: true },
    ]);
    expect(service.deployments).toHaveLength(1);
    expect(service.deployments[0]!['rolloutState']).toBe('COMPLETED');
    expect(stsInput).toMatch(/^file:\/\//);
    expect(JSON.stringify(calls)).not.toContain('e2e-oidc-token');
    expect(docker).toEqual([
      ['login', '--username', 'AWS', '--password-stdin', REGISTRY],
      ['buildx', 'inspect', 'carbon'],
      [
        'buildx',
        'build',
        '--builder',
        'carbon',
        '--platform',
        'linux/amd64',
        '--file',
        'Carbon/Api/Dockerfile',
        '--tag',
        `${IMAGE}:${inputsTag}`,
        '--tag',
        `${IMAGE}:commit-${tips.api}`,
        '--tag',
        `${IMAGE}:branch-main`,
        '--cache-from',
        `type=registry,ref=${IMAGE}:cache-main`,
        '--cache-to',
        `type=registry,ref=${IMAGE}:cache-main,mode=max,image-manifest=true,oci-mediatypes=true`,
        '--provenance=false',
        '--metadata-file',
        expect.stringMatching(/build-metadata\.json$/),
        '--push',
        '.',
      ],
    ]);
    // The build happens after ECR said it had no such image, and before the deploy.
    const order = calls.map((c) => c.slice(0, 3).join(' '));
    expect(order.indexOf('docker buildx build')).toBeGreaterThan(
      order.indexOf('aws ecr describe-images'),
    );
    expect(result.stdout.indexOf('Pushed ')).toBeLessThan(result.stdout.indexOf('Registered '));
  });

  it('builds nothing the second time: same commits, same inputs, the image already in ECR', async () => {
    const { w, world } = await prepare();
    const first = await build(w, world, join(mkdtempSync(join(tmpdir(), 'carbon-e2e-')), 'work'));
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const before = w.calls().length;
    const deployed = world.endpoint.requests.length;
    const second = await build(w, world, join(mkdtempSync(join(tmpdir(), 'carbon-e2e-')), 'work'));
    expect(second.code, second.stdout + second.stderr).toBe(0);
    const calls = w.calls().slice(before);
    const firstTag = w
      .calls()
      .find((c) => c[2] === 'describe-images')
      ?.find((a) => a.startsWith('imageTag='));
    const secondTag = calls
      .find((c) => c[2] === 'describe-images')
      ?.find((a) => a.startsWith('imageTag='));
    expect(secondTag).toBe(firstTag);
    expect(calls.filter((c) => c[0] === 'docker')).toEqual([]);
    expect(calls.map((c) => c.slice(0, 3).join(' '))).toEqual([
      'aws --version',
      'aws sts assume-role-with-web-identity',
      'aws ecr describe-repositories',
      'aws ecr get-registry-scanning-configuration',
      'aws ecr describe-images',
      'aws ecr batch-get-image',
      'aws ecr put-image',
      'aws ecr put-image',
    ]);
    expect(ecsOperations(world).slice(deployed)).toEqual([
      'DescribeServices',
      'DescribeTaskDefinition',
      'RegisterTaskDefinition',
      'UpdateService',
      'DescribeServices',
    ]);
    expect(world.endpoint.problems).toEqual([]);
    expect(second.stdout + second.stderr).toMatch(/skip/i);
  });

  it('fails clearly without an OIDC token, before any AWS call but the version check', async () => {
    const { w } = await prepare();
    const result = w.run(['acme/Api', 'carbon-build'], { CIRCLE_OIDC_TOKEN_V2: '' });
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toContain(
      'CircleCI gives every job its OIDC token in CIRCLE_OIDC_TOKEN_V2 (no context needed)',
    );
    expect(w.calls().filter((c) => c[0] === 'aws')).toEqual([['aws', '--version']]);
  });

  it("stops at its first step with Debian's AWS CLI 2.9: nothing cloned, built or sent to AWS", async () => {
    const { w, world } = await prepare();
    const endpoint = await startAwsEndpoint({});
    onTestFinished(endpoint.close);
    installRealAws(w.sandbox.bin, w.sandbox.home, endpoint);
    const workdir = join(mkdtempSync(join(tmpdir(), 'carbon-e2e-')), 'work');

    const result = await build(w, world, workdir);

    expect(result.code).not.toBe(0);
    expect(result.stdout).toContain('== step 1 failed');
    expect(result.stdout + result.stderr).toContain(
      'the AWS CLI is 2.9.19; the orb needs 2.27.57 or newer',
    );
    expect(readdirSync(workdir)).toEqual([]);
    expect(w.calls()).toEqual([]);
    expect(endpoint.requests).toEqual([]);
  });
});
