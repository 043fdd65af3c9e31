// What compiles settings: carbon.config.ts, the orb, and each project module as a unit, in this
// thread (settings code runs behind the sandbox's boundary, with limits of its own: no thread is
// needed to contain it). Its own module, loaded only when something must be compiled: a run that
// takes every answer from the cache loads none of the pipeline (zod, sucrase, the engine).
import { packOrbCached, type Orb } from '../emit/orb.ts';
import { ORB_TEMPLATES } from '../paths.ts';
import type { Config } from '../settings/schema.ts';
import { SettingsRealm } from '../modules/realm.ts';
import type { Timings } from '../timings.ts';
import { produceConfig, type ConfigResult } from './config.ts';
import { produceOrb, type OrbResult } from './orb.ts';
import { produceUnit, type UnitContext, type UnitResult } from './unit.ts';

/** Seconds a module may run, and megabytes it may use, unless the environment says otherwise. */
export function limits(env: NodeJS.ProcessEnv): { timeoutMs: number; memoryMb: number } {
  const seconds = Number(env['CARBON_SETTINGS_TIMEOUT'] ?? 10);
  const megabytes = Number(env['CARBON_SETTINGS_MEMORY'] ?? 256);
  return {
    timeoutMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 10_000,
    memoryMb: Number.isFinite(megabytes) && megabytes >= 32 ? megabytes : 256,
  };
}

export class Producer {
  private readonly realm: SettingsRealm;
  private readonly root: string;
  private readonly timings: Timings;
  private orbTemplates: Orb | undefined;

  constructor(root: string, env: NodeJS.ProcessEnv, timings: Timings) {
    this.root = root;
    this.timings = timings;
    this.realm = new SettingsRealm({ root, env: {}, ...limits(env) });
  }

  config(): Promise<ConfigResult> {
    return produceConfig(this.realm, this.root);
  }

  /** orb.yml's text for this config, validated. */
  orb(config: Config, schemaPath: string | undefined): OrbResult {
    return produceOrb(config, this.templates(), schemaPath, this.root);
  }

  /**
   * Each module's unit, in order. Modules of code go to the engine's thread at once: it evaluates
   * one while this thread compiles the one before.
   */
  async *units(
    files: string[],
    context: UnitContext,
    env: Record<string, string | null>,
  ): AsyncGenerator<UnitResult> {
    this.realm.declareEnv(env);
    this.realm.prepare(files);
    for (const file of files)
      yield await produceUnit(this.realm, file, context, this.templates(), this.timings);
  }

  close(): Promise<void> {
    return this.realm.close();
  }

  /** The packed orb, found once: finding it hashes every template file. */
  private templates(): Orb {
    this.orbTemplates ??= packOrbCached(ORB_TEMPLATES);
    return this.orbTemplates;
  }
}
