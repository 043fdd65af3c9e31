// The resolved model: links followed, URLs rendered, conventions and overrides applied.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileSettings } from '../../src/compile/resolved-settings.ts';
import type { Workspace } from '../../src/resolve/model.ts';
import { TEST_KEY, makeWorkspace } from '../helpers/workspace.ts';

const OTHER_KEY = 'SHA256:OusAJGA4HG8ljoOV0wJvVx8NmnZIjc2DdjmxOu0xZWA';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function sample(): Promise<Workspace> {
  const { diagnostics, workspace } = await compileSettings(repoRoot);
  expect(diagnostics).toEqual([]);
  return workspace!;
}

describe('the sample project', () => {
  it('loads without an error or a warning', async () => {
    const workspace = await sample();
    expect(workspace.projects.map((p) => p.repositories.map((r) => r.id))).toEqual([
      ['Taxaroo-API-V2', 'Taxaroo-App', 'Taxaroo-Admin', 'Taxaroo-Clients', 'Taxaroo-Carbon'],
    ]);
  });

  it('plans the API build: own checkout, carbon checkout, every linked checkout, ECS by convention', async () => {
    const api = (await sample()).projects[0]!.repositories[0]!;
    expect(api.build).toEqual({
      enabled: true,
      strategy: 'ecs',
      job: 'CarbonBuild',
      branch: 'develop',
      path: 'Taxaroo-API-V2',
      carbon: {
        repository: 'Taxaroo-Carbon',
        url: 'git@github.com:BlackstoneStudio/Taxaroo-Carbon.git',
        branch: 'develop',
        path: 'Taxaroo-Carbon',
        sshKey: 'c6:1a:0f:63:b1:7c:2e:9d:80:51:3a:4e:d2:77:19:05',
      },
      linked: [
        {
          repository: 'Taxaroo-App',
          url: 'git@github.com:BlackstoneStudio/Taxaroo-App.git',
          branch: 'develop',
          path: 'Taxaroo-App',
          sshKey: 'c6:1a:0f:63:b1:7c:2e:9d:80:51:3a:4e:d2:77:19:05',
        },
        {
          repository: 'Taxaroo-Admin',
          url: 'git@github.com:BlackstoneStudio/Taxaroo-Admin.git',
          branch: 'develop',
          path: 'Taxaroo-Admin',
          sshKey: 'c6:1a:0f:63:b1:7c:2e:9d:80:51:3a:4e:d2:77:19:05',
        },
        {
          repository: 'Taxaroo-Clients',
          url: 'git@github.com:BlackstoneStudio/Taxaroo-Clients.git',
          branch: 'develop',
          path: 'Taxaroo-Clients',
          sshKey: 'c6:1a:0f:63:b1:7c:2e:9d:80:51:3a:4e:d2:77:19:05',
        },
      ],
      aws: {
        region: 'us-east-1',
        accountId: '123456789012',
        roleArn: 'arn:aws:iam::123456789012:role/CarbonCircleCI',
      },
      image: {
        ecrRepository: 'taxaroo/taxaroo-api-v2',
        dockerfile: 'Taxaroo-Carbon/Taxaroo-API-V2/Dockerfile',
        context: '.',
      },
      deploy: {
        mode: 'ecs_service',
        cluster: 'taxaroo-develop',
        service: 'taxaroo-api-v2',
        container: 'taxaroo-api-v2',
      },
      rebuiltBy: ['Taxaroo-Carbon', 'Taxaroo-App', 'Taxaroo-Admin', 'Taxaroo-Clients'].map(
        (repository, at) => ({
          repository,
          branch: 'develop',
          url: `git@github.com:BlackstoneStudio/${repository}.git`,
          carbon: at === 0,
          defaultBranch: repository === 'Taxaroo-Clients' ? 'main' : 'develop',
        }),
      ),
    });
  });

  it('plans syncs between origin and local with the SSH key of each organisation', async () => {
    const app = (await sample()).projects[0]!.repositories[1]!;
    expect(app.syncs).toEqual([
      {
        name: 'carbon-sync-to-local-sync/develop',
        direction: 'local',
        cron: '0 * * * *',
        from: {
          side: 'origin',
          url: 'git@github.com:Software-as-a-Service-LLC/taxaroo-app.git',
          branch: 'develop',
          sshKey: 'SHA256:4nx0bS1kqlHgWnNh5Y2m1Ue6x0dgVlkbVTfZqf6c1Yk',
        },
        to: {
          side: 'local',
          url: 'git@github.com:BlackstoneStudio/Taxaroo-App.git',
          branch: 'sync/develop',
          sshKey: 'c6:1a:0f:63:b1:7c:2e:9d:80:51:3a:4e:d2:77:19:05',
        },
        index: 0,
      },
      {
        name: 'carbon-sync-to-origin-agency/release',
        direction: 'origin',
        cron: '0 6 * * 1-5',
        from: {
          side: 'local',
          url: 'git@github.com:BlackstoneStudio/Taxaroo-App.git',
          branch: 'release/client',
          sshKey: 'c6:1a:0f:63:b1:7c:2e:9d:80:51:3a:4e:d2:77:19:05',
        },
        to: {
          side: 'origin',
          url: 'git@github.com:Software-as-a-Service-LLC/taxaroo-app.git',
          branch: 'agency/release',
          sshKey: 'SHA256:4nx0bS1kqlHgWnNh5Y2m1Ue6x0dgVlkbVTfZqf6c1Yk',
        },
        index: 1,
      },
    ]);
  });

  it('applies build.ecs overrides and keeps a disabled build in the model', async () => {
    const clients = (await sample()).projects[0]!.repositories[3]!;
    expect(clients.build).toMatchObject({
      enabled: false,
      branch: 'main',
      image: { ecrRepository: 'taxaroo/clients-portal' },
      deploy: {
        mode: 'ecs_service',
        cluster: 'taxaroo-portal',
        service: 'clients',
        container: 'clients',
      },
    });
    const admin = (await sample()).projects[0]!.repositories[2]!;
    expect(admin.build?.deploy).toEqual({
      mode: 'hook',
      hook: 'deploy/admin-task.sh',
      cluster: 'taxaroo-develop',
      service: 'taxaroo-admin',
      container: 'taxaroo-admin',
    });
  });
});

