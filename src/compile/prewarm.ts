// A settings worker started at the very beginning of a command, when the run will likely compile
// settings (nothing kept for this workspace, CARBON_CACHE=0, or a module saved since the cache
// was): it boots on the other core while this thread loads the pipeline and reads the cache,
// instead of after. runner.ts adopts it. A wrong guess costs only the other core's time.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { cacheFileOf } from '../cache.ts';
import { CONFIG_FILE, PROJECTS_FOLDER } from '../settings/layout.ts';
import { namesIn } from '../walk.ts';

export const WORKER_SCRIPT = new URL('./worker.js', import.meta.url);
/** Workers need the bundle: from the TypeScript sources, settings run in this thread. */
export const BUNDLED = import.meta.url.endsWith('.js');

/** Megabytes a worker may use, unless the environment says otherwise. */
export function memoryLimit(env: NodeJS.ProcessEnv): number {
  const megabytes = Number(env['CARBON_SETTINGS_MEMORY'] ?? 256);
  return Number.isFinite(megabytes) && megabytes >= 32 ? megabytes : 256;
}

export function startWorker(root: string, env: NodeJS.ProcessEnv): Worker {
  return new Worker(fileURLToPath(WORKER_SCRIPT), {
    workerData: { root },
    resourceLimits: { maxOldGenerationSizeMb: memoryLimit(env), maxYoungGenerationSizeMb: 32 },
    stdout: false,
    stderr: false,
  });
}

const started = new Map<string, Worker>();

/** Starts a worker for `root` now when this run will compile settings anyway. */
export function prewarm(root: string, env: NodeJS.ProcessEnv): void {
  if (!BUNDLED || started.has(root) || env['CARBON_WORKERS'] === '0') return;
  if (env['CARBON_CACHE'] !== '0' && !savedSince(root, cacheFileOf(root))) return;
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
 * Whether carbon.config.ts or a file in projects/ was saved after the cache file (true without
 * one). Only a guess: the cache itself compares contents. Costs a stat per module (2 ms for 500).
 */
function savedSince(root: string, cacheFile: string): boolean {
  const kept = statSync(cacheFile, { throwIfNoEntry: false })?.mtimeMs;
  if (kept === undefined) return true;
  const newer = (path: string) => (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? 0) > kept;
  if (newer(join(root, CONFIG_FILE))) return true;
  const projects = join(root, PROJECTS_FOLDER);
  return namesIn(projects).some((name) => newer(join(projects, name)));
}

/** The worker prewarm started for `root`, once. */
export function adoptWorker(root: string): Worker | undefined {
  const worker = started.get(root);
  started.delete(root);
  worker?.ref();
  return worker;
}
