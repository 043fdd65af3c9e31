// The pipeline cache: what produce answered last time for a workspace, kept while nothing it
// read has changed. The key covers everything that decides the generated texts: Carbon itself
// (its build id, see store.ts), the orb templates, the CircleCI schema, carbon.config.ts, every
// projects/*.ts, and every other settings file those imported (listed in the entry with the hash
// of the bytes that were read). A run whose settings reached outside what can be tracked (a
// package from node_modules, the file system) is never kept. A no-op generate or a check then
// skips loading, parsing, resolving, emitting, validating and rendering, and the modules that do
// them are never even loaded. Only answers without errors are kept. CARBON_CACHE=0 turns it off.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { hashFileInto, hashFolderInto, hashOfFile } from './hash.ts';
import { ORB_TEMPLATES } from './paths.ts';
import type { Produced } from './produce.ts';
import { CONFIG_FILE, PROJECTS_FOLDER } from './settings/layout.ts';
import { STORE_FOLDER, buildId, nameOf, writeAtomic } from './store.ts';

const FORMAT = 2;

/** What, beyond the workspace, decides the texts, and where answers are kept. */
export interface CacheSetting {
  /** Carbon's build id; no cache without one. */
  build: string | undefined;
  templates: string;
  folder: string;
}

export function defaultCacheSetting(): CacheSetting {
  return { build: buildId(), templates: ORB_TEMPLATES, folder: join(STORE_FOLDER, 'pipeline') };
}

interface Entry {
  format: number;
  key: string;
  /** Settings files read beyond projects/*.ts and carbon.config.ts, with the hash of what was read. */
  imports: [string, string][];
  produced: Omit<Produced, 'modules' | 'trackable'>;
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
  for (const name of modules) {
    hashFileInto(hash, join(root, PROJECTS_FOLDER, name), `${PROJECTS_FOLDER}/${name}`);
  }
  return hash.digest('hex');
}

/** A lookup: the answer when the inputs are those of the last run, and the key either way. */
export interface Lookup {
  key: string | undefined;
  produced?: Produced;
}

/** produce's answer from the last run, when nothing it depends on changed since. */
export function lookUpProduced(
  root: string,
  schemaPath: string,
  setting = defaultCacheSetting(),
): Lookup {
  if (setting.build === undefined) return { key: undefined };
  // The key is taken before produce reads anything: a file saved during the run then misses next time.
  const key = inputKey(root, schemaPath, setting);
  let entry: Entry;
  try {
    entry = JSON.parse(readFileSync(entryPath(root, setting), 'utf8')) as Entry;
  } catch {
    return { key };
  }
  if (entry.format !== FORMAT || entry.key !== key) return { key };
  if (entry.imports.some(([path, hash]) => hashOfFile(join(root, path)) !== hash)) return { key };
  return { key, produced: { ...entry.produced, modules: {}, trackable: true } };
}

/** Keeps an answer without errors, under the key taken before it was produced. */
export function storeProduced(
  root: string,
  key: string | undefined,
  produced: Produced,
  setting = defaultCacheSetting(),
): void {
  if (setting.build === undefined || key === undefined || !produced.files || !produced.trackable)
    return;
  // projects/*.ts and carbon.config.ts are in the key already; anything else read is listed.
  const covered = (file: string) =>
    file === join(root, CONFIG_FILE) ||
    (dirname(file) === join(root, PROJECTS_FOLDER) && file.endsWith('.ts'));
  const imports = Object.entries(produced.modules)
    .filter(([file]) => !covered(file))
    .map(([file, hash]): [string, string] => [relative(root, file), hash]);
  const { modules: _modules, trackable: _trackable, ...kept } = produced;
  const entry: Entry = { format: FORMAT, key, imports, produced: kept };
  const path = entryPath(root, setting);
  try {
    writeAtomic(path, JSON.stringify(entry));
    prune(dirname(path));
  } catch {
    // A cache that cannot be written only costs time.
  }
}

function entryPath(root: string, setting: CacheSetting): string {
  return join(setting.folder, `${nameOf(root)}.json`);
}

/** One entry per workspace, and only the most recently written workspaces'. */
const KEPT_ENTRIES = 32;

function prune(folder: string): void {
  const entries = readdirSync(folder)
    .filter((name) => name.endsWith('.json'))
    .map((name) => join(folder, name))
    .map((path) => ({ path, time: statSync(path).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  for (const { path } of entries.slice(KEPT_ENTRIES)) rmSync(path, { force: true });
}
