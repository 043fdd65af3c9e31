// Content hashes for the caches: of files, and of every file below a folder.
import { createHash, type Hash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesBelow } from './walk.ts';

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
  for (const path of filesBelow(folder)) hashFileInto(hash, join(folder, path), path);
}

export function hashOfFolder(folder: string): string {
  const hash = createHash('sha256');
  hashFolderInto(hash, folder);
  return hash.digest('hex');
}

export function hashOfText(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
