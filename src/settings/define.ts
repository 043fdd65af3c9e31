// Identity helpers that give settings modules types and editor completion. Neither is required: a
// plain exported object is read the same way. The parameters are not generic on purpose: a
// concrete type keeps TypeScript's excess-property check, so a misspelt field is underlined.
import type { CarbonConfig, ProjectSettings } from './types.ts';

/**
 * Declares a client project. Export the result from `projects/<project>.ts`.
 * @example
 * export const taxaroo = defineProject({ id: 'taxaroo', name: 'Taxaroo', repositories: [...] });
 */
export function defineProject(project: ProjectSettings): ProjectSettings {
  return project;
}

/**
 * Declares the workspace settings. Export the result as the default export of `carbon.config.ts`.
 * @example
 * export default defineConfig({ aws: { accountId: '123456789012' } });
 */
export function defineConfig(config: CarbonConfig): CarbonConfig {
  return config;
}
