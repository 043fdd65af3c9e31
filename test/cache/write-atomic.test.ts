// writeAtomic (store.ts) from two threads of one process at once, as two settings workers keep
// the same V8 code: they share a pid, so a temporary file named by the pid alone was written by
// both, and the file put in place could be one thread's bytes ending in the other's.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.ts';

/** store.ts as CommonJS, for threads that cannot load TypeScript. */
function storeModule(): string {
  const { outputFiles } = buildSync({
    entryPoints: [join(REPO_ROOT, 'src/store.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    define: { 'import.meta.url': JSON.stringify(`file://${REPO_ROOT}/src/store.ts`) },
    logLevel: 'error',
  });
  return outputFiles[0]!.text;
}

const THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const module = { exports: {} };
new Function('require', 'module', 'exports', workerData.code)(require, module, module.exports);
const content = Buffer.alloc(workerData.size, workerData.fill);
for (let round = 0; round < workerData.rounds; round++) module.exports.writeAtomic(workerData.path, content);
parentPort.postMessage('done');
`;

describe('writeAtomic', () => {
  it('puts one whole content in place when two threads of one process write the same file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'carbon-atomic-'));
    const path = join(folder, 'kept.v8');
    const code = storeModule();
    const size = 4 << 20;
    const threads = ['a', 'b'].map(
      (fill) =>
        new Worker(THREAD, { eval: true, workerData: { code, path, size, fill, rounds: 8 } }),
    );
    await Promise.all(
      threads.map(
        (thread) =>
          new Promise((done, fail) => {
            thread.on('message', done);
            thread.on('error', fail);
          }),
      ),
    );
    const written = readFileSync(path);
    expect(written.length).toBe(size);
    // Every byte the same: all of one thread's content, none of the other's.
    expect(written.every((byte) => byte === written[0])).toBe(true);
    expect(readdirSync(folder)).toEqual(['kept.v8']);
  });
});
