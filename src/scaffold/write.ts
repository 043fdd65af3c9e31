// Writing what init and new made: never over a user's file unless asked (--force), and all or
// nothing: every file is checked before the first is written, then all are written at once
// (atomic-write.ts: a file that appeared meanwhile is not replaced, and when the disk refuses one,
// nothing is written).
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { writeAtomically } from '../atomic-write.ts';
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

/** Writes every file: existing ones only with `replace`. Returns the paths written, in order. */
export function writeScaffold(root: string, files: ScaffoldFile[], replace: boolean): string[] {
  writeAtomically(
    files.map((file) => {
      const path = join(root, file.path);
      return { path, content: file.text, create: !replace || kindOf(path) === 'missing' };
    }),
  );
  return files.map((file) => file.path);
}
