// Cascades resolved: what rebuilds each build, and (OAuth) which builds each repository's pushes
// trigger, for the sample and for settings that narrow, pause or switch them off.
import { describe, expect, it } from 'vitest';
import { compileSettings } from '../../src/compile/resolved-settings.ts';
import type { ResolvedProject } from '../../src/resolve/model.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { TEST_KEY, makeWorkspace } from '../helpers/workspace.ts';

const KEYS = `git: { sshKeys: { 'github.com/acme': '${TEST_KEY}' } }`;
const OAUTH = `export default { aws: { accountId: '123456789012' }, ${KEYS}, circleci: { cascadeContext: 'carbon-circleci' } };\n`;
const GITHUB_APP = `export default { aws: { accountId: '123456789012' }, ${KEYS}, circleci: { integration: 'github-app', configRepository: { githubId: 1 } } };\n`;

/** Api checks out Web and the carbon repository; Web checks out Api (a cycle). */
function project(apiBuild = '', webBuild = '', carbon = "'Carbon'"): string {
  return `export const acme = { id: 'acme', name: 'Acme', repositories: [
    { id: 'Api', name: 'Api', build: { branch: 'develop', carbonRepo: ${carbon}, branches: { Web: 'main' }${apiBuild} }, local: { git: 'github.com/acme/api.git' } },
    { id: 'Web', name: 'Web', build: { carbonRepo: ${carbon}, branches: { Api: 'develop' }${webBuild} }, local: { git: 'github.com/acme/web.git' } },
    { id: 'Carbon', name: 'Carbon', local: { git: 'github.com/acme/carbon.git', defaultBranch: 'develop' } },
  ] };\n`;
}

async function resolved(config: string, module: string) {
  const root = makeWorkspace({ 'carbon.config.ts': config, 'projects/acme.ts': module });
  const { workspace, diagnostics } = await compileSettings(root);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return { project: workspace!.projects[0]!, diagnostics };
}

/** What rebuilds each build, and what each repository's pushes trigger, in short. */
function summary(project: ResolvedProject) {
  return Object.fromEntries(
    project.repositories.map((repository) => [
      repository.id,
      {
        rebuiltBy: (repository.build?.rebuiltBy ?? []).map((s) => `${s.repository}@${s.branch}`),
        triggers: repository.cascades.flatMap((cascade) =>
          cascade.dependents.map((d) => `${cascade.branch}: ${d.slug} ${d.branch}`),
        ),
      },
    ]),
  );
}

describe('cascades of the sample', () => {
  it('rebuild every enabled build when anything it checks out changes at its branch; a paused build is rebuilt by nothing', async () => {
    const { workspace, diagnostics } = await compileSettings(REPO_ROOT);
    expect(diagnostics).toEqual([]);
    const gh = (id: string) => `gh/BlackstoneStudio/${id} develop`;
    expect(summary(workspace!.projects[0]!)).toEqual({
      'Taxaroo-API-V2': {
        rebuiltBy: [
          'Taxaroo-Carbon@develop',
          'Taxaroo-App@develop',
          'Taxaroo-Admin@develop',
          'Taxaroo-Clients@develop',
        ],
        triggers: [`develop: ${gh('Taxaroo-App')}`, `develop: ${gh('Taxaroo-Admin')}`],
      },
      'Taxaroo-App': {
        rebuiltBy: ['Taxaroo-Carbon@develop', 'Taxaroo-API-V2@develop'],
        triggers: [`develop: ${gh('Taxaroo-API-V2')}`],
      },
      'Taxaroo-Admin': {
        rebuiltBy: ['Taxaroo-Carbon@develop', 'Taxaroo-API-V2@develop'],
        triggers: [`develop: ${gh('Taxaroo-API-V2')}`],
      },
      // Paused: nothing rebuilds it, but its pushes to develop still rebuild the API.
      'Taxaroo-Clients': { rebuiltBy: [], triggers: [`develop: ${gh('Taxaroo-API-V2')}`] },
      'Taxaroo-Carbon': {
        rebuiltBy: [],
        triggers: [
          `develop: ${gh('Taxaroo-API-V2')}`,
          `develop: ${gh('Taxaroo-App')}`,
          `develop: ${gh('Taxaroo-Admin')}`,
        ],
      },
    });
  });
});

