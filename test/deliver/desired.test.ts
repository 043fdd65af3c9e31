// The desired CircleCI state comes from the resolved settings through the functions generate
// uses: what apply would create is what schedules.yml lists. And what cannot be derived is asked
// for, all of it at once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileSettings } from '../../src/compile/resolved-settings.ts';
import { desiredState, type DesiredState } from '../../src/deliver/desired.ts';
import { emitWorkspace } from '../../src/emit/emit.ts';
import { packOrb } from '../../src/emit/orb.ts';
import { ORB_TEMPLATES } from '../../src/paths.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import {
  CONFIG_REPOSITORY_ID,
  GITHUB_IDS,
  configModule,
  projectModule,
} from '../helpers/circleci-workspace.ts';
import { makeWorkspace, TEST_KEY } from '../helpers/workspace.ts';

async function desired(root: string, filter?: string, pathPrefix = ''): Promise<DesiredState> {
  const { workspace, diagnostics } = await compileSettings(root);
  expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return desiredState(workspace!, { pathPrefix, ...(filter ? { filter } : {}) });
}

async function problems(root: string, filter?: string): Promise<string> {
  return desired(root, filter).then(
    () => 'no problem',
    (error: Error) => error.message,
  );
}

describe('OAuth', () => {
  it('wants, for every repository of the sample, exactly the schedules its committed schedules.yml lists', async () => {
    const state = await desired(REPO_ROOT);
    expect(state.integration).toBe('oauth');
    expect(state.scopes.map((scope) => scope.slug)).toEqual([
      'gh/BlackstoneStudio/Taxaroo-API-V2',
      'gh/BlackstoneStudio/Taxaroo-App',
      'gh/BlackstoneStudio/Taxaroo-Admin',
      'gh/BlackstoneStudio/Taxaroo-Clients',
      'gh/BlackstoneStudio/Taxaroo-Carbon',
    ]);
    for (const scope of state.scopes) {
      const [repository] = scope.repositories;
      const file = join(
        REPO_ROOT,
        'generated',
        ...repository!.key.split('/'),
        '.circleci',
        'schedules.yml',
      );
      const listed =
        repository!.schedules.length > 0 ? parse(readFileSync(file, 'utf8')).schedules : [];
      expect(repository!.schedules, repository!.key).toEqual(listed);
      expect(listed.length > 0 || repository!.key !== 'taxaroo/Taxaroo-App').toBe(true);
    }
  });

  it('derives Bitbucket slugs, and asks for the project of a repository elsewhere only when it has a config', async () => {
    const module = projectModule()
      .replace('github.com/acme/api.git', 'bitbucket.org/acme/api.git')
      .replace('github.com/acme/web.git', 'gitlab.com/acme/web.git')
      .replace('github.com/acme/carbon.git', 'file:///srv/git/carbon.git');
    const config = (projects: string) =>
      `export default { aws: { accountId: '123456789012' }, git: { sshKeys: { 'bitbucket.org/acme': '${TEST_KEY}', 'github.com/client': '${TEST_KEY}' } }, circleci: { projects: { ${projects} } } };\n`;
    const root = makeWorkspace({ 'carbon.config.ts': config(''), 'projects/acme.ts': module });
    expect(await problems(root)).toBe(
      'the settings do not say enough to reach CircleCI:\n' +
        '  acme/Web: git@gitlab.com:acme/web.git is on neither GitHub nor Bitbucket, so its CircleCI project cannot be derived: add "acme/Web": "<vcs>/<org>/<repo>" to circleci.projects',
    );
    const fixed = makeWorkspace({
      'carbon.config.ts': config("'acme/Web': 'gh/acme/web-mirror'"),
      'projects/acme.ts': module,
    });
    expect((await desired(fixed)).scopes.map((scope) => scope.slug)).toEqual([
      'bb/acme/api',
      'gh/acme/web-mirror',
    ]);
  });

  it('works on one project or repository, and names the closest when the filter names nothing', async () => {
    expect((await desired(REPO_ROOT, 'taxaroo/Taxaroo-App')).scopes.map((s) => s.slug)).toEqual([
      'gh/BlackstoneStudio/Taxaroo-App',
    ]);
    expect(await problems(REPO_ROOT, 'taxaro')).toContain(
      '"taxaro" names no project (did you mean "taxaroo"?)',
    );
    expect(await problems(REPO_ROOT, 'taxaroo/Taxaroo-Ap')).toContain(
      'project taxaroo has no repository "Taxaroo-Ap" (did you mean "Taxaroo-App"?)',
    );
  });
});

