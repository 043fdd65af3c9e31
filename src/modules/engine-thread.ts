// The engine's thread: settings code runs here, behind the sandbox (sandbox.ts), so that Carbon's
// thread can stop it at its time limit whatever it does. The engine polls its own deadline only
// between bytecode operations, and a loop of long built-in calls (sorting a large array) runs for
// minutes between two polls; terminating this thread is the stop nothing in it can delay. It
// evaluates the modules it is sent one at a time, in order, and answers each as it is done.
import { parentPort, workerData } from 'node:worker_threads';
import { CodeModules, type EngineLimits } from './code-module.ts';
import type { EngineAnswer, EngineRequest } from './engine.ts';

const { root, limits } = workerData as { root: string; limits: EngineLimits };
const modules = new CodeModules(root, limits);
const port = parentPort!;

let queue: Promise<void> = Promise.resolve();
port.on('message', (request: EngineRequest) => {
  queue = queue.then(async () => {
    let answer: EngineAnswer;
    try {
      answer = { id: request.id, result: await modules.evaluate(request.file, request.env) };
    } catch (error) {
      answer = {
        id: request.id,
        bug: error instanceof Error ? (error.stack ?? '') : String(error),
      };
    }
    port.postMessage(answer);
  });
});
