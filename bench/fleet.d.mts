// Types of fleet.mjs, for the tests that build fleets with it.
/** The kinds of git.sshKeys a fleet may have (fleet.mjs). */
export type FleetKeys = 'one' | 'organisation' | 'repository';
/**
 * Writes the workspace of `count` projects into `root` (projects/ and carbon.config.ts): with
 * `warnings`, each project has one warning (a cron at a minute a CircleCI timetable cannot pin);
 * `keys` says which git.sshKeys open the repositories (KEYS); with `helpers`, every project module
 * is code that imports projects/_helpers.ts, else plain data. The settings are the same either way.
 */
export function writeFleet(
  root: string,
  count: number,
  options?: { warnings?: boolean; keys?: FleetKeys; helpers?: boolean },
): void;
