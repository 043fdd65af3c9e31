// Where settings run. In the launcher's bundle, in worker threads: each has a memory limit, so a
// module that allocates without end stops its worker with a located error instead of aborting
// Carbon, and two workers use both cores of a small machine. When Carbon runs from its TypeScript
// sources (the tests), a worker cannot load them, so the same code runs in this thread.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { error } from '../diagnostics.ts';
import { EnvironmentError, UserError } from '../errors.ts';
import { packOrbCached } from '../emit/orb.ts';
import { ORB_TEMPLATES } from '../paths.ts';
import { SettingsRealm } from '../settings/realm.ts';
import { Transpiler } from '../settings/transpile.ts';
import { Timings, type Stage } from '../timings.ts';
import { produceConfig, type ConfigResult } from './config.ts';
import { produceUnit, type UnitContext, type UnitResult } from './unit.ts';

export interface RunnerOptions {
  root: string;
  env: NodeJS.ProcessEnv;
  timings: Timings;
}

export interface Runner {
  config(): Promise<ConfigResult>;
  /** Every module's unit, in the order of `files`. */
  units(
    files: string[],
    context: UnitContext,
    declaredEnv: Record<string, string | null>,
  ): Promise<UnitResult[]>;
  close(): Promise<void>;
}

/** Seconds a module may run, and megabytes a worker may use, unless the environment says otherwise. */
export function limits(env: NodeJS.ProcessEnv): { timeoutMs: number; memoryMb: number } {
  const seconds = Number(env['CARBON_SETTINGS_TIMEOUT'] ?? 10);
  const megabytes = Number(env['CARBON_SETTINGS_MEMORY'] ?? 256);
  return {
    timeoutMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 10_000,
    memoryMb: Number.isFinite(megabytes) && megabytes >= 32 ? megabytes : 256,
  };
}

const WORKER_SCRIPT = new URL('./worker.js', import.meta.url);
/** Workers need the bundle: from the TypeScript sources, settings run in this thread. */
const BUNDLED = import.meta.url.endsWith('.js');

export function createRunner(options: RunnerOptions, moduleCount: number): Runner {
  const wanted = options.env['CARBON_WORKERS'];
  const workers =
    wanted !== undefined
      ? Number(wanted)
      : Math.min(availableParallelism(), moduleCount > 8 ? 2 : 1);
  return BUNDLED && workers > 0 ? new PoolRunner(options, workers) : new LocalRunner(options);
}

/** Settings in this thread: no memory limit of their own. */
export class LocalRunner implements Runner {
  private readonly options: RunnerOptions;
  private realm: SettingsRealm | undefined;
  private readonly transpiler: Transpiler;

  constructor(options: RunnerOptions) {
    this.options = options;
    this.transpiler = new Transpiler();
  }

  private realmOf(): SettingsRealm {
    this.realm ??= new SettingsRealm({
      root: this.options.root,
      transpiler: this.transpiler,
      env: {},
      timeoutMs: limits(this.options.env).timeoutMs,
    });
    return this.realm;
  }

  config(): Promise<ConfigResult> {
    return produceConfig(this.realmOf(), this.options.root);
  }

  async units(files: string[], context: UnitContext, env: Record<string, string | null>) {
    const realm = this.realmOf();
    realm.declareEnv(env);
    const orb = packOrbCached(ORB_TEMPLATES);
    const results: UnitResult[] = [];
    for (const file of files)
      results.push(await produceUnit(realm, file, context, orb, this.options.timings));
    return results;
  }

  async close(): Promise<void> {}
}

/** What a worker is asked, and what it answers (worker.ts). */
export type WorkerRequest =
  | { type: 'config' }
  | {
      type: 'unit';
      file: string;
      context: UnitContext;
      env: Record<string, string | null>;
    };
export type WorkerAnswer =
  | { type: 'config'; result: ConfigResult; stages: Partial<Record<Stage, number>> }
  | { type: 'unit'; result: UnitResult; stages: Partial<Record<Stage, number>> }
  | { type: 'bug'; stack: string }
  /** A user or environment error met in the worker (an unreadable schema): said as in this thread. */
  | { type: 'user'; message: string }
  | { type: 'environment'; path: string; reason: string; code?: string };

interface Task {
  request: WorkerRequest;
  /** The module the task evaluates, for the message when its worker dies. */
  file: string;
  done: (answer: WorkerAnswer) => void;
  fail: (error: Error) => void;
}

