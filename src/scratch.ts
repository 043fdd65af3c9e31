// Temporary folders a command works in, removed when it is done, and also when it is stopped by
// SIGINT (Ctrl-C) or SIGTERM (`kill`, a CI job cancelled): Node's default for those signals ends
// the process at once, which would leave the folders behind in the system's temporary folder.
// After removing them the signal is raised again, so the process still ends as that signal ends it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;
const live = new Set<string>();

function stopped(signal: NodeJS.Signals): void {
  for (const folder of live) rmSync(folder, { recursive: true, force: true });
  live.clear();
  listen(false);
  process.kill(process.pid, signal);
}

function listen(on: boolean): void {
  for (const signal of SIGNALS) {
    if (on) process.on(signal, stopped);
    else process.off(signal, stopped);
  }
}

export interface ScratchFolder {
  path: string;
  remove(): void;
}

/** A new folder in the system's temporary folder, named `<prefix>XXXXXX`. */
export function scratchFolder(prefix: string): ScratchFolder {
  const path = mkdtempSync(join(tmpdir(), prefix));
  if (live.size === 0) listen(true);
  live.add(path);
  return {
    path,
    remove: () => {
      rmSync(path, { recursive: true, force: true });
      live.delete(path);
      if (live.size === 0) listen(false);
    },
  };
}
