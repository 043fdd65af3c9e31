// Where the settings live in a workspace.
import { join } from 'node:path';
import { kindOf, namesIn } from '../walk.ts';

export const PROJECTS_FOLDER = 'projects';
export const CONFIG_FILE = 'carbon.config.ts';
/** The names settings modules may import Carbon's API by. */
export const CARBON_SPECIFIERS = new Set(['carbon', '@blackstone/carbon']);

/**
 * Whether a name in projects/ is a settings module's: `.ts`, but not a declaration file nor a
 * hidden one (an editor's lock file, `.#x.ts`). Those starting with `_` are helpers, not projects.
 */
export function isModuleName(name: string): boolean {
  return name.endsWith('.ts') && !name.endsWith('.d.ts') && !name.startsWith('.');
}

/**
 * Whether a folder is a Carbon workspace: it has carbon.config.ts, or a projects/ folder holding a
 * settings module (a projects/ of anything else, such as a home folder's, does not make one).
 */
export function isWorkspace(folder: string): boolean {
  return (
    kindOf(join(folder, CONFIG_FILE)) === 'file' ||
    namesIn(join(folder, PROJECTS_FOLDER)).some(isModuleName)
  );
}