describe('resolution in other workspaces', () => {
  const module = (body: string) =>
    `export const acme = { id: 'acme', name: 'Acme', repositories: [${body}] };\n`;

  it('renders URLs for the https transport and leaves file:// URLs as written', async () => {
    const root = makeWorkspace({
      'carbon.config.ts':
        "export default { aws: { accountId: '123456789012' }, git: { transport: 'https' }, circleci: { cascadeContext: 'ci' } };\n",
      'projects/acme.ts': module(
        "{ id: 'Api', name: 'Api', build: { carbonRepo: 'Carbon', branches: { Web: 'main' } }, local: { git: 'git@github.com:acme/api.git' } }," +
          "{ id: 'Web', name: 'Web', local: { git: 'file:///srv/git/web.git' } }," +
          "{ id: 'Carbon', name: 'Carbon', local: { git: 'ssh://git@git.acme.io:2222/acme/carbon.git' } }",
      ),
    });
    const { workspace, diagnostics } = await compileSettings(root);
    expect(diagnostics).toEqual([]);
    const api = workspace!.projects[0]!.repositories[0]!;
    expect(api.local.url).toBe('https://github.com/acme/api.git');
    expect(api.build?.linked[0]?.url).toBe('file:///srv/git/web.git');
    expect(api.build?.carbon.url).toBe('https://git.acme.io/acme/carbon.git');
  });

  it('takes a carbonRepo close to no repository as the sibling of the local repository, with a warning', async () => {
    const root = makeWorkspace({
      'carbon.config.ts': `export default { aws: { accountId: '123456789012' }, git: { sshKeys: { 'github.com/acme': '${TEST_KEY}', 'github.com/acme-web': '${OTHER_KEY}' } } };\n`,
      'projects/acme.ts': module(
        "{ id: 'Api', name: 'Api', build: { carbonRepo: 'Infrastructure' }, local: { git: 'github.com/acme/api.git' } }," +
          "{ id: 'Web', name: 'Web', build: { carbonRepo: 'Infrastructure' }, local: { git: 'github.com/acme-web/web.git' } }",
      ),
    });
    const { workspace, diagnostics } = await compileSettings(root);
    expect(
      diagnostics.map((d) => [d.severity, d.code, d.message.match(/taken as (\S+);/)?.[1]]),
    ).toEqual([
      ['warning', 'carbon-repo-outside-project', 'git@github.com:acme/Infrastructure.git'],
      ['warning', 'carbon-repo-outside-project', 'git@github.com:acme-web/Infrastructure.git'],
    ]);
    const [api, web] = workspace!.projects[0]!.repositories;
    expect(api!.build?.carbon).toEqual({
      repository: 'Infrastructure',
      url: 'git@github.com:acme/Infrastructure.git',
      branch: 'main',
      path: 'Infrastructure',
      sshKey: TEST_KEY,
    });
    // Each repository's is beside it, however many name it.
    expect(web!.build?.carbon.url).toBe('git@github.com:acme-web/Infrastructure.git');
    expect(web!.build?.carbon.sshKey).toBe(OTHER_KEY);
  });

  it('lets a project override the workspace AWS settings field by field', async () => {
    const root = makeWorkspace({
      'carbon.config.ts':
        "export default { aws: { accountId: '123456789012', region: 'eu-west-1' } };\n",
      'projects/acme.ts': `export const acme = { id: 'acme', name: 'Acme', aws: { accountId: '210987654321' }, repositories: [{ id: 'Api', name: 'Api', build: { carbonRepo: 'Carbon' }, local: { git: 'github.com/acme/api.git' } }, { id: 'Carbon', name: 'Carbon', local: { git: 'github.com/acme/carbon.git' } }] };\n`,
    });
    const { workspace } = await compileSettings(root);
    expect(workspace!.projects[0]!.repositories[0]!.build?.aws).toEqual({
      region: 'eu-west-1',
      accountId: '210987654321',
      roleArn: 'arn:aws:iam::210987654321:role/CarbonCircleCI',
    });
  });
});
