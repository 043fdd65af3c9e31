// One generate at a time per workspace: a lock file naming its holder (process, host, command,
// start). A second generate waits briefly for it, then stops saying who holds it. A lock left by a
// process that no longer runs (killed) is taken over.
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  rmdirSync,
  statSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError, asEnvironmentError } from '../errors.ts';

export const LOCK_FILE = '.carbon/lock';

interface Holder {
  pid: number;
  host: string;
  command: string;
  started: string;
}

export interface Lock {
  release(): void;
}

export async function lockWorkspace(root: string, command: string, waitMs: number): Promise<Lock> {
  const path = join(root, LOCK_FILE);
  const deadline = Date.now() + waitMs;
  const holder: Holder = {
    pid: process.pid,
    host: hostname(),
    command,
    started: new Date().toISOString(),
  };
  for (;;) {
    try {
      mkdirSync(join(root, '.carbon'), { recursive: true });
      const descriptor = openSync(path, 'wx', 0o644);
      try {
        writeSync(descriptor, `${JSON.stringify(holder)}\n`);
      } finally {
        closeSync(descriptor);
      }
      return {
        release: () => {
          rmSync(path, { force: true });
          // The folder was made for the lock: a run that wrote nothing leaves nothing.
          try {
            rmdirSync(join(root, '.carbon'));
          } catch {
            // Not empty (or gone): left as it is.
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        const environment = asEnvironmentError(error);
        if (environment) throw environment;
        throw error;
      }
    }
    const current = readHolder(path);
    if (current ? !alive(current) : olderThan(path, 10_000)) {
      // Its process is gone (killed): the lock is stale.
      rmSync(path, { force: true });
      continue;
    }
    if (Date.now() >= deadline) {
      const who = current
        ? `process ${current.pid} on ${current.host} (\`carbon ${current.command}\`, since ${current.started})`
        : 'another process';
      throw new UserError(
        `another generate is running in this workspace: ${who} holds ${LOCK_FILE}. Wait for it to finish ` +
          `and run again; if no such process runs, delete ${LOCK_FILE}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A lock file nobody could read for that long was left half-written by a killed process. */
function olderThan(path: string, milliseconds: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > milliseconds;
  } catch {
    return false;
  }
}

function readHolder(path: string): Holder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Holder;
  } catch {
    return undefined;
  }
}

/** Whether the holder's process still runs (a holder on another host is assumed to). */
function alive(holder: Holder): boolean {
  if (holder.host !== hostname() || !Number.isInteger(holder.pid)) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
