// Writing files so that a reader sees each one's old content or its new, never half of it, and a
// refusal of the machine (a full disk, a read-only folder, a path the system refuses) changes
// nothing: every content is first staged in a temporary file beside its target, and only when all
// are staged are they put into place. A new file is linked into place, which fails rather than
// replaces when a file appeared there meanwhile; new files go first, so that such a file stops the
// write before anything is replaced. The one way Carbon writes: output (generate), scaffold (init,
// new) and the store.
import { randomBytes } from 'node:crypto';
import {
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError, asEnvironmentError } from './errors.ts';

/** How temporary files are named: those a killed run left are found by it (output/files.ts). */
export const TEMPORARY = /\.carbon-tmp$/;

export interface AtomicWrite {
  /** Absolute. */
  path: string;
  content: string | Buffer;
  /** No file may be there: one that appeared since the write was planned stops it. */
  create?: boolean;
}

export interface AtomicOptions {
  /** Whether a file that appeared where a new one goes may be replaced (by its text); else never. */
  mayReplace?: (text: string) => boolean;
  /**
   * A testing aid (CARBON_TEST_FULL_DISK_AFTER): staging the file after that many fails as on a
   * full disk, where the machine cannot mount a small file system to fill.
   */
  fullDiskAfter?: number | undefined;
}

/**
 * Writes every file or, when the machine refuses one while staging or a new file's place is taken,
 * none: what was staged, placed or made for it goes again, and the error names the file and the
 * system's reason (an EnvironmentError). Only the final renames, after every check passed, could
 * fail half way.
 */
export function writeAtomically(writes: AtomicWrite[], options: AtomicOptions = {}): void {
  const staged: { path: string; temporary: string; create: boolean }[] = [];
  // This writer's alone: threads of one process share its pid, hence a random part too.
  const unique = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const folders = new Set<string>();
  const madeFolders: string[] = [];
  const created: string[] = [];
  let replacing = false;
  let current = '';
  try {
    for (const write of writes) {
      current = write.path;
      const folder = dirname(write.path);
      if (!folders.has(folder)) {
        const made = mkdirSync(folder, { recursive: true });
        if (made) madeFolders.push(made);
        folders.add(folder);
      }
      const temporary = join(folder, `.${basename(write.path)}.${unique}.carbon-tmp`);
      staged.push({ path: write.path, temporary, create: write.create === true });
      if (options.fullDiskAfter !== undefined && staged.length > options.fullDiskAfter)
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), {
          code: 'ENOSPC',
        });
      writeFileSync(temporary, write.content);
    }
    for (const file of staged) {
      current = file.path;
      if (file.create && place(file.path, file.temporary, options.mayReplace))
        created.push(file.path);
    }
    replacing = true;
    for (const file of staged) {
      current = file.path;
      if (!file.create) renameSync(file.temporary, file.path);
    }
  } catch (error) {
    for (const { temporary } of staged) rmSync(temporary, { force: true });
    if (!replacing) {
      for (const path of created) rmSync(path, { force: true });
      for (const folder of madeFolders.reverse()) rmSync(folder, { recursive: true, force: true });
    }
    // Named by the file written, not by its temporary file.
    throw asEnvironmentError({ code: (error as NodeJS.ErrnoException).code }, current) ?? error;
  }
}

/** Links a new file into place; false when it replaced one that appeared, as `mayReplace` let it. */
function place(path: string, temporary: string, mayReplace: AtomicOptions['mayReplace']): boolean {
  try {
    linkSync(temporary, path);
    unlinkSync(temporary);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP') {
      // A file system without hard links: check, then rename (a smaller window, not none).
      if (!existsSync(path)) {
        renameSync(temporary, path);
        return true;
      }
    } else if (code !== 'EEXIST') throw error;
    if (!mayReplace?.(readFileSync(path, 'utf8')))
      throw new UserError(
        `${path} appeared while Carbon was writing and is not Carbon's to replace: left as it is; nothing was written, run again`,
      );
    renameSync(temporary, path);
    return false;
  }
}
