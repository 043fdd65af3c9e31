// What a command may touch of the outside world: where it prints, where it runs, its environment.
// Tests pass their own; the real process passes its streams.

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal (progress lines, questions). */
  interactive?: boolean;
}

export const EXIT = { ok: 0, drift: 1, invalid: 2, internal: 3 } as const;
