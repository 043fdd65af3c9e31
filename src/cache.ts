// The pipeline cache: what each settings module compiled to last time, kept while nothing it read
// has changed. Sound by construction: the settings realm records every input as it is read (the
// bytes of every file, every path looked at to resolve an import, every environment variable read
// through env()); an entry is used only when all of them are as they were, and is kept only when
// they are still as they were read at the end of the run (a file saved meanwhile is not trusted).
// Values read through env() are kept as hashes (salted per cache file), never in clear: the store
// may be a CI cache, and the values may be secrets a module only compares.
// What decides a module's result beyond its inputs is in the key of the whole file (Carbon's
// build, the orb templates, the CircleCI schema) or of the entry (the parsed workspace config).
// CARBON_CACHE=0 turns it off.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigResult } from './compile/config.ts';
import type { UnitResult } from './compile/unit.ts';
import { hashFileInto, hashFolderInto, hashOfText } from './hash.ts';
import { ORB_TEMPLATES } from './paths.ts';
import { CurrentFiles, inputsUnchanged, type Inputs } from './modules/inputs.ts';
import { STORE_FOLDER, buildId, keepNewest, nameOf, pruneStore, writeAtomic } from './store.ts';

/** Diagnostics after which a unit's answer is not kept: running it again may answer otherwise. */
const UNTRUSTED = new Set(['settings-memory', 'settings-timeout']);

const FORMAT = 6;

/** What, beyond the workspace, decides the results, and where they are kept. */
export interface CacheSetting {
  /** Carbon's build id; no cache without one. */
  build: string | undefined;
  templates: string;
  folder: string;
}

export function defaultCacheSetting(): CacheSetting {
  return { build: buildId(), templates: ORB_TEMPLATES, folder: join(STORE_FOLDER, 'pipeline') };
}

/** A unit kept with the fingerprint of the config it was compiled under (and of the schema its files were validated against). */
interface KeptUnit {
  config: string;
  schema?: string;
  result: UnitResult;
}

/** The orb as generate writes it, kept by the config it was packed for. */
export interface KeptOrb {
  config: string;
  text: string;
  problems: { path: string; pointer: string; message: string }[];
}

interface CacheFile {
  format: number;
  key: string;
  /** Hashed with every env() value kept (a new one with each new file). */
  salt: string;
  config?: ConfigResult;
  /**
   * By `files <module>` (rendered files, for generate and check) or `projects <module>` (resolved
   * projects, for the commands that read settings): each keeps only what its commands need.
   */
  units: Record<string, KeptUnit>;
  orb?: KeptOrb;
}

/** The kept results of one workspace, and what this run adds to them. */
export class PipelineCache {
  private readonly root: string;
  private readonly setting: CacheSetting | undefined;
  /** `files` or `projects`: which kind of unit this run reads and makes. */
  private readonly kind: string;
  private readonly key: string;
  private readonly kept: CacheFile;
  private readonly next: CacheFile;
  private changed = false;
  /** Units computed in this run, with the environment they were computed with (hashed). */
  private readonly fresh = new Map<string, Record<string, string | null>>();
  /** Each environment this run was given, hashed as kept values are (once per environment). */
  private readonly hashedEnvs = new WeakMap<object, Record<string, string | null>>();
  /** The files kept answers read, as they are at the start of this run. */
  private current: CurrentFiles | undefined;

  constructor(root: string, setting: CacheSetting | undefined, render: boolean) {
    this.root = root;
    this.setting = setting?.build === undefined ? undefined : setting;
    this.kind = render ? 'files' : 'projects';
    this.key = this.setting ? fileKey(this.setting) : '';
    this.kept = this.read();
    this.next = { format: FORMAT, key: this.key, salt: this.kept.salt, units: {} };
    // The other kind of unit is not this run's to judge: it stays as it was.
    for (const [key, unit] of Object.entries(this.kept.units))
      if (!key.startsWith(`${this.kind} `)) this.next.units[key] = unit;
  }

  private now(): CurrentFiles {
    return (this.current ??= new CurrentFiles(this.root));
  }

  private read(): CacheFile {
    const empty: CacheFile = {
      format: FORMAT,
      key: this.key,
      salt: randomBytes(16).toString('hex'),
      units: {},
    };
    if (!this.setting) return empty;
    try {
      const file = JSON.parse(readFileSync(this.path(), 'utf8')) as CacheFile;
      return file.format === FORMAT && file.key === this.key && typeof file.salt === 'string'
        ? file
        : empty;
    } catch {
      return empty;
    }
  }

  /** The kept config result, when carbon.config.ts (and what it read) did not change. */
  config(): ConfigResult | undefined {
    const kept = this.kept.config;
    if (!kept || !inputsUnchanged(this.now(), kept.inputs, {})) return undefined;
    this.next.config = kept;
    return kept;
  }

  /** Keeps a config result computed in this run, if what it read is still as it was. */
  keepConfig(result: ConfigResult): void {
    // A config stopped for time or memory says nothing of the next run, which may be less loaded.
    if (!this.setting || result.diagnostics.some((d) => UNTRUSTED.has(d.code))) return;
    this.next.config = { ...result, inputs: this.withHashedEnv(result.inputs) };
    this.changed = true;
  }

