// The whole pipeline behind `carbon generate` and `carbon check`: compile (settings -> rendered
// files, compile/compile.ts) + the orb -> output (write what changed, or report drift). Nothing
// is written unless every stage before output succeeded.
import { compileWorkspace, type Compiled } from './compile/compile.ts';
import type { FileProblem } from './compile/validate.ts';
import type { DiagnosticCode } from './diagnostic-codes.ts';
import { hasErrors, type Diagnostic } from './diagnostics.ts';
import {
  planOutput,
  readDiskState,
  removeLeftovers,
  scanGenerated,
  textOnDisk,
  writeOutput,
  type DiskState,
  type GeneratedScan,
  type OutputPlan,
  type WriteResult,
} from './output/files.ts';
import { lockWorkspace } from './output/lock.ts';
import {
  VERSIONS_FILE,
  nextVersions,
  orbContent,
  recordVersion,
  type VersionRecord,
} from './output/versions.ts';
import { ORB_FILE, orbName, orbTemplatesAt, recordedOrb } from './output/layout.ts';
import type { ProjectSummary } from './resolve/workspace-rules.ts';
import type { Config } from './settings/schema.ts';
import type { ConsoleLine } from './modules/realm.ts';
import { Timings } from './timings.ts';

export type { FileProblem } from './compile/validate.ts';

export interface PipelineResult {
  diagnostics: Diagnostic[];
  problems: FileProblem[];
  console: ConsoleLine[];
  /**
   * Set when the orb changed but its version did not (published versions are immutable), or when
   * orb.yml was edited by hand: nothing is written.
   */
  versionGuard?: { code: DiagnosticCode; message: string };
  plan?: OutputPlan;
  written?: WriteResult;
  /** Temporary files of a killed run, removed before writing. */
  leftovers?: string[];
  /** How many settings modules were compiled rather than taken from the cache. */
  compiled: number;
  /** carbon.config.ts with defaults filled in, when it could be read. */
  config?: Config;
  /** Milliseconds per stage. */
  timings: Timings;
}

export interface PipelineOptions {
  root: string;
  schemaPath: string | undefined;
  write: boolean;
  env: NodeJS.ProcessEnv;
  allowEmpty?: boolean;
}

export async function runPipeline({
  root,
  schemaPath,
  write,
  env,
  allowEmpty = false,
}: PipelineOptions): Promise<PipelineResult> {
  const timings = new Timings();
  // One generate at a time, from the first read to the last write: what is planned stays true.
  const lock = write ? await lockWorkspace(root, 'generate', lockWait(env)) : undefined;
  try {
    return await pipeline({ root, schemaPath, write, env, allowEmpty }, timings);
  } finally {
    lock?.release();
  }
}

async function pipeline(
  { root, schemaPath, write, env, allowEmpty = false }: PipelineOptions,
  timings: Timings,
): Promise<PipelineResult> {
  // What is on disk (errors reading are said when the state is used): one walk of generated/ for a
  // killed run's temporary files and which generated files exist, then their texts.
  let scan: GeneratedScan | undefined;
  let leftovers: string[] = [];
  if (write) {
    scan = scanGenerated(root);
    leftovers = removeLeftovers(root, scan);
  }
  let disk: DiskState | undefined;
  try {
    disk = readDiskState(root, [ORB_FILE, VERSIONS_FILE], scan);
  } catch {
    disk = undefined;
  }
  const compile = (renew?: ReadonlySet<string>) =>
    compileWorkspace({
      root,
      env,
      render: true,
      schemaPath,
      timings,
      allowEmpty,
      ...(renew ? { renew } : {}),
    });
  let outcome = await planned(root, await compile(), disk, timings);
  if (outcome.plan && outcome.plan.textNeeded.length > 0) {
    // The cache keeps texts by hash, and these differ on disk (edited by hand, or written from
    // other settings): the modules of every file that is not unchanged are compiled again, for
    // their texts (the ones compiled just now would otherwise come from the cache this time).
    const unchanged = new Set(outcome.plan.unchanged);
    const { owners } = outcome.compiled;
    const renew = new Set(
      [...owners].filter(([path]) => !unchanged.has(path)).map(([, module]) => module),
    );
    outcome = await planned(root, await compile(renew), disk, timings);
  }
  const { compiled, plan, record, orbProblems } = outcome;
  const result: PipelineResult = {
    diagnostics: compiled.diagnostics,
    problems: compiled.problems,
    console: compiled.console,
    compiled: compiled.compiled,
    timings,
    leftovers,
    ...(compiled.config ? { config: compiled.config } : {}),
  };
  if (orbProblems) result.problems = orbProblems;
  if (!plan || !compiled.config) return result;
  if (plan.textNeeded.length > 0)
    throw new Error(`the texts of ${plan.textNeeded.join(', ')} were not compiled again`);
  result.plan = plan;
  if (plan.removals.length > 0 && plan.writes.length > 0)
    result.diagnostics = [
      ...result.diagnostics,
      ...(await renameWarnings(plan, compiled.summaries)),
    ];
  const guard: PipelineResult['versionGuard'] = record?.conflict
    ? { code: 'orb-version-unchanged', message: record.conflict }
    : orbVersionGuard(root, compiled.config, plan, record);
  if (guard) result.versionGuard = guard;
  if (write && plan.foreign.length === 0 && !guard)
    result.written = timings.time('output', () => writeOutput(plan, fullDiskAfter(env)));
  return result;
}

