// The one walk of a folder tree that Carbon needs (hashing templates, finding generated files),
// and the listing of one folder or the kind of one path, either of which may not exist.
import { readdirSync, statSync } from 'node:fs';
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

/** What is at `path` (links followed): a folder, something else (a file), or nothing readable. */
export function kindOf(path: string): 'missing' | 'folder' | 'file' {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}
