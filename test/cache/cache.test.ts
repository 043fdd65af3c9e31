// The pipeline cache never answers for inputs that changed: settings, helpers (in projects/ or
// imported from elsewhere), templates, the schema, Carbon's build. Through the real CLI, and on
// the key itself.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { inputKey, lookUpProduced, storeProduced, type CacheSetting } from '../../src/cache.ts';
import { hashOfFile } from '../../src/hash.ts';
import { loadWorkspace } from '../../src/settings/load.ts';
import { DEFAULT_SCHEMA, ORB_TEMPLATES } from '../../src/paths.ts';
import type { Produced } from '../../src/produce.ts';
import { runCarbon } from '../helpers/cli.ts';
import { TEST_KEY, makeWorkspace } from '../helpers/workspace.ts';

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
    const strict = JSON.parse(readFileSync(DEFAULT_SCHEMA, 'utf8')) as {
      properties: { workflows: { maxProperties?: number } };
    };
    strict.properties.workflows.maxProperties = 0;
    writeFileSync(schema, JSON.stringify(strict));
    const result = runCarbon(['check', '--root', root, '--schema', schema]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error invalid-output');
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

describe('the cache key', () => {
  const folders: string[] = [];
  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });
  const scratch = () => {
    const folder = mkdtempSync(join(tmpdir(), 'carbon-cache-'));
    folders.push(folder);
    return folder;
  };
  const produced: Produced = {
    trackable: true,
    diagnostics: [],
    problems: [],
    files: [{ path: 'orb.yml', text: 'x' }],
    orb: { reference: 'registry', version: '1.0.0' },
    modules: {},
  };

  it("changes with Carbon's build, the templates and the schema", () => {
    const root = workspace();
    const templates = join(scratch(), 'orb');
    cpSync(ORB_TEMPLATES, templates, { recursive: true });
    const setting: CacheSetting = { build: 'one', templates, folder: scratch() };
    const key = inputKey(root, DEFAULT_SCHEMA, setting);
    expect(inputKey(root, DEFAULT_SCHEMA, setting)).toBe(key);
    expect(inputKey(root, DEFAULT_SCHEMA, { ...setting, build: 'two' })).not.toBe(key);
    writeFileSync(join(templates, 'scripts', 'sync.sh'), '#!/usr/bin/env bash\n');
    const afterTemplate = inputKey(root, DEFAULT_SCHEMA, setting);
    expect(afterTemplate).not.toBe(key);
    const schema = join(scratch(), 'schema.json');
    writeFileSync(schema, '{}');
    expect(inputKey(root, schema, setting)).not.toBe(afterTemplate);
  });

  it('stores nothing and answers nothing without a build id', () => {
    const root = workspace();
    const setting: CacheSetting = { build: undefined, templates: ORB_TEMPLATES, folder: scratch() };
    const lookup = lookUpProduced(root, DEFAULT_SCHEMA, setting);
    storeProduced(root, lookup.key, produced, setting);
    expect(lookUpProduced(root, DEFAULT_SCHEMA, setting)).toEqual({ key: undefined });
  });

  it('answers until an imported file changes, by the hash of the bytes that were read', () => {
    const root = workspace();
    const setting: CacheSetting = { build: 'one', templates: ORB_TEMPLATES, folder: scratch() };
    const owner = join(root, 'lib/owner.ts');
    const { key } = lookUpProduced(root, DEFAULT_SCHEMA, setting);
    storeProduced(root, key, { ...produced, modules: { [owner]: hashOfFile(owner) } }, setting);
    expect(lookUpProduced(root, DEFAULT_SCHEMA, setting).produced?.files).toEqual(produced.files);
    writeFileSync(owner, "export const owner = 'x';\n");
    expect(lookUpProduced(root, DEFAULT_SCHEMA, setting).produced).toBeUndefined();
  });

  it('keeps an answer under the key taken before produce read the settings', () => {
    const root = workspace();
    const setting: CacheSetting = { build: 'one', templates: ORB_TEMPLATES, folder: scratch() };
    const { key } = lookUpProduced(root, DEFAULT_SCHEMA, setting);
    // The module is saved while the run is producing: what was produced is from the old text.
    writeFileSync(join(root, 'projects/acme.ts'), project('develop'));
    storeProduced(root, key, produced, setting);
    expect(lookUpProduced(root, DEFAULT_SCHEMA, setting).produced).toBeUndefined();
  });

  it('keeps nothing when the settings reached beyond files', () => {
    const root = workspace();
    const setting: CacheSetting = { build: 'one', templates: ORB_TEMPLATES, folder: scratch() };
    const { key } = lookUpProduced(root, DEFAULT_SCHEMA, setting);
    storeProduced(root, key, { ...produced, trackable: false }, setting);
    expect(lookUpProduced(root, DEFAULT_SCHEMA, setting).produced).toBeUndefined();
  });
});

describe('what settings modules reach', () => {
  it.each([
    ["import { readFileSync } from 'node:fs';", 'readFileSync', false],
    ["import * as os from 'os';", 'os', false],
    ["import { owners } from 'acme-data';", 'owners', false],
    ["import { join } from 'node:path';", 'join', true],
    ["import { owner } from '../lib/owner';", 'owner', true],
  ])('%s -> trackable %s', async (line, used, trackable) => {
    const root = makeWorkspace({
      'projects/acme.ts': `${line}\nexport const acme = { id: 'acme', name: typeof ${used}, repositories: [{ id: 'Api', name: 'Api', local: { git: 'github.com/acme/api.git' } }] };\n`,
      'lib/owner.ts': "export const owner = 'acme';\n",
      'node_modules/acme-data/index.js': "exports.owners = ['acme'];\n",
    });
    const loaded = loadWorkspace(root);
    expect(loaded.diagnostics).toEqual([]);
    expect(loaded.trackable).toBe(trackable);
  });

  it('follows a JavaScript helper like a TypeScript one', () => {
    const root = makeWorkspace({
      'projects/acme.ts':
        "import { owner } from './_owner.js';\nexport const acme = { id: 'acme', name: owner, repositories: [{ id: 'Api', name: 'Api', local: { git: 'github.com/acme/api.git' } }] };\n",
      'projects/_owner.js': "export const owner = 'Acme';\n",
    });
    const loaded = loadWorkspace(root);
    expect(loaded.trackable).toBe(true);
    expect(Object.keys(loaded.modules).map((file) => file.slice(root.length))).toEqual([
      '/projects/acme.ts',
      '/projects/_owner.js',
    ]);
  });
});
