// The whole pipeline behind `carbon generate` and `carbon check`: compile (settings -> rendered
// files, compile/compile.ts) + the orb -> output (write what changed, or report drift). Nothing
// is written unless every stage before output succeeded.
import { compileWorkspace } from './compile/compile.ts';
import type { FileProblem } from './compile/validate.ts';
import { hasErrors, type Diagnostic } from './diagnostics.ts';
import type { KeptOrb } from './cache.ts';
import {
  planOutput,
  removeLeftovers,
  writeOutput,
  type OutputPlan,
  type WriteResult,
} from './output/files.ts';
import { lockWorkspace } from './output/lock.ts';
import { ORB_FILE, recordedOrbVersion } from './output/layout.ts';
import type { Config } from './settings/schema.ts';
import type { ConsoleLine } from './settings/realm.ts';
import { Timings } from './timings.ts';

export type { FileProblem } from './compile/validate.ts';

export interface PipelineResult {
  diagnostics: Diagnostic[];
  problems: FileProblem[];
  console: ConsoleLine[];
  /** Set when the orb changed but its version did not: published versions are immutable. */
  versionGuard?: string;
  plan?: OutputPlan;
  written?: WriteResult;
  /** Temporary files of a killed run, removed before writing. */
  leftovers?: string[];
  /** How many settings modules were compiled rather than taken from the cache. */
  compiled: number;
  /** Milliseconds per stage. */
  timings: Timings;
}

export interface PipelineOptions {
  root: string;
  schemaPath: string;
  write: boolean;
  env: NodeJS.ProcessEnv;
}

export async function runPipeline({
  root,
  schemaPath,
  write,
  env,
}: PipelineOptions): Promise<PipelineResult> {
  const timings = new Timings();
  const compiled = await compileWorkspace({ root, env, render: true, schemaPath, timings });
  const result: PipelineResult = {
    diagnostics: compiled.diagnostics,
    problems: compiled.problems,
    console: compiled.console,
    compiled: compiled.compiled,
    timings,
  };
  const workspace = compiled.workspace;
  if (hasErrors(compiled.diagnostics) || !workspace || compiled.problems.length > 0) {
    compiled.cache.save();
    return result;
  }
  const orb =
    compiled.cache.orb(compiled.configKey) ??
    (await timings.timeAsync('emit', () => packedOrb(workspace.config, schemaPath)));
  compiled.cache.keepOrb({ ...orb, config: compiled.configKey });
  compiled.cache.save();
  if (orb.problems.length > 0) {
    result.problems = orb.problems;
    return result;
  }
  const files = [{ path: ORB_FILE, text: orb.text }, ...compiled.files];
  // One generate at a time: the plan is drawn with the lock held, so it is still true when written.
  const lock = write ? await lockWorkspace(root, 'generate', lockWait(env)) : undefined;
  try {
    if (write) result.leftovers = removeLeftovers(root);
    const plan = timings.time('output', () => planOutput(root, files));
    result.plan = plan;
    const guard = orbVersionGuard(workspace.config, plan);
    if (guard) result.versionGuard = guard;
    if (write && plan.foreign.length === 0 && !guard)
      result.written = timings.time('output', () => writeOutput(plan));
    return result;
  } finally {
    lock?.release();
  }
}

/** How long generate waits for another one to finish: CARBON_LOCK_WAIT seconds, default 10. */
function lockWait(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env['CARBON_LOCK_WAIT'] ?? 10);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 10_000;
}

/** orb.yml's text as generate writes it, validated. */
async function packedOrb(config: Config, schemaPath: string): Promise<Omit<KeptOrb, 'config'>> {
  const [
    { packOrbCached },
    { orbArtifact },
    { renderYaml },
    { validateArtifacts },
    { ORB_TEMPLATES },
  ] = await Promise.all([
    import('./emit/orb.ts'),
    import('./emit/emit.ts'),
    import('./emit/yaml.ts'),
    import('./compile/validate.ts'),
    import('./paths.ts'),
  ]);
  const orb = packOrbCached(ORB_TEMPLATES);
  const artifact = orbArtifact(config, orb);
  return {
    text: renderYaml(artifact.document, artifact.header),
    problems: validateArtifacts([artifact], orb, schemaPath),
  };
}

/**
 * A registry or URL orb version, once published, never changes: when the packed orb differs from
 * the committed orb.yml while orb.version is the one that file was packed for, say to bump it.
 */
function orbVersionGuard(config: Config, plan: OutputPlan): string | undefined {
  if (config.orb.reference === 'inline') return undefined;
  const change = plan.writes.find((write) => write.path === ORB_FILE);
  if (!change?.before) return undefined;
  const recorded = recordedOrbVersion(change.before);
  if (recorded === undefined || recorded !== config.orb.version) return undefined;
  if (body(change.before) === body(change.text)) return undefined;
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
