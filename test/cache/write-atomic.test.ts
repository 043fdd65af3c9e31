// writeAtomically (atomic-write.ts), Carbon's one way of writing files: from two threads of one
// process at once (they share a pid, so a temporary file named by the pid alone was written by
// both, and the file put in place could be one thread's bytes ending in the other's), and with a
// new file's place taken meanwhile (nothing is written).
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { writeAtomically } from '../../src/atomic-write.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { makeWorkspace, writeFiles } from '../helpers/workspace.ts';

/** atomic-write.ts as CommonJS, for threads that cannot load TypeScript. */
function atomicModule(): string {
  const { outputFiles } = buildSync({
    entryPoints: [join(REPO_ROOT, 'src/atomic-write.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    write: false,
    logLevel: 'error',
  });
  return outputFiles[0]!.text;
}

const THREAD = `
const { workerData, parentPort } = require('node:worker_threads');
const module = { exports: {} };
new Function('require', 'module', 'exports', workerData.code)(require, module, module.exports);
const content = Buffer.alloc(workerData.size, workerData.fill);
for (let round = 0; round < workerData.rounds; round++) module.exports.writeAtomically([{ path: workerData.path, content }]);
parentPort.postMessage('done');
`;

describe('writeAtomically', () => {
  it('puts one whole content in place when two threads of one process write the same file', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'carbon-atomic-'));
    const path = join(folder, 'kept.v8');
    const code = atomicModule();
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

  it('writes nothing when the place of a new file is taken meanwhile, and says which', () => {
    const root = makeWorkspace({ 'kept.txt': 'old\n' });
    writeFiles(root, { 'b/taken.txt': 'theirs\n' });
    const write = () =>
      writeAtomically([
        { path: join(root, 'kept.txt'), content: 'new\n' },
        { path: join(root, 'a/new.txt'), content: 'a\n', create: true },
        { path: join(root, 'b/taken.txt'), content: 'b\n', create: true },
      ]);
    expect(write).toThrow(`${join(root, 'b/taken.txt')} appeared while Carbon was writing`);
    expect(readdirSync(root, { recursive: true }).map(String).sort()).toEqual([
      'b',
      'b/taken.txt',
      'kept.txt',
    ]);
    expect(readFileSync(join(root, 'kept.txt'), 'utf8')).toBe('old\n');
    expect(readFileSync(join(root, 'b/taken.txt'), 'utf8')).toBe('theirs\n');
  });
});