/** A compiled workspace and, when it has no error or problem, what output would do with it. */
async function planned(
  root: string,
  compiled: Compiled,
  disk: DiskState | undefined,
  timings: Timings,
): Promise<{
  compiled: Compiled;
  plan?: OutputPlan;
  record?: VersionRecord;
  orbProblems?: FileProblem[];
}> {
  compiled.cache.save();
  const config = compiled.config;
  if (hasErrors(compiled.diagnostics) || !config || compiled.problems.length > 0)
    return { compiled };
  const orb = compiled.orb!;
  if (orb.problems.length > 0) return { compiled, orbProblems: orb.problems };
  const files = [{ path: ORB_FILE, text: orb.text }, ...compiled.files];
  // Published versions are immutable: every version packed is recorded with its content.
  const { version, reference } = config.orb;
  const state = disk;
  const record =
    reference === 'inline'
      ? undefined
      : recordVersion(textOnDisk(root, VERSIONS_FILE, state), orbName(config), version, orb.text);
  if (record) files.splice(1, 0, record.file);
  const plan = timings.time('output', () => planOutput(root, files, state));
  return { compiled, plan, ...(record ? { record } : {}) };
}

/** The testing aid of writeOutput: CARBON_TEST_FULL_DISK_AFTER=N. */
function fullDiskAfter(env: NodeJS.ProcessEnv): number | undefined {
  const value = env['CARBON_TEST_FULL_DISK_AFTER'];
  return value === undefined || !/^\d+$/.test(value) ? undefined : Number(value);
}

/** How long generate waits for another one to finish: CARBON_LOCK_WAIT seconds, default 10. */
function lockWait(env: NodeJS.ProcessEnv): number {
  const seconds = Number(env['CARBON_LOCK_WAIT'] ?? 10);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 10_000;
}

/** What renaming a repository changes in AWS, located at its id (loaded only when it may apply). */
async function renameWarnings(plan: OutputPlan, projects: ProjectSummary[]): Promise<Diagnostic[]> {
  const { findRenames } = await import('./output/renames.ts');
  const found = findRenames(plan, projects);
  if (found.length === 0) return [];
  const { locateDiagnostics } = await import('./modules/locate.ts');
  return locateDiagnostics(found);
}

/**
 * A registry or URL orb version, once published, never changes: when the packed orb differs from
 * the committed orb.yml while orb.version is the one that file was packed for, say to bump it.
 * When the packed orb is the very content recorded for that version, it is orb.yml that changed:
 * an edit by hand, which generate would throw away, and a new version would not keep either.
 */
function orbVersionGuard(
  root: string,
  config: Config,
  plan: OutputPlan,
  record: VersionRecord | undefined,
): PipelineResult['versionGuard'] {
  if (config.orb.reference === 'inline') return undefined;
  const change = plan.writes.find((write) => write.path === ORB_FILE);
  if (!change?.before) return undefined;
  const packed = recordedOrb(change.before);
  if (packed?.name !== orbName(config) || packed.version !== config.orb.version) return undefined;
  const recorded = packed.version;
  if (orbContent(change.before) === orbContent(change.text)) return undefined;
  if (record?.known)
    return {
      code: 'orb-edited',
      message:
        `${ORB_FILE} is not the orb packed for ${orbName(config)}@${recorded} (${VERSIONS_FILE} records its content): ` +
        `it was edited by hand. ${ORB_FILE} is generated from Carbon's orb templates, and generate would put ` +
        `them back. To change what the orb does, ${orbTemplatesAt(root)}, set orb.version to a new version ` +
        `and run generate; to drop the edit, delete ${ORB_FILE} and run generate again`,
    };
  const next = nextVersions(recorded, []);
  return {
    code: 'orb-version-unchanged',
    message:
      `the orb changed but orb.version is still ${recorded}, the version orb.yml was packed for: published orb ` +
      `versions are immutable, so bump orb.version in carbon.config.ts (to ${next.fix} for a fix, ` +
      `${next.feature} for a feature, ${next.major} for a breaking change) and run generate again`,
  };
}
