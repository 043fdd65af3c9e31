// The workspace lock (src/output/lock.ts) taken by many processes at once. A lock left by a
// process that no longer runs is taken over; when several processes find it at the same moment,
// exactly one may take it over: taking it over as "remove, then create" let a second process
// remove the lock the first had just made and make its own, and both held it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.ts';
import { makeWorkspace } from '../helpers/workspace.ts';

/** lock.ts as one CommonJS file, for processes that cannot load TypeScript. */
function lockModule(folder: string): string {
  const path = join(folder, 'lock.cjs');
  buildSync({
    entryPoints: [join(REPO_ROOT, 'src/output/lock.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    outfile: path,
    logLevel: 'error',
  });
  return path;
}

/**
 * Sleeps until `start` (so that all begin together), takes the lock without waiting, holds it for
 * a while, and says when it held it (or why it could not).
 */
const CONTENDER = `
const { lockWorkspace } = require(process.argv[1]);
const [root, start, holdMs] = process.argv.slice(2).map((arg, i) => (i === 0 ? arg : Number(arg)));
Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.max(0, start - Date.now()));
lockWorkspace(root, 'generate', 0).then(
  (lock) => {
    const from = Date.now();
    setTimeout(() => {
      const to = Date.now();
      lock.release();
      process.stdout.write(JSON.stringify([from, to]));
    }, holdMs);
  },
  (error) => process.stdout.write(JSON.stringify(error.message)),
);
`;

type Outcome = [number, number] | string;

function contend(module: string, root: string, start: number, holdMs: number): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [
      '-e',
      CONTENDER,
      module,
      root,
      String(start),
      String(holdMs),
    ]);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        resolve(JSON.parse(out) as Outcome);
      } catch {
        resolve(out);
      }
    });
  });
}

/** A lock file naming a process that has ended. */
function staleLock(root: string): void {
  mkdirSync(join(root, '.carbon'), { recursive: true });
  const dead = spawnSync('true').pid;
  writeFileSync(
    join(root, '.carbon/lock'),
    JSON.stringify({ pid: dead, host: hostname(), command: 'generate', started: 'then' }),
  );
}

describe('the workspace lock', () => {
  it('is taken over by one process at a time when many find it stale at once', async () => {
    const module = lockModule(makeWorkspace({}));
    // Before takeovers were atomic, about one round in five had two holders at once.
    for (let round = 0; round < 12; round++) {
      const root = makeWorkspace({});
      staleLock(root);
      const start = Date.now() + 300;
      const outcomes = await Promise.all(
        Array.from({ length: 8 }, () => contend(module, root, start, 400)),
      );
      const spans = outcomes
        .filter((outcome): outcome is [number, number] => Array.isArray(outcome))
        .sort((a, b) => a[0] - b[0]);
      const story = `round ${round}: ${JSON.stringify(outcomes)}`;
      expect(spans.length, story).toBeGreaterThanOrEqual(1);
      // Each held it after the one before had let it go.
      spans
        .slice(1)
        .forEach(([from], index) => expect(from, story).toBeGreaterThanOrEqual(spans[index]![1]));
      for (const outcome of outcomes.filter((o) => !Array.isArray(o)))
        expect(outcome, story).toMatch(/^another generate is running in this workspace/);
      // Nothing left behind: no marker, no lock (and so no folder).
      expect(existsSync(join(root, '.carbon')), story).toBe(false);
    }
  });
});
