// `carbon ls` as users run it: the sample as a table whose columns line up, the same facts as
// JSON and as the resolved model has them, schedules in the words of the site, one project, a
// narrow terminal, warnings, and settings with errors reported as generate reports them.
import { describe, expect, it } from 'vitest';
import { compileSettings } from '../../src/compile/resolved-settings.ts';
import type { ProjectListing } from '../../src/inspect/listing.ts';
import { cadenceOf, describeCadence } from '../../src/settings/cadence.ts';
import { REPO_ROOT, carbon } from '../helpers/cli.ts';
import { SAMPLE_CONFIG, makeWorkspace } from '../helpers/workspace.ts';
import { OTHER_WORKSPACE } from '../site/fixtures.ts';

/** `carbon ls` as a pipe runs it: no terminal, and no $COLUMNS from the shell running the tests. */
async function ls(args: string[], columns = '') {
  return await carbon(['ls', ...args], { env: { COLUMNS: columns } });
}

/** The table's cells, cut at the columns where the headers start: how a reader's eye reads it. */
function cells(table: string): { headers: string[]; rows: string[][] } {
  const [header, ...lines] = table.trimEnd().split('\n');
  const starts = [...header!.matchAll(/\S+(?: \S+)*/g)].map((match) => match.index);
  const cut = (line: string) =>
    starts.map((start, index) => line.slice(start, starts[index + 1]).trim());
  return { headers: cut(header!), rows: lines.filter((line) => line !== '').map(cut) };
}

/** The rows of a repository: its own line and the continuation lines below it. */
function rowsOf(rows: string[][], repository: string): string[][] {
  const first = rows.findIndex((row) => row[1] === repository);
  expect(first, repository).toBeGreaterThanOrEqual(0);
  const next = rows.findIndex((row, index) => index > first && row[1] !== '');
  return rows.slice(first, next < 0 ? undefined : next);
}

function column(rows: string[][], index: number): string[] {
  return rows.map((row) => row[index]!).filter((cell) => cell !== '');
}

