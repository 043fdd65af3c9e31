// Where settings compile: a few modules of plain data on Carbon's own thread (no code runs, so no
// worker's memory limit is needed, and starting one costs more than the whole compile), anything
// with code, or many modules, in a settings worker. Seen through the run's profile (CARBON_PROFILE),
// which marks when a worker is started.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFleet } from '../../bench/fleet.mjs';
import { SettingsRealm } from '../../src/settings/realm.ts';
import { Transpiler } from '../../src/settings/transpile.ts';
import { CARBON_BIN, runCarbon } from '../helpers/cli.ts';
import { makeWorkspace } from '../helpers/workspace.ts';

/** The marks of a successful run's profile (CARBON_PROFILE), and its output. */
function marksOf(
  command: string,
  root: string,
  env: NodeJS.ProcessEnv = {},
): { marks: string[]; stdout: string } {
  const run = runCarbon([command, '--root', root], { env: { CARBON_PROFILE: '1', ...env } });
  expect(run.code, run.stderr).toBe(0);
  const profile = JSON.parse(run.stderr.split('carbon-profile ')[1]!) as {
    marks: Record<string, number>;
  };
  return { marks: Object.keys(profile.marks), stdout: run.stdout };
}

/** Whether a run of `carbon generate` started a settings worker, and its output. */
function generate(root: string, env: NodeJS.ProcessEnv = {}): { worker: boolean; stdout: string } {
  const { marks, stdout } = marksOf('generate', root, env);
  return { worker: marks.some((mark) => mark.startsWith('worker')), stdout };
}

describe('where settings compile', () => {
  it('compiles a few plain modules on its own thread, and in a worker once one has code', () => {
    const root = makeWorkspace({});
    writeFleet(root, 3);
    const plain = generate(root);
    expect(plain.worker).toBe(false);
    expect(plain.stdout).toMatch(/\d+ written/);
    // The same project, its git URL now from a helper: code, run in a worker, the same files.
    const module = join(root, 'projects', 'client0002.ts');
    const text = readFileSync(module, 'utf8');
    writeFileSync(
      module,
      `import { host } from './_host';\n${text.replace('"github.com/BlackstoneStudio/client0002-api.git"', '`${host}/BlackstoneStudio/client0002-api.git`')}`,
    );
    writeFileSync(join(root, 'projects', '_host.ts'), "export const host = 'github.com';\n");
    const code = generate(root);
    expect(code.worker).toBe(true);
    expect(code.stdout).toContain('0 written');
  });

  it('starts the workers CARBON_WORKERS asks for, even for a few plain modules; ignores a bad count', () => {
    const root = makeWorkspace({});
    writeFleet(root, 2);
    expect(generate(root, { CARBON_WORKERS: '1' }).worker).toBe(true);
    expect(generate(root, { CARBON_WORKERS: 'many', CARBON_CACHE: '0' }).worker).toBe(false);
    expect(generate(root, { CARBON_WORKERS: '0', CARBON_CACHE: '0' }).worker).toBe(false);
  });

  it("compiles every unit under the run's config in each of two workers", () => {
    // A deploy key per repository: a unit compiled under another config, or none, would differ.
    const root = makeWorkspace({});
    writeFleet(root, 8, { keys: 'repository', helpers: true });
    expect(generate(root, { CARBON_WORKERS: '0' }).stdout).toMatch(/^\d+ written/m);
    const twice = marksOf('check', root, { CARBON_WORKERS: '2', CARBON_CACHE: '0' });
    expect(twice.marks).toContain('worker 2 spawned');
    expect(twice.stdout).toContain('generated files are up to date');
  });

  it('compiles more than 64 plain modules in a worker, the schema on its own thread meanwhile', () => {
    const root = makeWorkspace({});
    writeFleet(root, 65);
    expect(generate(root).worker).toBe(true);
    // A new machine: no validator code kept. This thread compiles and keeps it while the worker
    // starts, and the worker loads it; the next run finds it kept.
    const store = makeWorkspace({});
    const env = { CARBON_STORE: store, CARBON_CACHE: '0' };
    const first = marksOf('check', root, env);
    expect(first.marks).toContain('schema kept');
    expect(first.stdout).toContain('generated files are up to date');
    expect(readdirSync(store).filter((name) => /^schema-fast-.*\.cjs$/.test(name))).toHaveLength(1);
    expect(marksOf('check', root, env).marks).not.toContain('schema kept');
  });

  it('reads a module as the realm does when planning: a byte that is not UTF-8 is reported as such', () => {
    const root = makeWorkspace({});
    writeFleet(root, 2);
    const module = join(root, 'projects', 'client0001.ts');
    // "Client 1" with a Latin-1 é: a lenient read would call the module plain data.
    writeFileSync(
      module,
      Buffer.from(readFileSync(module, 'utf8').replace('Client 1', 'Cli\u00e9nt 1'), 'latin1'),
    );
    const run = runCarbon(['generate', '--root', root]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('projects/client0001.ts is not UTF-8');
    expect(run.stderr).not.toContain('changed while Carbon was reading');
  });

  it('reports a module that stopped being plain data while the run had planned for it', () => {
    // The runner on Carbon's own thread runs no code (it has no memory limit of its own).
    const root = makeWorkspace({ 'projects/acme.ts': 'export const acme = { id: `acme` };\n' });
    const realm = new SettingsRealm({
      root,
      transpiler: new Transpiler(),
      env: {},
      timeoutMs: 1_000,
      runsCode: false,
    });
    const { evaluation } = realm.evaluate(join(root, 'projects', 'acme.ts'));
    expect(evaluation.exports).toBeUndefined();
    expect(evaluation.failure).toEqual({
      kind: 'changed',
      file: join(root, 'projects', 'acme.ts'),
      message:
        'projects/acme.ts changed while Carbon was reading the settings (it is no longer plain data, as it was a moment before): run Carbon again',
    });
  });

  it.each([
    ['a settings worker', '1', '!'],
    ['the main thread', '0', ''],
  ])("reports a bug met in %s with a stack that names Carbon's sources", (_, workers, not) => {
    const root = makeWorkspace({});
    writeFleet(root, 2);
    // A failure Carbon does not expect, in one kind of thread: path.relative throws for one
    // module (the bundle looks it up at each call). Workers inherit --require.
    const preload = join(root, 'preload.cjs');
    writeFileSync(
      preload,
      [
        "const path = require('node:path');",
        `if (${not}require('node:worker_threads').isMainThread) {`,
        '  const relative = path.relative;',
        "  path.relative = (from, to) => { if (to.endsWith('client0001.ts')) throw new TypeError('planted'); return relative(from, to); };",
        '}',
      ].join('\n'),
    );
    const run = spawnSync(
      process.execPath,
      ['--require', preload, CARBON_BIN, 'generate', '--root', root],
      { encoding: 'utf8', env: { ...process.env, CARBON_WORKERS: workers, CARBON_CACHE: '0' } },
    );
    expect(run.status, run.stderr).toBe(3);
    expect(run.stderr).toContain(
      `${workers === '1' ? 'in a settings worker: ' : ''}TypeError: planted`,
    );
    // The frames below the planted throw are Carbon's TypeScript, not its bundle's lines.
    const frames = run.stderr.split('\n').filter((line) => /^\s+at /.test(line));
    expect(frames.some((line) => /src\/compile\/unit\.ts:\d+:\d+\)?$/.test(line))).toBe(true);
    expect(frames.filter((line) => /(cli|worker)\.js:\d+/.test(line))).toEqual([]);
  });
});
