// carbon.config.ts, evaluated in the settings realm like any settings module: its value with
// every default filled in, what was wrong with it (located), and what it read.
import { hasErrors, sortDiagnostics, type Diagnostic } from '../diagnostics.ts';
import { loadConfigModule } from '../modules/load.ts';
import { locateDiagnostics } from '../modules/locate.ts';
import { parseConfig, type Source } from '../settings/parse.ts';
import type { ConsoleLine, Inputs, SettingsRealm } from '../modules/realm.ts';
import type { Config } from '../settings/schema.ts';

export interface ConfigResult {
  config: Config;
  configSource?: Source;
  diagnostics: Diagnostic[];
  console: ConsoleLine[];
  /** What the module read; empty when the workspace has no carbon.config.ts. */
  inputs: Inputs;
}

export async function produceConfig(realm: SettingsRealm, root: string): Promise<ConfigResult> {
  const loaded = await loadConfigModule(realm, root);
  const parsed = parseConfig(
    loaded && !hasErrors(loaded.load.diagnostics) ? loaded.config : undefined,
  );
  const found = [...(loaded?.load.diagnostics ?? []), ...parsed.diagnostics];
  return {
    config: parsed.config,
    ...(parsed.configSource ? { configSource: parsed.configSource } : {}),
    diagnostics: found.length === 0 ? [] : sortDiagnostics(await locateDiagnostics(found)),
    console: loaded?.load.console ?? [],
    inputs: loaded?.load.inputs ?? { files: {}, probes: { 'carbon.config.ts': false }, env: {} },
  };
}
