// Carbon's side of the engine's thread (engine-thread.ts): sends it the modules to evaluate, in
// order, and stops it when the module it runs passes its time limit (the engine's own interrupt
// usually stops it first, with the same message; this is the stop that cannot be delayed). A
// thread stopped, or dead of its own memory limit, is replaced for the modules after.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PACKAGE_ROOT } from '../paths.ts';
import type { CodeEvaluation, EngineLimits } from './code-module.ts';
import { emptyInputs, memoryMessage, timeoutMessage } from './evaluation.ts';

export interface EngineRequest {
  id: number;
  file: string;
  env: Record<string, string | null>;
}

export type EngineAnswer = { id: number; result: CodeEvaluation } | { id: number; bug: string };

interface Task extends EngineRequest {
  done: (result: CodeEvaluation) => void;
  fail: (error: Error) => void;
}

/**
 * Time past the limit before the thread is stopped: the engine's own interrupt, at the limit,
 * reports first when it can; the watchdog starts when the previous answer arrives, a little
 * before the thread starts the module.
 */
const GRACE_MS = 1_000;

export class Engine {
  private readonly root: string;
  private readonly limits: EngineLimits;
  private worker: Worker | undefined;
  /** Sent to the current thread and not answered yet, the one it runs first. */
  private readonly sent: Task[] = [];
  private watchdog: NodeJS.Timeout | undefined;
  private next = 0;

  constructor(root: string, limits: EngineLimits) {
    this.root = root;
    this.limits = limits;
  }

  /** Evaluates a module of code in the engine's thread; modules are evaluated in call order. */
  evaluate(file: string, env: Record<string, string | null>): Promise<CodeEvaluation> {
    return new Promise((done, fail) => this.send({ id: this.next++, file, env, done, fail }));
  }

  /** Stops the thread (it is not waited for when idle: it does not keep Carbon alive). */
  async close(): Promise<void> {
    clearTimeout(this.watchdog);
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private send(task: Task): void {
    const worker = (this.worker ??= this.start());
    worker.ref();
    this.sent.push(task);
    if (this.sent.length === 1) this.watch();
    const request: EngineRequest = { id: task.id, file: task.file, env: task.env };
    worker.postMessage(request);
  }

  private start(): Worker {
    const worker = new Worker(engineScript(), {
      workerData: { root: this.root, limits: this.limits },
      // The engine's memory is WebAssembly memory, outside this heap: the heap holds Carbon's side
      // of the boundary and the answers it copies out.
      resourceLimits: { maxOldGenerationSizeMb: this.limits.memoryMb + 64 },
      stdout: false,
      stderr: false,
    });
    worker.on('message', (answer: EngineAnswer) => this.settle(worker, answer));
    const died = (reason: unknown) => this.died(worker, reason);
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`the engine's thread exited with code ${code}`)));
    return worker;
  }

  private settle(worker: Worker, answer: EngineAnswer): void {
    if (worker !== this.worker) return;
    const task = this.sent.shift();
    this.watch();
    if (this.sent.length === 0) worker.unref();
    if (!task || task.id !== answer.id) return;
    if ('bug' in answer) task.fail(new Error(`in the engine's thread: ${answer.bug}`));
    else task.done(answer.result);
  }

  /** Arms the watchdog for the module the thread runs now. */
  private watch(): void {
    clearTimeout(this.watchdog);
    if (this.sent.length === 0) return;
    this.watchdog = setTimeout(() => this.stop(), this.limits.timeoutMs + GRACE_MS);
  }

  /** The running module is past its time: the thread goes, the modules after go to a new one. */
  private stop(): void {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    void worker.terminate();
    const [running, ...waiting] = this.sent.splice(0);
    running?.done(failed(running.file, 'timeout', timeoutMessage(this.limits.timeoutMs)));
    for (const task of waiting) this.send(task);
  }

  /** A thread that died: of its memory limit, the running module's doing; else a bug. */
  private died(worker: Worker, reason: unknown): void {
    if (worker !== this.worker) return;
    this.worker = undefined;
    clearTimeout(this.watchdog);
    const [running, ...waiting] = this.sent.splice(0);
    if ((reason as NodeJS.ErrnoException)?.code === 'ERR_WORKER_OUT_OF_MEMORY')
      running?.done(failed(running.file, 'memory', memoryMessage(this.limits.memoryMb)));
    else running?.fail(reason instanceof Error ? reason : new Error(String(reason)));
    for (const task of waiting) this.send(task);
  }
}

function failed(file: string, kind: 'timeout' | 'memory', message: string): CodeEvaluation {
  return { failure: { kind, file, message }, inputs: emptyInputs(), exportsConstFixes: [] };
}

let built: string | undefined;

/**
 * The thread's script: beside Carbon's bundle (bin/carbon.mjs builds it with the rest), or, when
 * Carbon runs from its TypeScript sources (the tests), built from them once a process.
 */
function engineScript(): string {
  if (import.meta.url.endsWith('.js'))
    return fileURLToPath(new URL('./engine.js', import.meta.url));
  built ??= buildFromSources();
  return built;
}

function buildFromSources(): string {
  // Inside the package, so that the script finds its packages as the sources do.
  const folder = join(PACKAGE_ROOT, 'node_modules', '.cache', 'carbon', 'engine-from-sources');
  mkdirSync(folder, { recursive: true });
  // Those of processes that could not clean up after themselves (killed), an hour on.
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    const written = statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
    if (Date.now() - written > 3_600_000) rmSync(path, { force: true });
  }
  const outfile = join(folder, `engine-${process.pid}-${randomBytes(4).toString('hex')}.cjs`);
  const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  buildSync({
    entryPoints: [join(PACKAGE_ROOT, 'src', 'modules', 'engine-thread.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    define: { 'import.meta.url': 'importMetaUrl' },
    banner: {
      js: "'use strict';\nconst importMetaUrl = require('node:url').pathToFileURL(__filename).href;",
    },
    logLevel: 'error',
  });
  process.once('exit', () => rmSync(outfile, { force: true }));
  return outfile;
}
