// Settings in this thread, for runs without workers: from Carbon's TypeScript sources (the tests:
// a worker cannot load them), with CARBON_WORKERS=0, or for a few modules of plain data, which
// run no code (plain-module.ts), so need no worker's memory limit, and would wait 90 ms for one
// to start. Its own module, loaded only then, so that the main thread of a run with workers never
// loads the pipeline its workers run.
import { packOrbCached } from '../emit/orb.ts';
import { ORB_TEMPLATES } from '../paths.ts';
import type { Config } from '../settings/schema.ts';
import { SettingsRealm } from '../settings/realm.ts';
import { Transpiler } from '../settings/transpile.ts';
import { produceConfig, type ConfigResult } from './config.ts';
import { produceOrb, type OrbResult } from './orb.ts';
import { limits, type Runner, type RunnerOptions } from './runner.ts';
import { produceUnit, type UnitContext } from './unit.ts';

/** Settings in this thread: no memory limit of their own. */
export class LocalRunner implements Runner {
  private readonly options: RunnerOptions;
  private realm: SettingsRealm | undefined;
  private readonly transpiler: Transpiler;
  /** Whether only plain data may be read (a module that became code meanwhile is reported). */
  private readonly plainOnly: boolean;

  constructor(options: RunnerOptions, plainOnly = false) {
    this.options = options;
    this.transpiler = new Transpiler();
    this.plainOnly = plainOnly;
  }

  private realmOf(): SettingsRealm {
    this.realm ??= new SettingsRealm({
      root: this.options.root,
      transpiler: this.transpiler,
      env: {},
      timeoutMs: limits(this.options.env).timeoutMs,
      runsCode: !this.plainOnly,
    });
    return this.realm;
  }

  config(): Promise<ConfigResult> {
    return produceConfig(this.realmOf(), this.options.root);
  }

  async orb(config: Config, schemaPath: string | undefined): Promise<OrbResult> {
    return produceOrb(config, packOrbCached(ORB_TEMPLATES), schemaPath, this.options.root);
  }

  units(files: string[], context: UnitContext, env: Record<string, string | null>) {
    const realm = this.realmOf();
    realm.declareEnv(env);
    // Once for all modules: finding the packed orb hashes every template file.
    const orb = packOrbCached(ORB_TEMPLATES);
    // One after another: a module's realm state must not interleave with the next one's.
    let previous: Promise<unknown> = Promise.resolve();
    return files.map((file) => {
      const unit = previous.then(() =>
        produceUnit(realm, file, context, orb, this.options.timings),
      );
      previous = unit.catch(() => undefined);
      return unit;
    });
  }

  /** Nothing to do beside: the validator is compiled here when the first config is validated. */
  keepSchema(): boolean {
    return false;
  }

  async close(): Promise<void> {}
}
