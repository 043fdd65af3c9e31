// aws-cli-version.sh against what `aws --version` prints: the minimum is AWS CLI 2.27.57, the
// release that added ECR's image tag mutability exclusion filters (aws/aws-cli CHANGELOG.rst, v2).
import { describe, expect, it } from 'vitest';
import { awsCalls, createSandbox } from './harness.ts';

const printed = (version: string) =>
  `aws-cli/${version} Python/3.13.11 Linux/6.8.0 exe/x86_64.ubuntu.24\n`;

async function check(stdout: string) {
  const sandbox = createSandbox();
  return sandbox.run('aws-cli-version.sh', {
    scenario: { aws: [{ match: ['--version'], stdout }] },
  });
}

describe('aws-cli-version.sh', () => {
  it.each(['2.27.57', '2.27.100', '2.34.30', '3.0.0'])('accepts %s', async (version) => {
    const result = await check(printed(version));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe(`AWS CLI ${version} (the orb needs 2.27.57 or newer).\n`);
    expect(awsCalls(result)).toEqual([['--version']]);
  });

  it.each(['2.27.56', '2.9.19', '2.23.7', '1.45.11'])(
    'refuses %s, naming both versions',
    async (version) => {
      const result = await check(printed(version));
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain(`the AWS CLI is ${version}; the orb needs 2.27.57 or newer`);
    },
  );

  it('refuses an answer it cannot read', async () => {
    const result = await check('command not found\n');
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("could not read the AWS CLI's version");
  });
});
