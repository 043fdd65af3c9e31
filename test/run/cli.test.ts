// `carbon run` as a user meets it on the sample: rehearsals and clear refusals.
import { describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, carbon } from '../helpers/cli.ts';
import { SAMPLE_CONFIG, TEST_KEY, makeWorkspace } from '../helpers/workspace.ts';
import { makeKey } from '../orb/ssh.ts';

describe('carbon run on the sample', () => {
  it('rehearses the API sync with --dry-run', async () => {
    const result = await carbon([
      'run',
      'taxaroo/Taxaroo-API-V2',
      'carbon-sync-to-local-sync/develop',
      '--dry-run',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("blackstone/carbon@2.2.0 is played by the workspace's orb.yml");
    expect(result.stdout).toContain('carbon/CarbonSync (CircleCI image cimg/base:2026.09)');
    // One add_ssh_keys per end of the sync, each with exactly its own fingerprint, which no key
    // of this machine has.
    expect(result.stdout).toContain(
      '3. add_ssh_keys: SHA256:4nx0bS1kqlHgWnNh5Y2m1Ue6x0dgVlkbVTfZqf6c1Yk: no key in your ~/.ssh has it',
    );
    expect(result.stdout).toContain(
      '4. add_ssh_keys: c6:1a:0f:63:b1:7c:2e:9d:80:51:3a:4e:d2:77:19:05: no key in your ~/.ssh has it',
    );
    expect(result.stdout).not.toContain('from your ~/.ssh');
    expect(result.stdout).toContain('5. run: Sync develop into sync/develop');
    expect(result.stdout).toContain('6. run: Remove the job');
    expect(result.stdout).toContain(
      'CARBON_SYNC_SOURCE_URL=git@github.com:Software-as-a-Service-LLC/taxaroo-api.git',
    );
    expect(result.stdout).toContain(
      'CARBON_SYNC_SOURCE_SSH_KEY=SHA256:4nx0bS1kqlHgWnNh5Y2m1Ue6x0dgVlkbVTfZqf6c1Yk',
    );
  });

  it('claims a key from ~/.ssh in a dry run only when one there has the fingerprint', async () => {
    const home = makeWorkspace({});
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    const key = makeKey(join(home, '.ssh', 'id_ed25519'), 'agency');
    const keys = `'github.com/BlackstoneStudio': '${key.sha256}', 'github.com/Software-as-a-Service-LLC': '${TEST_KEY}'`;
    const root = makeWorkspace({
      'carbon.config.ts': `export default { aws: { accountId: '123456789012' }, git: { sshKeys: { ${keys} } } };\n`,
      'projects/taxaroo.ts': readFileSync(join(REPO_ROOT, 'projects/taxaroo.ts'), 'utf8'),
    });
    expect((await carbon(['generate', '--root', root])).code).toBe(0);
    const args = ['run', 'taxaroo/Taxaroo-API-V2', 'carbon-sync-to-local-sync/develop'];
    const result = await carbon([...args, '--dry-run', '--root', root], { env: { HOME: home } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`3. add_ssh_keys: ${TEST_KEY}: no key in your ~/.ssh has it`);
    expect(result.stdout).toContain(
      `4. add_ssh_keys: ${key.sha256}, from your ~/.ssh (id_ed25519)`,
    );
  });

  it("does not repeat another project's warnings when run for one project", async () => {
    const other = `export const other = {
  id: 'other',
  name: 'Other',
  repositories: [
    {
      id: 'Web',
      name: 'Web',
      sync: [{ direction: 'local', cron: '2 */2 * * *', branches: { origin: 'main', local: 'sync/main' } }],
      local: { git: 'file:///srv/git/web.git' },
      origin: { git: 'file:///srv/git/client-web.git' },
    },
  ],
};
`;
    const root = makeWorkspace({
      'carbon.config.ts': SAMPLE_CONFIG,
      'projects/taxaroo.ts': readFileSync(join(REPO_ROOT, 'projects/taxaroo.ts'), 'utf8'),
      'projects/other.ts': other,
    });
    const generated = await carbon(['generate', '--root', root]);
    expect(generated.stderr).toContain('projects/other.ts:8:'); // the warning, once, by generate
    expect(generated.stderr).toContain('warning cron-minutes-lost');
    const run = ['run', 'taxaroo/Taxaroo-Admin', 'carbon-build', '--dry-run', '--root', root];
    for (const args of [run, ['ls', 'taxaroo', '--root', root]]) {
      const result = await carbon(args);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr, args.join(' ')).toBe('');
    }
    for (const args of [
      ['ls', '--root', root],
      ['ls', 'other', '--root', root],
    ])
      expect((await carbon(args)).stderr).toContain('warning cron-minutes-lost');
  });

  it('says when the config on disk is stale', async () => {
    const root = makeWorkspace({
      'carbon.config.ts': SAMPLE_CONFIG,
      'projects/taxaroo.ts': readFileSync(join(REPO_ROOT, 'projects/taxaroo.ts'), 'utf8'),
    });
    expect((await carbon(['generate', '--root', root])).code).toBe(0);
    const args = ['run', 'taxaroo/Taxaroo-Admin', 'carbon-build', '--dry-run', '--root', root];
    expect((await carbon(args)).stdout).not.toContain('is stale');
    const module = join(root, 'projects/taxaroo.ts');
    writeFileSync(
      module,
      readFileSync(module, 'utf8').replace(
        "hook: 'deploy/admin-task.sh'",
        "hook: 'deploy/admin.sh'",
      ),
    );
    const stale = await carbon(args);
    expect(stale.code).toBe(0);
    expect(stale.stdout).toContain(
      'carbon run: warning: generated/taxaroo/Taxaroo-Admin/.circleci/config.yml is stale: the settings give another config now',
    );
  });

  it('rehearses a build with a parameter overridden', async () => {
    const result = await carbon([
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
      'has no workflow "carbon-build"; its workflows: carbon-cascade-develop',
    ],
    [['run', 'taxaroo', 'carbon-build'], 'is not <project>/<repository>'],
    [
      ['run', 'taxaroo/Taxaroo-API-V2'],
      'name the workflow to run: generated/taxaroo/Taxaroo-API-V2/.circleci/config.yml has "carbon-build", "carbon-sync-to-local-sync/develop"',
    ],
    [['run'], 'run takes <project>/<repository> and a workflow name'],
    [
      ['run', 'taxaroo/Taxaroo-API-V2', 'carbon-build', '--param', 'repository=../../..'],
      'checkout path "../../.." leaves the working folder',
    ],
    [
      ['run', 'taxaroo/Taxaroo-API-V2', 'carbon-build', '--param', 'deploy=kubernetes'],
      'job carbon/CarbonBuild: parameter deploy must be one of ecs_service, hook, none, not "kubernetes"',
    ],
    [
      ['run', 'taxaroo/Taxaroo-API-V2', 'carbon-build', '--param', 'deploy'],
      '--param "deploy" is not name=value',
    ],
    [['generate', '--dry-run'], '--dry-run is an option of `carbon run` only'],
  ])('refuses %j with exit 2', async (args, message) => {
    const result = await carbon(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
