// ecr-ensure.sh through the recording aws fake.
import { describe, expect, it } from 'vitest';
import { awsCalls, createSandbox, type Rule } from './harness.ts';
import { awsError, fixture } from './fixtures.ts';

// The registry's account is not the role's (123456789012 in the fixtures): cross-account ECR.
const ACCOUNT = '210987654321';
const env = {
  CARBON_ECR_REPOSITORY: 'taxaroo-api',
  CARBON_AWS_REGION: 'us-east-1',
  CARBON_AWS_ACCOUNT_ID: ACCOUNT,
};
const describeCall = [
  'ecr',
  'describe-repositories',
  '--registry-id',
  ACCOUNT,
  '--repository-names',
  'taxaroo-api',
  '--region',
  'us-east-1',
  '--output',
  'json',
];

interface Repositories {
  repositories: Record<string, unknown>[];
}

/** describe-repositories answering the fixture with some fields replaced. */
function existing(fields: Record<string, unknown>): Rule {
  const answer = fixture<Repositories>('describe-repositories');
  answer.repositories[0] = { ...answer.repositories[0], ...fields };
  return { match: ['ecr', 'describe-repositories'], stdout: answer };
}

const wildcard = (filter: string) => ({ filterType: 'WILDCARD', filter });

describe('ecr-ensure.sh', () => {
  it('creates a missing repository: scan on push, immutable tags except the moving ones', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('ecr-ensure.sh', {
      env,
      scenario: {
        aws: [
          { match: ['ecr', 'describe-repositories'], ...awsError('RepositoryNotFoundException') },
          { match: ['ecr', 'create-repository'], stdout: fixture('create-repository') },
        ],
      },
    });

    expect(result.code).toBe(0);
    expect(awsCalls(result)).toEqual([
      describeCall,
      [
        'ecr',
        'create-repository',
        '--registry-id',
        ACCOUNT,
        '--repository-name',
        'taxaroo-api',
        '--image-scanning-configuration',
        'scanOnPush=true',
        '--image-tag-mutability',
        'IMMUTABLE_WITH_EXCLUSION',
        '--image-tag-mutability-exclusion-filters',
        'filterType=WILDCARD,filter=branch-*',
        'filterType=WILDCARD,filter=commit-*',
        'filterType=WILDCARD,filter=cache-*',
        '--region',
        'us-east-1',
        '--output',
        'json',
      ],
    ]);
    expect(result.stdout).toContain(
      'Created 123456789012.dkr.ecr.us-east-1.amazonaws.com/taxaroo-api',
    );
  });

  it('accepts an existing repository with the right settings after one describe call', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('ecr-ensure.sh', {
      env,
      scenario: {
        aws: [
          { match: ['ecr', 'describe-repositories'], stdout: fixture('describe-repositories') },
        ],
      },
    });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(awsCalls(result)).toEqual([describeCall]);
    expect(result.stdout).toContain('is ready');
  });

  it('fails on IMMUTABLE tags, giving the exact command that fixes it, and changes nothing', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('ecr-ensure.sh', {
      env,
      scenario: {
        aws: [
          existing({
            imageTagMutability: 'IMMUTABLE',
            imageTagMutabilityExclusionFilters: undefined,
          }),
        ],
      },
    });

    expect(result.code).not.toBe(0);
    expect(awsCalls(result)).toEqual([describeCall]);
    expect(result.stderr).toContain('are all IMMUTABLE');
    expect(result.stderr).toContain(
      "  aws ecr put-image-tag-mutability --registry-id 210987654321 --repository-name taxaroo-api --image-tag-mutability IMMUTABLE_WITH_EXCLUSION --image-tag-mutability-exclusion-filters filterType=WILDCARD,filter='branch-*' filterType=WILDCARD,filter='commit-*' filterType=WILDCARD,filter='cache-*' --region us-east-1\n",
    );
  });

  it('fails on IMMUTABLE_WITH_EXCLUSION lacking a filter, keeping the repository’s own filters in the fix', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('ecr-ensure.sh', {
      env,
      scenario: {
        aws: [
          existing({
            imageTagMutabilityExclusionFilters: [
              wildcard('latest'),
              wildcard('branch-*'),
              wildcard('commit-*'),
            ],
          }),
        ],
      },
    });

    expect(result.code).not.toBe(0);
    expect(awsCalls(result)).toEqual([describeCall]);
    expect(result.stderr).toContain('lacks the exclusion filter(s)');
    expect(result.stderr).toContain('  cache-*, so Carbon could not move those tags.');
    expect(result.stderr).toContain(
      "--image-tag-mutability-exclusion-filters filterType=WILDCARD,filter='latest' filterType=WILDCARD,filter='branch-*' filterType=WILDCARD,filter='commit-*' filterType=WILDCARD,filter='cache-*' --region us-east-1",
    );
  });

  it('accepts MUTABLE tags with a warning', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('ecr-ensure.sh', {
      env,
      scenario: {
        aws: [existing({ imageTagMutability: 'MUTABLE', imageTagMutabilityExclusionFilters: [] })],
      },
    });

    expect(result.code).toBe(0);
    expect(awsCalls(result)).toEqual([describeCall]);
    expect(result.stderr).toContain(
      'ecr-ensure.sh: warning: the tags of ECR repository taxaroo-api are MUTABLE',
    );
  });

  it('fails with AWS’s message on any other describe error, creating nothing', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('ecr-ensure.sh', {
      env,
      scenario: {
        aws: [{ match: ['ecr', 'describe-repositories'], ...awsError('AccessDeniedException') }],
      },
    });

    expect(result.code).not.toBe(0);
    expect(awsCalls(result)).toEqual([describeCall]);
    expect(result.stderr).toContain('An error occurred (AccessDeniedException)');
    expect(result.stderr).toContain(
      'could not look up the ECR repository taxaroo-api in us-east-1',
    );
  });

  it('names an AWS CLI that drops the exclusion filters as too old, not the repository as wrong', async () => {
    const sandbox = createSandbox();
    const answer = fixture<Repositories>('describe-repositories');
    delete answer.repositories[0]!['imageTagMutabilityExclusionFilters'];

    const result = await sandbox.run('ecr-ensure.sh', {
      env,
      scenario: {
        aws: [
          { match: ['ecr', 'describe-repositories'], stdout: answer },
          {
            match: ['--version'],
            stdout: 'aws-cli/2.9.19 Python/3.11.2 Linux/6.1.0 source/x86_64.debian.12\n',
          },
        ],
      },
    });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('has no');
    expect(result.stderr).toContain(
      'imageTagMutabilityExclusionFilters field: this AWS CLI (aws-cli/2.9.19',
    );
    expect(result.stderr).toContain('AWS CLI 2.27.57');
    expect(result.stderr).not.toContain('put-image-tag-mutability');
  });

  it('refuses a registry account that is not 12 digits, before any call', async () => {
    const sandbox = createSandbox();
    const result = await sandbox.run('ecr-ensure.sh', {
      env: { ...env, CARBON_AWS_ACCOUNT_ID: '1234' },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      "CARBON_AWS_ACCOUNT_ID must be a 12-digit AWS account id, got '1234'",
    );
    expect(awsCalls(result)).toEqual([]);
  });
});
