// The contract checker itself: invocations AWS's models accept pass, and every kind of mistake the
// orb could make fails with a message that names it. Models: the AWS SDK for JavaScript v3.
import { describe, expect, it } from 'vitest';
import { checkAwsInvocation, cliName, type AwsInvocation } from '../helpers/aws-contract.ts';
import { serviceModel } from '../helpers/aws-models.ts';

const file = (path: string, value: unknown) => ({
  path,
  text: typeof value === 'string' ? value : JSON.stringify(value),
});

describe('the models from the AWS SDK for JavaScript v3', () => {
  it('are current: ECR exclusion filters, ECS deleteRequestedAt and enableFaultInjection', () => {
    const ecr = serviceModel('ecr').operations;
    expect(Object.keys(ecr['CreateRepository']!.input.members)).toContain(
      'imageTagMutabilityExclusionFilters',
    );
    const taskDefinition =
      serviceModel('ecs').operations['DescribeTaskDefinition']!.output.members['taskDefinition']!;
    expect(taskDefinition.type === 'structure' && Object.keys(taskDefinition.members)).toEqual(
      expect.arrayContaining(['deleteRequestedAt', 'enableFaultInjection']),
    );
  });

  it('know required members and enum values', () => {
    const input = serviceModel('ecr').operations['CreateRepository']!.input;
    expect(input.required).toEqual(['repositoryName']);
    expect(input.members['imageTagMutability']).toEqual({
      type: 'string',
      enum: ['IMMUTABLE', 'IMMUTABLE_WITH_EXCLUSION', 'MUTABLE', 'MUTABLE_WITH_EXCLUSION'],
    });
  });
});

describe('cliName (botocore xform_name with "-")', () => {
  it.each([
    ['DescribeRepositories', 'describe-repositories'],
    ['AssumeRoleWithWebIdentity', 'assume-role-with-web-identity'],
    ['imageTagMutabilityExclusionFilters', 'image-tag-mutability-exclusion-filters'],
    ['RoleArn', 'role-arn'],
    ['ListTagsForResource', 'list-tags-for-resource'],
    ['DescribeDBInstances', 'describe-db-instances'],
    ['enableECSManagedTags', 'enable-ecs-managed-tags'],
    ['PolicyARNs', 'policy-arns'],
  ])('%s -> %s', (name, expected) => {
    expect(cliName(name)).toBe(expected);
  });
});

const valid: [string, AwsInvocation][] = [
  [
    'shorthand lists of structures, with globals',
    {
      argv: [
        'ecr',
        'create-repository',
        '--repository-name',
        'acme/api',
        '--registry-id',
        '123456789012',
        '--image-scanning-configuration',
        'scanOnPush=true',
        '--image-tag-mutability',
        'IMMUTABLE_WITH_EXCLUSION',
        '--image-tag-mutability-exclusion-filters',
        'filterType=WILDCARD,filter=branch-*',
        "filterType=WILDCARD,filter='commit-*'",
        '--region',
        'us-east-1',
        '--output',
        'json',
        '--no-cli-pager',
      ],
    },
  ],
  [
    'globals before the service, a list of scalars, an enum list',
    {
      argv: [
        '--region',
        'us-east-1',
        'ecs',
        'describe-task-definition',
        '--task-definition',
        'api:41',
        '--include',
        'TAGS',
      ],
    },
  ],
  ['a CLI-only command', { argv: ['ecr', 'get-login-password', '--region', 'us-east-1'] }],
  [
    'the CLI’s cloudformation deploy, with its list options and flags',
    {
      argv: [
        'cloudformation',
        'deploy',
        '--template-file',
        'carbon/infra/api.yml',
        '--stack-name',
        'acme-api-main',
        '--parameter-overrides',
        'ImageUri=123456789012.dkr.ecr.us-east-1.amazonaws.com/acme/api:inputs-1',
        'Url=https://x.example/?a=b',
        '--capabilities',
        'CAPABILITY_IAM',
        'CAPABILITY_AUTO_EXPAND',
        '--tags',
        'carbon:project=acme',
        '--no-fail-on-empty-changeset',
        '--region',
        'us-east-1',
      ],
    },
  ],
  [
    'flags, the renamed --disable-execute-command and a file:// structure',
    {
      argv: [
        'ecs',
        'update-service',
        '--cluster',
        'c',
        '--service',
        's',
        '--force-new-deployment',
        '--disable-execute-command',
        '--deployment-configuration',
        'file:///tmp/dc.json',
      ],
      files: {
        '--deployment-configuration': file('/tmp/dc.json', {
          deploymentCircuitBreaker: { enable: true, rollback: true },
          maximumPercent: 200,
        }),
      },
    },
  ],
  [
    'pagination options of a paginated operation',
    {
      argv: [
        'ecr',
        'describe-repositories',
        '--repository-names',
        'a',
        'b',
        '--max-items',
        '5',
        '--no-paginate',
      ],
    },
  ],
  [
    'a --cli-input-json document that supplies the required members',
    {
      argv: ['sts', 'assume-role-with-web-identity', '--cli-input-json', 'file:///tmp/r.json'],
      files: {
        '--cli-input-json': file('/tmp/r.json', {
          RoleArn: 'arn:aws:iam::123456789012:role/x',
          RoleSessionName: 's',
          WebIdentityToken: 't',
          DurationSeconds: 3600,
        }),
      },
    },
  ],
];

