// Content hashes for the caches: of files, and of every file below a folder.
import { createHash, type Hash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Adds a file's label and content (or that it is missing) to a hash. */
export function hashFileInto(hash: Hash, path: string, label: string): void {
  hash.update(label).update('\0');
  try {
    hash.update(readFileSync(path));
  } catch {
    hash.update('<missing>');
  }
  hash.update('\0');
}

/** Adds every file below a folder, by relative path and content, in a stable order. */
export function hashFolderInto(hash: Hash, folder: string): void {
  for (const file of filesUnder(folder)) hashFileInto(hash, file, relative(folder, file));
}

export function hashOfFolder(folder: string): string {
  const hash = createHash('sha256');
  hashFolderInto(hash, folder);
  return hash.digest('hex');
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory() ? filesUnder(join(folder, entry.name)) : [join(folder, entry.name)],
    )
    .sort();
}

/** The hash of a file's content, or `<missing>`. */
export function hashOfFile(path: string): string {
  try {
    return hashOfText(readFileSync(path));
  } catch {
    return '<missing>';
  }
}

export function hashOfText(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
