// The settings of a whole workspace: carbon.config.ts, then every project module as a unit of its
// own (unit.ts; from the cache when nothing it read changed and its files are on disk as it
// rendered them, else compiled by producer.ts), then the rules across projects on the units'
// summaries. Every stage before output runs here.
import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics.ts';
import {
  PipelineCache,
  configFingerprint,
  defaultCacheSetting,
  schemaKey,
  type CacheSetting,
} from '../cache.ts';
import type { RenderedFile } from '../output/files.ts';
import type { Workspace } from '../resolve/model.ts';
import { WORKSPACE_RULES, type ProjectSummary } from '../resolve/workspace-rules.ts';
import { listProjectModules } from '../modules/load.ts';
import type { ConsoleLine } from '../modules/realm.ts';
import type { Config } from '../settings/schema.ts';
import { Timings } from '../timings.ts';
import type { ConfigResult } from './config.ts';
import type { OrbResult } from './orb.ts';
import type { Producer } from './producer.ts';
import type { UnitResult } from './unit.ts';
import type { FileProblem } from './validate.ts';

export interface CompileOptions {
  root: string;
  env: NodeJS.ProcessEnv;
  /** Emit, validate and render every file (generate, check), or only resolve (run, site, plan). */
  render: boolean;
  schemaPath: string | undefined;
  timings?: Timings;
  /** Whether an empty projects/ is meant (generate then removes every generated file). */
  allowEmpty?: boolean;
  /** The cache to use; `false` for none. Default: the pipeline cache, unless CARBON_CACHE=0. */
  cache?: CacheSetting | false;
  /**
   * The texts of Carbon's files on disk by workspace-relative path (output/files.ts readDiskState):
   * the cache keeps a rendered file's hash, not its text, so a kept unit is used only when each of
   * its files is here with that hash. Without it, a rendering run takes no unit from the cache.
   */
  disk?: ReadonlyMap<string, string | undefined>;
}

export interface Compiled {
  /** Every error and warning, located and sorted. */
  diagnostics: Diagnostic[];
  /** What settings modules wrote to the console, by module. */
  console: ConsoleLine[];
  /** The resolved workspace (without `render`); absent when any error was found. */
  workspace?: Workspace;
  /** The config, defaults filled in, even when a project has errors (absent when it could not be read). */
  config?: Config;
  /** Every project that was read, and where: known even when some module has errors. */
  summaries: ProjectSummary[];
  /** Every project file, rendered (with `render`), when there is no error and no problem. */
  files: RenderedFile[];
  problems: FileProblem[];
  /** The cache this run read, with what it compiled: its caller saves it (save()). */
  cache: PipelineCache;
  /** orb.yml's text and problems (with `render`). */
  orb?: OrbResult;
  /** How many modules were compiled (not taken from the cache). */
  compiled: number;
}