describe('cascades in other settings', () => {
  it('OAuth: a push triggers the builds that check out its branch, each on its build branch', async () => {
    const { project: acme } = await resolved(OAUTH, project());
    expect(summary(acme)).toEqual({
      Api: { rebuiltBy: ['Carbon@develop', 'Web@main'], triggers: ['develop: gh/acme/web main'] },
      Web: { rebuiltBy: ['Carbon@main', 'Api@develop'], triggers: ['main: gh/acme/api develop'] },
      // Two branches of it are checked out: each triggers its own builds.
      Carbon: {
        rebuiltBy: [],
        triggers: ['develop: gh/acme/api develop', 'main: gh/acme/web main'],
      },
    });
    const carbon = acme.repositories[0]!.build!.rebuiltBy[0];
    expect(carbon).toEqual({
      repository: 'Carbon',
      branch: 'develop',
      url: 'git@github.com:acme/carbon.git',
      carbon: true,
      defaultBranch: 'develop',
    });
  });

  it('narrows to what rebuildOn names, and [] switches them off for a build', async () => {
    const { project: acme } = await resolved(
      OAUTH,
      project(", rebuildOn: ['Web']", ', rebuildOn: []'),
    );
    expect(summary(acme)).toEqual({
      Api: { rebuiltBy: ['Web@main'], triggers: [] },
      Web: { rebuiltBy: [], triggers: ['main: gh/acme/api develop'] },
      Carbon: { rebuiltBy: [], triggers: [] },
    });
  });

  it('OAuth without a cascade context: none, said once for the workspace, where it is switched on', async () => {
    const { project: acme, diagnostics } = await resolved(
      OAUTH.replace(", circleci: { cascadeContext: 'carbon-circleci' }", ''),
      project(),
    );
    expect(summary(acme)).toEqual({
      Api: { rebuiltBy: [], triggers: [] },
      Web: { rebuiltBy: [], triggers: [] },
      Carbon: { rebuiltBy: [], triggers: [] },
    });
    expect(diagnostics.map((d) => [d.code, d.severity, d.origin.path])).toEqual([
      ['cascades-off', 'warning', ['circleci']],
    ]);
    expect(diagnostics[0]!.message).toContain('(acme/Api on Carbon develop, and 3 more)');
    expect(diagnostics[0]!.message).toContain('set circleci.cascadeContext in carbon.config.ts');
  });

  it('GitHub App: what rebuilds each build, a carbon repository beside the project too; no trigger job', async () => {
    const { project: acme } = await resolved(GITHUB_APP, project('', '', "'Infra'"));
    expect(summary(acme)).toEqual({
      Api: { rebuiltBy: ['Infra@develop', 'Web@main'], triggers: [] },
      Web: { rebuiltBy: ['Infra@main', 'Api@develop'], triggers: [] },
      Carbon: { rebuiltBy: [], triggers: [] },
    });
    // Beside the project: its URL, but no default branch Carbon could know.
    expect(acme.repositories[0]!.build!.rebuiltBy[0]).toEqual({
      repository: 'Infra',
      branch: 'develop',
      url: 'git@github.com:acme/Infra.git',
      carbon: true,
    });
  });

  it('OAuth: a carbon repository beside the project runs no config of Carbon, so it rebuilds nothing', async () => {
    const { project: acme } = await resolved(OAUTH, project('', '', "'Infra'"));
    expect(summary(acme)).toMatchObject({
      Api: { rebuiltBy: ['Web@main'] },
      Web: { rebuiltBy: ['Api@develop'] },
    });
  });
});
