// Where settings run. In the launcher's bundle, in worker threads: each has a memory limit, so a
// module that allocates without end stops its worker with a located error instead of aborting
// Carbon, and two workers use both cores of a small machine. When Carbon runs from its TypeScript
// sources (the tests), a worker cannot load them, so the same code runs in this thread.
import { availableParallelism } from 'node:os';
import { error } from '../diagnostics.ts';
import { EnvironmentError, UserError } from '../errors.ts';
import { Timings, type Stage } from '../timings.ts';
import type { Config } from '../settings/schema.ts';
import type { ConfigResult } from './config.ts';
import type { Worker } from 'node:worker_threads';
import type { OrbResult } from './orb.ts';
import { keepValidator } from '../validate/schema.ts';
import {
  BUNDLED,
  SCHEMA_SIGNAL,
  adoptWorker,
  memoryLimit,
  needsWorker,
  prewarmed,
  progressOf,
  startWorker,
  workersWanted,
} from './prewarm.ts';
import type { UnitContext, UnitResult } from './unit.ts';

export interface RunnerOptions {
  root: string;
  env: NodeJS.ProcessEnv;
  timings: Timings;
}

export interface Runner {
  config(): Promise<ConfigResult>;
  /** orb.yml's text for this config, validated. */
  orb(config: Config, schemaPath: string | undefined): Promise<OrbResult>;
  /** Every module's unit, in the order of `files`: each settles as soon as it is compiled. */
  units(
    files: string[],
    context: UnitContext,
    declaredEnv: Record<string, string | null>,
  ): Promise<UnitResult>[];
  /**
   * Compiles the schema's validator here and keeps its code, when none is kept, while the workers
   * start: they load it then instead of compiling it (85 ms). Whether it compiled.
   */
  keepSchema(schemaPath: string | undefined): boolean;
  close(): Promise<void>;
}

/** Seconds a module may run, and megabytes a worker may use, unless the environment says otherwise. */
export function limits(env: NodeJS.ProcessEnv): { timeoutMs: number; memoryMb: number } {
  const seconds = Number(env['CARBON_SETTINGS_TIMEOUT'] ?? 10);
  return {
    timeoutMs: Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 10_000,
    memoryMb: memoryLimit(env),
  };
}

/**
 * The runner for compiling `files` (settings modules; none for the orb alone). One worker, unless
 * the machine has cores to spare: on a two-core machine a second worker made an uncached check of
 * 500 projects slower, not faster (1.0 s against 0.95 s: the two threads slow each other down more
 * than they share), and its heap costs 35 MB. No worker for a few modules of plain data, unless
 * one was started for this run already (prewarm.ts). CARBON_WORKERS, when a count, decides.
 */
export async function createRunner(options: RunnerOptions, files: string[]): Promise<Runner> {
  const wanted = workersWanted(options.env);
  const workers = wanted ?? (files.length > 64 && availableParallelism() >= 4 ? 2 : 1);
  const inThread = !BUNDLED || workers <= 0;
  const few = wanted === undefined && !prewarmed(options.root) && !needsWorker(files);
  if (inThread || few) {
    // Loaded only here: the pipeline (zod and the rest, 50 ms) is the workers' business otherwise.
    const { LocalRunner } = await import('./local-runner.ts');
    return new LocalRunner(options, !inThread);
  }
  const pool = new PoolRunner(options, workers);
  // Every worker starts now: the second boots while the first reads carbon.config.ts.
  pool.start();
  return pool;
}

/** What a worker is asked, and what it answers (worker.ts). */
export type WorkerRequest =
  | { type: 'config' }
  | { type: 'orb'; config: Config; schemaPath: string | undefined }
  /**
   * What the units that follow are compiled under, sent to a worker once rather than with each
   * unit: a config is copied into every message that carries it, and one with a deploy key per
   * repository, copied for every unit, cost more than the units' rules. Not answered.
   */
  | ({ type: 'context' } & UnitSetting)
  | { type: 'unit'; file: string };

