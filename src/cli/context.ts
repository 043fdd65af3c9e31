// What a command's code is given to run: the context every command module takes, apart from the
// list of commands (commands.ts) that imports those modules.
import type { PipelineResult } from '../pipeline.ts';
import type { Options, Values } from './args.ts';
import type { Io } from './io.ts';

/** What a command runs with; `O`, its options table, types `options` (none by default). */
export interface CommandContext<O extends Options = {}> {
  io: Io;
  /** The workspace root (see workspace.ts). */
  root: string;
  options: Values<O>;
  positionals: string[];
  stages: Stages;
}

/** The stage timings of the pipeline a command ran, for CARBON_PROFILE. */
export class Stages {
  timings: PipelineResult['timings'] | undefined;
  of(result: PipelineResult): PipelineResult {
    this.timings = result.timings;
    return result;
  }
}
