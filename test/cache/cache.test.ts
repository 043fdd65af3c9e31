// The pipeline cache never answers for inputs that changed: settings, helpers (in projects/ or
// imported from elsewhere), templates, the schema, Carbon's build. Through the real CLI, and on
// the key itself.
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeFleet } from '../../bench/fleet.mjs';
import {
  PipelineCache,
  cacheFileOf,
  fileKey,
  schemaKey,
  type CacheSetting,
} from '../../src/cache.ts';
import { compileWorkspace, type Compiled } from '../../src/compile/compile.ts';
import type { UnitResult } from '../../src/compile/unit.ts';
import type { DiagnosticCode } from '../../src/diagnostic-codes.ts';
import { error } from '../../src/diagnostics.ts';
import { hashOfText } from '../../src/hash.ts';
import { readDiskState } from '../../src/output/files.ts';
import { ORB_TEMPLATES } from '../../src/paths.ts';
import { SCHEMA } from '../helpers/schema.ts';
import { CARBON_BIN, REPO_ROOT, runCarbon } from '../helpers/cli.ts';
import { TEST_KEY, makeWorkspace, writeFiles } from '../helpers/workspace.ts';

const KEYS = `git: { sshKeys: { 'github.com': '${TEST_KEY}' } }`;
const CONFIG = `export default { aws: { accountId: '123456789012' }, ${KEYS} };\n`;
const project = (branch: string) =>
  `import { repo } from './_shared';\nimport { owner } from '../lib/owner';\nexport const acme = { id: 'acme', name: 'Acme', repositories: [{ id: 'Api', name: 'Api', sync: [{ direction: 'local', cron: '0 * * * *', branches: { origin: '${branch}', local: 'sync/main' } }], local: { git: repo(owner, 'api') }, origin: { git: repo('client', 'api') } }] };\n`;

function workspace(): string {
  const root = makeWorkspace({
    'carbon.config.ts': CONFIG,
    'projects/acme.ts': project('main'),
    'projects/_shared.ts':
      'export const repo = (owner: string, name: string) => `github.com/${owner}/${name}.git`;\n',
    'lib/owner.ts': "export const owner = 'acme';\n",
  });
  const first = runCarbon(['generate', '--root', root]);
  expect(first.code, first.stderr).toBe(0);
  return root;
}

const CONFIG_PATH = 'generated/acme/Api/.circleci/config.yml';
const checkSays = (root: string) => runCarbon(['check', '--root', root]);

