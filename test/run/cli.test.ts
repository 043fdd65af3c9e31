// `carbon run` as a user meets it on the sample: rehearsals and clear refusals.
import { describe, expect, it } from 'vitest';
import { runCarbon } from '../helpers/cli.ts';

describe('carbon run on the sample', () => {
  it('rehearses the API sync with --dry-run', () => {
    const result = runCarbon([
      'run',
      'taxaroo/Taxaroo-API-V2',
      'carbon-sync-to-local-sync/develop',
      '--dry-run',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("blackstone/carbon@2.0.0 is played by the workspace's orb.yml");
    expect(result.stdout).toContain('carbon/CarbonSync (CircleCI image cimg/base:2025.01)');
    // One add_ssh_keys per end of the sync, each with exactly its own fingerprint.
    expect(result.stdout).toContain('3. add_ssh_keys (skipped by carbon run)');
    expect(result.stdout).toContain('4. add_ssh_keys (skipped by carbon run)');
    expect(result.stdout).toContain('5. run: Sync develop into sync/develop');
    expect(result.stdout).toContain('6. run: Remove the job');
    expect(result.stdout).toContain(
      'CARBON_SYNC_SOURCE_URL=git@github.com:Software-as-a-Service-LLC/taxaroo-api.git',
    );
    expect(result.stdout).toContain(
      'CARBON_SYNC_SOURCE_SSH_KEY=SHA256:4nx0bS1kqlHgWnNh5Y2m1Ue6x0dgVlkbVTfZqf6c1Yk',
    );
  });

  it('rehearses a build with a parameter overridden', () => {
    const result = runCarbon([
      'run',
      'taxaroo/Taxaroo-Admin',
      'carbon-build',
      '--dry-run',
      '--param',
      'deploy=none',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      'checkout source: git@github.com:BlackstoneStudio/Taxaroo-Admin.git at develop',
    );
    expect(result.stdout).toContain('run: Build and push taxaroo/taxaroo-admin');
    expect(result.stdout).not.toContain('Run deploy hook');
  });

  it.each([
    [
      ['run', 'taxaroo/Taxaroo-API', 'carbon-build'],
      'project taxaroo has no repository "Taxaroo-API" (did you mean "Taxaroo-API-V2"?)',
    ],
    [
      ['run', 'taxaroo/Taxaroo-API-V2', 'carbon-buld'],
      'has no workflow "carbon-buld" (did you mean "carbon-build"?)',
    ],
    [
      ['run', 'taxaroo/Taxaroo-Carbon', 'carbon-build'],
      'generated/taxaroo/Taxaroo-Carbon/.circleci/config.yml does not exist: run `carbon generate` first',
    ],
    [['run', 'taxaroo', 'carbon-build'], 'is not <project>/<repository>'],
    [['run', 'taxaroo/Taxaroo-API-V2'], 'run takes <project>/<repository> and a workflow name'],
    [
      ['run', 'taxaroo/Taxaroo-API-V2', 'carbon-build', '--param', 'deploy=kubernetes'],
      'job carbon/CarbonBuild: parameter deploy must be one of ecs_service, hook, none, not "kubernetes"',
    ],
    [
      ['run', 'taxaroo/Taxaroo-API-V2', 'carbon-build', '--param', 'deploy'],
      '--param "deploy" is not name=value',
    ],
    [['generate', '--dry-run'], '--dry-run is an option of `carbon run` only'],
  ])('refuses %j with exit 2', (args, message) => {
    const result = runCarbon(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