  /**
   * A module's kept unit, when compiled under this config (its files validated against this
   * schema, when `schema` is given) and nothing it read changed.
   */
  unit(
    module: string,
    config: string,
    schema: string | undefined,
    env: Record<string, string | null>,
  ): UnitResult | undefined {
    const kept = this.kept.units[`${this.kind} ${module}`];
    if (!kept || kept.config !== config) return undefined;
    if (schema !== undefined && kept.schema !== schema) return undefined;
    if (!inputsUnchanged(this.now(), kept.result.inputs, this.hashed(env))) return undefined;
    this.next.units[`${this.kind} ${module}`] = kept;
    return kept.result;
  }

  /** Keeps a unit computed in this run; save() checks again that what it read is unchanged. */
  keepUnit(
    result: UnitResult,
    config: string,
    schema: string | undefined,
    env: Record<string, string | null>,
  ): void {
    if (!this.setting) return;
    // A module whose worker ran out of memory (or past the time limit), or that changed while it
    // was read, read nothing that can be trusted.
    if (result.diagnostics.some((d) => UNTRUSTED.has(d.code))) return;
    this.next.units[`${this.kind} ${result.module}`] = {
      config,
      // A schema is given only when the unit was rendered (validated against it).
      ...(schema !== undefined ? { schema } : {}),
      // Texts are kept by hash only: they are most of a unit, and the disk has them already.
      result: {
        ...result,
        inputs: this.withHashedEnv(result.inputs),
        files: result.files.map(({ path, text, hash }) => ({
          path,
          hash: hash ?? hashOfText(text!),
        })),
      },
    };
    this.fresh.set(result.module, this.hashed(env));
    this.changed = true;
  }

  /** An environment as values are kept: each set value by its hash (unset stays null). */
  private hashed(env: Record<string, string | null>): Record<string, string | null> {
    let hashed = this.hashedEnvs.get(env);
    if (!hashed) {
      hashed = Object.fromEntries(
        Object.entries(env).map(([name, value]) => [
          name,
          value === null ? null : hashOfText(`${this.next.salt}\0${name}\0${value}`),
        ]),
      );
      this.hashedEnvs.set(env, hashed);
    }
    return hashed;
  }

  private withHashedEnv(inputs: Inputs): Inputs {
    return { ...inputs, env: this.hashed(inputs.env) };
  }

  orb(config: string): KeptOrb | undefined {
    const kept = this.kept.orb;
    if (!kept || kept.config !== config) return undefined;
    this.next.orb = kept;
    return kept;
  }

  keepOrb(orb: KeptOrb): void {
    this.next.orb = orb;
    this.changed = true;
  }

  /**
   * Writes what this run used and made, when it differs from what was kept. A result whose inputs
   * changed since they were read (a settings file saved during the run) is dropped: it may not be
   * what those files say now.
   */
  save(): void {
    if (!this.setting) return;
    // Looked at again, as they are now: a file saved during the run shows here.
    const atEnd = new CurrentFiles(this.root);
    for (const [module, env] of this.fresh) {
      const key = `${this.kind} ${module}`;
      const kept = this.next.units[key];
      if (kept && !inputsUnchanged(atEnd, kept.result.inputs, env)) delete this.next.units[key];
    }
    if (this.next.config && !inputsUnchanged(atEnd, this.next.config.inputs, {}))
      delete this.next.config;
    const dropped = Object.keys(this.kept.units).some((key) => !(key in this.next.units));
    if (!this.changed && !dropped) {
      // Still current: prewarm.ts starts a worker early only for modules saved after this file.
      touch(this.path());
      return;
    }
    try {
      writeAtomic(this.path(), JSON.stringify(this.next));
      keepNewest(this.setting.folder, /\.json$/, KEPT_WORKSPACES);
      pruneStore();
    } catch {
      // A cache that cannot be written only costs time.
    }
  }

  private path(): string {
    return cacheFileOf(this.root, this.setting!);
  }
}

/** Where a workspace's results are kept. */
export function cacheFileOf(root: string, setting: CacheSetting = defaultCacheSetting()): string {
  return join(setting.folder, `${nameOf(root)}.json`);
}

/** The hash of what decides every result beyond the workspace's own files and the schema. */
export function fileKey(setting: CacheSetting): string {
  const hash = createHash('sha256');
  hash.update(`format ${FORMAT} build ${setting.build}\0`);
  hashFolderInto(hash, setting.templates);
  return hash.digest('hex');
}

/** The hash of the CircleCI schema rendered files were validated against. */
export function schemaKey(schemaPath: string | undefined): string {
  const hash = createHash('sha256');
  if (schemaPath === undefined) hash.update('no schema');
  else hashFileInto(hash, schemaPath, 'schema');
  return hash.digest('hex');
}

/** The fingerprint of a parsed config: units compiled under another are not used. */
export function configFingerprint(config: ConfigResult): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        config.config,
        config.configSource ?? null,
        config.diagnostics.some((d) => d.severity === 'error'),
      ]),
    )
    .digest('hex');
}

function touch(path: string): void {
  try {
    const now = new Date();
    utimesSync(path, now, now);
  } catch {
    // No kept file (or a read-only store): nothing to mark.
  }
}

/** One file per workspace, and only the most recently written workspaces'. */
const KEPT_WORKSPACES = 32;
