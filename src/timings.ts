// Time spent per pipeline stage, for `npm run bench` (CARBON_PROFILE=1 prints it): the numbers
// that say which stage to make faster.
export type Stage =
  | 'startup'
  | 'cache'
  | 'modules'
  | 'load'
  | 'parse'
  | 'resolve'
  | 'locate'
  | 'emit'
  | 'validate'
  | 'render'
  | 'output';

export class Timings {
  readonly stages: Partial<Record<Stage, number>> = {};
  /** Milestones of a run, in milliseconds since the process started: where the wall time goes. */
  readonly marks: Record<string, number> = {};

  mark(name: string): void {
    this.marks[name] = Math.round(performance.now());
  }

  /** Runs `work`, adding its duration to `stage`. */
  time<T>(stage: Stage, work: () => T): T {
    const start = performance.now();
    try {
      return work();
    } finally {
      this.add(stage, performance.now() - start);
    }
  }

  async timeAsync<T>(stage: Stage, work: () => Promise<T>): Promise<T> {
    const start = performance.now();
    try {
      return await work();
    } finally {
      this.add(stage, performance.now() - start);
    }
  }

  add(stage: Stage, milliseconds: number): void {
    this.stages[stage] = (this.stages[stage] ?? 0) + milliseconds;
  }
}
