// The settings of a workspace as the commands that do not write files need them (run, site,
// plan, ls): resolved, with every diagnostic located. See compile/compile.ts.
import { compileWorkspace, type Compiled } from './compile/compile.ts';
import type { Diagnostic } from './diagnostics.ts';
import type { Workspace } from './resolve/model.ts';
import type { ConsoleLine } from './settings/realm.ts';

export interface CompiledSettings {
  /** Absent when any error was found. */
  workspace?: Workspace;
  /** Every error and warning, located and sorted. */
  diagnostics: Diagnostic[];
  console: ConsoleLine[];
}

export async function compileSettings(
  root: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CompiledSettings> {
  const compiled: Compiled = await compileWorkspace({ root, env, render: false, schemaPath: '' });
  compiled.cache.save();
  return {
    diagnostics: compiled.diagnostics,
    console: compiled.console,
    ...(compiled.workspace ? { workspace: compiled.workspace } : {}),
  };
}
