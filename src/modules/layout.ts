// Where the settings live in a workspace.
import { join } from 'node:path';
import { kindOf } from '../walk.ts';

export const PROJECTS_FOLDER = 'projects';
export const CONFIG_FILE = 'carbon.config.ts';
/** The names settings modules may import Carbon's API by. */
export const CARBON_SPECIFIERS = new Set(['carbon', '@blackstone/carbon']);

/** Whether a folder looks like a Carbon workspace: it has projects/ or carbon.config.ts. */
export function isWorkspace(folder: string): boolean {
  return (
    kindOf(join(folder, PROJECTS_FOLDER)) === 'folder' ||
    kindOf(join(folder, CONFIG_FILE)) === 'file'
  );
}
