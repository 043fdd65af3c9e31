// The boundary around settings code (src/modules/sandbox.ts): every escape route known to the team
// is a module that tries it, in this very process, and would write a file and read a secret from
// Carbon's `process` if it got there. Each route reports what it reached as the project's name,
// so a route that works fails the test loudly, naming itself.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileSettings } from '../../src/compile/resolved-settings.ts';
import { Sandbox } from '../../src/modules/sandbox.ts';
import { carbon } from '../helpers/cli.ts';
import { makeWorkspace } from '../helpers/workspace.ts';

const TOKEN = 'circle-token-that-must-not-leak';
let marker = '';

beforeEach(() => {
  process.env['CIRCLE_TOKEN'] = TOKEN;
  marker = join(makeWorkspace({}), 'escaped');
});
afterEach(() => {
  delete process.env['CIRCLE_TOKEN'];
});

/**
 * A helper every route uses: from any value it is given, it climbs to that value's Function and
 * global object, and if that world has a `process`, writes the marker and reads the token.
 */
const ESCAPE = (file: string) => `
export function reach(value: any, route: string): string {
  try {
    const F = value?.constructor?.constructor;
    const world = typeof F === 'function' ? F('return globalThis')() : undefined;
    const p: any = world?.process ?? (typeof F === 'function' ? F('return typeof process === "object" ? process : undefined')() : undefined);
    if (p && typeof p.env === 'object') {
      const fs = p.getBuiltinModule?.('node:fs') ?? p.mainModule?.require?.('fs');
      fs?.writeFileSync(${JSON.stringify(file)}, route);
      return 'ESCAPED ' + route + ' ' + p.env.CIRCLE_TOKEN;
    }
    const names = world ? Object.getOwnPropertyNames(world) : [];
    const machinery = names.filter((n: string) => /carbon|^(host|require|process|Buffer|module|global)$/i.test(n));
    return machinery.length > 0 ? 'MACHINERY ' + route + ' ' + machinery.join() : 'contained';
  } catch (error) {
    return 'contained';
  }
}
`;

const REPOSITORIES = "[{ id: 'Api', name: 'Api', local: { git: 'github.com/acme/api.git' } }]";

/** A project module whose name is what `expression` (using `reach`) gives. */
const routeModule = (id: string, setup: string, expression: string) =>
  `import { reach } from './_escape';\n${setup}\nexport const ${id} = { id: '${id}', name: ${expression}, repositories: ${REPOSITORIES} };\n`;

async function compileRoutes(
  routes: Record<string, [setup: string, expression: string]>,
  extra: Record<string, string> = {},
) {
  const files: Record<string, string> = { 'projects/_escape.ts': ESCAPE(marker), ...extra };
  for (const [id, [setup, expression]] of Object.entries(routes))
    files[`projects/${id}.ts`] = routeModule(id, setup, expression);
  files['carbon.config.ts'] = "export default { env: ['ACME_DECLARED'] };\n";
  const root = makeWorkspace(files);
  const result = await compileSettings(root, { ACME_DECLARED: 'declared value' });
  const everything = JSON.stringify(result);
  expect(everything).not.toContain(TOKEN);
  expect(existsSync(marker), 'a route wrote the marker file').toBe(false);
  return result;
}