describe('GitHub App', () => {
  it('wants the schedule triggers schedules.yml lists, on a pipeline reading the config from the workspace repository', async () => {
    const root = makeWorkspace({
      'carbon.config.ts': configModule('github-app'),
      'projects/acme.ts': projectModule(),
    });
    const state = await desired(root, undefined, 'ci/carbon/');
    const { workspace } = await compileSettings(root);
    const listed = emitWorkspace(workspace!, packOrb(ORB_TEMPLATES), root).find(
      (a) => a.path === 'generated/acme/Api/.circleci/schedules.yml',
    )!;
    const api = state.scopes[0]!.repositories.find((r) => r.key === 'acme/Api')!;
    expect(api.pipeline!.triggers.filter((t) => t.event_source.provider === 'schedule')).toEqual(
      (listed.document as { triggers: unknown[] }).triggers,
    );
    expect(api.pipeline!.body.config_source).toEqual({
      provider: 'github_app',
      repo: { external_id: '952030001' },
      file_path: 'ci/carbon/generated/acme/Api/.circleci/config.yml',
    });
    expect(api.pipeline!.triggers[0]).toEqual({
      event_source: { provider: 'github_app', repo: { external_id: '952038793' } },
      event_preset: 'all-pushes',
      config_ref: 'main',
      disabled: false,
    });
    // The carbon repository has no config: it is there to have a stale pipeline deleted.
    expect(state.scopes[0]!.repositories.find((r) => r.key === 'acme/Carbon')).toMatchObject({
      needed: false,
      pipelineName: 'carbon-Carbon',
    });
    expect(
      state.scopes[0]!.repositories.find((r) => r.key === 'acme/Carbon')!.pipeline,
    ).toBeUndefined();
  });

  it('wants a cross-repo trigger from each repository whose pushes rebuild a build, without a config ref from the workspace repository itself', async () => {
    // The carbon repository is the workspace's own here: CircleCI wants no config ref from it.
    const root = makeWorkspace({
      'carbon.config.ts': configModule('github-app').replace(
        `githubId: '${CONFIG_REPOSITORY_ID}'`,
        `githubId: '${GITHUB_IDS.carbon}'`,
      ),
      'projects/acme.ts': projectModule(),
    });
    const state = await desired(root);
    const triggers = (key: string) =>
      state.scopes[0]!.repositories.find((r) => r.key === key)!.pipeline!.triggers;
    expect(triggers('acme/Api')[1]).toEqual({
      event_source: { provider: 'github_app', repo: { external_id: GITHUB_IDS.carbon } },
      // Api checks the carbon repository out at develop, not its default branch (main).
      event_preset: 'all-pushes',
      checkout_ref: 'develop',
      disabled: false,
    });
    expect(triggers('acme/Web')[1]).toMatchObject({
      event_preset: 'default-branch-pushes',
      checkout_ref: 'main',
    });
    expect(
      state.scopes[0]!.repositories.find((r) => r.key === 'acme/Api')!.pipeline!.crossRepo,
    ).toEqual({
      [`cascade-${GITHUB_IDS.carbon}`]: 'pushes to Carbon develop',
    });
  });

  it('asks, all at once, for what cannot be derived, and names entries that match nothing', async () => {
    const config =
      "export default { aws: { accountId: '123456789012' }, git: { sshKeys: { 'github.com/acme': 'SHA256:4nx0bS1kqlHgWnNh5Y2m1Ue6x0dgVlkbVTfZqf6c1Yk', 'github.com/client': 'SHA256:4nx0bS1kqlHgWnNh5Y2m1Ue6x0dgVlkbVTfZqf6c1Yk' } }, circleci: { integration: 'github-app', configRepository: { githubId: 1 }, projects: { acmee: 'circleci/a/b' }, githubIds: { 'github.com/acme/api': 2, 'github.com/acme/wbe': 3 } } };\n";
    const root = makeWorkspace({ 'carbon.config.ts': config, 'projects/acme.ts': projectModule() });
    expect((await problems(root)).split('\n')).toEqual([
      'the settings do not say enough to reach CircleCI:',
      '  circleci.projects["acmee"] names no project or project/repository (did you mean "acme"?)',
      '  circleci.githubIds["github.com/acme/wbe"] is the URL of no repository\'s local.git (did you mean "github.com/acme/web"?)',
      '  acme/Api: no CircleCI project: add "acme": "circleci/<org id>/<project id>" (from Project Settings) to circleci.projects',
      '  acme/Web: no CircleCI project: add "acme": "circleci/<org id>/<project id>" (from Project Settings) to circleci.projects',
    ]);
    const mapped = makeWorkspace({
      'carbon.config.ts': config
        .replace("acmee: 'circleci/a/b'", "acme: 'circleci/a/b'")
        .replace("'github.com/acme/wbe': 3", "'github.com/acme/carbon': 3"),
      'projects/acme.ts': projectModule(),
    });
    expect(await problems(mapped)).toContain(
      'acme/Web: no GitHub id for git@github.com:acme/web.git: add it to circleci.githubIds',
    );
  });
});
