// The orb's scripts with Debian's real AWS CLI (2.9.19, older than the orb needs) against a local
// AWS-shaped endpoint: what the old CLI does with what the orb sends and receives, and the version
// guard that stops a job before it gets that far. And what even a current CLI does with a member
// its model does not know, which is why the rollout reads and writes ECS itself.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { delimiter } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { checkValue } from '../helpers/aws-contract.ts';
import {
  THROWAWAY_CREDENTIALS,
  installPipAws,
  installRealAws,
  startAwsEndpoint,
  type Handler,
} from '../helpers/aws-endpoint.ts';
import { startAwsWorld } from '../helpers/aws-world.ts';
import { serviceModel } from '../helpers/aws-models.ts';
import { fixture } from './fixtures.ts';
import { createSandbox } from './harness.ts';

async function realAws(handlers: Record<string, Handler> = {}) {
  const sandbox = createSandbox();
  const endpoint = await startAwsEndpoint(handlers);
  onTestFinished(endpoint.close);
  installRealAws(sandbox.bin, sandbox.home, endpoint);
  return { sandbox, endpoint };
}

const ecrEnv = {
  CARBON_ECR_REPOSITORY: 'taxaroo-api',
  CARBON_AWS_REGION: 'us-east-1',
  CARBON_AWS_ACCOUNT_ID: '123456789012',
};

describe("Debian's AWS CLI 2.9 against a local endpoint", () => {
  it('is stopped by the version guard, naming both versions, before any request', async () => {
    const { sandbox, endpoint } = await realAws();

    const result = await sandbox.run('aws-cli-version.sh');

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'aws-cli-version.sh: error: the AWS CLI is 2.9.19; the orb needs 2.27.57 or newer',
    );
    expect(result.stderr).toContain('Nothing was changed.');
    expect(endpoint.requests).toEqual([]);
  });

  it('drops imageTagMutabilityExclusionFilters from describe-repositories: ecr-ensure.sh blames the CLI', async () => {
    const { sandbox, endpoint } = await realAws({
      'ecr:DescribeRepositories': () => ({ output: fixture('describe-repositories') }),
    });

    const result = await sandbox.run('ecr-ensure.sh', { env: ecrEnv });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'imageTagMutabilityExclusionFilters field: this AWS CLI (aws-cli/2.9.19',
    );
    expect(result.stderr).not.toContain('put-image-tag-mutability');
    // What reached "AWS" is one describe call, of the shape AWS's current model wants.
    expect(endpoint.requests.map((r) => `${r.service}:${r.operation}`)).toEqual([
      'ecr:DescribeRepositories',
    ]);
    const problems: string[] = [];
    checkValue(
      serviceModel('ecr').operations['DescribeRepositories']!.input,
      endpoint.requests[0]!.input,
      '',
      problems,
    );
    expect(problems).toEqual([]);
    expect(endpoint.requests[0]!.input).toEqual({
      registryId: '123456789012',
      repositoryNames: ['taxaroo-api'],
    });
    // The endpoint checked the request against the model and its signature: nothing amiss.
    expect(endpoint.problems).toEqual([]);
  });

  it('refuses --image-tag-mutability-exclusion-filters before sending: nothing is created', async () => {
    const { sandbox, endpoint } = await realAws({
      'ecr:DescribeRepositories': () => ({
        error: { code: 'RepositoryNotFoundException', message: 'The repository does not exist' },
      }),
      'ecr:CreateRepository': () => ({ output: fixture('create-repository') }),
    });

    const result = await sandbox.run('ecr-ensure.sh', { env: ecrEnv });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Unknown options: --image-tag-mutability-exclusion-filters');
    expect(result.stderr).toContain("does not know ECR's tag mutability");
    expect(result.stderr).not.toContain('ecr:CreateRepository');
    expect(endpoint.requests.map((r) => r.operation)).toEqual(['DescribeRepositories']);
  });

  it('reaches the endpoint with the query protocol for STS', async () => {
    const { sandbox, endpoint } = await realAws({
      'sts:AssumeRoleWithWebIdentity': () => ({
        output: fixture('assume-role-with-web-identity'),
      }),
    });

    const result = await sandbox.run('aws-login.sh', {
      env: {
        CARBON_AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/CarbonDeploy',
        CARBON_AWS_REGION: 'us-east-1',
        CIRCLE_OIDC_TOKEN_V2: 'a-token-for-the-local-endpoint',
      },
    });

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('Assumed role arn:aws:sts::123456789012:assumed-role/');
    expect(endpoint.requests).toEqual([
      {
        service: 'sts',
        operation: 'AssumeRoleWithWebIdentity',
        input: expect.objectContaining({
          RoleArn: 'arn:aws:iam::123456789012:role/CarbonDeploy',
          WebIdentityToken: 'a-token-for-the-local-endpoint',
          DurationSeconds: 3600,
        }),
      },
    ]);
  });
});

describe('the pip AWS CLI (v1, current models) against a local ECS', () => {
  it('drops the members its model does not know from what it reads, with exit status 0', async () => {
    const world = await startAwsWorld();
    onTestFinished(world.close);
    world.registerTaskDefinition({
      family: 'taxaroo-api',
      containerDefinitions: [{ name: 'api', image: 'api:1', carbonUnknownContainerMember: 1 }],
      carbonUnknownTaskMember: 'from a later AWS',
    });
    const sandbox = createSandbox();
    installPipAws(sandbox.bin, sandbox.home, world.endpoint);

    // Not spawnSync: the endpoint answers from this process.
    const described = await promisify(execFile)(
      'aws',
      ['ecs', 'describe-task-definition', '--task-definition', 'taxaroo-api:1', '--output', 'json'],
      {
        encoding: 'utf8',
        env: {
          PATH: [sandbox.bin, process.env['PATH']].join(delimiter),
          HOME: sandbox.home,
          AWS_ENDPOINT_URL: world.endpoint.url,
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: THROWAWAY_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: THROWAWAY_CREDENTIALS.secretAccessKey,
        },
      },
    );

    const { taskDefinition } = JSON.parse(described.stdout) as {
      taskDefinition: Record<string, unknown> & { containerDefinitions: object[] };
    };
    // ECS sent both members (the endpoint's own record of its answer has them); the CLI kept
    // neither, and said nothing: written back, they would be gone.
    expect(taskDefinition['family']).toBe('taxaroo-api');
    expect(taskDefinition).not.toHaveProperty('carbonUnknownTaskMember');
    expect(taskDefinition.containerDefinitions[0]).toEqual({ name: 'api', image: 'api:1' });
    expect(world.endpoint.problems).toEqual([]);
  });
});
