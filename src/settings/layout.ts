// Where the settings live in a workspace.
export const PROJECTS_FOLDER = 'projects';
export const CONFIG_FILE = 'carbon.config.ts';
