// aws-login.sh: OIDC login through the recording aws fake.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsCalls, createSandbox, readExports } from './harness.ts';
import { awsError, fixture } from './fixtures.ts';

const roleArn = 'arn:aws:iam::123456789012:role/CarbonDeploy';
const oidcToken =
  'eyJhbGciOiJSUzI1NiIsImtpZCI6ImNhcmJvbi10ZXN0In0.eyJhdWQiOiI5YTFmMGMyZSIsInN1YiI6Im9yZy9wcm9qZWN0In0.c2lnbmF0dXJlLW5vdC1yZWFs';
const credentials = fixture<{
  Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
}>('assume-role-with-web-identity').Credentials;
const exportedNames = [
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_REGION',
  'AWS_DEFAULT_REGION',
];

const env = {
  CARBON_AWS_ROLE_ARN: roleArn,
  CARBON_AWS_REGION: 'us-east-1',
  CIRCLE_PROJECT_REPONAME: 'Taxaroo-API-V2',
  CIRCLE_BUILD_NUM: '1188',
};
const assumeRole = {
  aws: [
    {
      match: ['sts', 'assume-role-with-web-identity'],
      stdout: fixture('assume-role-with-web-identity'),
    },
  ],
};

describe('aws-login.sh', () => {
  it('without an OIDC token, fails saying where the token comes from and calls no aws', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('aws-login.sh', { env, scenario: assumeRole });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('no OIDC token: CIRCLE_OIDC_TOKEN_V2 is empty or unset.');
    // CircleCI issues the token to every job: a context is no longer the answer.
    expect(result.stderr).toContain(
      'CircleCI gives every job its OIDC token in CIRCLE_OIDC_TOKEN_V2 (no context needed).',
    );
    expect(result.stderr).not.toMatch(/add 'context/i);
    expect(result.stderr).toContain("pass that variable's name as the oidc_token parameter");
    expect(result.calls).toEqual([]);
  });

  it('assumes the role with the token in a mode-600 file, never in argv or output', async () => {
    const sandbox = createSandbox();
    const bashEnv = join(sandbox.root, 'bash_env');

    const result = await sandbox.run('aws-login.sh', {
      env: { ...env, CIRCLE_OIDC_TOKEN_V2: oidcToken, BASH_ENV: bashEnv },
      scenario: assumeRole,
    });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const requestFile = join(sandbox.stateDir, 'sts-request.json');
    expect(awsCalls(result)).toEqual([
      [
        'sts',
        'assume-role-with-web-identity',
        '--cli-input-json',
        `file://${requestFile}`,
        '--region',
        'us-east-1',
        '--output',
        'json',
      ],
    ]);
    const request = result.calls[0]!.files!['--cli-input-json']!;
    expect(request.mode).toBe(0o600);
    expect(request.content).toEqual({
      RoleArn: roleArn,
      RoleSessionName: 'carbon-Taxaroo-API-V2-1188',
      WebIdentityToken: oidcToken,
      DurationSeconds: 3600,
    });
    expect(existsSync(requestFile)).toBe(false);
    expect(result.calls[0]!.argv.join(' ')).not.toContain(oidcToken);
    const output = result.stdout + result.stderr;
    for (const secret of [oidcToken, credentials.SecretAccessKey, credentials.SessionToken]) {
      expect(output).not.toContain(secret);
    }
    expect(result.stdout).toBe(
      'Assumed role arn:aws:sts::123456789012:assumed-role/CarbonDeploy/carbon-Taxaroo-API-V2-1188; ' +
        'the credentials expire at 2025-03-12T15:05:51+00:00.\n',
    );
    expect(await readExports(bashEnv, exportedNames)).toEqual({
      AWS_ACCESS_KEY_ID: credentials.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.SecretAccessKey,
      AWS_SESSION_TOKEN: credentials.SessionToken,
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
    });
  });

  it('reads the token variable it is told to, sanitizes the session name, and writes the state env without BASH_ENV', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('aws-login.sh', {
      env: {
        ...env,
        CARBON_OIDC_TOKEN_ENV: 'CIRCLE_OIDC_TOKEN',
        CIRCLE_OIDC_TOKEN: oidcToken,
        CARBON_SESSION_DURATION: '900',
        CARBON_SESSION_NAME: `deploy feature/JIRA-12 #7 ${'x'.repeat(80)}`,
      },
      scenario: assumeRole,
    });

    expect(result.code).toBe(0);
    expect(result.calls[0]!.files!['--cli-input-json']!.content).toEqual({
      RoleArn: roleArn,
      RoleSessionName: `deploy-feature-JIRA-12--7-${'x'.repeat(38)}`,
      WebIdentityToken: oidcToken,
      DurationSeconds: 900,
    });
    expect(await readExports(join(sandbox.stateDir, 'env'), exportedNames)).toMatchObject({
      AWS_ACCESS_KEY_ID: credentials.AccessKeyId,
      AWS_REGION: 'us-east-1',
    });
  });

  it('when STS refuses, shows AWS’s message with the trust-policy hint and deletes the request', async () => {
    const sandbox = createSandbox();

    const result = await sandbox.run('aws-login.sh', {
      env: { ...env, CIRCLE_OIDC_TOKEN_V2: oidcToken },
      scenario: {
        aws: [{ match: ['sts', 'assume-role-with-web-identity'], ...awsError('AccessDenied') }],
      },
    });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('An error occurred (AccessDenied)');
    expect(result.stderr).toContain(`did not let this job assume ${roleArn}`);
    expect(result.stderr).toContain(
      'arn:aws:iam::123456789012:oidc-provider/oidc.circleci.com/org/<ORG_ID>',
    );
    expect(result.stderr).toContain('"oidc.circleci.com/org/<ORG_ID>:aud": "<ORG_ID>"');
    expect(result.stderr).toContain('CircleCI organization id');
    expect(result.stdout + result.stderr).not.toContain(oidcToken);
    expect(existsSync(join(sandbox.stateDir, 'sts-request.json'))).toBe(false);
  });

  it('prints no token or key under an inherited set -x, nor in later steps that source BASH_ENV', async () => {
    const sandbox = createSandbox();
    const bashEnv = join(sandbox.root, 'bash_env');
    writeFileSync(bashEnv, 'set -x\n');
    const secrets = [
      oidcToken,
      credentials.AccessKeyId,
      credentials.SecretAccessKey,
      credentials.SessionToken,
    ];

    const login = await sandbox.run('aws-login.sh', {
      env: { ...env, CIRCLE_OIDC_TOKEN_V2: oidcToken, BASH_ENV: bashEnv },
      scenario: assumeRole,
    });
    // A later step of the job: its shell sources BASH_ENV, set -x and the credentials with it.
    const later = await sandbox.run('ecr-ensure.sh', {
      env: {
        BASH_ENV: bashEnv,
        CARBON_ECR_REPOSITORY: 'taxaroo-api',
        CARBON_AWS_REGION: 'us-east-1',
        CARBON_AWS_ACCOUNT_ID: '123456789012',
      },
      scenario: {
        aws: [
          { match: ['ecr', 'describe-repositories'], stdout: fixture('describe-repositories') },
        ],
      },
    });

    expect(login.code, login.stderr).toBe(0);
    expect(later.code, later.stderr).toBe(0);
    // Tracing was on when each script started (and is on again after the credentials' lines)...
    expect(login.stderr).toContain('+ set -euo pipefail');
    expect(later.stderr).toContain('+ set -euo pipefail');
    // ...and still nothing secret was printed.
    for (const secret of secrets) {
      expect(login.stdout + login.stderr).not.toContain(secret);
      expect(later.stdout + later.stderr).not.toContain(secret);
    }
    // The later step still has the credentials.
    expect(await readExports(bashEnv, ['AWS_SECRET_ACCESS_KEY'])).toEqual({
      AWS_SECRET_ACCESS_KEY: credentials.SecretAccessKey,
    });
  });
});
