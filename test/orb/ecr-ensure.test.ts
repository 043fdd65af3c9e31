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
const scanCall = [
  'ecr',
  'get-registry-scanning-configuration',
  '--region',
  'us-east-1',
  '--output',
  'json',
];
const onPush = (filter: string) => ({
  scanFrequency: 'SCAN_ON_PUSH',
  repositoryFilters: [wildcard(filter)],
});
/** The registry's scanning configuration (GetRegistryScanningConfiguration reads the caller's). */
function scanning(rules: unknown[], registryId = ACCOUNT): Rule {
  return {
    match: ['ecr', 'get-registry-scanning-configuration'],
    stdout: { registryId, scanningConfiguration: { scanType: 'BASIC', rules } },
  };
}

describe('ecr-ensure.sh', () => {
  it('creates a missing repository with immutable tags except the moving ones, leaving scanning to the registry', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('ecr-ensure.sh', {
      env,
      scenario: {
        aws: [
          { match: ['ecr', 'describe-repositories'], ...awsError('RepositoryNotFoundException') },
          { match: ['ecr', 'create-repository'], stdout: fixture('create-repository') },
          scanning([onPush('*')]),
        ],
      },
    });

    expect(result.stderr).toBe('');
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
        // No --image-scanning-configuration: repository-level scanOnPush is deprecated.
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
      scanCall,
    ]);
    expect(result.stdout).toContain(
      'Created 123456789012.dkr.ecr.us-east-1.amazonaws.com/taxaroo-api',
    );
    expect(result.stdout).toContain(
      'Images pushed to taxaroo-api are scanned: the registry scans * (SCAN_ON_PUSH).',
    );
  });

  it('accepts an existing repository with the right settings after one describe call', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('ecr-ensure.sh', {
      env,
      scenario: {
        aws: [
          { match: ['ecr', 'describe-repositories'], stdout: fixture('describe-repositories') },
          scanning([]),
        ],
      },
    });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(awsCalls(result)).toEqual([describeCall, scanCall]);
    expect(result.stdout).toContain('is ready');
  });

  it('says nothing of the repository’s scanOnPush when a registry rule scans it', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('ecr-ensure.sh', {
      env,
      scenario: {
        aws: [
          existing({ imageScanningConfiguration: { scanOnPush: false } }),
          scanning([
            { scanFrequency: 'MANUAL', repositoryFilters: [wildcard('*')] },
            { scanFrequency: 'CONTINUOUS_SCAN', repositoryFilters: [wildcard('taxaroo-*')] },
          ]),
        ],
      },
    });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'Images pushed to taxaroo-api are scanned: the registry scans taxaroo-* (CONTINUOUS_SCAN).',
    );
  });

  it('warns, naming the registry’s setting, when nothing scans the repository', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('ecr-ensure.sh', {
      env,
      scenario: {
        aws: [
          existing({ imageScanningConfiguration: { scanOnPush: false } }),
          scanning([onPush('other-*')]),
        ],
      },
    });

    expect(result.code).toBe(0);
    expect(result.stderr).toContain(
      'ecr-ensure.sh: warning: images pushed to taxaroo-api are not scanned: no scanning rule of the registry covers it.',
    );
    expect(result.stderr).toContain(
      `aws ecr put-registry-scanning-configuration --scan-type BASIC --rules '[{"scanFrequency":"SCAN_ON_PUSH","repositoryFilters":[{"filter":"*","filterType":"WILDCARD"}]}]' --region us-east-1`,
    );
    expect(result.stderr).not.toContain('put-image-scanning-configuration');
  });

  it('says nothing about scanning for another account’s registry, or when the role may not read it', async () => {
    const crossAccount = await createSandbox().run('ecr-ensure.sh', {
      env,
      scenario: {
        aws: [
          existing({ imageScanningConfiguration: { scanOnPush: false } }),
          scanning([], '123456789012'),
        ],
      },
    });
    expect(crossAccount.code).toBe(0);
    expect(crossAccount.stderr).toBe('');
    expect(crossAccount.stdout).not.toContain('scanned');

    const denied = await createSandbox().run('ecr-ensure.sh', {
      env,
      scenario: {
        aws: [
          existing({ imageScanningConfiguration: { scanOnPush: false } }),
          {
            match: ['ecr', 'get-registry-scanning-configuration'],
            ...awsError('AccessDeniedException'),
          },
        ],
      },
    });
    expect(denied.code).toBe(0);
    expect(denied.stderr).toBe('');
    expect(denied.stdout).toContain(
      'could not be read (the role needs ecr:GetRegistryScanningConfiguration).',
    );
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
        aws: [
          existing({ imageTagMutability: 'MUTABLE', imageTagMutabilityExclusionFilters: [] }),
          scanning([onPush('*')]),
        ],
      },
    });

    expect(result.code).toBe(0);
    expect(awsCalls(result)).toEqual([describeCall, scanCall]);
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
