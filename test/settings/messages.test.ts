// What a newcomer's typical mistakes read like: in the settings' words, located, one error per
// cause. Each case was met in a first hour with Carbon.
import { describe, expect, it } from 'vitest';
import { compileSettings } from '../../src/compile/resolved-settings.ts';
import { formatDiagnostic } from '../../src/diagnostics.ts';
import { SAMPLE_CONFIG, makeWorkspace } from '../helpers/workspace.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/cli.ts';

const SAMPLE = readFileSync(join(REPO_ROOT, 'projects/taxaroo.ts'), 'utf8');

async function lines(files: Record<string, string>): Promise<string[]> {
  const root = makeWorkspace(files);
  const { diagnostics } = await compileSettings(root, {});
  return diagnostics.map((d) => formatDiagnostic(d, (file) => file.slice(root.length + 1)));
}

const REPOSITORY = "{ id: 'Api', name: 'Api', local: { git: 'file:///srv/api.git' } }";

describe('messages a newcomer meets', () => {
  it('names an import Carbon does not export, with the closest one', async () => {
    expect(
      await lines({
        'projects/a.ts': `import { defineProjects } from 'carbon';\nexport const a = defineProjects({ id: 'a', name: 'A', repositories: [${REPOSITORY}] });\n`,
      }),
    ).toEqual([
      `projects/a.ts:2:1 - error module-threw: the module threw while loading: 'carbon' has no export "defineProjects" (did you mean "defineProject"?): it exports defineProject, defineConfig and env`,
    ]);
  });

  it('says what type is expected in the words of the settings', async () => {
    const found = await lines({
      'projects/a.ts': `export const a = { id: 'a', name: 'A', repositories: [{ id: 'Api', name: 'Api', build: { carbonRepo: 'C', branches: ['develop'] }, local: { git: 'file:///srv/api.git' } }, { id: 'C', name: 'C', local: { git: 'file:///srv/c.git' } }] };\n`,
    });
    expect(found).toEqual([
      "projects/a.ts:1:107 - error invalid-type: repositories[0].build.branches: expected an object of names to values (as { 'Taxaroo-App': 'develop' }), got a list",
    ]);
  });

  it('gives a number where a string belongs one error, and blames no project for it', async () => {
    const found = await lines({
      'carbon.config.ts': 'export default { aws: { accountId: 123456789012 } };\n',
      'projects/taxaroo.ts': SAMPLE,
    });
    expect(found).toEqual([
      "carbon.config.ts:1:25 - error invalid-type: aws.accountId: expected a string, got number 123456789012: write it in quotes, '123456789012'",
    ]);
  });

  it('reports a config without a default export alone', async () => {
    const found = await lines({
      'carbon.config.ts': 'export const config = {};\n',
      'projects/taxaroo.ts': SAMPLE,
    });
    expect(found).toEqual([
      'carbon.config.ts:1:1 - error config-without-default: carbon.config.ts has no default export: write `export default defineConfig({ ... })` or `export default { ... }`',
    ]);
  });

  it("locates a helper's throw at the project line that called it, naming the helper's line", async () => {
    const found = await lines({
      'projects/_make.ts':
        'export const make = (id: string) => {\n  if (id.length > 3) throw new Error(`the id ${id} is too long`);\n  return { id, name: id, repositories: [] };\n};\n',
      'projects/acme.ts':
        "import { make } from './_make';\n\nexport const acme = make('acme-corp');\n",
    });
    expect(found).toEqual([
      'projects/acme.ts:3:1 - error module-threw: the module threw while loading: the id acme-corp is too long (thrown at projects/_make.ts:2:28)',
    ]);
  });

  it('says one missing key once per project, whatever it breaks', async () => {
    const found = await lines({
      'carbon.config.ts':
        "export default { aws: { accountId: '123456789012' }, git: { sshKeys: { 'github.com/Software-as-a-Service-LLC': 'SHA256:4nx0bS1kqlHgWnNh5Y2m1Ue6x0dgVlkbVTfZqf6c1Yk' } } };\n",
      'projects/taxaroo.ts': SAMPLE,
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(
      'error sync-target-without-key: repositories[0].sync[0]: this rule pushes to git@github.com:BlackstoneStudio/Taxaroo-API-V2.git (local) (and 2 more uses in this project)',
    );
    expect(
      await lines({ 'carbon.config.ts': SAMPLE_CONFIG, 'projects/taxaroo.ts': SAMPLE }),
    ).toEqual([]);
  });
});

describe('the order of the report', () => {
  it('goes by file in the order of the names’ characters (not the locale’s), then by line', async () => {
    const broken = (id: string) =>
      `import { defineProject } from 'carbon';\nexport default defineProject({\n  id: '${id}',\n  name: 1,\n  repositories: 2,\n});\n`;
    const reported = await lines({
      'carbon.config.ts': SAMPLE_CONFIG,
      'projects/b.ts': broken('b'),
      'projects/B2.ts': broken('B2'),
      'projects/a.ts': broken('a'),
    });
    const order = reported.map((line) => line.split(' - ')[0]);
    // Upper case before lower, as `ls` in the C locale and git list them; an English collation
    // would put B2.ts between a.ts and b.ts.
    expect(order).toEqual([
      'projects/B2.ts:4:3',
      'projects/B2.ts:5:3',
      'projects/a.ts:4:3',
      'projects/a.ts:5:3',
      'projects/b.ts:4:3',
      'projects/b.ts:5:3',
    ]);
  });
});
