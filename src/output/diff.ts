// Unified diffs of drift, as `carbon check` prints them: stale files, missing files (from
// /dev/null) and orphaned files (to /dev/null).
import { createTwoFilesPatch } from 'diff';
import type { OutputPlan } from './files.ts';

export function driftDiffs(plan: OutputPlan): string[] {
  const diffs: string[] = [];
  for (const write of plan.writes) {
    const from = write.before === undefined ? '/dev/null' : `a/${write.path}`;
    diffs.push(
      patch(
        from,
        `b/${write.path}`,
        write.before ?? '',
        write.text,
        write.before === undefined ? 'missing' : 'stale',
      ),
    );
  }
  for (const removal of plan.removals) {
    diffs.push(
      patch(`a/${removal.path}`, '/dev/null', removal.before, '', 'orphaned: its source is gone'),
    );
  }
  return diffs;
}

function patch(from: string, to: string, before: string, after: string, what: string): string {
  const text = createTwoFilesPatch(from, to, before, after, undefined, undefined, { context: 3 });
  // createTwoFilesPatch starts with an `Index:` line and a `===` rule; git's form starts at `---`.
  const body = text.slice(text.indexOf('--- '));
  return `# ${to === '/dev/null' ? from.slice(2) : to.slice(2)} (${what})\n${body}`;
}
