// A settings worker (runner.ts): evaluates modules in its own settings realm and compiles them into
// units, one request at a time. It has a memory limit of its own (settings that allocate without
// end stop this thread, not Carbon), and the main thread stops it past the time limit.
import { parentPort, workerData } from 'node:worker_threads';
import { UserError, asEnvironmentError } from '../errors.ts';
import { packOrbCached, type Orb } from '../emit/orb.ts';
import { ORB_TEMPLATES } from '../paths.ts';
import { SettingsRealm } from '../settings/realm.ts';
import { Transpiler } from '../settings/transpile.ts';
import { Timings } from '../timings.ts';
import { onCompilingSchema } from '../validate/schema.ts';
import { produceConfig } from './config.ts';
import { produceOrb } from './orb.ts';
import type { WorkerAnswer, WorkerRequest } from './runner.ts';
import { produceUnit } from './unit.ts';

const { root, schemaSignal, finished } = workerData as {
  root: string;
  schemaSignal: Int32Array;
  finished: Int32Array;
};
// The main thread may be compiling the schema's validator for this run (runner.ts): waiting for
// its kept code (at most 30 s) costs less than compiling it here too.
onCompilingSchema(() => {
  if (Atomics.load(schemaSignal, 0) === 1) Atomics.wait(schemaSignal, 0, 1, 30_000);
});
// Packed here (kept by content, or packed once): the worker may start before the main thread has.
const orb: Orb = packOrbCached(ORB_TEMPLATES);
// sucrase loads (15 ms) with the first module that is not plain data: modules of plain data, most
// of them, are read without it (settings/plain-module.ts).
const transpiler = new Transpiler();
// No vm time limit here: the main thread stops a worker that runs past it (runner.ts).
const realm = new SettingsRealm({ root, transpiler, env: {}, timeoutMs: undefined });

/** What the units are compiled under (runner.ts sends it before the first unit that needs it). */
let setting: Extract<WorkerRequest, { type: 'context' }> | undefined;

async function answer(request: Exclude<WorkerRequest, { type: 'context' }>): Promise<WorkerAnswer> {
  const timings = new Timings();
  if (request.type === 'config') {
    const result = await produceConfig(realm, root);
    return { type: 'config', result, stages: timings.stages };
  }
  if (request.type === 'orb') {
    const result = timings.time('emit', () => produceOrb(request.config, orb, request.schemaPath));
    return { type: 'orb', result, stages: timings.stages };
  }
  if (!setting) throw new Error(`a unit (${request.file}) came before its context`);
  const result = await produceUnit(realm, request.file, setting.context, orb, timings);
  return { type: 'unit', result, stages: timings.stages };
}

// Requests are answered one at a time, in order: the main thread sends several ahead. Answers go
// a few per message: each message wakes the main thread, and on two CPUs 500 wake-ups cost this
// thread 20 to 100 ms more of postMessage. Four go together, and what is left once the requests
// that came together are answered (a message event each, answered before the next is taken).
const BATCH = 4;
const ready: WorkerAnswer[] = [];
let flushing = false;
let queue: Promise<void> = Promise.resolve();
parentPort!.on('message', (request: WorkerRequest) => {
  if (request.type === 'context') {
    // In turn with the units: those sent before it are compiled under the one before.
    queue = queue.then(() => {
      setting = request;
      realm.declareEnv(request.env);
    });
    return;
  }
  queue = queue.then(() =>
    answer(request)
      .catch((error: unknown) => failure(error))
      .then((reply) => {
        ready.push(reply);
        // Counted as soon as it is ready: if this thread dies before sending it, the main thread
        // knows the task was done and puts the death down to the next one.
        Atomics.add(finished, 0, 1);
        if (ready.length >= BATCH) send();
        else if (!flushing) {
          flushing = true;
          setImmediate(() => {
            flushing = false;
            send();
          });
        }
      }),
  );
});

/** Sends the answers ready, if any. */
function send(): void {
  if (ready.length > 0) parentPort!.postMessage(ready.splice(0));
}

/** A failure as the main thread reports it: the user's mistake, the machine's, or a bug. */
function failure(error: unknown): WorkerAnswer {
  if (error instanceof UserError) return { type: 'user', message: error.message };
  const environment = asEnvironmentError(error);
  if (environment)
    return {
      type: 'environment',
      path: environment.path,
      reason: environment.reason,
      ...(environment.code ? { code: environment.code } : {}),
    };
  return {
    type: 'bug',
    stack: error instanceof Error ? (error.stack ?? error.message) : String(error),
  };
}
