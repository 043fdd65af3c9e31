// output: compares the rendered texts with the files on disk, then either writes what changed
// (a changed file atomically, a temporary file renamed over it; a new file in one exclusive
// write) or reports the drift. Files without Carbon's generated header are never replaced or
// removed.
import { mkdirSync, readFileSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { filesBelow } from '../walk.ts';
import { UserError } from '../errors.ts';
import { GENERATED_FOLDER, GENERATED_MARKER } from './layout.ts';

const TEMPORARY_SUFFIX = '.carbon-tmp';

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

export function planOutput(root: string, files: RenderedFile[]): OutputPlan {
  const plan: OutputPlan = { root, writes: [], removals: [], unchanged: [], foreign: [] };
  // One walk of generated/ says which files exist: no failed read per file to be written.
  const existing = new Set(listFiles(root, GENERATED_FOLDER));
  const planned = new Set<string>();
  for (const file of files) {
    planned.add(file.path);
    const known = file.path.startsWith(`${GENERATED_FOLDER}/`)
      ? existing.has(file.path)
      : undefined;
    const before = known === false ? undefined : readText(join(root, file.path));
    if (before === file.text) plan.unchanged.push(file.path);
    else if (before !== undefined && !before.startsWith(GENERATED_MARKER))
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
    const before = readText(join(root, path)) ?? '';
    if (before.startsWith(GENERATED_MARKER)) plan.removals.push({ path, before });
    else plan.foreign.push({ path, why: 'remove' });
  }
  return plan;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Every file below `folder` (relative to root), `/`-separated, sorted. */
function listFiles(root: string, folder: string): string[] {
  return (
    filesBelow(join(root, folder))
      // A temporary file left by a run that was killed mid-write is no file of anyone's. Links
      // count as files: Carbon compares what they point at, and replaces or keeps the link.
      .filter((path) => !path.endsWith(TEMPORARY_SUFFIX))
      .map((path) => `${folder}/${path}`)
  );
}

export interface WriteResult {
  written: string[];
  removed: string[];
}

/** Carries out a plan without foreign files: every write atomic, then removals and emptied folders. */
export function writeOutput(plan: OutputPlan): WriteResult {
  if (plan.foreign.length > 0)
    throw new Error("writeOutput: the plan touches files that are not Carbon's");
  const folders = new Set<string>();
  for (const { path, text, before } of plan.writes) {
    const target = join(plan.root, path);
    const folder = dirname(target);
    if (!folders.has(folder)) {
      mkdirSync(folder, { recursive: true });
      folders.add(folder);
    }
    if (before === undefined) writeNew(target, text);
    else replace(target, text);
  }
  for (const { path } of plan.removals) {
    rmSync(join(plan.root, path));
    removeEmptyFolders(plan.root, dirname(path));
  }
  return { written: plan.writes.map((w) => w.path), removed: plan.removals.map((r) => r.path) };
}

/**
 * A file that did not exist is created in one write, exclusively (a file that appeared meanwhile
 * is replaced the safe way instead), and removed again if the write fails: no reader ever saw its
 * old content, so there is nothing a half-written file could hide. Renaming a temporary file onto
 * every new path would make ext4 flush each one (its replace-via-rename heuristic): measured here,
 * a cold generate of 2,500 files took 3 to 7 times as long that way.
 */
function writeNew(target: string, text: string): void {
  try {
    writeFileSync(target, text, { flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      // Made by someone else since the plan was drawn: replace it only if it is Carbon's.
      if (!readFileSync(target, 'utf8').startsWith(GENERATED_MARKER)) {
        throw new UserError(
          `${target} appeared during generate and is not Carbon's: left as it is; run generate again`,
        );
      }
      return replace(target, text);
    }
    rmSync(target, { force: true });
    throw error;
  }
}

/** An existing file is replaced atomically: readers see the old text or the new, never half. */
function replace(target: string, text: string): void {
  const temporary = join(dirname(target), `.${process.pid}${TEMPORARY_SUFFIX}`);
  try {
    writeFileSync(temporary, text);
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
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
