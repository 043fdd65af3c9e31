// The one walk of a folder tree that Carbon needs (hashing templates, finding generated files),
// and the listing of one folder that may not exist.
import { readdirSync } from 'node:fs';
import { relative, sep } from 'node:path';

/**
 * Every file below `folder` (symbolic links count as files), as `/`-separated paths relative to
 * it, sorted; none when the folder does not exist. One recursive read.
 */
export function filesBelow(folder: string): string[] {
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const parent = relative(folder, entry.parentPath ?? entry.path);
    files.push(parent === '' ? entry.name : `${parent.split(sep).join('/')}/${entry.name}`);
  }
  return files.sort();
}

/** The names in `folder`, or none when it cannot be listed (missing, not a folder). */
export function namesIn(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
  }
}