/** Settings in worker threads, each with a memory limit; a dead worker is replaced. */
export class PoolRunner implements Runner {
  private readonly options: RunnerOptions;
  private readonly size: number;
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Task>();
  private readonly queue: Task[] = [];
  private started = 0;

  constructor(options: RunnerOptions, size: number) {
    this.options = options;
    this.size = size;
  }

  async config(): Promise<ConfigResult> {
    const answer = await this.run({ type: 'config' }, `${this.options.root}/carbon.config.ts`);
    if (answer.type !== 'config') throw new Error(`worker answered ${answer.type} to config`);
    return answer.result;
  }

  async units(files: string[], context: UnitContext, env: Record<string, string | null>) {
    const answers = await Promise.all(
      files.map((file) => this.run({ type: 'unit', file, context, env }, file)),
    );
    return answers.map((answer) => {
      if (answer.type !== 'unit') throw new Error(`worker answered ${answer.type} to a unit`);
      return answer.result;
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.idle, ...this.busy.keys()].map((worker) => worker.terminate()));
    this.idle.length = 0;
  }

  private run(request: WorkerRequest, file: string): Promise<WorkerAnswer> {
    return new Promise((done, fail) => {
      this.queue.push({ request, file, done, fail });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let worker = this.idle.pop();
      if (!worker && this.busy.size < this.size) worker = this.spawn();
      if (!worker) return;
      const task = this.queue.shift()!;
      this.busy.set(worker, task);
      worker.postMessage(task.request);
    }
  }

  private spawn(): Worker {
    const { memoryMb, timeoutMs } = limits(this.options.env);
    this.started++;
    const worker = new Worker(fileURLToPath(WORKER_SCRIPT), {
      workerData: { root: this.options.root, timeoutMs },
      resourceLimits: { maxOldGenerationSizeMb: memoryMb, maxYoungGenerationSizeMb: 32 },
      stdout: false,
      stderr: false,
    });
    worker.on('message', (answer: WorkerAnswer) => {
      const task = this.busy.get(worker);
      this.busy.delete(worker);
      this.idle.push(worker);
      if (!task) return;
      if (answer.type === 'bug') task.fail(new Error(`in a settings worker: ${answer.stack}`));
      else if (answer.type === 'user') task.fail(new UserError(answer.message));
      else if (answer.type === 'environment')
        task.fail(new EnvironmentError(answer.path, answer.reason, answer.code));
      else {
        for (const [stage, milliseconds] of Object.entries(answer.stages))
          this.options.timings.add(stage as Stage, milliseconds);
        task.done(answer);
      }
      this.dispatch();
    });
    const died = (reason: unknown) => {
      const task = this.busy.get(worker);
      this.busy.delete(worker);
      const index = this.idle.indexOf(worker);
      if (index >= 0) this.idle.splice(index, 1);
      // Only running out of memory is the settings' doing; any other death is a bug in Carbon.
      const outOfMemory = (reason as NodeJS.ErrnoException)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      if (task && outOfMemory) task.done(this.deathAnswer(task, memoryMb));
      else if (task) task.fail(reason instanceof Error ? reason : new Error(String(reason)));
      this.dispatch();
    };
    worker.on('error', died);
    worker.on('exit', (code) => {
      if (this.busy.has(worker)) died(new Error(`exited with code ${code}`));
    });
    return worker;
  }

  /** A task whose worker ran out of memory, answered with a located error; the other modules still report. */
  private deathAnswer(task: Task, memoryMb: number): WorkerAnswer {
    const diagnostic = error(
      'settings-memory',
      { file: task.file, path: [] },
      `evaluating the settings used more than ${memoryMb} MB of memory, so Carbon stopped them: look for a value that grows without end (the limit is CARBON_SETTINGS_MEMORY, in megabytes)`,
      { line: 1, column: 1 },
    );
    const module = task.file.slice(this.options.root.length + 1);
    if (task.request.type === 'config')
      return {
        type: 'config',
        stages: {},
        result: {
          config: undefined as never,
          diagnostics: [diagnostic],
          console: [],
          inputs: { files: {}, probes: {}, env: {} },
        },
      };
    return {
      type: 'unit',
      stages: {},
      result: {
        module,
        inputs: { files: {}, probes: {}, env: {} },
        diagnostics: [diagnostic],
        console: [],
        projects: [],
        summaries: [],
        files: [],
        problems: [],
        rendered: task.request.context.render,
      },
    };
  }
}
