// output: compares the rendered texts with the files on disk, then either writes what changed or
// reports the drift. Writing is all or nothing as far as the disk allows (atomic-write.ts: a full
// disk or a read-only folder changes nothing, and a new file never replaces one that appeared
// meanwhile unless that one is Carbon's). Only files whose first line is Carbon's header are ever
// replaced or removed; below generated/, only the paths Carbon writes are looked at, so a
// .DS_Store or a README there is left alone.
import { readFileSync, readdirSync, rmSync, rmdirSync, type Dirent } from 'node:fs';
import { dirname, join } from 'node:path';
import { TEMPORARY, writeAtomically } from '../atomic-write.ts';
import { UserError, asEnvironmentError } from '../errors.ts';
import { GENERATED_FOLDER, isCarbons, isGeneratedPath } from './layout.ts';

/** What most file systems allow: a name of 255 bytes, a path of 4095. */
const NAME_MAX = 255;
const PATH_MAX = 4095;

export interface RenderedFile {
  /** Relative to the workspace root, `/`-separated. */
  path: string;
  text: string;
}

export interface OutputPlan {
  root: string;
  /** Files to create (`before` undefined) or replace. */
  writes: { path: string; text: string; before?: string }[];
  /** Generated files whose source is gone. */
  removals: { path: string; before: string }[];
  unchanged: string[];
  /** Files Carbon would have to replace or remove but that lack the generated header. */
  foreign: { path: string; why: 'replace' | 'remove' }[];
}

/** What is on disk at Carbon's paths: which generated files exist, and their texts. */
export interface DiskState {
  existing: Set<string>;
  texts: Map<string, string | undefined>;
}

/**
 * Reads what is on disk at Carbon's paths: which generated files exist, and their texts. Problems
 * (a link, a folder) come out when the state is used (planOutput reads such a path again).
 */
export function readDiskState(
  root: string,
  rootFiles: string[],
  scan: GeneratedScan = scanGenerated(root),
): DiskState {
  const existing = generatedFiles(scan);
  const texts = new Map<string, string | undefined>();
  for (const path of [...rootFiles, ...existing]) texts.set(path, readTextNow(root, path));
  return { existing, texts };
}

/** A file's text as read ahead in `disk`, else read now; undefined when there is no such file. */
export function textOnDisk(root: string, path: string, disk?: DiskState): string | undefined {
  return disk?.texts.has(path) ? disk.texts.get(path) : readTextNow(root, path);
}

export function planOutput(root: string, files: RenderedFile[], disk?: DiskState): OutputPlan {
  const plan: OutputPlan = { root, writes: [], removals: [], unchanged: [], foreign: [] };
  for (const file of files) checkPathLength(root, file.path);
  // One walk of generated/ says which files exist: no failed read per file to be written.
  const existing = disk?.existing ?? generatedFiles(scanGenerated(root));
  const planned = new Set<string>();
  for (const file of files) {
    planned.add(file.path);
    const known = file.path.startsWith(`${GENERATED_FOLDER}/`)
      ? existing.has(file.path)
      : undefined;
    const before = known === false ? undefined : textOnDisk(root, file.path, disk);
    if (before === file.text) plan.unchanged.push(file.path);
    else if (before !== undefined && !isCarbons(before))
      plan.foreign.push({ path: file.path, why: 'replace' });
    else
      plan.writes.push({
        path: file.path,
        text: file.text,
        ...(before === undefined ? {} : { before }),
      });
  }
  for (const path of existing) {
    if (planned.has(path)) continue;
    const before = textOnDisk(root, path, disk) ?? '';
    if (isCarbons(before)) plan.removals.push({ path, before });
    else plan.foreign.push({ path, why: 'remove' });
  }
  return plan;
}

/** Names and paths the file system would refuse, said before anything is written. */
function checkPathLength(root: string, path: string): void {
  // A UTF-16 unit is at most 3 bytes of UTF-8 (a pair, 4): most paths are short enough to pass
  // without counting the bytes of each.
  if (3 * path.length <= NAME_MAX && 3 * (root.length + 1 + path.length) <= PATH_MAX) return;
  const absolute = join(root, path);
  const long = path.split('/').find((part) => Buffer.byteLength(part) > NAME_MAX);
  if (long !== undefined || Buffer.byteLength(absolute) > PATH_MAX) {
    throw new UserError(
      `${path} would be too long a path for the file system (names of at most ${NAME_MAX} bytes, ` +
        `paths of ${PATH_MAX}): shorten the project or repository id; nothing was written`,
    );
  }
}