describe('no value that crosses the boundary leads back to Carbon', () => {
  it('contains every route, and every module still compiles', async () => {
    const routes: Record<string, [string, string]> = {
      // The review's escape: a RangeError from the stack limit, met while calling require().
      overflow: [
        `let caught: any;
const dive = (depth: number): void => {
  try { dive(depth + 1); } catch (error) {
    if (caught === undefined) { try { require('./_missing' + depth); } catch (inner) { caught = inner; } }
  }
};
dive(0);`,
        "reach(caught, 'stack overflow then require')",
      ],
      envvalue: ["import { env } from 'carbon';", "reach(env('ACME_DECLARED'), 'env value')"],
      enverror: [
        "import { env } from 'carbon';\nlet thrown: any; try { env('HOME'); } catch (error) { thrown = error; }",
        "reach(thrown, 'undeclared env error')",
      ],
      carbonapi: [
        "import * as carbon from 'carbon';",
        "[reach(carbon, 'carbon module'), reach(carbon.defineProject, 'defineProject'), reach(carbon.env, 'env')].find((r) => r !== 'contained') ?? 'contained'",
      ],
      parameters: [
        '',
        "[reach(require, 'require'), reach(module, 'module'), reach(exports, 'exports'), reach(__filename, '__filename'), reach(console.log, 'console.log'), reach(console, 'console')].find((r) => r !== 'contained') ?? 'contained'",
      ],
      importerrors: [
        `const errors: any[] = [];
for (const name of ['node:fs', 'fs', 'acme-data', '../../outside', './_missing', './_broken', './_data.json', './_notjson.json']) {
  try { errors.push(require(name)); } catch (error) { errors.push(error); }
}`,
        "errors.map((error, index) => reach(error, 'import error ' + index)).find((r) => r !== 'contained') ?? 'contained'",
      ],
      clock: [
        `const errors: any[] = [];
for (const use of [() => Date.now(), () => new Date(), () => Math.random()]) {
  try { use(); } catch (error) { errors.push(error); }
}`,
        "errors.map((error) => reach(error, 'clock error')).find((r) => r !== 'contained') ?? 'contained'",
      ],
      stacktrace: [
        `(Error as any).prepareStackTrace = (error: any, frames: any[]) => { (globalThis as any).frames = frames; return ''; };
try { require('node:fs'); } catch (error) { String((error as any).stack); }
const frames: any[] = (globalThis as any).frames ?? [];`,
        "frames.map((frame) => reach(frame?.getThis?.() ?? frame, 'stack frame')).find((r) => r !== 'contained') ?? 'contained'",
      ],
      world: [
        '',
        "reach({}, 'own global') + (typeof (globalThis as any).__carbonRealm) + (typeof (globalThis as any).host)",
      ],
      getter: [
        '',
        "(() => { const holder = { get value() { return reach(this, 'getter this') + reach(arguments, 'getter arguments'); } }; return holder.value; })()",
      ],
    };
    const { diagnostics, workspace } = await compileRoutes(routes, {
      'projects/_broken.ts': 'export const = ;\n',
      'projects/_data.json': '{ "a": [1, 2] }\n',
      'projects/_notjson.json': '{ nope\n',
    });
    expect(diagnostics).toEqual([]);
    const names = Object.fromEntries(workspace!.projects.map((p) => [p.id, p.name]));
    expect(names).toEqual({
      carbonapi: 'contained',
      clock: 'contained',
      enverror: 'contained',
      envvalue: 'contained',
      getter: 'containedcontained',
      importerrors: 'contained',
      overflow: 'contained',
      parameters: 'contained',
      stacktrace: 'contained',
      world: 'containedundefinedundefined',
    });
  });

  it('contains getters and proxies on exports, which Carbon reads after the module ran', async () => {
    const root = makeWorkspace({
      'projects/_escape.ts': ESCAPE(marker),
      'projects/getter.ts': `import { reach } from './_escape';
export const getter = {
  id: 'getter',
  get name() { return reach(this, 'export getter'); },
  repositories: ${REPOSITORIES},
};
`,
      'projects/proxy.ts': `import { reach } from './_escape';
const seen: string[] = [];
export const proxy = new Proxy({ id: 'proxy', name: 'x', repositories: ${REPOSITORIES} }, {
  get(target: any, key, receiver) {
    seen.push(reach(receiver, 'proxy receiver'), reach(key, 'proxy key'));
    return key === 'name' ? seen.find((r) => r !== 'contained') ?? 'contained' : target[key];
  },
  ownKeys(target) { seen.push(reach(target, 'proxy target')); return Reflect.ownKeys(target); },
});
`,
    });
    const { diagnostics, workspace } = await compileSettings(root, {});
    expect(diagnostics).toEqual([]);
    expect(workspace!.projects.map((p) => p.name)).toEqual(['contained', 'contained']);
    expect(existsSync(marker)).toBe(false);
  });

  it('runs no promise job of a module after it, and lets none reach the next module', async () => {
    const { workspace } = await compileRoutes({
      a: [
        `Promise.resolve().then(() => { (globalThis as any).leaked = reach(Promise, 'promise job'); });
(async () => { for (;;) await null; })();`,
        "'a'",
      ],
      b: ['', 'String((globalThis as any).leaked)'],
    });
    expect(workspace!.projects.map((p) => p.name)).toEqual(['a', 'undefined']);
  });

  it('gives a cached answer equal to the uncached one when a module leaves work behind', async () => {
    const files = {
      'projects/a.ts': `Promise.resolve().then(() => { (globalThis as any).shared = 'from a'; });\nexport const a = { id: 'a', name: 'a', repositories: ${REPOSITORIES} };\n`,
      'projects/b.ts': `export const b = { id: 'b', name: String((globalThis as any).shared), repositories: ${REPOSITORIES} };\n`,
    };
    const root = makeWorkspace(files);
    const store = makeWorkspace({});
    const uncached = await compileSettings(root, { CARBON_CACHE: '0' });
    // b alone, as a cached run after an edit of b would compile it.
    const alone = makeWorkspace({ 'projects/b.ts': files['projects/b.ts'] });
    const single = await compileSettings(alone, { CARBON_STORE: store });
    expect(uncached.workspace!.projects.map((p) => p.name)).toEqual(['a', 'undefined']);
    expect(single.workspace!.projects.map((p) => p.name)).toEqual(['undefined']);
  });
});

