// Where Carbon keeps what it can compute again (written by atomic-write.ts): every kept thing is
// keyed by Carbon's build (the launcher's hash of Carbon's sources and package files), so a change
// to Carbon never reads what an older Carbon kept, and by the content it was computed from (a
// settings module's text, the schema, the orb templates), so it can only be reused for the same
// bytes. CARBON_CACHE=0 turns off the pipeline cache of answers (cache.ts), not these. Without a
// build id (running the TypeScript sources directly, as the tests do) nothing is kept or read.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeAtomically } from './atomic-write.ts';
import { PACKAGE_ROOT } from './paths.ts';
import { namesIn } from './walk.ts';

/** Set by the launcher (bin/carbon.mjs) to the hash of Carbon's sources; absent in tests. */
declare const __CARBON_BUILD__: string | undefined;

/**
 * node_modules/.cache/carbon/ (beside Carbon's bundle), or CARBON_STORE: a folder of its own,
 * for a CI cache that keeps it between jobs, or an empty one to measure a new machine.
 */
export const STORE_FOLDER = process.env['CARBON_STORE']
  ? resolve(process.env['CARBON_STORE'])
  : join(PACKAGE_ROOT, 'node_modules', '.cache', 'carbon');

/** Carbon's build id, or undefined when nothing may be kept (no launcher: the tests). */
export function buildId(): string | undefined {
  return typeof __CARBON_BUILD__ === 'string' ? __CARBON_BUILD__ : undefined;
}

/** A short stable name for anything: a workspace root, a content hash. */
export function nameOf(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 24);
}

/** A kept text, or undefined when absent (or when nothing may be kept). */
export function readKept(relativePath: string): string | undefined {
  if (buildId() === undefined) return undefined;
  try {
    return readFileSync(join(STORE_FOLDER, relativePath), 'utf8');
  } catch {
    return undefined;
  }
}

/** Keeps a text; a failure to keep only costs the next run time. */
export function keep(relativePath: string, content: string): void {
  if (buildId() === undefined) return;
  try {
    writeAtomically([{ path: join(STORE_FOLDER, relativePath), content }]);
  } catch {
    // Not kept: computed again next time.
  }
}

/** Of the names in `folder` that match `pattern`, keeps the `keep` most recently written. */
export function keepNewest(folder: string, pattern: RegExp, keep: number): void {
  const names = namesIn(folder).filter((name) => pattern.test(name));
  if (names.length <= keep) return;
  const aged = names
    .map((name) => {
      try {
        return { name, time: statSync(join(folder, name)).mtimeMs };
      } catch {
        return { name, time: 0 };
      }
    })
    .sort((a, b) => b.time - a.time);
  for (const { name } of aged.slice(keep)) rmSync(join(folder, name), { force: true });
}
