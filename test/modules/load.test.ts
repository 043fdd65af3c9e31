// The loader on real files in temporary workspaces.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSettings } from '../../src/compile/resolved-settings.ts';
import { formatDiagnostic, formatPath, type Diagnostic } from '../../src/diagnostics.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { MINIMAL_CONFIG, makeWorkspace, sampleConfig } from '../helpers/workspace.ts';

const project = (id: string, extra = '') =>
  `{ id: '${id}', name: '${id}', repositories: [{ id: 'Web', name: 'Web', local: { git: 'github.com/acme/${id}.git' } }]${extra} }`;

const summary = (diagnostics: Diagnostic[]) =>
  diagnostics.map(
    (d) =>
      `${d.origin.file.replace(/.*\/(projects\/|carbon\.config)/, '$1')}:${d.position?.line}:${d.position?.column} ${d.severity} ${d.code} ${formatPath(d.origin.path)}`,
  );

describe('loading settings modules', () => {
  it('reads a plain exported object with no import at all, as the seed writes it', async () => {
    const root = makeWorkspace({ 'projects/acme.ts': `export const acme = ${project('acme')};\n` });
    const { diagnostics, workspace } = await compileSettings(root);
    expect(diagnostics).toEqual([]);
    expect(workspace?.projects.map((p) => p.id)).toEqual(['acme']);
  });

  it('reads default exports, defineProject from "carbon", and every export of a module', async () => {
    const root = makeWorkspace({
      'projects/one.ts': `import { defineProject } from 'carbon';\nexport default defineProject(${project('one')});\nexport const two = ${project('two')} satisfies object;\n`,
    });
    const { diagnostics, workspace } = await compileSettings(root);
    expect(diagnostics).toEqual([]);
    expect(workspace?.projects.map((p) => [p.id, p.source.exportName])).toEqual([
      ['one', 'default'],
      ['two', 'two'],
    ]);
  });

  it('skips _*.ts helpers but lets projects import them, with or without an extension', async () => {
    const root = makeWorkspace({
      'projects/_shared.ts': `import { defineProject } from 'carbon';\nexport const owner: string = 'acme';\nexport const make = (id: string) => defineProject({ id, name: id, repositories: [{ id: 'Web', name: 'Web', local: { git: \`github.com/\${owner}/\${id}.git\` } }] });\n`,
      'projects/a.ts': `import { make } from './_shared';\nexport const a = make('a');\n`,
      'projects/b.ts': `import { make } from './_shared.js';\nexport const b = make('b');\n`,
    });
    const { diagnostics, workspace } = await compileSettings(root);
    expect(diagnostics).toEqual([]);
    expect(workspace?.projects.map((p) => p.repositories[0]?.local.url)).toEqual([
      'git@github.com:acme/a.git',
      'git@github.com:acme/b.git',
    ]);
  });

  it('reports a syntax error at its line and column', async () => {
    const root = makeWorkspace({
      'projects/bad.ts': "export const bad = {\n  id: 'bad',\n  name 'Bad',\n};\n",
    });
    const { diagnostics, workspace } = await compileSettings(root);
    expect(summary(diagnostics)).toEqual(['projects/bad.ts:3:8 error syntax-error ']);
    expect(diagnostics[0]?.message).toBe("syntax error: ',' expected.");
    expect(workspace).toBeUndefined();
  });

  it('reports a syntax error that only the engine sees, at its line', async () => {
    const root = makeWorkspace({ 'projects/bad.ts': "export const bad = {\n  id: 'bad',,\n};\n" });
    const { diagnostics } = await compileSettings(root);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'syntax-error', position: { line: 2 } });
  });

  it("names the seed's `exports const` and still reports the module's other problems", async () => {
    const root = makeWorkspace({
      'carbon.config.ts': MINIMAL_CONFIG,
      'projects/taxaroo.ts': `// the seed, verbatim\nexports const taxaroo = {\n  id: 'taxaroo',\n  name: 'Taxaroo',\n  projectKey: 'taxr',\n  repositories: [{ id: 'Web', name: 'Web', local: { git: 'github.com/acme/web.git' } }],\n};\n`,
    });
    const { diagnostics } = await compileSettings(root);
    expect(summary(diagnostics)).toEqual([
      'projects/taxaroo.ts:2:1 error exports-const ',
      'projects/taxaroo.ts:5:3 error invalid-project-key projectKey',
    ]);
    expect(diagnostics[0]?.message).toContain('write `export const`');
  });

  it('reports a module that throws, at the throwing line', async () => {
    const root = makeWorkspace({
      'projects/throws.ts':
        'const settings: any = undefined;\n\nexport const p = { id: settings.id };\n',
      'projects/fine.ts': `export const fine = ${project('fine')};\n`,
    });
    const { diagnostics } = await compileSettings(root);
    expect(summary(diagnostics)).toEqual(['projects/throws.ts:3:1 error module-threw ']);
    expect(diagnostics[0]?.message).toContain("cannot read property 'id' of undefined");
  });

  it('reports an import that does not resolve as a module that throws', async () => {
    const root = makeWorkspace({
      'projects/a.ts': "import { x } from './_missing';\nexport const a = x;\n",
    });
    const { diagnostics } = await compileSettings(root);
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ code: 'module-threw', position: { line: 1 } });
    expect(diagnostics[0]?.message).toContain('./_missing');
  });

  it('reports a module without a project, and exports that are not projects', async () => {
    const root = makeWorkspace({
      'projects/empty.ts': 'const unused = 1;\nexport type T = string;\n',
      'projects/helper.ts': `export const acme = ${project('acme')};\nexport function helper() {}\n`,
    });
    const { diagnostics } = await compileSettings(root);
    expect(summary(diagnostics)).toEqual([
      'projects/empty.ts:1:1 error no-project ',
      'projects/helper.ts:2:17 error not-a-project ',
    ]);
    expect(diagnostics[1]?.message).toContain('"_"');
  });

  it('reports a missing projects/ folder', async () => {
    const root = makeWorkspace({ 'README.md': 'nothing here\n' });
    const { diagnostics } = await compileSettings(root);
    expect(diagnostics.map((d) => [d.code, d.position])).toEqual([
      ['missing-projects-folder', undefined],
    ]);
    expect(diagnostics[0]?.message).toContain('--root');
  });

  it('reads carbon.config.ts as a plain default export and locates its mistakes', async () => {
    const root = makeWorkspace({
      'carbon.config.ts':
        "export default {\n  orb: { reference: 'inline' },\n  git: { /* */ transport: 'sftp' },\n};\n",
      'projects/acme.ts': `export const acme = ${project('acme')};\n`,
    });
    const { diagnostics } = await compileSettings(root);
    expect(summary(diagnostics)).toEqual([
      'carbon.config.ts:3:16 error invalid-value git.transport',
    ]);
    expect(diagnostics[0]?.message).toContain('"ssh", "https"');
  });

  it('refuses an orb URL with credentials or CircleCI parameter syntax', async () => {
    for (const url of [
      'https://user:token@orbs.example.com/orb.yml',
      'https://orbs.example.com/<< pipeline.id >>.yml',
    ]) {
      const root = makeWorkspace({
        'carbon.config.ts': `export default {\n  orb: { reference: 'url', url: '${url}' },\n};\n`,
        'projects/acme.ts': `export const acme = ${project('acme')};\n`,
      });
      const { diagnostics } = await compileSettings(root);
      expect(summary(diagnostics)).toEqual(['carbon.config.ts:2:28 error invalid-url orb.url']);
    }
  });

  it('requires a default export from carbon.config.ts', async () => {
    const root = makeWorkspace({
      'carbon.config.ts': 'export const config = {};\n',
      'projects/acme.ts': `export const acme = ${project('acme')};\n`,
    });
    const { diagnostics } = await compileSettings(root);
    expect(diagnostics.map((d) => d.code)).toEqual(['config-without-default']);
  });

  it('locates values built from consts in the same module', async () => {
    const root = makeWorkspace({
      'projects/acme.ts':
        "const web = {\n  id: 'Web',\n  name: 'Web',\n  local: { git: 'nope' },\n};\nexport const acme = { id: 'acme', name: 'Acme', repositories: [web] };\n",
    });
    const { diagnostics } = await compileSettings(root);
    expect(summary(diagnostics)).toEqual([
      'projects/acme.ts:4:12 error invalid-git-url repositories[0].local.git',
    ]);
  });

  it('points at the deepest property it can follow when the value was computed', async () => {
    const root = makeWorkspace({
      'projects/acme.ts':
        "const repos = () => [{ id: 'Web', name: 'Web', local: { git: 'nope' } }];\nexport const acme = { id: 'acme', name: 'Acme', repositories: repos() };\n",
    });
    const { diagnostics } = await compileSettings(root);
    expect(summary(diagnostics)).toEqual([
      'projects/acme.ts:2:49 error invalid-git-url repositories[0].local.git',
    ]);
  });

  it('falls back to the export when the whole value was computed', async () => {
    const root = makeWorkspace({
      'projects/_make.ts':
        "export const make = (git: string) => ({ id: 'acme', name: 'Acme', repositories: [{ id: 'Web', name: 'Web', local: { git } }] });\n",
      'projects/acme.ts': "import { make } from './_make';\n\nexport const acme = make('nope');\n",
    });
    const { diagnostics } = await compileSettings(root);
    expect(summary(diagnostics)).toEqual([
      'projects/acme.ts:3:14 error invalid-git-url repositories[0].local.git',
    ]);
  });
});

