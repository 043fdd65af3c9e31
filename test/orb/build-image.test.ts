// build-image.sh through the recording aws and docker fakes.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { awsCalls, createSandbox, readExports, type RunResult, type Sandbox } from './harness.ts';
import { awsError, fixture } from './fixtures.ts';
import { bareRepository, commit, git } from './git.ts';

const commitSha = '1f0e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6';
const carbonSha = '8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a29180716';
const appSha = '3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b';
const registry = '123456789012.dkr.ecr.us-east-1.amazonaws.com';
const image = `${registry}/taxaroo-api`;
const password = 'eyJwYXlsb2FkIjoiZmFrZS1lY3ItYXV0aG9yaXphdGlvbi10b2tlbiJ9';

const env = {
  CARBON_ECR_REPOSITORY: 'taxaroo-api',
  CARBON_AWS_REGION: 'us-east-1',
  CARBON_AWS_ACCOUNT_ID: '123456789012',
  CARBON_DOCKERFILE: 'carbon/docker/api.Dockerfile',
  CARBON_DOCKER_CONTEXT: '.',
  CARBON_REPOSITORY_PATH: 'Taxaroo-API-V2',
  CIRCLE_BRANCH: 'feature/JIRA-12_ui+fix',
  CIRCLE_SHA1: commitSha,
};

/** A build workspace: this repository's checkout, the carbon checkout with the Dockerfile, a linked repository. */
function workspace(checkouts = `carbon ${carbonSha}\nTaxaroo-App ${appSha}\n`): Sandbox {
  const sandbox = createSandbox();
  for (const folder of ['Taxaroo-API-V2', 'Taxaroo-App', 'carbon/docker']) {
    mkdirSync(join(sandbox.work, folder), { recursive: true });
  }
  writeFileSync(join(sandbox.work, 'carbon/docker/api.Dockerfile'), 'FROM node:20-alpine\n');
  writeFileSync(join(sandbox.stateDir, 'checkouts'), checkouts);
  return sandbox;
}

/** The documented inputs tag, computed independently of the script. */
function expectedInputsTag(
  repositoryCommit: string,
  checkoutLines: string[],
  platform = 'linux/amd64',
): string {
  const text = [
    'carbon build inputs v1',
    `repository Taxaroo-API-V2 ${repositoryCommit}`,
    ...[...checkoutLines].sort().map((line) => `checkout ${line}`),
    'dockerfile carbon/docker/api.Dockerfile',
    'context .',
    `platform ${platform}`,
  ].join('\n');
  return `inputs-${createHash('sha256').update(`${text}\n`).digest('hex').slice(0, 32)}`;
}

const notBuiltYet = {
  aws: [
    { match: ['ecr', 'describe-images'], ...awsError('ImageNotFoundException') },
    { match: ['ecr', 'get-login-password'], stdout: `${password}\n` },
  ],
  docker: [
    {
      match: ['buildx', 'inspect', 'carbon'],
      stderr: 'ERROR: no builder "carbon" found\n',
      exit: 1,
    },
  ],
};

function inputsTagOf(result: RunResult): string {
  const describeImages = awsCalls(result).find((argv) => argv[1] === 'describe-images')!;
  return describeImages[describeImages.indexOf('--image-ids') + 1]!.replace(/^imageTag=/, '');
}

