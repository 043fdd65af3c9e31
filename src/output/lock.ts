// One generate at a time per workspace: a lock file naming its holder (process, host, command,
// start). A second generate waits briefly for it, then stops saying who holds it. A lock left by a
// process that no longer runs (killed) is taken over, and by exactly one of the processes that
// find it so at the same moment (see takeOver): removing it and creating a new one let a second
// process remove the lock the first had just made, and both held it.
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { UserError, asEnvironmentError } from '../errors.ts';
import { hashOfText } from '../hash.ts';

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
  const text = `${JSON.stringify(holder)}\n`;
  for (;;) {
    // Each time: a holder that releases the lock removes the folder if it is empty.
    makeFolder(root);
    const created = createExclusive(path, text);
    if (created) return held(root, path);
    // The holder released the lock, and the folder with it, since it was made: make it again.
    if (created === undefined) continue;
    const stale = staleIdentity(path);
    if (stale !== undefined && takeOver(path, stale, text)) return held(root, path);
    if (Date.now() >= deadline) {
      const current = readHolder(path);
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

/** `.carbon`, made when missing; anything else of that name is said at once, not waited on. */
function makeFolder(root: string): void {
  const folder = join(root, '.carbon');
  let isFolder: boolean;
  try {
    isFolder = statSync(folder).isDirectory();
  } catch {
    isFolder = true;
  }
  if (!isFolder)
    throw new UserError(
      `${folder} is a file, not a folder: Carbon keeps its lock in the folder .carbon of the ` +
        'workspace; move the file away (or delete it) and run again',
    );
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    throw asEnvironmentError(error, folder) ?? error;
  }
}

function held(root: string, path: string): Lock {
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
}

/**
 * Creates `path` with `text` unless it exists: false when it does, undefined when its folder does
 * not (a holder releasing the lock removes the folder when nothing else is in it).
 */
function createExclusive(path: string, text: string): boolean | undefined {
  let descriptor: number;
  try {
    descriptor = openSync(path, 'wx', 0o644);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code !== 'EEXIST') throw asEnvironmentError(error, path) ?? error;
    if (isFile(path) === false)
      throw new UserError(
        `${path} is not a file: Carbon keeps its lock there as a file; move it away (or delete ` +
          'it) and run again',
      );
    return false;
  }
  try {
    writeSync(descriptor, text);
  } finally {
    closeSync(descriptor);
  }
  return true;
}

/** Whether `path` is a file; undefined when it is gone. */
function isFile(path: string): boolean | undefined {
  try {
    return statSync(path).isFile();
  } catch {
    return undefined;
  }
}

/**
 * What tells this lock file from any later one (its inode and content), when its holder no longer
 * runs; undefined while it runs, or when the lock is gone.
 */
function staleIdentity(path: string): string | undefined {
  const read = readLock(path);
  if (!read) return undefined;
  const holder = parseHolder(read.text);
  // A lock nobody could read for that long was left half-written by a killed process.
  const stale = holder ? !alive(holder) : Date.now() - read.mtimeMs > 10_000;
  return stale ? read.identity : undefined;
}

function readLock(path: string): { text: string; mtimeMs: number; identity: string } | undefined {
  try {
    const { ino, mtimeMs } = statSync(path);
    const text = readFileSync(path, 'utf8');
    return { text, mtimeMs, identity: hashOfText(`${ino}\0${text}`).slice(0, 16) };
  } catch {
    return undefined;
  }
}

/**
 * Replaces the stale lock `stale` with this process's, or returns false when another process does.
 * Who may is decided by creating a marker file exclusively (only one creation can succeed); the
 * winner checks that the lock is still the stale one and renames a fresh lock over it, which
 * replaces it in one step (no moment without a lock for a third process to fill). A process that
 * comes late, when the winner has taken over and removed its marker, makes a marker in turn but
 * finds the lock changed, and goes back to waiting. Should a winner be killed between marker and
 * rename, its marker names a process that no longer runs: the next level's marker decides, in the
 * same way, among the processes that saw that.
 */
function takeOver(path: string, stale: string, text: string): boolean {
  const markers: string[] = [];
  let decided = false;
  try {
    for (let level = 1; ; level++) {
      const marker = `${path}.takeover-${stale}-${level}`;
      const created = createExclusive(marker, text);
      if (created) {
        markers.push(marker);
        break;
      }
      // The folder is gone, and the stale lock in it: taken over and released meanwhile.
      if (created === undefined) return false;
      const taker = readHolder(marker);
      // Another process is taking it over, or has just done so: it is theirs.
      if (taker ? alive(taker) : !olderThan(marker, 10_000)) return false;
      markers.push(marker);
    }
    // The stale lock is gone once this is decided: its markers are of no more use to anyone.
    decided = true;
    if (readLock(path)?.identity !== stale) return false;
    const fresh = `${path}.${process.pid}.tmp`;
    writeFileSync(fresh, text);
    renameSync(fresh, path);
    return true;
  } finally {
    // Markers go only when the stale lock is gone; before that, another process may be using them.
    if (decided) for (const marker of markers) rmSync(marker, { force: true });
  }
}

function olderThan(path: string, milliseconds: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs > milliseconds;
  } catch {
    return false;
  }
}

function readHolder(path: string): Holder | undefined {
  try {
    return parseHolder(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

function parseHolder(text: string): Holder | undefined {
  try {
    return JSON.parse(text) as Holder;
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
