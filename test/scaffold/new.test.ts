// `carbon new` as users run it: a module with every settings field documented, repositories from
// git URLs, the carbon repository found or named, origins paired; builds and syncs live only when
// the workspace can run them; and every result compiled by a real `carbon generate`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ProjectListing } from '../../src/inspect/listing.ts';
import { carbon } from '../helpers/cli.ts';
import { makeWorkspace } from '../helpers/workspace.ts';
import { commentText, configWith, expectEveryFieldDocumented } from './helpers.ts';

/** A workspace of Carbon's defaults (no AWS account, no SSH key). */
const DEFAULTS = 'export default {};\n';
const ORG = 'github.com/BlackstoneStudio';
const API = `${ORG}/Acme-API.git`;
const WEB = `${ORG}/Acme-Web.git`;
const CARBON = `${ORG}/Acme-Carbon.git`;
const CLIENT_API = 'github.com/acme-corp/api.git';

/** Runs `carbon new` in `root`, then `carbon generate` and `carbon ls --json` on the result. */
async function newProject(root: string, args: string[]) {
  const created = await carbon(['new', ...args], { cwd: root });
  const generated = await carbon(['generate'], { cwd: root });
  const listed = await carbon(['ls', '--json'], { cwd: root });
  const projects = listed.code === 0 ? (JSON.parse(listed.stdout) as ProjectListing[]) : [];
  return { created, generated, projects };
}

function moduleOf(root: string, id: string): string {
  return readFileSync(join(root, 'projects', `${id}.ts`), 'utf8');
}