describe('carbon ls', () => {
  it('lists every repository of the sample in aligned columns, a disabled build as "disabled"', async () => {
    const result = await ls([]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const { headers, rows } = cells(result.stdout);
    expect(headers).toEqual([
      'PROJECT',
      'REPOSITORY',
      'BUILD',
      'CHECKS OUT',
      'REBUILT WHEN',
      'ECR',
      'DEPLOY',
      'SYNC',
    ]);
    expect(rows[0]![0]).toBe('taxaroo');
    expect(column(rows, 1)).toEqual([
      'Taxaroo-API-V2',
      'Taxaroo-App',
      'Taxaroo-Admin',
      'Taxaroo-Clients',
      'Taxaroo-Carbon',
    ]);
    const api = rowsOf(rows, 'Taxaroo-API-V2');
    expect(api[0]!.slice(2, 7)).toEqual([
      'develop',
      'Taxaroo-Carbon@develop (carbon)',
      'Taxaroo-Carbon develop,',
      'taxaroo/taxaroo-api-v2',
      'taxaroo-develop/taxaroo-api-v2',
    ]);
    expect(column(api, 3)).toEqual([
      'Taxaroo-Carbon@develop (carbon)',
      'Taxaroo-App@develop',
      'Taxaroo-Admin@develop',
      'Taxaroo-Clients@develop',
    ]);
    // What rebuilds it: a push to any of them, on the branch it checks out (a cascade).
    expect(column(api, 4).join(' ')).toBe(
      'Taxaroo-Carbon develop, Taxaroo-App develop, Taxaroo-Admin develop or Taxaroo-Clients develop changes',
    );
    expect(column(rowsOf(rows, 'Taxaroo-App'), 4)).toEqual([
      'Taxaroo-Carbon develop or',
      'Taxaroo-API-V2 develop changes',
    ]);
    expect(column(api, 7)).toEqual([
      'origin develop → local sync/develop: every hour (at a minute CircleCI picks)',
    ]);
    expect(column(rowsOf(rows, 'Taxaroo-Admin'), 6)).toEqual(['hook deploy/admin-task.sh']);
    expect(column(rowsOf(rows, 'Taxaroo-App'), 7)).toEqual([
      'origin develop → local sync/develop: every hour (at a minute CircleCI picks)',
      'local release/client → origin agency/release: Monday to Friday, once between 06:00 and 07:00 UTC (at a minute CircleCI picks)',
    ]);
    // Paused: it produces nothing, though it still syncs.
    const clients = rowsOf(rows, 'Taxaroo-Clients');
    expect(clients[0]!.slice(2, 7)).toEqual(['disabled', '-', '-', '-', '-']);
    expect(column(clients, 7)).toEqual([
      'origin main → local sync/main: every day, once between 02:00 and 03:00 UTC (at a minute CircleCI picks)',
    ]);
    expect(rowsOf(rows, 'Taxaroo-Carbon')[0]!.slice(2)).toEqual(['-', '-', '-', '-', '-', '-']);
    for (const line of result.stdout.split('\n')) expect(line).toBe(line.trimEnd());
  });

  it('prints the same facts as JSON, as the resolved model has them', async () => {
    const result = await carbon(['ls', '--json']);
    expect(result.code).toBe(0);
    const listed = JSON.parse(result.stdout) as ProjectListing[];
    const { workspace } = await compileSettings(REPO_ROOT);
    const scheduling = workspace!.config.circleci.scheduling;
    expect(listed.map((project) => [project.id, project.name, project.source])).toEqual([
      ['taxaroo', 'Taxaroo', 'projects/taxaroo.ts'],
    ]);
    const resolved = workspace!.projects[0]!.repositories;
    expect(listed[0]!.repositories.map((repository) => repository.id)).toEqual(
      resolved.map((repository) => repository.id),
    );
    for (const repository of resolved) {
      const entry = listed[0]!.repositories.find((candidate) => candidate.id === repository.id)!;
      const build = repository.build;
      if (!build) expect(entry.build).toBeUndefined();
      else
        expect(entry.build).toEqual({
          enabled: build.enabled,
          branch: build.branch,
          carbon: { repository: build.carbon.repository, branch: build.carbon.branch },
          linked: build.linked.map(({ repository: id, branch }) => ({ repository: id, branch })),
          rebuiltBy: build.rebuiltBy.map(({ repository: id, branch }) => ({
            repository: id,
            branch,
          })),
          ecrRepository: build.image.ecrRepository,
          deploy: build.deploy,
          ...(build.provision ? { provision: build.provision } : {}),
        });
      expect(entry.syncs).toEqual(
        repository.syncs.map((sync) => ({
          name: sync.name,
          direction: sync.direction,
          cron: sync.cron,
          from: { side: sync.from.side, branch: sync.from.branch },
          to: { side: sync.to.side, branch: sync.to.branch },
          when: describeCadence(cadenceOf(sync.cron, scheduling)),
        })),
      );
    }
    // A disabled build is still described in full to machines, with its overrides.
    const clients = listed[0]!.repositories.find((r) => r.id === 'Taxaroo-Clients')!;
    expect(clients.build).toMatchObject({
      enabled: false,
      ecrRepository: 'taxaroo/clients-portal',
      deploy: { mode: 'ecs_service', cluster: 'taxaroo-portal', service: 'clients' },
    });
  });

  it('tells schedules as the workspace schedules them, and says what it warns of on stderr', async () => {
    const root = makeWorkspace(OTHER_WORKSPACE);
    const result = await ls(['--root', root]);
    expect(result.code).toBe(0);
    // The carbon repository "infra" is no repository of the project: warnings, not a stop. No
    // context holds a token for OAuth cascades: they are off, said once.
    expect(result.stderr).toContain('warning carbon-repo-outside-project');
    expect(result.stderr).toContain('warning cascades-off');
    expect(result.stderr).toMatch(/\n0 errors, 4 warnings\n$/);
    const { rows } = cells(result.stdout);
    expect(column(rows, 0)).toEqual(['acme', 'beta']);
    // Legacy scheduled workflows keep the cron's minute: no "minute CircleCI picks".
    expect(column(rowsOf(rows, 'web'), 7)).toEqual([
      'local release → origin main: Monday to Friday, at 06:15 UTC',
    ]);
    expect(rowsOf(rows, 'web')[0]!.slice(2, 7)).toEqual([
      'main',
      'infra@main (carbon)',
      '-',
      'acme/web',
      'acme-main/web',
    ]);
    expect(column(rowsOf(rows, 'web'), 3)).toEqual(['infra@main (carbon)', 'api@release/2.0']);
    expect(rowsOf(rows, 'api')[0]!.slice(2)).toEqual(['disabled', '-', '-', '-', '-', '-']);
    expect(rowsOf(rows, 'site')[0]!.slice(2)).toEqual(['-', '-', '-', '-', '-', '-']);
  });

  it('says "none" of a build that only pushes its image, and nothing of cascades it does without', async () => {
    const root = makeWorkspace({
      'carbon.config.ts': "export default { aws: { accountId: '123456789012' } };\n",
      'projects/solo.ts': `export default {
  id: 'solo',
  name: 'Solo',
  repositories: [
    { id: 'app', name: 'App', build: { carbonRepo: 'ops', rebuildOn: [], ecs: { deploy: 'none' } }, local: { git: 'file:///srv/git/app.git' } },
    { id: 'ops', name: 'Ops', local: { git: 'file:///srv/git/ops.git' } },
  ],
};
`,
    });
    const result = await ls(['--root', root]);
    expect(result.stderr).toBe('');
    expect(rowsOf(cells(result.stdout).rows, 'app')[0]!.slice(2, 7)).toEqual([
      'main',
      'ops@main (carbon)',
      '-',
      'solo/app',
      'none (push only)',
    ]);
  });

  it('shows the provision step before the deploy, and the stack as the deploy when a stack owns the image', async () => {
    const root = makeWorkspace({
      'carbon.config.ts': "export default { aws: { accountId: '123456789012' } };\n",
      'projects/solo.ts': `export default {
  id: 'solo',
  name: 'Solo',
  repositories: [
    { id: 'app', name: 'App', build: { carbonRepo: 'ops', rebuildOn: [], provision: { hook: 'infra/up.sh' } }, local: { git: 'file:///srv/git/app.git' } },
    { id: 'api', name: 'API', build: { carbonRepo: 'ops', rebuildOn: [], provision: { cloudformation: { template: 'infra/api.yml' } } }, local: { git: 'file:///srv/git/api.git' } },
    { id: 'ops', name: 'Ops', local: { git: 'file:///srv/git/ops.git' } },
  ],
};
`,
    });
    const result = await ls(['--root', root]);
    expect(result.stderr).toBe('');
    const { rows } = cells(result.stdout);
    expect(column(rowsOf(rows, 'app'), 6)).toEqual(['provision infra/up.sh', 'solo-main/app']);
    expect(column(rowsOf(rows, 'api'), 6)).toEqual(['stack solo-api-main (infra/api.yml)']);
    const listed = JSON.parse((await ls(['--root', root, '--json'])).stdout) as ProjectListing[];
    expect(listed[0]!.repositories.map((repository) => repository.build?.provision)).toEqual([
      { kind: 'hook', hook: 'infra/up.sh' },
      {
        kind: 'cloudformation',
        template: 'infra/api.yml',
        stack: 'solo-api-main',
        parameters: {},
        capabilities: [],
      },
      undefined,
    ]);
  });

  it('lists one project, and names the projects when the one asked for is not there', async () => {
    const root = makeWorkspace(OTHER_WORKSPACE);
    const one = await carbon(['ls', 'beta', '--root', root, '--json']);
    expect(one.code).toBe(0);
    expect((JSON.parse(one.stdout) as ProjectListing[]).map((project) => project.id)).toEqual([
      'beta',
    ]);
    const missing = await carbon(['ls', 'acm', '--root', root]);
    expect(missing.code).toBe(2);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain(
      'carbon: there is no project "acm" (did you mean "acme"?): the projects are "acme", "beta"',
    );
  });

  it('fits the terminal: wraps the schedules of a table, or stacks the facts when the table cannot fit', async () => {
    const natural = (await ls([])).stdout;
    const widest = Math.max(...natural.split('\n').map((line) => line.length));
    const wide = await ls([], String(widest - 30));
    expect(wide.code).toBe(0);
    const lines = wide.stdout.trimEnd().split('\n');
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(widest - 30);
    const { headers, rows } = cells(wide.stdout);
    expect(headers).toContain('SYNC');
    // The wrapped rule reads the same once its lines are joined.
    expect(column(rowsOf(rows, 'Taxaroo-API-V2'), 7).join(' ')).toBe(
      'origin develop → local sync/develop: every hour (at a minute CircleCI picks)',
    );

    const narrow = await ls([], '80');
    expect(narrow.code).toBe(0);
    for (const line of narrow.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    expect(narrow.stdout).not.toContain('REPOSITORY');
    expect(narrow.stdout).toContain('taxaroo (Taxaroo): projects/taxaroo.ts\n  Taxaroo-API-V2\n');
    expect(narrow.stdout).toContain(
      '  Taxaroo-Admin\n    build         develop\n    checks out    Taxaroo-Carbon@develop (carbon)\n' +
        '                  Taxaroo-API-V2@develop\n' +
        '    rebuilt when  Taxaroo-Carbon develop or Taxaroo-API-V2 develop changes\n' +
        '    ecr           taxaroo/taxaroo-admin\n    deploy        hook deploy/admin-task.sh\n',
    );
    expect(narrow.stdout).toContain('  Taxaroo-Carbon\n    build         -\n');
    expect(narrow.stdout).toContain(
      '  Taxaroo-Clients\n    build         disabled\n    sync          ',
    );
  });

  it('reports errors in the settings as generate does, and lists nothing (exit 2)', async () => {
    const root = makeWorkspace({
      'carbon.config.ts': SAMPLE_CONFIG,
      'projects/broken.ts': `export const broken = {
  id: 'broken',
  name: 'Broken',
  repositories: [
    { id: 'app', name: 'App', build: { carbonRepo: 'app' }, local: { git: 'github.com/BlackstoneStudio/app.git' } },
  ],
};
`,
    });
    const listed = await ls(['--root', root]);
    const generated = await carbon(['generate', '--root', root]);
    expect(listed.code).toBe(2);
    expect(listed.stdout).toBe('');
    expect(listed.stderr).toMatch(/^projects\/broken\.ts:5:\d+ - error carbon-repo-is-self: /m);
    expect(listed.stderr).toBe(generated.stderr);
  });
});

describe('carbon ls --help', () => {
  it('says what ls shows, its options, examples and exit codes', async () => {
    const help = await carbon(['ls', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: carbon ls [project] [options]');
    for (const text of [
      '--json',
      '--root DIR',
      'npm run carbon -- ls taxaroo --json',
      'Exit codes: 0',
    ])
      expect(help.stdout).toContain(text);
    expect((await carbon(['--help'])).stdout).toMatch(
      /\n {2}ls {2,}list what the settings produce/,
    );
  });
});
