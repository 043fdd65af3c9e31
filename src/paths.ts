// Where Carbon's own files are: the package root holds templates/ and the default location of the
// CircleCI schema (../shared/circleci/schema.json). Found by walking up from this module, which
// works both from src/ (tests) and from the launcher's bundle under node_modules/.cache/.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'carbon'
    ) {
      return dir;
    }
    if (dirname(dir) === dir) throw new Error(`Carbon's package.json was not found above ${start}`);
  }
}

/** Set by the launcher (bin/carbon.mjs), whose bundle may live outside the package. */
const launcherRoot = process.env['CARBON_PACKAGE_ROOT'];

export const PACKAGE_ROOT =
  launcherRoot ?? findPackageRoot(dirname(fileURLToPath(import.meta.url)));
export const ORB_TEMPLATES = join(PACKAGE_ROOT, 'templates', 'orb');
/** ORB_TEMPLATES packed, committed beside them (test/orb/packed.test.ts keeps it current). */
export const PACKED_ORB = join(PACKAGE_ROOT, 'templates', 'orb.packed.json');
export const DEFAULT_SCHEMA = join(PACKAGE_ROOT, '..', 'shared', 'circleci', 'schema.json');
