// Writes the site folder: only files whose content changed, and removes the pages of projects that
// are gone. A manifest (.carbon-site) lists what Carbon wrote; a folder that has files but no
// manifest is someone else's, and is left alone.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../errors.ts';

export interface SiteFile {
  /** Relative to the site folder, with `/`. */
  path: string;
  text: string;
}

export interface SiteWrite {
  written: string[];
  removed: string[];
  unchanged: number;
}

export const MANIFEST = '.carbon-site';

export function writeSite(out: string, files: SiteFile[]): SiteWrite {
  const result: SiteWrite = { written: [], removed: [], unchanged: 0 };
  try {
    const previous = readManifest(out);
    const current = files.map((file) => file.path).sort();
    // Listed before they are written, so that a run stopped halfway leaves a folder Carbon owns.
    const pending = [...new Set([...previous, ...current])].sort();
    writeManifest(out, previous, pending);
    for (const file of files) {
      const target = join(out, file.path);
      if (existsSync(target) && readFileSync(target, 'utf8') === file.text) {
        result.unchanged++;
        continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, file.text);
      result.written.push(file.path);
    }
    for (const path of previous) {
      if (current.includes(path)) continue;
      rmSync(join(out, path), { force: true });
      result.removed.push(path);
    }
    writeManifest(out, pending, current);
  } catch (caught) {
    const error = caught as NodeJS.ErrnoException;
    if (!error.code || !error.path) throw caught;
    throw new UserError(`cannot write the site: ${error.path}: ${error.message}`);
  }
  return result;
}

/** Writes the manifest when its list changes: a run that changes nothing writes nothing. */
function writeManifest(out: string, before: string[], files: string[]): void {
  const path = join(out, MANIFEST);
  if (existsSync(path) && before.join('\n') === files.join('\n')) return;
  mkdirSync(out, { recursive: true });
  writeFileSync(path, `${JSON.stringify({ generator: 'carbon site', files }, null, 2)}\n`);
}

/** The files Carbon wrote last time; none for a new or empty folder; a foreign folder stops. */
function readManifest(out: string): string[] {
  const manifestPath = join(out, MANIFEST);
  if (existsSync(manifestPath)) {
    let files: unknown;
    try {
      files = (JSON.parse(readFileSync(manifestPath, 'utf8')) as { files?: unknown }).files;
    } catch {
      throw new UserError(
        `${manifestPath} is not the manifest \`carbon site\` writes: delete it, or the folder`,
      );
    }
    // Only plain relative paths: a doctored manifest must not make Carbon delete outside the folder.
    return Array.isArray(files)
      ? files.filter(
          (f): f is string =>
            typeof f === 'string' &&
            /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(f) &&
            !f.split('/').includes('..'),
        )
      : [];
  }
  if (existsSync(out) && readdirSync(out).length > 0) {
    throw new UserError(
      `${out} is not empty and was not written by \`carbon site\` (it has no ${MANIFEST}): ` +
        'choose another folder with --out, or empty this one',
    );
  }
  return [];
}
