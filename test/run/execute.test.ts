// Running a job keeps to its working folder and behaves as CircleCI does around failures and
// signals: its own HOME, `when: always` steps after a failure, SIGTERM passed to the running step
// and waited for, and everything removed afterwards.
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { executeJob } from '../../src/run/execute.ts';
import type { ProcessedJob, ProcessedStep } from '../../src/run/process.ts';
import { makeWorkspace } from '../helpers/workspace.ts';

const run = (
  name: string,
  command: string,
  when: 'on_success' | 'on_fail' | 'always' = 'on_success',
): ProcessedStep => ({
  kind: 'run',
  name,
  command,
  environment: {},
  when,
});

async function execute(
  steps: ProcessedStep[],
  env: NodeJS.ProcessEnv = {},
  folders: { workdir?: string; keep?: boolean } = {},
) {
  const marks = makeWorkspace({});
  const job: ProcessedJob = { name: 'test/Job', parameters: {}, steps };
  const before = new Set(readdirSync(tmpdir()));
  let output = '';
  const result = await executeJob({
    job,
    repository: { name: 'x', url: 'file:///nowhere' },
    branch: 'main',
    env: { PATH: process.env['PATH'], MARKS: marks, ...env },
    out: (text) => (output += text),
    ...folders,
  });
  const leftovers = readdirSync(tmpdir()).filter(
    (name) => !before.has(name) && name.startsWith('carbon-run-'),
  );
  return { result, output, marks, leftovers };
}

describe('executeJob', () => {
  it('runs `when: always` and `on_fail` steps after a failure, and keeps the failing code', async () => {
    const { result, marks } = await execute([
      run('fails', 'exit 7'),
      run('skipped', 'touch "$MARKS/skipped"'),
      run('on fail', 'touch "$MARKS/on-fail"', 'on_fail'),
      run('always', 'touch "$MARKS/always"', 'always'),
    ]);
    expect(result).toMatchObject({ code: 7, failedStep: 1 });
    expect(readdirSync(marks).sort()).toEqual(['always', 'on-fail']);
  });

  it('gives the job a HOME of its own and removes its folders', async () => {
    const known = join(homedir(), '.ssh', 'known_hosts');
    const before = existsSync(known) ? readFileSync(known, 'utf8') : undefined;
    const { result, marks, leftovers } = await execute([
      run(
        'writes dotfiles',
        'mkdir -p ~/.ssh && echo "host key" >> ~/.ssh/known_hosts && echo "$HOME" > "$MARKS/home"',
      ),
    ]);
    expect(result.code).toBe(0);
    const home = readFileSync(join(marks, 'home'), 'utf8').trim();
    expect(home).not.toBe(homedir());
    expect(existsSync(home)).toBe(false);
    expect(existsSync(known) ? readFileSync(known, 'utf8') : undefined).toBe(before);
    expect(leftovers).toEqual([]);
  });

  it('keeps only the working folder with --workdir or --keep, nothing of its scratch', async () => {
    const workdir = join(makeWorkspace({}), 'work');
    const chosen = await execute([run('writes', 'echo kept > here.txt')], {}, { workdir });
    expect(chosen.result.code).toBe(0);
    expect(readFileSync(join(workdir, 'here.txt'), 'utf8')).toBe('kept\n');
    expect(chosen.leftovers).toEqual([]);
    const kept = await execute([run('writes', 'echo kept > here.txt')], {}, { keep: true });
    expect(kept.result.code).toBe(0);
    // The temporary working folder stays, inside a scratch folder that holds nothing else.
    expect(kept.leftovers).toHaveLength(1);
    const scratch = join(tmpdir(), kept.leftovers[0]!);
    expect(readdirSync(scratch)).toEqual(['project']);
    expect(readFileSync(join(scratch, 'project/here.txt'), 'utf8')).toBe('kept\n');
    rmSync(scratch, { recursive: true, force: true });
  });

  it('passes SIGTERM to the running step, waits for it, then runs only `always` steps', async () => {
    setTimeout(() => process.kill(process.pid, 'SIGTERM'), 400);
    const { result, marks } = await execute([
      run(
        'slow',
        'trap \'touch "$MARKS/stopped"; exit 143\' TERM; touch "$MARKS/started"; for i in $(seq 100); do sleep 0.1; done',
      ),
      run('next', 'touch "$MARKS/next"'),
      run('cleanup', 'touch "$MARKS/cleanup"', 'always'),
    ]);
    expect(result).toMatchObject({ code: 143, failedStep: 1, signal: 'SIGTERM' });
    expect(readdirSync(marks).sort()).toEqual(['cleanup', 'started', 'stopped']);
  });
});