describe('the pipeline cache, through the CLI', () => {
  it('answers a no-op generate with the same files, and keeps its warnings', () => {
    const root = makeWorkspace({
      'carbon.config.ts': CONFIG,
      'projects/acme.ts': project('main').replace("cron: '0 * * * *'", "cron: '15 * * * *'"),
      'projects/_shared.ts':
        'export const repo = (owner: string, name: string) => `github.com/${owner}/${name}.git`;\n',
      'lib/owner.ts': "export const owner = 'acme';\n",
    });
    const first = runCarbon(['generate', '--root', root]);
    const second = runCarbon(['generate', '--root', root], { env: { CARBON_PROFILE: '1' } });
    expect(second.stdout).toBe('0 written, 0 removed, 3 unchanged\n');
    expect(second.stderr).toContain('warning cron-minutes-lost');
    expect(first.stderr.split('\n').filter((l) => l.includes('warning'))).toEqual(
      second.stderr.split('\n').filter((l) => l.includes('warning')),
    );
    // Answered from the cache: no settings were loaded at all.
    const profile = JSON.parse(second.stderr.split('carbon-profile ')[1]!) as {
      stages: Record<string, number>;
    };
    expect(profile.stages['load']).toBeUndefined();
    expect(profile.stages['cache']).toBeGreaterThan(0);
  });

  it('sees a changed project module', () => {
    const root = workspace();
    writeFileSync(join(root, 'projects/acme.ts'), project('develop'));
    const result = checkSays(root);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('+          source_branch: develop');
  });

  it('sees a changed helper in projects/', () => {
    const root = workspace();
    writeFileSync(
      join(root, 'projects/_shared.ts'),
      'export const repo = (owner: string, name: string) => `github.com/${owner}/${name}-svc.git`;\n',
    );
    const result = checkSays(root);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('git@github.com:acme/api-svc.git');
  });

  it('sees a changed module imported from outside projects/', () => {
    const root = workspace();
    writeFileSync(join(root, 'lib/owner.ts'), "export const owner = 'agency';\n");
    const result = checkSays(root);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('git@github.com:agency/api.git');
  });

  it('sees a changed carbon.config.ts and a changed schema', () => {
    const root = workspace();
    writeFileSync(
      join(root, 'carbon.config.ts'),
      `export default { aws: { accountId: '123456789012' }, ${KEYS}, circleci: { syncContext: 'other' } };\n`,
    );
    expect(checkSays(root).stdout).toContain('+          context: other');
    const schema = join(root, 'schema.json');
    const strict = JSON.parse(readFileSync(SCHEMA, 'utf8')) as {
      properties: { workflows: { maxProperties?: number } };
    };
    strict.properties.workflows.maxProperties = 0;
    writeFileSync(schema, JSON.stringify(strict));
    const result = runCarbon(['check', '--root', root, '--schema', schema]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error invalid-output');
  });

  it('keeps texts by hash only, and compiles again the modules whose files differ on disk', () => {
    const root = makeWorkspace({
      'carbon.config.ts': CONFIG,
      'projects/acme.ts': project('main'),
      // Its own mirror: two projects may not sync into one branch of one repository.
      'projects/beta.ts': project('main')
        .replace(/acme/g, 'beta')
        .replace("repo(owner, 'api')", "repo(owner, 'beta')"),
      'projects/_shared.ts':
        'export const repo = (owner: string, name: string) => `github.com/${owner}/${name}.git`;\n',
      'lib/owner.ts': "export const owner = 'acme';\n",
    });
    expect(runCarbon(['generate', '--root', root]).code).toBe(0);
    const acme = readFileSync(join(root, CONFIG_PATH), 'utf8');
    const betaPath = CONFIG_PATH.replace('acme', 'beta');
    const beta = readFileSync(join(root, betaPath), 'utf8');
    // Edited by hand, and removed: check shows both with their texts, which the cache lacks.
    writeFileSync(join(root, CONFIG_PATH), acme.replace('source_branch: main', 'source_branch: x'));
    rmSync(join(root, betaPath));
    const check = runCarbon(['check', '--root', root], { env: { CARBON_PROFILE: '1' } });
    expect(check.code).toBe(1);
    expect(check.stdout).toContain('+          source_branch: main');
    expect(check.stdout).toContain(betaPath);
    const restore = runCarbon(['generate', '--root', root]);
    expect(restore.code, restore.stderr).toBe(0);
    expect(readFileSync(join(root, CONFIG_PATH), 'utf8')).toBe(acme);
    expect(readFileSync(join(root, betaPath), 'utf8')).toBe(beta);
    // A module edited and another one's file removed in the same run: both come out right.
    writeFileSync(join(root, 'projects/acme.ts'), project('develop'));
    rmSync(join(root, betaPath));
    const both = runCarbon(['generate', '--root', root]);
    expect(both.code, both.stderr).toBe(0);
    expect(readFileSync(join(root, CONFIG_PATH), 'utf8')).toContain('source_branch: develop');
    expect(readFileSync(join(root, betaPath), 'utf8')).toBe(beta);
    expect(checkSays(root).code).toBe(0);
    // What the cache keeps of a file is its hash, not its text.
    const folder = join(REPO_ROOT, 'node_modules/.cache/carbon/pipeline');
    const kept = readdirSync(folder)
      .map((name) => readFileSync(join(folder, name), 'utf8'))
      .find((text) => text.includes(root));
    const units = (JSON.parse(kept!) as { units: Record<string, { result: UnitResult }> }).units;
    const files = units['files projects/acme.ts']!.result.files;
    expect(files.map((file) => Object.keys(file).sort())).toEqual([
      ['hash', 'path'],
      ['hash', 'path'],
    ]);
  });

  it('keeps no carbon.config.ts stopped for time: the next run evaluates it again', () => {
    const root = makeWorkspace({
      'carbon.config.ts': 'while (true) {}\nexport default {};\n',
      'projects/acme.ts': project('main').replace(/^import.*\n/gm, ''),
    });
    for (const seconds of ['0.5', '0.7']) {
      const result = runCarbon(['check', '--root', root], {
        env: { CARBON_SETTINGS_TIMEOUT: seconds },
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `carbon.config.ts:1:1 - error settings-timeout: evaluating the settings took longer than ${seconds} s`,
      );
    }
  });

  it('is off with CARBON_CACHE=0, giving the same answer', () => {
    const root = workspace();
    const cached = readFileSync(join(root, CONFIG_PATH), 'utf8');
    rmSync(join(root, 'generated'), { recursive: true });
    const result = runCarbon(['generate', '--root', root], {
      env: { CARBON_CACHE: '0', CARBON_PROFILE: '1' },
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('"load"');
    expect(readFileSync(join(root, CONFIG_PATH), 'utf8')).toBe(cached);
  });
});

describe('the pipeline cache', () => {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });
  const scratch = () => {
    const folder = mkdtempSync(join(tmpdir(), 'carbon-cache-'));
    folders.push(folder);
    return folder;
  };
  /**
   * Compiles `root` with a cache kept in its own folder and the disk as it is (a kept rendered unit
   * is used only when its files are there); `compiled` counts modules not taken from the cache.
   * With `render: false` (as run, site and plan compile) the resolved projects can be read.
   */
  const compiler = (
    root: string,
    env: NodeJS.ProcessEnv = {},
    render = true,
    setting: CacheSetting = { build: 'one', templates: ORB_TEMPLATES, folder: scratch() },
  ) => {
    return async (options: { save?: (compiled: Compiled) => void } = {}) => {
      const compiled = await compileWorkspace({
        root,
        env,
        render,
        schemaPath: render ? SCHEMA : undefined,
        cache: setting,
        disk: readDiskState(root, []).texts,
      });
      options.save?.(compiled);
      compiled.cache.save();
      return compiled;
    };
  };
  const texts = (compiled: Compiled) => compiled.files.map((file) => file.text);

  it("keys everything by Carbon's build and the templates, and rendered files by the schema", () => {
    const templates = join(scratch(), 'orb');
    cpSync(ORB_TEMPLATES, templates, { recursive: true });
    const setting: CacheSetting = { build: 'one', templates, folder: scratch() };
    const key = fileKey(setting);
    expect(fileKey(setting)).toBe(key);
    expect(fileKey({ ...setting, build: 'two' })).not.toBe(key);
    writeFileSync(join(templates, 'scripts', 'sync.sh'), '#!/usr/bin/env bash\n');
    expect(fileKey(setting)).not.toBe(key);
    const schema = join(scratch(), 'schema.json');
    writeFileSync(schema, '{}');
    expect(schemaKey(schema)).not.toBe(schemaKey(SCHEMA));
  });

  it('answers an unchanged workspace from the cache, with the same files', async () => {
    const compile = compiler(workspace());
    const first = await compile();
    expect(first.compiled).toBe(1);
    const second = await compile();
    expect(second.compiled).toBe(0);
    expect(second.files).toEqual(first.files);
  });

  it('uses a kept unit only when its files are on disk as it rendered them', async () => {
    const root = workspace();
    const compile = compiler(root);
    const first = await compile();
    const file = join(root, CONFIG_PATH);
    // Edited by hand, then removed: the kept hash no longer matches, so the module is compiled
    // again, for the text the edit or the removal lost; put back, the kept unit is used again.
    writeFileSync(file, `${readFileSync(file, 'utf8')}# by hand\n`);
    const edited = await compile();
    rmSync(file);
    const removed = await compile();
    expect([edited.compiled, removed.compiled]).toEqual([1, 1]);
    expect(edited.files).toEqual(first.files);
    expect(removed.files).toEqual(first.files);
    writeFileSync(file, first.files.find((f) => f.path === CONFIG_PATH)!.text);
    expect((await compile()).compiled).toBe(0);
    // Without the disk, a rendering run takes nothing from the cache.
    const blind = await compileWorkspace({
      root,
      env: {},
      render: true,
      schemaPath: SCHEMA,
      cache: { build: 'one', templates: ORB_TEMPLATES, folder: scratch() },
    });
    expect(blind.compiled).toBe(1);
  });

  it('keeps no unit whose module changed while it was read, or ran out of memory or time', () => {
    const root = workspace();
    const file = join(root, 'projects/acme.ts');
    const setting: CacheSetting = { build: 'one', templates: ORB_TEMPLATES, folder: scratch() };
    const unit = (code?: DiagnosticCode): UnitResult => ({
      module: 'projects/acme.ts',
      inputs: {
        files: { 'projects/acme.ts': hashOfText(readFileSync(file)) },
        probes: {},
        env: {},
      },
      diagnostics: code ? [error(code, { file, path: [] }, 'stopped')] : [],
      console: [],
      projects: [],
      summaries: [],
      files: [],
      problems: [],
    });
    const kept = (code?: DiagnosticCode) => {
      const own: CacheSetting = { ...setting, folder: scratch() };
      const cache = new PipelineCache(root, own, true);
      cache.keepUnit(unit(code), 'config', undefined, {});
      cache.save();
      return new PipelineCache(root, own, true).unit('projects/acme.ts', 'config', undefined, {});
    };
    // A unit without such a diagnostic is kept and found again: the others are not.
    expect(kept()).toBeDefined();
    for (const code of ['settings-memory', 'settings-timeout'] as const)
      expect(kept(code), code).toBeUndefined();
  });

  it('keeps nothing without a build id', async () => {
    const root = workspace();
    const run = async () => {
      const compiled = await compileWorkspace({
        root,
        env: {},
        render: true,
        schemaPath: SCHEMA,
        cache: { build: undefined, templates: ORB_TEMPLATES, folder: scratch() },
      });
      compiled.cache.save();
      return compiled.compiled;
    };
    expect([await run(), await run()]).toEqual([1, 1]);
  });

  it('compiles a module again when a file it imported changes', async () => {
    const root = workspace();
    const compile = compiler(root);
    await compile();
    writeFileSync(join(root, 'lib/owner.ts'), "export const owner = 'agency';\n");
    const after = await compile();
    expect(after.compiled).toBe(1);
    expect(texts(after).join('')).toContain('git@github.com:agency/api.git');
  });

  it('sees a file appear where an import looked before it found another: ../lib/names.json, then names.ts', async () => {
    const root = makeWorkspace({
      'carbon.config.ts': CONFIG,
      'projects/acme.ts': `import names from '../lib/names';\nexport const acme = { id: 'acme', name: names.name, repositories: [{ id: 'Api', name: 'Api', build: { carbonRepo: 'Carbon' }, local: { git: 'github.com/acme/api.git' } }, { id: 'Carbon', name: 'C', local: { git: 'github.com/acme/carbon.git' } }] };\n`,
      'lib/names.json': '{ "name": "From JSON" }\n',
    });
    const compile = compiler(root, {}, false);
    const render = compiler(root);
    expect((await compile()).workspace?.projects[0]?.name).toBe('From JSON');
    await render();
    writeFileSync(join(root, 'lib/names.ts'), "export default { name: 'From TypeScript' };\n");
    expect((await compile()).workspace?.projects[0]?.name).toBe('From TypeScript');
    const after = await render();
    expect(after.compiled).toBe(1);
    const uncached = await compileWorkspace({
      root,
      env: {},
      render: true,
      schemaPath: SCHEMA,
      cache: false,
    });
    expect(texts(after)).toEqual(texts(uncached));
  });

  it('resolves ./_names.js to _names.ts as TypeScript does, even once a _names.js appears', async () => {
    const root = makeWorkspace({
      'carbon.config.ts': CONFIG,
      'projects/acme.ts': `import { name } from './_names.js';\nexport const acme = { id: 'acme', name, repositories: [{ id: 'Api', name: 'Api', local: { git: 'github.com/acme/api.git' } }] };\n`,
      'projects/_names.ts': "export const name = 'TypeScript';\n",
    });
    const compile = compiler(root, {}, false);
    await compile();
    writeFileSync(join(root, 'projects/_names.js'), "export const name = 'JavaScript';\n");
    const after = await compile();
    expect(after.workspace?.projects[0]?.name).toBe('TypeScript');
  });

  it('sees a file appear that a caught failed import looked for', async () => {
    const root = makeWorkspace({
      'carbon.config.ts': CONFIG,
      'projects/acme.ts': `let name = 'none';\ntry { name = require('./_later').name; } catch { name = 'none'; }\nexport const acme = { id: 'acme', name, repositories: [{ id: 'Api', name: 'Api', local: { git: 'github.com/acme/api.git' } }] };\n`,
    });
    const compile = compiler(root, {}, false);
    expect((await compile()).workspace?.projects[0]?.name).toBe('none');
    writeFileSync(join(root, 'projects/_later.ts'), "export const name = 'later';\n");
    const after = await compile();
    expect(after.compiled).toBe(1);
    expect(after.workspace?.projects[0]?.name).toBe('later');
  });

  it('compiles again when a declared environment variable changes, and only then', async () => {
    const root = makeWorkspace({
      'carbon.config.ts': "export default { env: ['ACME_NAME'] };\n",
      'projects/acme.ts': `import { env } from 'carbon';\nexport const acme = { id: 'acme', name: env('ACME_NAME') ?? 'unset', repositories: [{ id: 'Api', name: 'Api', local: { git: 'github.com/acme/api.git' } }] };\n`,
    });
    const env: NodeJS.ProcessEnv = { ACME_NAME: 'One' };
    const compile = compiler(root, env, false);
    expect((await compile()).workspace?.projects[0]?.name).toBe('One');
    expect((await compile()).compiled).toBe(0);
    env['ACME_NAME'] = 'Two';
    const after = await compile();
    expect(after.compiled).toBe(1);
    expect(after.workspace?.projects[0]?.name).toBe('Two');
    delete env['ACME_NAME'];
    expect((await compile()).workspace?.projects[0]?.name).toBe('unset');
  });

  it('keeps a hash of what env() read, never the value, and still sees it change', async () => {
    const root = makeWorkspace({
      'carbon.config.ts': `export default { env: ['ACME_TOKEN'], aws: { accountId: '123456789012' }, ${KEYS} };\n`,
      'projects/acme.ts': `import { env } from 'carbon';\nexport const acme = { id: 'acme', name: env('ACME_TOKEN') ? 'Acme' : 'Nobody', repositories: [{ id: 'Api', name: 'Api', build: { carbonRepo: 'Carbon' }, local: { git: 'github.com/acme/api.git' } }, { id: 'Carbon', name: 'C', local: { git: 'github.com/acme/carbon.git' } }] };\n`,
    });
    const setting: CacheSetting = { build: 'one', templates: ORB_TEMPLATES, folder: scratch() };
    const env: NodeJS.ProcessEnv = { ACME_TOKEN: 'tok-4f9a2c61e0b7' };
    // Rendered units (generate, check) and resolved ones (plan, site) in one cache file.
    const compilers = [true, false].map((render) => compiler(root, env, render, setting));
    const run = (render: boolean) => compilers[render ? 0 : 1]!();
    const rendered = await run(true);
    expect(rendered.compiled).toBe(1);
    expect((await run(false)).compiled).toBe(1);
    // On disk, as generate would leave them: a kept rendered unit is used only then.
    writeFiles(root, Object.fromEntries(rendered.files.map((file) => [file.path, file.text])));
    const kept = readFileSync(cacheFileOf(root, setting), 'utf8');
    expect(kept).toContain('ACME_TOKEN');
    expect(kept).not.toContain('tok-4f9a2c61e0b7');
    for (const render of [true, false]) expect((await run(render)).compiled).toBe(0);
    // Another value with the same outcome is still another input: compiled again.
    env['ACME_TOKEN'] = 'tok-77d01e5b93aa';
    for (const render of [true, false]) expect((await run(render)).compiled).toBe(1);
    delete env['ACME_TOKEN'];
    const unset = await run(false);
    expect(unset.compiled).toBe(1);
    expect(unset.workspace?.projects[0]?.name).toBe('Nobody');
    expect(readFileSync(cacheFileOf(root, setting), 'utf8')).not.toContain('tok-');
  });

  it('does not keep what was compiled from a file saved during the run', async () => {
    const root = workspace();
    const compile = compiler(root);
    await compile({
      save: () => writeFileSync(join(root, 'projects/acme.ts'), project('develop')),
    });
    const after = await compile();
    expect(after.compiled).toBe(1);
    expect(texts(after).join('')).toContain('source_branch: develop');
  });

  it('keeps rendered and resolved units side by side: neither kind of run undoes the other', async () => {
    const root = workspace();
    const setting: CacheSetting = { build: 'one', templates: ORB_TEMPLATES, folder: scratch() };
    const run = async (render: boolean) => {
      const compiled = await compileWorkspace({
        root,
        env: {},
        render,
        schemaPath: render ? SCHEMA : undefined,
        cache: setting,
        disk: readDiskState(root, []).texts,
      });
      compiled.cache.save();
      return compiled;
    };
    const rendered = await run(true);
    expect(rendered.workspace).toBeUndefined();
    expect(rendered.files.length).toBeGreaterThan(0);
    const resolved = await run(false);
    expect(resolved.compiled).toBe(1);
    expect(resolved.workspace?.projects.map((project) => project.id)).toEqual(['acme']);
    expect((await run(true)).compiled).toBe(0);
    expect((await run(false)).compiled).toBe(0);
    // A rendered unit never carries the resolved projects: they would double what is kept.
    const kept = readFileSync(cacheFileOf(root, setting), 'utf8');
    expect(JSON.parse(kept).units['files projects/acme.ts'].result.projects).toEqual([]);
  });
});

describe('the store', () => {
  it("stays bounded: keeping a new validator's code removes the oldest past four", () => {
    const store = mkdtempSync(join(tmpdir(), 'carbon-store-'));
    try {
      const old = new Date('2001-01-01T00:00:00Z');
      for (let index = 0; index < 6; index++) {
        const path = join(store, `schema-fast-zz-prune-test-${index}.cjs`);
        writeFileSync(path, '');
        utimesSync(path, old, old);
      }
      const root = workspace();
      const env = { CARBON_STORE: store, CARBON_CIRCLECI_SCHEMA: SCHEMA };
      const result = runCarbon(['check', '--root', root], { env });
      expect(result.code, result.stderr).toBe(0);
      const kept = readdirSync(store).filter((name) => /^schema-.*\.cjs$/.test(name));
      expect(kept).toHaveLength(4);
      // The oldest went first: this run's code stays.
      expect(kept.filter((name) => !name.includes('zz-prune-test'))).toHaveLength(1);
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  });
});

describe('runs that share the cache', () => {
  it('a generate after a run that did not render (ls) finishes: the orb and the modules share one runner', () => {
    const root = workspace();
    rmSync(join(root, 'generated'), { recursive: true });
    rmSync(join(REPO_ROOT, 'node_modules/.cache/carbon/pipeline'), {
      recursive: true,
      force: true,
    });
    expect(runCarbon(['ls', '--root', root]).code).toBe(0);
    const result = runCarbon(['generate', '--root', root], { timeout: 30_000 });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('wrote generated/acme/Api/.circleci/config.yml');
  });

  /**
   * A workspace generated once with a store of its own (the schema named: such a store holds no
   * fetched copy), and the kept validator code's file in it; the store goes after `test`.
   */
  function withOwnStore(
    test: (setup: { root: string; env: NodeJS.ProcessEnv; kept: string }) => void,
  ) {
    const store = mkdtempSync(join(tmpdir(), 'carbon-store-'));
    try {
      const root = workspace();
      const env = { CARBON_STORE: store, CARBON_CACHE: '0', CARBON_CIRCLECI_SCHEMA: SCHEMA };
      expect(runCarbon(['generate', '--root', root], { env }).code).toBe(0);
      const kept = readdirSync(store).filter((name) => /^schema-fast-.*\.cjs$/.test(name));
      expect(kept).toHaveLength(1);
      test({ root, env, kept: join(store, kept[0]!) });
    } finally {
      rmSync(store, { recursive: true, force: true });
    }
  }

  it('uses the kept schema code also from a CARBON_STORE outside Carbon', () => {
    // The kept code requires ajv's runtime, which is not found above a store in another folder:
    // it is loaded with Carbon's own require, and used, not compiled again on every run.
    withOwnStore(({ root, env, kept }) => {
      expect(readFileSync(kept, 'utf8')).toContain('require("ajv/dist/runtime/');
      // A kept validator that needs ajv's runtime, as the real one does, and counts its calls
      // shows that the kept code is what validates.
      const calls = join(root, 'calls');
      writeFileSync(
        kept,
        `require('ajv/dist/runtime/ucs2length');\nmodule.exports = function counted() { require('node:fs').appendFileSync(${JSON.stringify(calls)}, '.'); return true; };\n`,
      );
      const check = runCarbon(['check', '--root', root], { env });
      expect(check.code, check.stderr).toBe(0);
      // One call per document validated: the config and the orb.
      expect(readFileSync(calls, 'utf8')).toBe('..');
    });
  });

  it('compiles the schema again when the kept validator code is damaged', () => {
    withOwnStore(({ root, env, kept }) => {
      // Loads, but throws on every document, as code edited or damaged after it was kept would.
      writeFileSync(
        kept,
        "module.exports = function damaged() { throw new ReferenceError('damaged'); };\n",
      );
      const check = runCarbon(['check', '--root', root], { env });
      expect(check.code, check.stderr).toBe(0);
      expect(readFileSync(kept, 'utf8')).toContain('require("ajv/dist/runtime/');
    });
  });

  it('answers a cached check without loading zod, yaml, ajv, sucrase or ts-morph; an uncached one of plain modules on a new machine without sucrase or yaml', () => {
    // Hooks append every package a run loads to a file, imported (a resolution hook in Node's
    // loader thread) or required (a wrapper of CommonJS resolution, in every thread: workers
    // inherit it). Appending synchronously: a worker's stderr may be cut off at exit.
    const root = workspace();
    const PACKAGE = /node_modules\/((?:@[^/]+\/)?[^/.][^/]*)\//;
    const log = join(root, 'packages.log');
    const record = `{ const m = ${PACKAGE}.exec(r); if (m) appendFileSync(${JSON.stringify(log)}, m[1] + '\\n'); }`;
    const hook = join(root, 'hook.mjs');
    const preload = join(root, 'preload.cjs');
    writeFileSync(
      hook,
      `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(
        `import { appendFileSync } from 'node:fs'; export async function resolve(s, c, next) { const found = await next(s, c); const r = found.url; ${record} return found; }`,
      )}));\n`,
    );
    writeFileSync(
      preload,
      `const { appendFileSync } = require('node:fs');\nconst Module = require('node:module');\nconst resolve = Module._resolveFilename;\nModule._resolveFilename = function (...args) { const r = resolve.apply(this, args); ${record} return r; };\n`,
    );
    const loaded = (env: NodeJS.ProcessEnv = {}, folder = root) => {
      rmSync(log, { force: true });
      const run = spawnSync(
        process.execPath,
        ['--require', preload, '--import', hook, CARBON_BIN, 'check', '--root', folder],
        { encoding: 'utf8', env: { ...process.env, ...env } },
      );
      expect(run.status, run.stderr).toBe(0);
      // No file: no package was loaded at all.
      const text = readFileSync(log, { encoding: 'utf8', flag: 'a+' });
      return new Set(text.split('\n').filter(Boolean));
    };
    // The hooks see what an uncached run loads: the check below is not vacuous.
    expect([...loaded({ CARBON_CACHE: '0' })]).toEqual(
      expect.arrayContaining(['zod', 'ajv', 'sucrase']),
    );
    const cached = loaded();
    expect(
      ['zod', 'yaml', 'ajv', 'sucrase', 'ts-morph'].filter((name) => cached.has(name)),
    ).toEqual([]);
    // Modules of plain data (as the bench fleet's) are read without running them: no sucrase;
    // and on a new machine (an empty store) the orb comes packed with Carbon: no YAML parser.
    const plain = makeWorkspace({});
    writeFleet(plain, 3);
    expect(runCarbon(['generate', '--root', plain]).code).toBe(0);
    const uncachedPlain = loaded({ CARBON_CACHE: '0', CARBON_STORE: makeWorkspace({}) }, plain);
    expect(uncachedPlain.has('zod')).toBe(true);
    expect(uncachedPlain.has('ajv')).toBe(true);
    expect(uncachedPlain.has('sucrase')).toBe(false);
    expect(uncachedPlain.has('yaml')).toBe(false);
  });
});
