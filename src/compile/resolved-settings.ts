// The resolved settings of a workspace, as the commands that write no files need them (run, site,
// plan, ls): compileWorkspace (compile.ts) without rendering, with every diagnostic located.
import type { Diagnostic } from '../diagnostics.ts';
import type { ConsoleLine } from '../modules/realm.ts';
import type { Workspace } from '../resolve/model.ts';
import type { Source } from '../settings/parse.ts';
import type { Config } from '../settings/schema.ts';
import { compileWorkspace, type Compiled } from './compile.ts';

export interface CompiledSettings {
  /** Absent when any error was found. */
  workspace?: Workspace;
  /** Every error and warning, located and sorted. */
  diagnostics: Diagnostic[];
  console: ConsoleLine[];
  /** The config, defaults filled in, even when a project has errors (absent when it could not be read). */
  config?: Config;
  /** The id and module of every project that was read, even when some module has errors. */
  projects: { id: string; source: Source }[];
}

export async function compileSettings(
  root: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CompiledSettings> {
  const compiled: Compiled = await compileWorkspace({
    root,
    env,
    render: false,
    schemaPath: undefined,
  });
  compiled.cache.save();
  return {
    diagnostics: compiled.diagnostics,
    console: compiled.console,
    ...(compiled.config ? { config: compiled.config } : {}),
    projects: compiled.summaries.map(({ id, source }) => ({ id, source })),
    ...(compiled.workspace ? { workspace: compiled.workspace } : {}),
  };
}