/** The context and declared environment of a run's units. */
interface UnitSetting {
  context: UnitContext;
  env: Record<string, string | null>;
}
export type WorkerAnswer =
  | { type: 'config'; result: ConfigResult; stages: Partial<Record<Stage, number>> }
  | { type: 'orb'; result: OrbResult; stages: Partial<Record<Stage, number>> }
  | { type: 'unit'; result: UnitResult; stages: Partial<Record<Stage, number>> }
  | { type: 'bug'; stack: string }
  /** A user or environment error met in the worker (an unreadable schema): said as in this thread. */
  | { type: 'user'; message: string }
  | { type: 'environment'; path: string; reason: string; code?: string };

interface Task {
  request: WorkerRequest;
  /** What a unit is compiled under: sent to its worker first, unless that worker has it. */
  setting?: UnitSetting;
  /** The module the task evaluates, for the message when its worker dies. */
  file: string;
  done: (answer: WorkerAnswer) => void;
  fail: (error: Error) => void;
}

/** A worker and the tasks sent to it, oldest (the one running) first. */
interface Slot {
  worker: Worker;
  tasks: Task[];
  /** Answers taken in; the worker counts those it finished in `finished` (prewarm.ts). */
  received: number;
  finished: Int32Array;
  /** The setting of the units last sent to the worker. */
  setting?: UnitSetting;
  /** Stops the worker when its running task goes past the time limit. */
  watchdog?: NodeJS.Timeout;
}

/**
 * Tasks sent to a worker before it answered the previous ones: a worker never waits for the next
 * module while the main thread takes in its answers, which come a few at a time (worker.ts).
 */
const IN_FLIGHT = 16;

/** Settings in worker threads, each with a memory limit; a dead worker is replaced. */
export class PoolRunner implements Runner {
  private readonly options: RunnerOptions;
  private readonly size: number;
  private readonly slots: Slot[] = [];
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

  async orb(config: Config, schemaPath: string | undefined): Promise<OrbResult> {
    const answer = await this.run(
      { type: 'orb', config, schemaPath },
      `${this.options.root}/orb.yml`,
    );
    if (answer.type !== 'orb') throw new Error(`worker answered ${answer.type} to orb`);
    return answer.result;
  }

  units(files: string[], context: UnitContext, env: Record<string, string | null>) {
    const setting = { context, env };
    return files.map(async (file) => {
      const answer = await this.run({ type: 'unit', file }, file, setting);
      if (answer.type !== 'unit') throw new Error(`worker answered ${answer.type} to a unit`);
      return answer.result;
    });
  }

  keepSchema(schemaPath: string | undefined): boolean {
    if (schemaPath === undefined) return false;
    Atomics.store(SCHEMA_SIGNAL, 0, 1);
    try {
      return keepValidator(schemaPath);
    } catch {
      // A schema that does not compile: the worker compiles it too, and reports why.
      return false;
    } finally {
      Atomics.store(SCHEMA_SIGNAL, 0, 2);
      Atomics.notify(SCHEMA_SIGNAL, 0);
    }
  }