describe('carbon new', () => {
  it('writes every field of a project, documented where it first appears, and it generates', async () => {
    const root = makeWorkspace({ 'carbon.config.ts': configWith([ORG]) });
    const { created, generated, projects } = await newProject(root, [
      'acme',
      API,
      WEB,
      CARBON,
      '--origin',
      `Acme-API=${CLIENT_API}`,
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(
      'wrote projects/acme.ts: project "acme" (export acme), Acme-API, Acme-Web, built with the carbon repository Acme-Carbon\n',
    );
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stdout).toContain('wrote generated/acme/Acme-API/.circleci/config.yml\n');
    expect(generated.stdout).toContain('wrote generated/acme/Acme-Web/.circleci/config.yml\n');

    const text = moduleOf(root, 'acme');
    const comments = commentText(text);
    expect(
      expectEveryFieldDocumented(text, [
        'ProjectSettings',
        'RepositorySettings',
        'BuildSettings',
        'EcsSettings',
        'SyncRule',
        'LocalRemote',
        'OriginRemote',
        'AwsSettings',
      ]),
    ).toBeGreaterThan(40);
    // Each description once: later repositories are not documented again.
    expect(comments.split('Unique id of the repository in its project').length - 1).toBe(1);
    expect(text).toMatch(/^export const acme = defineProject\(\{$/m);
    expect(text).toContain("import { defineProject } from 'carbon';\n");

    const [project] = projects;
    expect(project!.repositories.map((repository) => repository.id)).toEqual([
      'Acme-API',
      'Acme-Web',
      'Acme-Carbon',
    ]);
    const [api, web, carbon] = project!.repositories;
    expect(api!.build).toMatchObject({
      enabled: true,
      branch: 'main',
      carbon: { repository: 'Acme-Carbon', branch: 'main' },
      linked: [],
      ecrRepository: 'acme/acme-api',
      deploy: { mode: 'ecs_service', cluster: 'acme-main', service: 'acme-api' },
    });
    expect(web!.build).toMatchObject({ enabled: true, carbon: { repository: 'Acme-Carbon' } });
    expect(carbon!.build).toBeUndefined();
    expect(api!.syncs).toMatchObject([
      {
        direction: 'local',
        cron: '0 * * * *',
        from: { branch: 'main' },
        to: { branch: 'sync/main' },
      },
    ]);
    // The client's repository is cloned without a key: what is left to do, said at once.
    expect(created.stderr).toContain('warning clone-without-key');
    expect(created.stderr).toContain('"github.com/acme-corp": "SHA256:…"');
  });

  it('writes builds disabled without an AWS account, and the sync commented out without a key', async () => {
    const root = makeWorkspace({ 'carbon.config.ts': DEFAULTS });
    const { created, generated, projects } = await newProject(root, [
      'acme',
      API,
      CARBON,
      '--origin',
      `Acme-API=${CLIENT_API}`,
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stderr).toBe('');
    expect(created.stdout).toContain(
      'the builds are written disabled because no AWS account is set',
    );
    expect(created.stdout).toContain('the hourly sync of Acme-API is commented out');
    expect(generated.code, generated.stderr).toBe(0);
    expect(generated.stderr).toBe('');
    expect(projects[0]!.repositories[0]).toMatchObject({ build: { enabled: false }, syncs: [] });
    expect(moduleOf(root, 'acme')).toContain('        // {\n        //   // Which side is written');
  });

  it.for([
    [
      'URLs that need no key (file://)',
      '',
      'file:///srv/git/shop.git',
      'file:///srv/client/shop.git',
    ],
    ['the https transport', "export default { git: { transport: 'https' } };\n", API, CLIENT_API],
  ] as const)('writes the sync live for %s', async ([, config, local, origin]) => {
    const root = makeWorkspace({ 'carbon.config.ts': config || DEFAULTS });
    const { created, generated, projects } = await newProject(root, [
      'shop',
      local,
      '--origin',
      `${local}=${origin}`,
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(generated.code, generated.stderr).toBe(0);
    expect(projects[0]!.repositories[0]!.syncs).toHaveLength(1);
    expect(created.stdout).not.toContain('sync of shop is commented out');
  });

  it('adds the --carbon repository, and takes --branch and --name', async () => {
    const root = makeWorkspace({ 'carbon.config.ts': configWith([ORG]) });
    const { created, generated, projects } = await newProject(root, [
      'big-client',
      `git@github.com:BlackstoneStudio/Shop.git`,
      '--carbon',
      `https://github.com/BlackstoneStudio/Infra.git`,
      '--branch',
      'develop',
      '--name',
      "Big Client's Shop",
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(generated.code, generated.stderr).toBe(0);
    const [project] = projects;
    expect(project!.name).toBe("Big Client's Shop");
    expect(project!.repositories.map((repository) => repository.id)).toEqual(['Shop', 'Infra']);
    expect(project!.repositories[0]!.build).toMatchObject({
      branch: 'develop',
      carbon: { repository: 'Infra', branch: 'develop' },
      deploy: { cluster: 'big-client-develop' },
    });
    expect(moduleOf(root, 'big-client')).toMatch(/^export const bigClient = defineProject/m);
    // --carbon names one of the URLs, in another form: it is not added twice.
    const again = await newProject(makeWorkspace({ 'carbon.config.ts': configWith() }), [
      'acme',
      API,
      `git@github.com:BlackstoneStudio/Acme-Carbon`,
      '--carbon',
      CARBON,
    ]);
    expect(again.created.code, again.created.stderr).toBe(0);
    expect(again.projects[0]!.repositories.map((repository) => repository.id)).toEqual([
      'Acme-API',
      'Acme-Carbon',
    ]);
  });

  it('writes the builds commented out when no repository is the carbon repository, and says so', async () => {
    const root = makeWorkspace({ 'carbon.config.ts': configWith() });
    const { created, generated, projects } = await newProject(root, ['acme', API, WEB]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('no repository is the carbon repository');
    expect(created.stdout).toContain('--carbon URL');
    expect(generated.code, generated.stderr).toBe(0);
    expect(projects[0]!.repositories.every((repository) => !repository.build)).toBe(true);
    expect(moduleOf(root, 'acme')).toContain('      // build: {\n');
  });

  it('writes the carbon repository alone when it is all that is given, and says to add the others', async () => {
    const root = makeWorkspace({ 'carbon.config.ts': configWith() });
    const { created, generated, projects } = await newProject(root, ['acme', '--carbon', CARBON]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('the carbon repository Acme-Carbon\n');
    expect(created.stdout).toContain('only the carbon repository was given');
    expect(generated.code, generated.stderr).toBe(0);
    expect(projects[0]!.repositories).toEqual([
      { id: 'Acme-Carbon', name: 'Acme Carbon', syncs: [] },
    ]);
  });

  it('writes example repositories when given no URL, and says to replace them', async () => {
    const root = makeWorkspace({ 'carbon.config.ts': DEFAULTS });
    const { created, generated, projects } = await newProject(root, ['acme']);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain('the repositories are examples (github.com/your-org/…)');
    expect(generated.code, generated.stderr).toBe(0);
    expect(projects[0]!.repositories.map((repository) => repository.id)).toEqual([
      'acme-app',
      'acme-carbon',
    ]);
  });

  it('makes ids from repository names: any URL form, clashing names, odd characters, odd project ids', async () => {
    const root = makeWorkspace({ 'carbon.config.ts': configWith() });
    const first = await newProject(root, [
      '3d',
      'ssh://git@github.com:2222/agency/api.git',
      'https://gitlab.com/partner/api.git',
      'file:///srv/git/_odd+name.git',
      'git@bitbucket.org:agency/web-carbon.git',
    ]);
    expect(first.created.code, first.created.stderr).toBe(0);
    expect(first.generated.code, first.generated.stderr).toBe(0);
    expect(first.projects[0]!.repositories.map((repository) => repository.id)).toEqual([
      'agency-api',
      'partner-api',
      'odd-name',
      'web-carbon',
    ]);
    expect(moduleOf(root, '3d')).toMatch(/^export const project3d = defineProject/m);
    const second = await carbon(['new', 'class', API, CARBON], { cwd: root });
    expect(second.code, second.stderr).toBe(0);
    expect(moduleOf(root, 'class')).toMatch(/^export const classProject = defineProject/m);
    expect((await carbon(['generate'], { cwd: root })).code).toBe(0);
  });

  it('writes no build for a repository that only syncs (--no-build)', async () => {
    const root = makeWorkspace({ 'carbon.config.ts': configWith([ORG]) });
    const { created, generated, projects } = await newProject(root, [
      'acme',
      API,
      WEB,
      CARBON,
      '--origin',
      `Acme-API=${CLIENT_API}`,
      '--no-build',
      'Acme-API',
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(
      'wrote projects/acme.ts: project "acme" (export acme), Acme-Web, built with the carbon repository Acme-Carbon; Acme-API without a build\n',
    );
    expect(generated.code, generated.stderr).toBe(0);
    const text = moduleOf(root, 'acme');
    const api = text.slice(text.indexOf("id: 'Acme-API'"), text.indexOf("id: 'Acme-Web'"));
    expect(api).not.toMatch(/build:/);
    expect(api).toContain('sync: [');
    const listed = projects[0]!.repositories.map((r) => [r.id, r.build?.branch ?? '-']);
    expect(listed).toEqual([
      ['Acme-API', '-'],
      ['Acme-Web', 'main'],
      ['Acme-Carbon', '-'],
    ]);
    const refused = await carbon(['new', 'other', API, CARBON, '--no-build', 'Acme-Carbon'], {
      cwd: root,
    });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      '--no-build Acme-Carbon: Acme-Carbon is the carbon repository, which is never built',
    );
  });

  it('pairs an origin by the repository URL as well as by its id', async () => {
    const root = makeWorkspace({ 'carbon.config.ts': configWith([ORG]) });
    const { created, projects } = await newProject(root, [
      'acme',
      API,
      CARBON,
      '--origin',
      `${API}=${CLIENT_API}`,
    ]);
    expect(created.code, created.stderr).toBe(0);
    expect(moduleOf(root, 'acme')).toContain(`git: '${CLIENT_API}'`);
    expect(projects[0]!.repositories[0]!.syncs).toHaveLength(1);
  });

  it("is not stopped by another project's errors, nor by a key waiting for this project", async () => {
    const root = makeWorkspace({
      'carbon.config.ts': configWith([ORG]),
      'projects/broken.ts': "export default { id: 'broken', name: 'Broken', repositories: [] };\n",
    });
    const created = await carbon(['new', 'acme', API, CARBON], { cwd: root });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(
      'the workspace has 1 error in other settings: `npm run generate` shows it',
    );
    const alone = makeWorkspace({
      'carbon.config.ts': configWith([ORG]),
      'projects/other.ts':
        "export default { id: 'other', name: 'Other', repositories: [{ id: 'site', name: 'Site', local: { git: 'github.com/Other/site.git' } }] };\n",
    });
    expect((await carbon(['generate'], { cwd: alone })).stderr).toContain('error unused-ssh-key');
    const { created: added, generated } = await newProject(alone, ['acme', API, CARBON]);
    expect(added.code, added.stderr).toBe(0);
    expect(generated.code, generated.stderr).toBe(0);
  });

  it('has help with its options, examples and exit codes', async () => {
    const help = await carbon(['new', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: carbon new <project> [git URLs...] [options]');
    for (const text of [
      '--carbon URL',
      '--origin REPO=URL',
      '--branch NAME',
      '--force',
      'Exit codes: 0',
    ])
      expect(help.stdout).toContain(text);
  });
});
