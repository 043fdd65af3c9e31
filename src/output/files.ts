// output: compares the rendered texts with the files on disk, then either writes what changed
// (each file atomically: a temporary file renamed over the old one) or reports the drift. Files
// without Carbon's generated header are never replaced or removed.
import {
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { GENERATED_FOLDER, GENERATED_MARKER } from '../emit/emit.ts';

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
  const planned = new Set<string>();
  for (const file of files) {
    planned.add(file.path);
    const before = readText(join(root, file.path));
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
  for (const path of listFiles(root, GENERATED_FOLDER)) {
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
  let entries;
  try {
    entries = readdirSync(join(root, folder), { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    const path = `${folder}/${entry.name}`;
    // A temporary file left by a run that was killed mid-write is no file of anyone's.
    if (entry.name.endsWith(TEMPORARY_SUFFIX)) continue;
    if (entry.isDirectory()) files.push(...listFiles(root, path));
    else files.push(path);
  }
  return files.sort();
}

export interface WriteResult {
  written: string[];
  removed: string[];
}

/** Carries out a plan without foreign files: every write atomic, then removals and emptied folders. */
export function writeOutput(plan: OutputPlan): WriteResult {
  if (plan.foreign.length > 0)
    throw new Error("writeOutput: the plan touches files that are not Carbon's");
  for (const { path, text } of plan.writes) {
    const target = join(plan.root, path);
    mkdirSync(dirname(target), { recursive: true });
    const temporary = join(dirname(target), `.${process.pid}${TEMPORARY_SUFFIX}`);
    try {
      writeFileSync(temporary, text);
      renameSync(temporary, target);
    } finally {
      rmSync(temporary, { force: true });
    }
  }
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