function readTextNow(root: string, path: string): string | undefined {
  try {
    return readFileSync(join(root, path), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EISDIR')
      throw new UserError(
        `${path} is a folder, where Carbon writes a file: move the folder out of the way; nothing was written`,
      );
    throw asEnvironmentError(error) ?? error;
  }
}

/** One walk of generated/ (and a look at the root), for everything a run needs to know of it. */
export interface GeneratedScan {
  /** Carbon's paths that exist below generated/; temporary files are never listed. */
  existing: Set<string>;
  /** Temporary files a killed run left below generated/ or at the root. */
  temporaries: string[];
  /** A link or a folder where Carbon writes: said when `existing` is used. */
  problem?: UserError;
}

/**
 * Walks generated/ once. A symbolic link there is refused: Carbon would write through it into a
 * folder it does not own; so is a folder where Carbon writes a file.
 */
export function scanGenerated(root: string): GeneratedScan {
  const scan: GeneratedScan = {
    existing: new Set(),
    // Temporary files only: a folder with such a name is not Carbon's to remove.
    temporaries: safeEntries(root)
      .filter((entry) => TEMPORARY.test(entry.name) && !entry.isDirectory())
      .map((entry) => entry.name),
  };
  // By hand rather than readdirSync's `recursive`, which measured twice as slow over a fleet's
  // thousands of folders (bench/RESULTS.md, "check, warm").
  const walk = (folder: string, path: string) => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const below = `${path}/${entry.name}`;
      if (TEMPORARY.test(below)) {
        if (!entry.isDirectory()) scan.temporaries.push(below);
        continue;
      }
      if (entry.isDirectory() && !isGeneratedPath(below)) walk(`${folder}/${entry.name}`, below);
      else if (scan.problem) continue;
      else if (entry.isSymbolicLink())
        scan.problem = new UserError(
          `${below} is a symbolic link: Carbon writes generated/ itself and does not follow links in ` +
            'it; replace the link with a folder (or remove it) and run again',
        );
      else if (!isGeneratedPath(below)) continue;
      else if (entry.isDirectory())
        scan.problem = new UserError(
          `${below} is a folder, where Carbon writes a file: move the folder out of the way; nothing was written`,
        );
      else scan.existing.add(below);
    }
  };
  walk(join(root, GENERATED_FOLDER), GENERATED_FOLDER);
  return scan;
}

function generatedFiles(scan: GeneratedScan): Set<string> {
  if (scan.problem) throw scan.problem;
  return scan.existing;
}

/**
 * Removes the temporary files a killed run left beside Carbon's outputs. Called with the
 * workspace lock held, so no other run is writing them.
 */
export function removeLeftovers(root: string, scan: GeneratedScan = scanGenerated(root)): string[] {
  for (const path of scan.temporaries) rmSync(join(root, path), { force: true });
  return scan.temporaries;
}

function safeEntries(folder: string): Dirent[] {
  try {
    return readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
}

export interface WriteResult {
  written: string[];
  removed: string[];
}

/**
 * Carries out a plan without foreign files, all or nothing as far as the disk allows
 * (atomic-write.ts); a file that appeared where a new one goes is replaced only when it is
 * Carbon's. `fullDiskAfter`: the testing aid CARBON_TEST_FULL_DISK_AFTER.
 */
export function writeOutput(plan: OutputPlan, fullDiskAfter?: number): WriteResult {
  if (plan.foreign.length > 0)
    throw new Error("writeOutput: the plan touches files that are not Carbon's");
  writeAtomically(
    plan.writes.map(({ path, text, before }) => ({
      path: join(plan.root, path),
      content: text,
      create: before === undefined,
    })),
    { mayReplace: isCarbons, fullDiskAfter },
  );
  for (const { path } of plan.removals) {
    rmSync(join(plan.root, path));
    removeEmptyFolders(plan.root, dirname(path));
  }
  return { written: plan.writes.map((w) => w.path), removed: plan.removals.map((r) => r.path) };
}

function removeEmptyFolders(root: string, folder: string): void {
  for (let current = folder; current.startsWith(GENERATED_FOLDER); current = dirname(current)) {
    try {
      rmdirSync(join(root, current));
    } catch {
      return;
    }
  }
}
