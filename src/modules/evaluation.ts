// What evaluating one settings module gives, on either side of the engine's thread: plain data,
// which crosses threads as it is.
import type { Position } from '../diagnostics.ts';
import type { Inputs } from './inputs.ts';

export type { Inputs } from './inputs.ts';

export type EvaluationFailure =
  | { kind: 'syntax'; file: string; message: string; position: Position }
  | { kind: 'threw'; file: string; message: string; position?: Position }
  | { kind: 'timeout'; file: string; message: string }
  | { kind: 'memory'; file: string; message: string }
  | { kind: 'unreadable'; file: string; message: string; position?: Position };

export interface ValueProblem {
  export: string;
  path: (string | number)[];
  message: string;
}

export interface ConsoleLine {
  level: string;
  /** Workspace-relative path of the module that wrote it. */
  file: string;
  text: string;
}

export interface ModuleEvaluation {
  /** The exported values as plain data, when the module ran to the end. */
  exports?: Record<string, unknown>;
  /** Values that could not be read: a getter that threw, a cycle, nesting too deep... */
  problems: ValueProblem[];
  console: ConsoleLine[];
  failure?: EvaluationFailure;
  /** `exports const` lines found (reported, then read as `export const`). */
  exportsConstFixes: { file: string; position: Position }[];
}

/** A module's evaluation and what it read. */
export interface Evaluated {
  evaluation: ModuleEvaluation;
  inputs: Inputs;
}

export function emptyInputs(): Inputs {
  return { files: {}, probes: {}, env: {} };
}

/** The message of a module stopped at its time limit. */
export function timeoutMessage(timeoutMs: number): string {
  return (
    `evaluating the settings took longer than ${timeoutMs / 1000} s, so Carbon stopped them: ` +
    'look for an endless loop (the limit is CARBON_SETTINGS_TIMEOUT, in seconds)'
  );
}

/** The message of a module stopped at its memory limit. */
export function memoryMessage(memoryMb: number): string {
  return (
    `evaluating the settings used more than ${memoryMb} MB of memory, so Carbon stopped them: ` +
    'look for a value that grows without end (the limit is CARBON_SETTINGS_MEMORY, in megabytes)'
  );
}