const SAMPLE = readFileSync(join(REPO_ROOT, 'projects', 'taxaroo.ts'), 'utf8');
const UNIQUE = 'project ids must be unique across the workspace, ignoring case';

// The rule once, in this process; the CLI's report of it (exit 2, nothing written) is pinned by
// test/cli.test.ts's workspace full of mistakes.
interface DuplicateCase {
  name: string;
  files: Record<string, string>;
  /** The rule's report, whole. */
  duplicates: string[];
  /** The codes of every other diagnostic. */
  others: string[];
}

describe('duplicate-project-id', () => {
  it.for<DuplicateCase>([
    {
      name: 'two modules with the same id: at both, each naming the other',
      files: {
        'projects/a.ts': `export const a = ${project('same')};\n`,
        'projects/b.ts': `\nexport const b = ${project('same')};\n`,
      },
      duplicates: [
        `projects/a.ts:1:20 - error duplicate-project-id: id: project id "same" is also used by the export "b" of projects/b.ts: ${UNIQUE}`,
        `projects/b.ts:2:20 - error duplicate-project-id: id: project id "same" is also used by the export "a" of projects/a.ts: ${UNIQUE}`,
      ],
      others: [],
    },
    {
      // A copy of the sample: its builds would share ECR repositories, which goes unsaid while
      // the ids collide (its syncs writing the same branches are reported).
      name: 'ids that differ only in case, and no shared ECR repository said of them',
      files: {
        'carbon.config.ts': sampleConfig("orb: { namespace: 'blackstone' }"),
        'projects/taxaroo.ts': SAMPLE,
        'projects/other.ts': SAMPLE.replace("id: 'taxaroo'", "id: 'Taxaroo'").replace(
          'export const taxaroo',
          'export const other',
        ),
      },
      duplicates: [
        `projects/other.ts:7:3 - error duplicate-project-id: id: project id "Taxaroo" differs only in case from "taxaroo", used by the export "taxaroo" of projects/taxaroo.ts: ${UNIQUE}`,
        `projects/taxaroo.ts:7:3 - error duplicate-project-id: id: project id "taxaroo" differs only in case from "Taxaroo", used by the export "other" of projects/other.ts: ${UNIQUE}`,
      ],
      others: ['sync-target-conflict'],
    },
  ])('$name', async ({ files, duplicates, others }) => {
    const root = makeWorkspace(files);
    const { diagnostics, workspace } = await compileSettings(root, {});
    const lines = diagnostics.map((d) =>
      formatDiagnostic(d, (file) => file.slice(root.length + 1)),
    );
    expect(lines.filter((line) => line.includes(' duplicate-project-id: '))).toEqual(duplicates);
    const rest = diagnostics.filter((d) => d.code !== 'duplicate-project-id');
    expect([...new Set(rest.map((d) => d.code))]).toEqual(others);
    expect(workspace).toBeUndefined();
  });
});
