// Writing what init and new made: never over a user's file unless asked (--force), and all or
// nothing: every file is checked before the first is written, new files are created exclusively
// (a file that appeared meanwhile is not replaced), and when the disk refuses one, the files this
// run created are removed again.
import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError, asEnvironmentError } from '../errors.ts';

export interface ScaffoldFile {
  /** Relative to the folder written into, `/`-separated. */
  path: string;
  text: string;
}

/** The files of `files` that exist in `root`; a folder where a file goes (or the reverse) is refused. */
export function existingFiles(root: string, files: ScaffoldFile[]): string[] {
  const existing: string[] = [];
  for (const file of files) {
    const parts = file.path.split('/');
    parts.forEach((_, index) => {
      const path = parts.slice(0, index + 1).join('/');
      const kind = kindOf(join(root, path));
      const last = index === parts.length - 1;
      if (kind === 'folder' && last)
        throw new UserError(
          `${join(root, path)} is a folder, where Carbon would write a file: move it out of the way; nothing was written`,
        );
      if (kind === 'file' && !last)
        throw new UserError(
          `${join(root, path)} is a file, where Carbon needs a folder: move it out of the way; nothing was written`,
        );
      if (kind === 'file' && last) existing.push(file.path);
    });
  }
  return existing;
}

function kindOf(path: string): 'missing' | 'file' | 'folder' {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'file';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw asEnvironmentError(error, path) ?? error;
  }
}

/**
 * Writes every file: new ones exclusively, existing ones (only with `replace`) through a
 * temporary file renamed into place. Returns the paths written, in order.
 */
export function writeScaffold(root: string, files: ScaffoldFile[], replace: boolean): string[] {
  const created: string[] = [];
  const folders: string[] = [];
  try {
    for (const file of files) {
      const target = join(root, file.path);
      const folder = mkdirSync(dirname(target), { recursive: true });
      if (folder !== undefined) folders.push(folder);
      if (kindOf(target) === 'missing' || !replace) {
        writeFileSync(target, file.text, { flag: 'wx' });
        created.push(target);
      } else {
        const temporary = `${target}.carbon-tmp`;
        try {
          writeFileSync(temporary, file.text);
          renameSync(temporary, target);
        } finally {
          rmSync(temporary, { force: true });
        }
      }
    }
  } catch (error) {
    for (const path of created.reverse()) rmSync(path, { force: true });
    for (const folder of folders.reverse()) rmSync(folder, { recursive: true, force: true });
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new UserError(
        `${(error as NodeJS.ErrnoException).path} appeared while Carbon was writing: nothing was written`,
      );
    throw asEnvironmentError(error) ?? error;
  }
  return files.map((file) => file.path);
}
