// A settings worker started at the very beginning of a command, when the run will likely compile
// settings (nothing kept for this workspace, CARBON_CACHE=0, or a module saved since the cache
// was): it boots on the other core while this thread loads the pipeline and reads the cache,
// instead of after. runner.ts adopts it. A wrong guess costs only the other core's time.
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { cacheFileOf } from '../cache.ts';
import { CONFIG_FILE, PROJECTS_FOLDER } from '../settings/layout.ts';
import { readSettingsFile } from '../settings/inputs.ts';
import { readPlainModule } from '../settings/plain-module.ts';
import { namesIn } from '../walk.ts';

export const WORKER_SCRIPT = new URL('./worker.js', import.meta.url);
/** Workers need the bundle: from the TypeScript sources, settings run in this thread. */
export const BUNDLED = import.meta.url.endsWith('.js');

/** Megabytes a worker may use, unless the environment says otherwise. */
export function memoryLimit(env: NodeJS.ProcessEnv): number {
  const megabytes = Number(env['CARBON_SETTINGS_MEMORY'] ?? 256);
  return Number.isFinite(megabytes) && megabytes >= 32 ? megabytes : 256;
}

/**
 * Shared with every worker: 1 while this thread compiles the schema's validator and keeps its
 * code (runner.ts), 2 once it is done; a worker that needs the validator meanwhile waits for that
 * code rather than compile the same schema beside it.
 */
export const SCHEMA_SIGNAL = new Int32Array(new SharedArrayBuffer(4));

/** How many answers each worker finished, counted by the worker as it finishes them. */
const progress = new WeakMap<Worker, Int32Array>();

/**
 * V8's budget before it optimizes a function (its default is 67,584; the flag is the process's,
 * read as functions are first run). A worker runs each of its functions a few hundred times at
 * most, and on two cores the optimizing compiler, in the background, takes the core the main
 * thread leaves to the worker: 340 ms of it in an uncached check of 500 projects. At 300,000 it
 * takes 120, and the check is 30 to 50 ms faster (600,000: slower again). Set when a worker
 * starts, so runs without one (an edit, the warm check) keep the default: one edit measured 10 ms
 * slower with it.
 */
const WORKER_INTERRUPT_BUDGET = '--interrupt-budget=300000';

export function startWorker(root: string, env: NodeJS.ProcessEnv): Worker {
  setFlagsFromString(WORKER_INTERRUPT_BUDGET);
  const finished = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(fileURLToPath(WORKER_SCRIPT), {
    workerData: { root, schemaSignal: SCHEMA_SIGNAL, finished },
    resourceLimits: { maxOldGenerationSizeMb: memoryLimit(env), maxYoungGenerationSizeMb: 32 },
    stdout: false,
    stderr: false,
  });
  progress.set(worker, finished);
  return worker;
}

/** The count of answers a worker finished (it may not have sent them yet: worker.ts). */
export function progressOf(worker: Worker): Int32Array {
  return progress.get(worker)!;
}

const started = new Map<string, Worker>();

/**
 * At most this many modules of plain data compile on Carbon's own thread: a worker takes about
 * 90 ms to start and answer carbon.config.ts (the sample: 205 ms with one, 140 without), and
 * beyond a few dozen modules this thread is better spent reading generated/ meanwhile.
 */
export const IN_THREAD_LIMIT = 64;

/** Whether compiling `files` (settings modules) needs a worker: more than a few, or any code. */
export function needsWorker(files: string[]): boolean {
  return files.length > IN_THREAD_LIMIT || !files.every(isPlain);
}

/** Characters of a module this thread reads to plan: plain modules are a few thousand. */
const PLAIN_TEXT_LIMIT = 1_000_000;

/** Whether texts are plain data, by their hash: a file is asked about twice per run. */
const plainTexts = new Map<string, boolean>();

/**
 * Whether a settings file is plain data (plain-module.ts), read as the realm reads it (strict
 * UTF-8). A missing one (no carbon.config.ts) runs nothing; one that cannot be read is the
 * realm's to report, in a worker like any other problem.
 */
function isPlain(file: string): boolean {
  if (!existsSync(file)) return true;
  const read = readSettingsFile(file, dirname(file));
  // Large ones are left to a worker too: this thread has no memory limit of its own.
  if (!('text' in read) || read.text.length > PLAIN_TEXT_LIMIT) return false;
  let plain = plainTexts.get(read.hash);
  if (plain === undefined) {
    plain = readPlainModule(read.text) !== undefined;
    plainTexts.set(read.hash, plain);
  }
  return plain;
}

/** CARBON_WORKERS as a count of workers, when it is one (0 and up); undefined lets Carbon choose. */
export function workersWanted(env: NodeJS.ProcessEnv): number | undefined {
  const wanted = Number(env['CARBON_WORKERS'] ?? Number.NaN);
  return Number.isInteger(wanted) && wanted >= 0 ? wanted : undefined;
}

/** Starts a worker for `root` now when this run will compile settings anyway, and needs one. */
export function prewarm(root: string, env: NodeJS.ProcessEnv): void {
  const wanted = workersWanted(env);
  if (!BUNDLED || started.has(root) || wanted === 0) return;
  const files = likelyCompiled(root, env, cacheFileOf(root));
  // A count of workers asked for (CARBON_WORKERS) is given even to a few plain modules.
  if (files.length === 0 || (wanted === undefined && !needsWorker(files))) return;
  const worker = startWorker(root, env);
  // Until adopted it must not keep Carbon alive: a run that fails before compiling just exits.
  worker.unref();
  // One that dies before it is adopted is forgotten; the runner then starts its own.
  worker.on('error', () => {});
  worker.on('exit', () => {
    if (started.get(root) === worker) started.delete(root);
  });
  started.set(root, worker);
}

/**
 * The settings files this run will likely compile: every one without a cache (or CARBON_CACHE=0)
 * or when carbon.config.ts was saved after it, else those of projects/ saved after it. Only a
 * guess: the cache itself compares contents. Costs a stat per module (2 ms for 500).
 */
function likelyCompiled(root: string, env: NodeJS.ProcessEnv, cacheFile: string): string[] {
  const config = join(root, CONFIG_FILE);
  const projects = join(root, PROJECTS_FOLDER);
  const modules = namesIn(projects).map((name) => join(projects, name));
  const kept =
    env['CARBON_CACHE'] === '0'
      ? undefined
      : statSync(cacheFile, { throwIfNoEntry: false })?.mtimeMs;
  const saved = (path: string) => statSync(path, { throwIfNoEntry: false })?.mtimeMs;
  if (kept === undefined || (saved(config) ?? 0) > kept)
    return [...(saved(config) === undefined ? [] : [config]), ...modules];
  return modules.filter((path) => (saved(path) ?? 0) > kept);
}

/** Whether prewarm started a worker for `root` that no runner has adopted yet. */
export function prewarmed(root: string): boolean {
  return started.has(root);
}

/** The worker prewarm started for `root`, once. */
export function adoptWorker(root: string): Worker | undefined {
  const worker = started.get(root);
  started.delete(root);
  worker?.ref();
  return worker;
}
