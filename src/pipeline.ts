// The whole pipeline behind `carbon generate` and `carbon check`:
// produce (settings -> texts, produce.ts) -> output (write what changed, or report drift).
// Nothing is written unless every stage before output succeeded. When nothing that produce reads
// changed since the last run, its answer comes from the pipeline cache (cache.ts) instead.
import { hasErrors, type Diagnostic } from './diagnostics.ts';
import { lookUpProduced, storeProduced } from './cache.ts';
import { planOutput, writeOutput, type OutputPlan, type WriteResult } from './output/files.ts';
import { ORB_FILE, recordedOrbVersion } from './output/layout.ts';
import type { FileProblem, Produced } from './produce.ts';
import { Timings } from './timings.ts';

export type { FileProblem } from './produce.ts';

export interface PipelineResult {
  diagnostics: Diagnostic[];
  problems: FileProblem[];
  /** Set when the orb changed but its version did not: published versions are immutable. */
  versionGuard?: string;
  plan?: OutputPlan;
  written?: WriteResult;
  /** Whether the texts came from the pipeline cache. */
  cached: boolean;
  /** Milliseconds per stage. */
  timings: Timings;
}

export interface PipelineOptions {
  root: string;
  schemaPath: string;
  write: boolean;
}

export async function runPipeline({
  root,
  schemaPath,
  write,
}: PipelineOptions): Promise<PipelineResult> {
  const timings = new Timings();
  const lookup = timings.time('cache', () => lookUpProduced(root, schemaPath));
  let produced: Produced;
  if (lookup.produced) {
    produced = lookup.produced;
  } else {
    const { produce } = await timings.timeAsync('modules', () => import('./produce.ts'));
    produced = await produce(root, schemaPath, timings);
    timings.time('cache', () => storeProduced(root, lookup.key, produced));
  }
  const result: PipelineResult = {
    diagnostics: produced.diagnostics,
    problems: produced.problems,
    cached: lookup.produced !== undefined,
    timings,
  };
  if (hasErrors(produced.diagnostics) || !produced.files || !produced.orb) return result;

  const files = produced.files;
  const plan = timings.time('output', () => planOutput(root, files));
  result.plan = plan;
  const guard = orbVersionGuard(produced.orb, plan);
  if (guard) result.versionGuard = guard;
  if (write && plan.foreign.length === 0 && !guard)
    result.written = timings.time('output', () => writeOutput(plan));
  return result;
}

/**
 * A registry or URL orb version, once published, never changes: when the packed orb differs from
 * the committed orb.yml while orb.version is the one that file was packed for, say to bump it.
 */
function orbVersionGuard(orb: NonNullable<Produced['orb']>, plan: OutputPlan): string | undefined {
  if (orb.reference === 'inline') return undefined;
  const change = plan.writes.find((write) => write.path === ORB_FILE);
  if (!change?.before) return undefined;
  const recorded = recordedOrbVersion(change.before);
  if (recorded !== orb.version || body(change.before) === body(change.text)) return undefined;
  const [major, minor, patch] = recorded.split('.').map(Number) as [number, number, number];
  return (
    `the orb changed but orb.version is still ${recorded}, the version orb.yml was packed for: published orb ` +
    `versions are immutable, so bump orb.version in carbon.config.ts (to ${major}.${minor}.${patch + 1} for a fix, ` +
    `${major}.${minor + 1}.0 for a feature, ${major + 1}.0.0 for a breaking change) and run generate again`
  );
}

/** A generated file without its comment header. */
function body(text: string): string {
  return text.replace(/^(?:#.*\n|\n)*/, '');
}