describe('limits, and what the engine reports', () => {
  it('reports a module that takes all the memory it may, and compiles the others', async () => {
    const root = makeWorkspace({
      'projects/hungry.ts': `const chunks: Uint8Array[] = [];\nfor (;;) chunks.push(new Uint8Array(1 << 20));\nexport const hungry = {};\n`,
      'projects/fine.ts': `export const fine = { id: 'fine', name: 'Fine', repositories: ${REPOSITORIES} };\n`,
    });
    const { diagnostics, projects } = await compileSettings(root, {
      CARBON_SETTINGS_MEMORY: '32',
    });
    expect(diagnostics.map((d) => [d.code, d.origin.file.slice(root.length + 1)])).toEqual([
      ['settings-memory', 'projects/hungry.ts'],
    ]);
    expect(diagnostics[0]!.message).toContain('more than 32 MB of memory');
    expect(projects.map((p) => p.id)).toEqual(['fine']);
  });

  it('stops a module at its time even inside long built-in calls, between which the engine does not look', async () => {
    const root = makeWorkspace({
      'projects/sorting.ts':
        'const a = Array.from({ length: 300000 }, (_, i) => (i * 7919) % 300000);\nfor (;;) a.slice().sort();\nexport const sorting = {};\n',
      'projects/zfine.ts': `export const zfine = { id: 'zfine', name: 'Fine', repositories: ${REPOSITORIES} };\n`,
    });
    const started = Date.now();
    const { diagnostics, projects } = await compileSettings(root, { CARBON_SETTINGS_TIMEOUT: '1' });
    expect(diagnostics.map((d) => [d.code, d.origin.file.slice(root.length + 1)])).toEqual([
      ['settings-timeout', 'projects/sorting.ts'],
    ]);
    // The engine alone polled its deadline 25 s late here; its thread is stopped a second after.
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(projects.map((p) => p.id)).toEqual(['zfine']);
  });

  it('reports a thrown object with a huge stack of its own making as a module that threw, at once', async () => {
    const root = makeWorkspace({
      'projects/stack.ts': "throw { message: 'made up', stack: 'x'.repeat(300000) + ':1:1)' };\n",
    });
    const started = Date.now();
    const { diagnostics } = await compileSettings(root, { CARBON_SETTINGS_TIMEOUT: '20' });
    expect(diagnostics.map((d) => d.code)).toEqual(['module-threw']);
    expect(diagnostics[0]!.message).toContain('made up');
    // Read in time linear in its length (it took 45 s when a pattern read it).
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('recovers from a fault of the engine: the module is reported, the next ones compile', async () => {
    let probe = (): string => {
      throw new RangeError('Maximum call stack size exceeded');
    };
    const sandbox = new Sandbox({
      memoryBytes: 32 << 20,
      host: { probe: (_module, text) => probe() + text },
      bootstrap: {
        source:
          'function (host) { return function (global, argument) { return host.probe(argument); }; }',
        name: 'test:bootstrap',
      },
    });
    // V8's stack running out while the engine calls back into Carbon: as it happens under a deep
    // recursion in the engine.
    expect(await sandbox.call(5_000, 'x')).toEqual({ kind: 'stack' });
    probe = () => 'echo ';
    expect(await sandbox.call(5_000, 'y')).toEqual({ kind: 'answer', text: 'echo y' });
    // Any other fault of Carbon's own is a bug: thrown, never put down to the settings.
    probe = () => {
      throw new TypeError('a bug in Carbon');
    };
    await expect(sandbox.call(5_000, 'z')).rejects.toThrow('a bug in Carbon');
  });

  it('ends a recursion without end with a located error, not a crash', async () => {
    const root = makeWorkspace({
      'projects/deep.ts':
        "const deep = (n: number): number => deep(n + 1) + 1;\nexport const deep1 = { id: 'deep', name: String(deep(0)), repositories: [] };\n",
      'projects/nested.ts':
        "let x: any = []; for (let i = 0; i < 200000; i++) x = [x];\nexport const nested = { id: 'nested', name: JSON.stringify(x).length, repositories: [] };\n",
      'projects/fine.ts': `export const fine = { id: 'fine', name: 'Fine', repositories: ${REPOSITORIES} };\n`,
    });
    const { diagnostics, projects } = await compileSettings(root, {});
    expect(diagnostics.map((d) => [d.code, d.origin.file.slice(root.length + 1)])).toEqual([
      ['module-threw', 'projects/deep.ts'],
      ['module-threw', 'projects/nested.ts'],
    ]);
    expect(projects.map((p) => p.id)).toEqual(['fine']);
  });
});

describe('what a module prints', () => {
  it('goes to stderr a line at a time, each marked with the module, control characters shown', async () => {
    const root = makeWorkspace({
      'projects/acme.ts': `console.log('first\\ncarbon: all good, nothing to see\\u001b[2J');\nexport const acme = { id: 'acme', name: 'Acme', repositories: ${REPOSITORIES} };\n`,
    });
    const run = await carbon(['ls', '--root', root]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr.split('\n').filter(Boolean)).toEqual([
      'projects/acme.ts: console.log: first',
      'projects/acme.ts: console.log: carbon: all good, nothing to see\\u001b[2J',
    ]);
  });
});

describe('files that are not files', () => {
  it('refuses a named pipe in projects/ without waiting for a writer', async () => {
    const root = makeWorkspace({
      'projects/acme.ts': `import { x } from './_pipe';\nexport const acme = { id: 'acme', name: String(x), repositories: ${REPOSITORIES} };\n`,
    });
    mkdirSync(join(root, 'projects'), { recursive: true });
    const { execFileSync } = await import('node:child_process');
    execFileSync('mkfifo', [join(root, 'projects', '_pipe.ts'), join(root, 'projects', 'pipe.ts')]);
    const { diagnostics } = await compileSettings(root, {});
    expect(diagnostics.map((d) => d.code).sort()).toEqual(['module-threw', 'not-a-module']);
    expect(diagnostics.map((d) => d.message).join('\n')).toContain(
      'projects/pipe.ts is not a regular file',
    );
  });
});