  async close(): Promise<void> {
    const slots = this.slots.splice(0);
    for (const slot of slots) clearTimeout(slot.watchdog);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private run(request: WorkerRequest, file: string, setting?: UnitSetting): Promise<WorkerAnswer> {
    return new Promise((done, fail) => {
      this.queue.push({ request, file, done, fail, ...(setting ? { setting } : {}) });
      this.dispatch();
    });
  }

  /** Starts every worker of the pool. */
  start(): void {
    while (this.spawn()) {
      // spawn returns undefined once the pool is full.
    }
  }

  /** Sends queued tasks to the least loaded worker, starting workers up to the pool's size. */
  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = this.slots
        .filter((candidate) => candidate.tasks.length < IN_FLIGHT)
        .sort((a, b) => a.tasks.length - b.tasks.length)[0];
      if (!slot || (slot.tasks.length > 0 && this.slots.length < this.size)) slot = this.spawn();
      if (!slot) return;
      const task = this.queue.shift()!;
      slot.tasks.push(task);
      if (slot.tasks.length === 1) this.watch(slot);
      if (task.setting && slot.setting !== task.setting) {
        slot.worker.postMessage({ type: 'context', ...task.setting } satisfies WorkerRequest);
        slot.setting = task.setting;
      }
      slot.worker.postMessage(task.request);
    }
  }

  /** (Re)arms the watchdog of a worker for the task it runs now. */
  private watch(slot: Slot): void {
    clearTimeout(slot.watchdog);
    if (slot.tasks.length === 0) return;
    slot.watchdog = setTimeout(() => this.stop(slot), limits(this.options.env).timeoutMs);
  }

  private spawn(): Slot | undefined {
    if (this.slots.length >= this.size) return undefined;
    const { memoryMb } = limits(this.options.env);
    this.started++;
    this.options.timings.mark(`worker ${this.started} spawned`);
    const worker =
      adoptWorker(this.options.root) ?? startWorker(this.options.root, this.options.env);
    const slot: Slot = { worker, tasks: [], received: 0, finished: progressOf(worker) };
    this.slots.push(slot);
    // Answers come in order, a few per message (worker.ts).
    worker.on('message', (answers: WorkerAnswer[]) => {
      for (const answer of answers) this.settle(slot, answer);
      this.dispatch();
    });
    const died = (reason: unknown) => {
      if (!this.remove(slot)) return;
      const [running, waiting] = this.runningOf(slot);
      // The tasks it had not begun (or finished without sending) go to another worker.
      this.queue.unshift(...waiting);
      // Only running out of memory is the settings' doing; any other death is a bug in Carbon.
      const outOfMemory = (reason as NodeJS.ErrnoException)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      if (running && outOfMemory) running.done(this.deathAnswer(running, memoryMb));
      else if (running) running.fail(reason instanceof Error ? reason : new Error(String(reason)));
      this.dispatch();
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`exited with code ${code}`)));
    return slot;
  }

  /**
   * The task a stopped worker was running, and the others to give another worker: answers it
   * finished but had not sent yet (it sends a few at a time) do not make their tasks the culprit.
   */
  private runningOf(slot: Slot): [Task | undefined, Task[]] {
    const unsent = Atomics.load(slot.finished, 0) - slot.received;
    const running = slot.tasks[unsent];
    return [running, slot.tasks.filter((task) => task !== running)];
  }

  /** Settles the oldest task of a worker with its answer. */
  private settle(slot: Slot, answer: WorkerAnswer): void {
    slot.received++;
    const task = slot.tasks.shift();
    this.watch(slot);
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
  }

  /** Forgets a worker; false when it was forgotten already. */
  private remove(slot: Slot): boolean {
    const index = this.slots.indexOf(slot);
    if (index < 0) return false;
    this.slots.splice(index, 1);
    clearTimeout(slot.watchdog);
    return true;
  }

  /**
   * A task past the time limit (an endless loop in the settings): its worker is stopped, the task
   * answered with a located error, and the tasks the worker had not begun go to another worker.
   * Watching from here costs nothing per module, where a vm timeout costs a thread per module.
   */
  private stop(slot: Slot): void {
    if (!this.remove(slot)) return;
    void slot.worker.terminate();
    const [running, waiting] = this.runningOf(slot);
    this.queue.unshift(...waiting);
    const seconds = limits(this.options.env).timeoutMs / 1000;
    running?.done(
      this.failedAnswer(
        running,
        'settings-timeout',
        `evaluating the settings took longer than ${seconds} s, so Carbon stopped them: look for an endless loop (the limit is CARBON_SETTINGS_TIMEOUT, in seconds)`,
      ),
    );
    this.dispatch();
  }

  /** A task whose worker ran out of memory, answered with a located error; the other modules still report. */
  private deathAnswer(task: Task, memoryMb: number): WorkerAnswer {
    return this.failedAnswer(
      task,
      'settings-memory',
      `evaluating the settings used more than ${memoryMb} MB of memory, so Carbon stopped them: look for a value that grows without end (the limit is CARBON_SETTINGS_MEMORY, in megabytes)`,
    );
  }

  /** A task answered with one located error, so that the other modules still report theirs. */
  private failedAnswer(task: Task, code: string, message: string): WorkerAnswer {
    const diagnostic = error(code, { file: task.file, path: [] }, message, { line: 1, column: 1 });
    const module = task.file.slice(this.options.root.length + 1);
    // The orb is Carbon's own work: a worker dying on it is a bug, not the settings' doing.
    if (task.request.type === 'orb') return { type: 'bug', stack: `packing the orb: ${message}` };
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
      },
    };
  }
}
