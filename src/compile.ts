// The settings half of the pipeline: load -> parse -> resolve, then locate whatever is reported.
import { hasErrors, sortDiagnostics, type Diagnostic } from './diagnostics.ts';
import type { Workspace } from './resolve/model.ts';
import { resolveWorkspace } from './resolve/resolve.ts';
import { loadWorkspace, type Loaded } from './settings/load.ts';
import { locateDiagnostics } from './settings/locate.ts';
import { parseSettings, type Parsed } from './settings/parse.ts';
import { Timings } from './timings.ts';

export interface Compiled {
  /** Absent when any error was found: nothing may be emitted. */
  workspace?: Workspace;
  loaded: Loaded;
  /** The normalized settings, for what the resolved model does not carry (the site's images, Jira keys). */
  parsed: Parsed;
  /** Every error and warning, located and sorted. */
  diagnostics: Diagnostic[];
}

export async function compileSettings(root: string, timings = new Timings()): Promise<Compiled> {
  const loaded = timings.time('load', () => loadWorkspace(root));
  const parsed = timings.time('parse', () => parseSettings(loaded));
  const resolved = timings.time('resolve', () => resolveWorkspace(parsed));
  const found = [...loaded.diagnostics, ...parsed.diagnostics, ...resolved.diagnostics];
  const diagnostics =
    found.length === 0
      ? []
      : sortDiagnostics(await timings.timeAsync('locate', () => locateDiagnostics(found)));
  const workspace = hasErrors(found) ? undefined : resolved.workspace;
  return { loaded, parsed, diagnostics, ...(workspace ? { workspace } : {}) };
}
