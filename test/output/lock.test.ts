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

/** Holds when each process held the lock only after the one before had let it go. */
function oneAtATime(outcomes: Outcome[]): boolean {
  const spans = outcomes
    .filter((outcome): outcome is [number, number] => Array.isArray(outcome))
    .sort((a, b) => a[0] - b[0]);
  return spans.length > 0 && spans.slice(1).every(([from], index) => from >= spans[index]![1]);
}

describe('the workspace lock', () => {
  it('is taken over by one process at a time when many find it stale at once', async () => {
    const module = lockModule(makeWorkspace({}));
    // Before takeovers were atomic, about one round in five had two holders at once. Rounds run
    // four at a time (each in its own workspace), which costs less time and races no less.
    for (let batch = 0; batch < 3; batch++) {
      const start = Date.now() + 500;
      const rounds = await Promise.all(
        Array.from({ length: 4 }, async () => {
          const root = makeWorkspace({});
          staleLock(root);
          const outcomes = await Promise.all(
            Array.from({ length: 6 }, () => contend(module, root, start, 300)),
          );
          return { root, outcomes };
        }),
      );
      for (const { root, outcomes } of rounds) {
        const story = JSON.stringify(outcomes);
        expect(oneAtATime(outcomes), story).toBe(true);
        for (const outcome of outcomes.filter((o) => !Array.isArray(o)))
          expect(outcome, story).toMatch(/^another generate is running in this workspace/);
        // Nothing left behind: no marker, no lock (and so no folder).
        expect(existsSync(join(root, '.carbon')), story).toBe(false);
      }
    }
    // 72 processes: a few seconds on an idle machine, much longer beside the rest of the suite.
  }, 120_000);
});
