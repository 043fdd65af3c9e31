// The pipeline cache: what produce answered last time for a workspace, kept while nothing it
// read has changed. The key covers everything that decides the generated texts: Carbon itself
// (its sources and package files, as the launcher's build id), the orb templates, the CircleCI
// schema, carbon.config.ts, every project module and every file they imported. A no-op generate
// or a check then skips loading, parsing, resolving, emitting, validating and rendering, and the
// modules that do them are never even loaded. Only answers without errors are kept. Settings
// modules must be deterministic (no clock, no environment): that is what makes them settings.
// CARBON_CACHE=0 turns the cache off.
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { hashFileInto, hashFolderInto } from './hash.ts';
import { ORB_TEMPLATES, PACKAGE_ROOT } from './paths.ts';
import type { Produced } from './produce.ts';
import { CONFIG_FILE, PROJECTS_FOLDER } from './settings/layout.ts';

/** Set by the launcher (bin/carbon.mjs) to the hash of Carbon's sources; absent in tests. */
declare const __CARBON_BUILD__: string | undefined;

const FORMAT = 1;

interface Entry {
  format: number;
  key: string;
  /** Files the settings imported beyond projects/*.ts and carbon.config.ts, with their hashes. */
  imports: [string, string][];
  produced: Omit<Produced, 'modules'>;
}

/** What, beyond the workspace, decides the texts, and where answers are kept. */
export interface CacheSetting {
  /** Carbon's build id; no cache without one. */
  build: string | undefined;
  templates: string;
  folder: string;
}

export function defaultCacheSetting(): CacheSetting {
  const build =
    typeof __CARBON_BUILD__ === 'string' && process.env['CARBON_CACHE'] !== '0'
      ? __CARBON_BUILD__
      : undefined;
  return {
    build,
    templates: ORB_TEMPLATES,
    folder: join(PACKAGE_ROOT, 'node_modules', '.cache', 'carbon', 'pipeline'),
  };
}

function entryPath(root: string, setting: CacheSetting): string {
  const name = createHash('sha256').update(root).digest('hex').slice(0, 24);
  return join(setting.folder, `${name}.json`);
}

/** The hash of every input but the imported files (which the entry lists with their own hashes). */
export function inputKey(root: string, schemaPath: string, setting: CacheSetting): string {
  const hash = createHash('sha256');
  hash.update(`format ${FORMAT} build ${setting.build}\0`);
  hashFileInto(hash, schemaPath, 'schema');
  hashFolderInto(hash, setting.templates);
  hashFileInto(hash, join(root, CONFIG_FILE), CONFIG_FILE);
  let modules: string[] = [];
  try {
    modules = readdirSync(join(root, PROJECTS_FOLDER))
      .filter((name) => name.endsWith('.ts'))
      .sort();
  } catch {
    hash.update('no projects folder');
  }
  for (const name of modules)
    hashFileInto(hash, join(root, PROJECTS_FOLDER, name), `${PROJECTS_FOLDER}/${name}`);
  return hash.digest('hex');
}

function fileHash(path: string): string {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return '<missing>';
  }
}

/** produce's answer from the last run, when nothing it depends on changed since. */
export function lookUpProduced(
  root: string,
  schemaPath: string,
  setting = defaultCacheSetting(),
): Produced | undefined {
  if (setting.build === undefined) return undefined;
  let entry: Entry;
  try {
    entry = JSON.parse(readFileSync(entryPath(root, setting), 'utf8')) as Entry;
  } catch {
    return undefined;
  }
  if (entry.format !== FORMAT || entry.key !== inputKey(root, schemaPath, setting))
    return undefined;
  if (entry.imports.some(([path, hash]) => fileHash(join(root, path)) !== hash)) return undefined;
  return { ...entry.produced, modules: [] };
}

/** Keeps an answer without errors for the next run. */
export function storeProduced(
  root: string,
  schemaPath: string,
  produced: Produced,
  setting = defaultCacheSetting(),
): void {
  if (setting.build === undefined || !produced.files) return;
  // projects/*.ts and carbon.config.ts are in the key already; anything else read is listed.
  const covered = (file: string) =>
    file === join(root, CONFIG_FILE) ||
    (dirname(file) === join(root, PROJECTS_FOLDER) && file.endsWith('.ts'));
  const imports = produced.modules
    .filter((file) => !covered(file))
    .map((file): [string, string] => [relative(root, file), fileHash(file)]);
  const { modules: _modules, ...kept } = produced;
  const entry: Entry = {
    format: FORMAT,
    key: inputKey(root, schemaPath, setting),
    imports,
    produced: kept,
  };
  const path = entryPath(root, setting);
  try {
    mkdirSync(join(path, '..'), { recursive: true });
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(entry));
    renameSync(temporary, path);
    prune(dirname(path));
  } catch {
    // A cache that cannot be written only costs time.
  }
}

/** One entry per workspace, and only the most recently written workspaces'. */
const KEPT_ENTRIES = 32;

function prune(folder: string): void {
  const entries = readdirSync(folder)
    .map((name) => join(folder, name))
    .map((path) => ({ path, time: statSync(path).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  for (const { path } of entries.slice(KEPT_ENTRIES)) rmSync(path, { force: true });
}