const invalid: [string, AwsInvocation, RegExp][] = [
  [
    'a capability CloudFormation does not have',
    {
      argv: [
        'cloudformation',
        'deploy',
        '--template-file',
        't.yml',
        '--stack-name',
        's',
        '--capabilities',
        'CAPABILITY_ROOT',
      ],
    },
    /--capabilities: "CAPABILITY_ROOT" is not one of CAPABILITY_AUTO_EXPAND, CAPABILITY_IAM, CAPABILITY_NAMED_IAM/,
  ],
  [
    'a parameter override that is not Key=Value, and no stack name',
    {
      argv: [
        'cloudformation',
        'deploy',
        '--template-file',
        't.yml',
        '--parameter-overrides',
        'Image',
      ],
    },
    /--parameter-overrides: "Image" is not Key=Value.*\n.*--stack-name is required/,
  ],
  [
    'an option cloudformation deploy does not have',
    {
      argv: [
        'cloudformation',
        'deploy',
        '--template-file',
        't.yml',
        '--stack-name',
        's',
        '--parameters',
        'A=b',
      ],
    },
    /--parameters is no option of the CLI command cloudformation deploy/,
  ],
  [
    'an unknown option',
    { argv: ['ecr', 'describe-repositories', '--repository-name', 'acme/api'] },
    /--repository-name is no option of ecr describe-repositories .*did you mean "--repository-names"/,
  ],
  [
    'an unknown operation',
    { argv: ['ecs', 'describe-service', '--cluster', 'c', '--services', 's'] },
    /describe-service is no operation of ecs .*did you mean "describe-services"/,
  ],
  [
    'an unknown nested member in shorthand',
    {
      argv: [
        'ecr',
        'create-repository',
        '--repository-name',
        'r',
        '--image-scanning-configuration',
        'scanOnPush=true,scanOnPull=true',
      ],
    },
    /unknown member "scanOnPull" of ImageScanningConfiguration/,
  ],
  [
    'an unknown nested member in a --cli-input-json document',
    {
      argv: ['ecs', 'register-task-definition', '--cli-input-json', 'file:///tmp/td.json'],
      files: {
        '--cli-input-json': file('/tmp/td.json', {
          family: 'api',
          containerDefinitions: [
            { name: 'api', image: 'x', healthCheck: { command: ['CMD'], retry: 3 } },
          ],
          deleteRequestedAt: '2025-01-01T00:00:00Z',
        }),
      },
    },
    /unknown member "retry" of HealthCheck[\s\S]*unknown member "deleteRequestedAt" of RegisterTaskDefinitionRequest/,
  ],
  [
    'a bad enum value',
    {
      argv: [
        'ecr',
        'create-repository',
        '--repository-name',
        'r',
        '--image-tag-mutability',
        'IMMUTABLE_EXCEPT',
      ],
    },
    /"IMMUTABLE_EXCEPT" is not one of IMMUTABLE, IMMUTABLE_WITH_EXCLUSION/,
  ],
  [
    'a bad enum value inside a list of structures',
    {
      argv: [
        'ecr',
        'create-repository',
        '--repository-name',
        'r',
        '--image-tag-mutability-exclusion-filters',
        'filterType=PREFIX,filter=x',
      ],
    },
    /"PREFIX" is not one of WILDCARD/,
  ],
  [
    'a missing required member',
    { argv: ['ecs', 'update-service', '--cluster', 'c', '--task-definition', 'api:1'] },
    /the required member service \(--service\) is missing/,
  ],
  [
    'a missing required nested member',
    {
      argv: [
        'ecr',
        'create-repository',
        '--repository-name',
        'r',
        '--image-tag-mutability-exclusion-filters',
        'filter=x',
      ],
    },
    /the required member "filterType" of ImageTagMutabilityExclusionFilter is missing/,
  ],
  [
    'a value of the wrong type',
    {
      argv: ['sts', 'assume-role-with-web-identity', '--cli-input-json', 'file:///tmp/r.json'],
      files: {
        '--cli-input-json': file('/tmp/r.json', {
          RoleArn: 'a',
          RoleSessionName: 's',
          WebIdentityToken: 't',
          DurationSeconds: '3600',
        }),
      },
    },
    /DurationSeconds: expected a number, got string/,
  ],
  [
    'a file:// the fake did not record',
    { argv: ['ecs', 'register-task-definition', '--cli-input-json', 'file:///gone.json'] },
    /file:\/\/\/gone.json: the file was not recorded/,
  ],
  [
    'a bad --output',
    { argv: ['ecr', 'get-login-password', '--output', 'xml'] },
    /--output xml is not one of json, text/,
  ],
  [
    'the v1-only get-login',
    { argv: ['ecr', 'get-login', '--no-include-email'] },
    /does not exist in AWS CLI v2/,
  ],
  [
    'an option of an API operation on a CLI-only command',
    { argv: ['ecr', 'get-login-password', '--registry-ids', '123456789012'] },
    /--registry-ids is no option of the CLI command ecr get-login-password/,
  ],
  ['a service without a model', { argv: ['s3', 'ls'] }, /the service s3 has no model here/],
];

describe('checkAwsInvocation', () => {
  it.each(valid)('accepts %s', (_, call) => {
    expect(checkAwsInvocation(call)).toEqual([]);
  });

  it.each(invalid)('rejects %s', (_, call, message) => {
    const problems = checkAwsInvocation(call);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(message);
  });
});
