// What each page says: the sample workspace (this repository) and a workspace unlike it.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contrastRatio } from '../../src/site/avatar.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { makeWorkspace } from '../helpers/workspace.ts';
import { modelOf, OTHER_WORKSPACE } from './fixtures.ts';

describe('the page model of the sample', async () => {
  const site = await modelOf(REPO_ROOT);
  const [page] = site.projects;
  const repository = (id: string) => page!.repositories.find((r) => r.id === id)!;

  it('has one card, with counts, Jira key and board as text (no jira.baseUrl), and a made avatar', () => {
    expect(site.asOf).toBe('2026-11-26T15:40Z');
    expect(site.index.totals).toEqual({ projects: 1, repositories: 5, builds: 3, syncs: 4 });
    const [card] = site.index.cards;
    expect(card).toMatchObject({
      id: 'taxaroo',
      name: 'Taxaroo',
      href: 'projects/taxaroo.html',
      repositoryCount: 5,
      buildCount: 3,
      syncCount: 4,
      jira: { key: 'TAXR', board: '32' },
      search: 'taxaroo taxaroo taxr',
    });
    expect(card!.jira.keyLink).toBeUndefined();
    expect(card!.avatar.initials).toBe('TA');
    expect(card!.avatar.source).toMatch(/^https:\/\/bitbucket-assetroot\.s3\.amazonaws\.com\//);
    expect(card!.hero.source).toMatch(/^https:\/\/images\.unsplash\.com\//);
    expect(contrastRatio(card!.avatar.background, card!.avatar.foreground)).toBeGreaterThanOrEqual(
      4.5,
    );
  });

  it('describes each build: branch, carbon repository, checkouts, ECR, ECS and deploy', () => {
    expect(page!.path).toBe('projects/taxaroo.html');
    expect(page!.source).toBe('projects/taxaroo.ts');
    expect(page!.repositories.map((r) => r.id)).toEqual([
      'Taxaroo-API-V2',
      'Taxaroo-App',
      'Taxaroo-Admin',
      'Taxaroo-Clients',
      'Taxaroo-Carbon',
    ]);
    expect(repository('Taxaroo-API-V2').build).toEqual({
      enabled: true,
      branch: 'develop',
      job: 'CarbonBuild',
      carbon: { repository: 'Taxaroo-Carbon', branch: 'develop' },
      linked: [
        { repository: 'Taxaroo-App', branch: 'develop' },
        { repository: 'Taxaroo-Admin', branch: 'develop' },
        { repository: 'Taxaroo-Clients', branch: 'develop' },
      ],
      rebuiltWhen:
        'Taxaroo-Carbon develop, Taxaroo-App develop, Taxaroo-Admin develop or Taxaroo-Clients develop changes',
      ecrRepository: 'taxaroo/taxaroo-api-v2',
      imageUri: '123456789012.dkr.ecr.us-east-1.amazonaws.com/taxaroo/taxaroo-api-v2',
      region: 'us-east-1',
      cluster: 'taxaroo-develop',
      service: 'taxaroo-api-v2',
      deploy:
        'rolls ECS service taxaroo-api-v2 (container taxaroo-api-v2) in cluster taxaroo-develop onto the new image',
    });
    expect(repository('Taxaroo-Admin').build!.deploy).toBe(
      'runs deploy/admin-task.sh from the carbon repository with the new image',
    );
    expect(repository('Taxaroo-API-V2').build!.provision).toBeUndefined();
    expect(repository('Taxaroo-App').build!.provision).toBe(
      'runs infra/app-up.sh from the carbon repository, after the push and before the deploy',
    );
    const clients = repository('Taxaroo-Clients').build!;
    expect(clients).toMatchObject({
      enabled: false,
      branch: 'main',
      ecrRepository: 'taxaroo/clients-portal',
    });
    expect(clients).toMatchObject({ cluster: 'taxaroo-portal', service: 'clients' });
    // A paused build is rebuilt by nothing: nothing would run.
    expect(clients.rebuiltWhen).toBe('');
    expect(repository('Taxaroo-Carbon').build).toBeUndefined();
  });

  it("links CircleCI's pipelines page and the badge of the build branch (else the default branch)", () => {
    expect(repository('Taxaroo-API-V2').circleci).toEqual({
      kind: 'project',
      pipelines: {
        text: 'https://app.circleci.com/pipelines/github/BlackstoneStudio/Taxaroo-API-V2',
        href: 'https://app.circleci.com/pipelines/github/BlackstoneStudio/Taxaroo-API-V2',
      },
      badge: {
        text: 'https://dl.circleci.com/status-badge/img/gh/BlackstoneStudio/Taxaroo-API-V2/tree/develop.svg?style=svg',
        href: 'https://dl.circleci.com/status-badge/img/gh/BlackstoneStudio/Taxaroo-API-V2/tree/develop.svg?style=svg',
      },
    });
    // The paused build's badge would stay grey: the default branch's is the one that moves.
    const clients = repository('Taxaroo-Clients').circleci;
    expect(clients.kind === 'project' && clients.badge.href).toMatch(
      /Taxaroo-Clients\/tree\/main\.svg/,
    );
  });

  it('links the generated config and schedules of each repository that has them, relative to the page', () => {
    const api = repository('Taxaroo-API-V2');
    expect(api.config).toEqual({
      text: 'generated/taxaroo/Taxaroo-API-V2/.circleci/config.yml',
      href: '../../generated/taxaroo/Taxaroo-API-V2/.circleci/config.yml',
      exists: true,
    });
    expect(existsSync(resolve(REPO_ROOT, 'site/projects', api.config!.href))).toBe(true);
    expect(api.schedules?.href).toBe(
      '../../generated/taxaroo/Taxaroo-API-V2/.circleci/schedules.yml',
    );
    expect(repository('Taxaroo-Admin').config?.exists).toBe(true);
    expect(repository('Taxaroo-Admin').schedules).toBeUndefined();
    // The carbon repository's config only rebuilds what checks it out (a cascade).
    expect(repository('Taxaroo-Carbon').config?.exists).toBe(true);
    expect(repository('Taxaroo-Carbon').schedules).toBeUndefined();
  });

  it('says every sync rule in words, with its next runs in UTC at a minute CircleCI picks', () => {
    expect(repository('Taxaroo-API-V2').syncs).toEqual([
      {
        name: 'carbon-sync-to-local-sync/develop',
        direction: 'local',
        cron: '0 * * * *',
        when: 'every hour (at a minute CircleCI picks)',
        words:
          'Every hour (at a minute CircleCI picks), copy origin develop into local sync/develop',
        nextRuns: [
          { at: '2026-11-26T16:00Z', text: 'Thu 26 Nov 2026 16:00–17:00 UTC' },
          { at: '2026-11-26T17:00Z', text: 'Thu 26 Nov 2026 17:00–18:00 UTC' },
          { at: '2026-11-26T18:00Z', text: 'Thu 26 Nov 2026 18:00–19:00 UTC' },
        ],
      },
    ]);
    const handBack = repository('Taxaroo-App').syncs[1]!;
    expect(handBack.words).toBe(
      'Monday to Friday, once between 06:00 and 07:00 UTC (at a minute CircleCI picks), copy local release/client into origin agency/release',
    );
    expect(handBack.nextRuns.map((run) => run.at)).toEqual([
      '2026-11-27T06:00Z',
      '2026-11-30T06:00Z',
      '2026-12-01T06:00Z',
    ]);
    expect(repository('Taxaroo-Clients').syncs[0]!.words).toBe(
      'Every day, once between 02:00 and 03:00 UTC (at a minute CircleCI picks), copy origin main into local sync/main',
    );
  });

  it('draws one node per repository and one edge per checkout of a build', () => {
    const graph = page!.graph;
    expect(graph.nodes.map((node) => [node.id, node.kind])).toEqual([
      ['Taxaroo-API-V2', 'builds'],
      ['Taxaroo-App', 'builds'],
      ['Taxaroo-Admin', 'builds'],
      ['Taxaroo-Clients', 'paused'],
      ['Taxaroo-Carbon', 'no-build'],
    ]);
    // Every checkout of an enabled build rebuilds it; the paused build's rebuild nothing.
    expect(
      graph.edges.map(
        (edge) =>
          `${edge.from} -> ${edge.to} @${edge.branch} ${edge.kind}${edge.rebuilds ? ' rebuilds' : ''}`,
      ),
    ).toEqual([
      'Taxaroo-API-V2 -> Taxaroo-Carbon @develop carbon rebuilds',
      'Taxaroo-API-V2 -> Taxaroo-App @develop linked rebuilds',
      'Taxaroo-API-V2 -> Taxaroo-Admin @develop linked rebuilds',
      'Taxaroo-API-V2 -> Taxaroo-Clients @develop linked rebuilds',
      'Taxaroo-App -> Taxaroo-Carbon @develop carbon rebuilds',
      'Taxaroo-App -> Taxaroo-API-V2 @develop linked rebuilds',
      'Taxaroo-Admin -> Taxaroo-Carbon @develop carbon rebuilds',
      'Taxaroo-Admin -> Taxaroo-API-V2 @develop linked rebuilds',
      'Taxaroo-Clients -> Taxaroo-Carbon @develop carbon',
      'Taxaroo-Clients -> Taxaroo-API-V2 @develop linked',
    ]);
    expect(graph.edges[8]!.description).toBe(
      'Taxaroo Clients (build paused) checks out Taxaroo Carbon at develop, its carbon repository',
    );
    expect(graph.edges[1]!.description).toBe(
      'Taxaroo API checks out Taxaroo App at develop; a push there rebuilds it',
    );
    expect(graph.title).toBe('Link graph of Taxaroo: 5 repositories, 10 checkouts');
  });
});

describe('the page model of a workspace unlike the sample', async () => {
  const root = makeWorkspace(OTHER_WORKSPACE);
  const site = await modelOf(root, join(root, 'public', 'overview'));
  const acme = site.projects.find((p) => p.id === 'acme')!;
  const web = acme.repositories[0]!;
  const api = acme.repositories[1]!;

  it('orders projects by name and links Jira when jira.baseUrl is set', () => {
    expect(site.index.cards.map((card) => card.name)).toEqual(['Acme', 'Beta <Co> & "Sons"']);
    expect(acme.jira).toEqual({
      key: 'ACME',
      board: '7',
      keyLink: { text: 'ACME', href: 'https://jira.example.com/browse/ACME' },
      boardLink: {
        text: 'board 7',
        href: 'https://jira.example.com/secure/RapidBoard.jspa?rapidView=7',
      },
    });
    const beta = site.projects.find((p) => p.id === 'beta')!;
    expect(beta.jira).toEqual({});
    expect(beta.avatar).toMatchObject({
      initials: 'BC',
      source: 'https://cdn.example.com/beta.png',
    });
    expect(beta.hero.source).toBeUndefined();
  });

  it('derives CircleCI links for Bitbucket, and none for a file URL', () => {
    expect(web.circleci).toMatchObject({
      kind: 'project',
      pipelines: { href: 'https://app.circleci.com/pipelines/bitbucket/acme-agency/web' },
      badge: {
        href: 'https://dl.circleci.com/status-badge/img/bb/acme-agency/web/tree/main.svg?style=svg',
      },
    });
    expect(api.circleci).toEqual({
      kind: 'none',
      reason: 'no CircleCI project: the repository is not on GitHub or Bitbucket',
    });
    expect(web.local.url).toBe('https://bitbucket.org/acme-agency/web.git');
  });

  it('says a legacy cron with its exact minute, and links no schedules file', () => {
    expect(acme.scheduling).toBe('scheduled-workflows');
    expect(web.syncs[0]!.words).toBe(
      'Monday to Friday, at 06:15 UTC, copy local release into origin main',
    );
    expect(web.syncs[0]!.nextRuns[0]).toEqual({
      at: '2026-11-27T06:15Z',
      text: 'Fri 27 Nov 2026 06:15 UTC',
    });
    expect(web.schedules).toBeUndefined();
  });

  it('links configs from wherever the site is written, and says when they are not generated yet', () => {
    expect(web.config).toEqual({
      text: 'generated/acme/web/.circleci/config.yml',
      href: '../../../generated/acme/web/.circleci/config.yml',
      exists: false,
    });
    // A paused build and no sync: no config.
    expect(api.config).toBeUndefined();
    expect(api.build?.deploy).toBe('none: the image is pushed, nothing is deployed');
  });

  it('draws the carbon repository beside the project as a node of its own', () => {
    expect(acme.graph.nodes.map((node) => `${node.id} ${node.kind}`)).toEqual([
      'web builds',
      'api paused',
      'infra outside',
    ]);
    expect(acme.graph.edges.map((edge) => `${edge.from} -> ${edge.to} @${edge.branch}`)).toEqual([
      'web -> infra @main',
      'web -> api @release/2.0',
      'api -> infra @main',
    ]);
  });
});

describe('the page model of a build whose stack deploys', () => {
  it('says the stack takes the image and rolls the service, and nothing else deploys', async () => {
    const root = makeWorkspace({
      'carbon.config.ts': "export default { aws: { accountId: '123456789012' } };\n",
      'projects/solo.ts': `export default {
  id: 'solo',
  name: 'Solo',
  repositories: [
    { id: 'api', name: 'API', build: { carbonRepo: 'ops', provision: { cloudformation: { template: 'infra/api.yml', stack: 'solo-api' } } }, local: { git: 'file:///srv/git/api.git' } },
    { id: 'ops', name: 'Ops', local: { git: 'file:///srv/git/ops.git' } },
  ],
};
`,
    });
    const build = (await modelOf(root)).projects[0]!.repositories[0]!.build!;
    expect(build.provision).toBe(
      'deploys infra/api.yml from the carbon repository as the CloudFormation stack solo-api, with the new image as its ImageUri parameter',
    );
    expect(build.deploy).toBe(
      'by the stack solo-api, which takes the new image and rolls the service itself',
    );
  });
});