export async function compileWorkspace(options: CompileOptions): Promise<Compiled> {
  const { root, render, schemaPath } = options;
  const timings = options.timings ?? new Timings();
  const setting =
    options.cache === false || options.env['CARBON_CACHE'] === '0'
      ? undefined
      : (options.cache ?? defaultCacheSetting());
  const cache = timings.time('cache', () => new PipelineCache(root, setting, render));
  const schema = render ? timings.time('cache', () => schemaKey(schemaPath)) : undefined;
  const listed = listProjectModules(root, options.allowEmpty ?? false);
  let producer: Promise<Producer> | undefined;
  /** What compiles, loaded on first need: a run that compiles nothing never loads the pipeline. */
  const producerOf = (): Promise<Producer> =>
    (producer ??= timings.timeAsync('modules', async () => {
      const { Producer } = await import('./producer.ts');
      return new Producer(root, options.env, timings);
    }));
  timings.mark('compile');
  let config: ConfigResult | undefined = timings.time('cache', () => cache.config());
  if (!config) {
    config = await (await producerOf()).config();
    cache.keepConfig(config);
  }
  timings.mark('config');
  const configKey = configFingerprint(config);
  const env = declaredEnv(config.config, options.env);
  const units = new Map<string, UnitResult>();
  const pending: string[] = [];
  timings.time('cache', () => {
    for (const file of listed.modules) {
      const module = file.slice(root.length + 1);
      const kept = cache.unit(module, configKey, schema, env, options.disk);
      if (kept) units.set(file, kept);
      else pending.push(file);
    }
  });
  if (pending.length > 0) {
    const context = {
      root,
      config: config.config,
      ...(config.configSource ? { configSource: config.configSource } : {}),
      render,
      configFailed: hasErrors(config.diagnostics),
      schemaPath,
    };
    let index = 0;
    for await (const unit of (await producerOf()).units(pending, context, env)) {
      const result = await withPositions(unit, timings);
      units.set(pending[index++]!, result);
      cache.keepUnit(result, configKey, schema, env);
    }
  }
  const orbKey = `${configKey}:${schema ?? ''}`;
  const keptOrb = render ? cache.orb(orbKey) : undefined;
  const orbResult =
    render && !keptOrb ? (await producerOf()).orb(config.config, schemaPath) : keptOrb;
  await (await producer)?.close();
  timings.mark('units');
  const ordered = listed.modules.map((file) => units.get(file)!);
  if (orbResult && !keptOrb) cache.keepOrb({ ...orbResult, config: orbKey });
  const summaries = ordered.flatMap((unit) => unit.summaries);
  const workspaceFindings = WORKSPACE_RULES.flatMap((rule) =>
    rule({
      root,
      config: config!.config,
      ...(config!.configSource ? { configSource: config!.configSource } : {}),
      projects: summaries,
      complete: !ordered.some((unit) => hasErrors(unit.diagnostics)),
      configFailed: hasErrors(config!.diagnostics),
    }),
  );
  const found = [...listed.diagnostics, ...workspaceFindings];
  const located =
    found.length === 0
      ? []
      : await timings.timeAsync('locate', async () =>
          (await import('../modules/locate.ts')).locateDiagnostics(found),
        );
  const diagnostics = sortDiagnostics(
    dedupe([...config.diagnostics, ...ordered.flatMap((unit) => unit.diagnostics), ...located]),
  );
  const compiled: Compiled = {
    ...(orbResult ? { orb: orbResult } : {}),
    diagnostics,
    console: [...config.console, ...ordered.flatMap((unit) => unit.console)],
    config: config.config,
    summaries,
    files: [],
    problems: ordered.flatMap((unit) => unit.problems),
    cache,
    compiled: pending.length,
  };
  if (hasErrors(diagnostics)) return compiled;
  if (!render)
    compiled.workspace = {
      config: config.config,
      ...(config.configSource ? { configSource: config.configSource } : {}),
      projects: ordered.flatMap((unit) => unit.projects),
    };
  else if (compiled.problems.length === 0) compiled.files = ordered.flatMap((unit) => unit.files);
  return compiled;
}

/** A unit whose diagnostics have their line and column, in the order they are reported. */
async function withPositions(unit: UnitResult, timings: Timings): Promise<UnitResult> {
  if (unit.diagnostics.length === 0) return unit;
  // A plain module's come located from its reading (unit.ts): no locator to load for those. A
  // syntax error has a position but is worded again by TypeScript (locate.ts).
  let diagnostics = unit.diagnostics;
  if (!diagnostics.every((d) => d.position !== undefined && d.code !== 'syntax-error')) {
    const { locateDiagnostics } = await import('../modules/locate.ts');
    diagnostics = await timings.timeAsync('locate', () => locateDiagnostics(unit.diagnostics));
  }
  return { ...unit, diagnostics: sortDiagnostics(diagnostics) };
}

/** One report of a problem found by several modules (an `exports const` in a shared helper). */
function dedupe(diagnostics: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return diagnostics.filter((diagnostic) => {
    const key = JSON.stringify([
      diagnostic.code,
      diagnostic.origin.file,
      diagnostic.origin.exportName ?? '',
      diagnostic.origin.path,
      diagnostic.position ?? null,
      diagnostic.message,
    ]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The values of the environment variables the config declares, from `env` (null: unset). Here, not
 * in config.ts: that module loads the settings schema (zod), which a cached run never needs.
 */
function declaredEnv(config: Config, env: NodeJS.ProcessEnv): Record<string, string | null> {
  return Object.fromEntries(config.env.map((name) => [name, env[name] ?? null]));
}