describe('build-image.sh', () => {
  it('builds and pushes a new image: the exact aws and docker calls, in order', async () => {
    const sandbox = workspace();
    const bashEnv = join(sandbox.root, 'bash_env');
    const tag = expectedInputsTag(commitSha, [`carbon ${carbonSha}`, `Taxaroo-App ${appSha}`]);
    const cacheRef = `${image}:cache-feature-JIRA-12_ui-fix`;

    const result = await sandbox.run('build-image.sh', {
      env: { ...env, BASH_ENV: bashEnv },
      scenario: notBuiltYet,
    });

    expect(result.code).toBe(0);
    expect(result.calls.map(({ tool, argv }) => [tool, ...argv])).toEqual([
      [
        'aws',
        'ecr',
        'describe-images',
        '--registry-id',
        '123456789012',
        '--repository-name',
        'taxaroo-api',
        '--image-ids',
        `imageTag=${tag}`,
        '--region',
        'us-east-1',
        '--output',
        'json',
      ],
      ['aws', 'ecr', 'get-login-password', '--region', 'us-east-1'],
      ['docker', 'login', '--username', 'AWS', '--password-stdin', registry],
      ['docker', 'buildx', 'inspect', 'carbon'],
      ['docker', 'buildx', 'create', '--name', 'carbon', '--driver', 'docker-container'],
      [
        'docker',
        'buildx',
        'build',
        '--builder',
        'carbon',
        '--platform',
        'linux/amd64',
        '--file',
        'carbon/docker/api.Dockerfile',
        '--tag',
        `${image}:${tag}`,
        '--tag',
        `${image}:commit-${commitSha}`,
        '--tag',
        `${image}:branch-feature-JIRA-12_ui-fix`,
        '--cache-from',
        `type=registry,ref=${cacheRef}`,
        '--cache-to',
        `type=registry,ref=${cacheRef},mode=max,image-manifest=true,oci-mediatypes=true`,
        '--provenance=false',
        '--metadata-file',
        join(sandbox.stateDir, 'build-metadata.json'),
        '--push',
        '.',
      ],
    ]);
    const login = result.calls.find((call) => call.tool === 'docker' && call.argv[0] === 'login')!;
    expect(login.stdin).toBe(`${password}\n`);
    expect(result.stdout + result.stderr).not.toContain(password);
    expect(result.stdout).toContain(`Pushed ${image}:${tag} (sha256:0c8d4e36`);
    expect(
      await readExports(bashEnv, [
        'CARBON_IMAGE_URI',
        'CARBON_IMAGE_TAG',
        'CARBON_IMAGE_DIGEST',
        'CARBON_IMAGE_BUILT',
      ]),
    ).toEqual({
      CARBON_IMAGE_URI: `${image}:${tag}`,
      CARBON_IMAGE_TAG: tag,
      CARBON_IMAGE_DIGEST:
        'sha256:0c8d4e36a7ce8b0dbbc0a16b7d5e3e5b1e9bd2d5a1f3c77f8a5e6a3b2c1d0e9f',
      CARBON_IMAGE_BUILT: 'true',
    });
  });

  it('says once that the digest is unknown when buildx does not name it, and exports it empty', async () => {
    const sandbox = workspace();
    const bashEnv = join(sandbox.root, 'bash_env');
    // A docker whose buildx writes no metadata file.
    writeFileSync(
      join(sandbox.bin, 'docker'),
      '#!/usr/bin/env bash\n[[ "$1" != login ]] || cat >/dev/null\nexit 0\n',
    );
    chmodSync(join(sandbox.bin, 'docker'), 0o755);

    const result = await sandbox.run('build-image.sh', {
      env: { ...env, BASH_ENV: bashEnv },
      scenario: notBuiltYet,
    });

    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Pushed \S+ \(digest unknown\), also tagged /m);
    expect(result.stdout).not.toContain('((');
    expect(await readExports(bashEnv, ['CARBON_IMAGE_DIGEST'])).toEqual({
      CARBON_IMAGE_DIGEST: '',
    });
  });

  it('reuses an existing carbon builder', async () => {
    const sandbox = workspace();

    const result = await sandbox.run('build-image.sh', {
      env,
      scenario: { aws: notBuiltYet.aws },
    });

    expect(result.code).toBe(0);
    const docker = result.calls
      .filter((call) => call.tool === 'docker')
      .map((call) => call.argv.slice(0, 2));
    expect(docker).toEqual([
      ['login', '--username'],
      ['buildx', 'inspect'],
      ['buildx', 'build'],
    ]);
  });

  it('keeps the inputs tag stable for the same inputs and changes it when any input changes', async () => {
    const sandbox = workspace();
    const checkouts = join(sandbox.stateDir, 'checkouts');
    const tagWith = async (lines: string, extra: Record<string, string> = {}) => {
      writeFileSync(checkouts, lines);
      const result = await sandbox.run('build-image.sh', {
        env: { ...env, ...extra },
        scenario: notBuiltYet,
      });
      expect(result.code).toBe(0);
      return inputsTagOf(result);
    };
    const original = `carbon ${carbonSha}\nTaxaroo-App ${appSha}\n`;

    const first = await tagWith(original);
    expect(first).toBe(
      expectedInputsTag(commitSha, [`carbon ${carbonSha}`, `Taxaroo-App ${appSha}`]),
    );
    expect(await tagWith(original)).toBe(first);
    expect(await tagWith(`Taxaroo-App ${appSha}\ncarbon ${carbonSha}\n`)).toBe(first);
    expect(await tagWith(original, { CIRCLE_BRANCH: 'develop' })).toBe(first);

    const changed = [
      await tagWith(`carbon ${'0'.repeat(40)}\nTaxaroo-App ${appSha}\n`),
      await tagWith(`carbon ${carbonSha}\nTaxaroo-App ${appSha}\nTaxaroo-Admin ${appSha}\n`),
      await tagWith(original, { CIRCLE_SHA1: carbonSha }),
      await tagWith(original, { CARBON_PLATFORM: 'linux/arm64' }),
    ];
    expect(new Set([first, ...changed]).size).toBe(5);
  });

  it('reads the commit from the checkout when neither CARBON_COMMIT nor CIRCLE_SHA1 is set', async () => {
    const sandbox = workspace('');
    const origin = bareRepository(sandbox, 'Taxaroo-API-V2');
    const head = commit(sandbox, origin.path, 'develop', 'api');
    git(sandbox, [
      'clone',
      '--quiet',
      '--branch',
      'develop',
      origin.url,
      join(sandbox.work, 'Taxaroo-API-V2-clone'),
    ]);

    const result = await sandbox.run('build-image.sh', {
      env: { ...env, CIRCLE_SHA1: undefined, CARBON_REPOSITORY_PATH: 'Taxaroo-API-V2-clone/' },
      scenario: notBuiltYet,
    });

    expect(result.code).toBe(0);
    const text = [
      'carbon build inputs v1',
      `repository Taxaroo-API-V2-clone ${head}`,
      'dockerfile carbon/docker/api.Dockerfile',
      'context .',
      'platform linux/amd64',
    ].join('\n');
    expect(inputsTagOf(result)).toBe(
      `inputs-${createHash('sha256').update(`${text}\n`).digest('hex').slice(0, 32)}`,
    );
    expect(result.calls.find((call) => call.argv.includes('build'))!.argv).toContain(
      `${image}:commit-${head}`,
    );
  });

  it('skips the build when the inputs were built before: no docker, the moving tags re-pointed', async () => {
    const sandbox = workspace();
    const bashEnv = join(sandbox.root, 'bash_env');
    const tag = expectedInputsTag(commitSha, [`carbon ${carbonSha}`, `Taxaroo-App ${appSha}`]);
    const images = fixture<{ images: { imageManifest: string; imageManifestMediaType: string }[] }>(
      'batch-get-image',
    );
    const manifest = images.images[0]!.imageManifest;
    const mediaType = 'application/vnd.docker.distribution.manifest.v2+json';

    const result = await sandbox.run('build-image.sh', {
      env: { ...env, BASH_ENV: bashEnv },
      scenario: {
        aws: [
          { match: ['ecr', 'describe-images'], stdout: fixture('describe-images') },
          { match: ['ecr', 'batch-get-image'], stdout: images },
          { match: ['ecr', 'put-image'], times: 1, ...awsError('ImageAlreadyExistsException') },
          { match: ['ecr', 'put-image'], stdout: fixture('put-image') },
        ],
      },
    });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.calls.filter((call) => call.tool === 'docker')).toEqual([]);
    const putImage = (imageTag: string) => [
      'ecr',
      'put-image',
      '--registry-id',
      '123456789012',
      '--repository-name',
      'taxaroo-api',
      '--image-tag',
      imageTag,
      '--image-manifest',
      manifest,
      '--image-manifest-media-type',
      mediaType,
      '--region',
      'us-east-1',
      '--output',
      'json',
    ];
    expect(awsCalls(result)).toEqual([
      [
        'ecr',
        'describe-images',
        '--registry-id',
        '123456789012',
        '--repository-name',
        'taxaroo-api',
        '--image-ids',
        `imageTag=${tag}`,
        '--region',
        'us-east-1',
        '--output',
        'json',
      ],
      [
        'ecr',
        'batch-get-image',
        '--registry-id',
        '123456789012',
        '--repository-name',
        'taxaroo-api',
        '--image-ids',
        `imageTag=${tag}`,
        '--region',
        'us-east-1',
        '--output',
        'json',
      ],
      putImage(`commit-${commitSha}`),
      putImage('branch-feature-JIRA-12_ui-fix'),
    ]);
    expect(result.stdout).toContain(`Skipped the build: ${image}:${tag}`);
    expect(result.stdout).toContain('was already built from these inputs');
    expect(
      await readExports(bashEnv, [
        'CARBON_IMAGE_URI',
        'CARBON_IMAGE_TAG',
        'CARBON_IMAGE_DIGEST',
        'CARBON_IMAGE_BUILT',
      ]),
    ).toEqual({
      CARBON_IMAGE_URI: `${image}:${tag}`,
      CARBON_IMAGE_TAG: tag,
      CARBON_IMAGE_DIGEST:
        'sha256:764f63476bdff6d83a09ba2a818f0d35757063724a9ac3ba5019c56f74ebf42a',
      CARBON_IMAGE_BUILT: 'false',
    });
  });

  it('fails on any other describe-images error without touching docker', async () => {
    const sandbox = workspace();

    const result = await sandbox.run('build-image.sh', {
      env,
      scenario: {
        aws: [{ match: ['ecr', 'describe-images'], ...awsError('AccessDeniedException') }],
      },
    });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('An error occurred (AccessDeniedException)');
    expect(result.calls.filter((call) => call.tool === 'docker')).toEqual([]);
    expect(awsCalls(result)).toHaveLength(1);
  });

  it('fails before any call when the Dockerfile is missing', async () => {
    const sandbox = workspace();

    const result = await sandbox.run('build-image.sh', {
      env: { ...env, CARBON_DOCKERFILE: 'carbon/docker/web.Dockerfile' },
      scenario: notBuiltYet,
    });

    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Dockerfile not found: carbon/docker/web.Dockerfile');
    expect(result.calls).toEqual([]);
  });
});
