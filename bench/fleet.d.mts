// Types of fleet.mjs, for the tests that build fleets with it.
/**
 * Writes the workspace of `count` projects into `root` (projects/ and carbon.config.ts); with
 * `warnings`, each project has one warning (a cron at a minute a CircleCI timetable cannot pin).
 */
export function writeFleet(root: string, count: number, options?: { warnings?: boolean }): void;
