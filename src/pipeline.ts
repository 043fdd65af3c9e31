// The whole pipeline behind `carbon generate` and `carbon check`:
// load -> parse -> resolve (compile.ts) -> emit -> render -> validate -> output.
// Nothing is written unless every stage before output succeeded.
import { compileSettings } from './compile.ts';
import { hasErrors, type Diagnostic } from './diagnostics.ts';
import { ORB_ALIAS } from './emit/config.ts';
import { ORB_FILE, emitWorkspace, recordedOrbVersion, type Artifact } from './emit/emit.ts';
import { packOrb, type Orb } from './emit/orb.ts';
import { renderYaml, type YamlValue } from './emit/yaml.ts';
import { planOutput, writeOutput, type OutputPlan, type WriteResult } from './output/files.ts';
import { ORB_TEMPLATES } from './paths.ts';
import type { Config as Settings } from './settings/schema.ts';
import { validateAgainstSchema } from './validate/schema.ts';
import { checkConfig, checkOrb } from './validate/semantics.ts';

/** A problem in a file Carbon made or would make: invalid against the schema or the orb. */
export interface FileProblem {
  path: string;
  pointer: string;
  message: string;
}

export interface PipelineResult {
  diagnostics: Diagnostic[];
  problems: FileProblem[];
  /** Set when the orb changed but its version did not: published versions are immutable. */
  versionGuard?: string;
  plan?: OutputPlan;
  written?: WriteResult;
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
  const compiled = await compileSettings(root);
  const result: PipelineResult = { diagnostics: compiled.diagnostics, problems: [] };
  if (hasErrors(compiled.diagnostics) || !compiled.workspace) return result;

  const orb = packOrb(ORB_TEMPLATES);
  const artifacts = emitWorkspace(compiled.workspace, orb, root);
  result.problems = validateArtifacts(artifacts, orb, schemaPath);
  if (result.problems.length > 0) return result;

  const files = artifacts.map((artifact) => ({
    path: artifact.path,
    text: renderYaml(artifact.document, artifact.header),
  }));
  const plan = planOutput(root, files);
  result.plan = plan;
  const guard = orbVersionGuard(compiled.workspace.config, plan);
  if (guard) result.versionGuard = guard;
  if (write && plan.foreign.length === 0 && !guard) result.written = writeOutput(plan);
  return result;
}

/** Schema and semantic checks of every config and of the orb, before anything is written. */
export function validateArtifacts(
  artifacts: Artifact[],
  orb: Orb,
  schemaPath: string,
): FileProblem[] {
  const problems: FileProblem[] = [];
  const add = (path: string, found: { pointer: string; message: string }[]) =>
    problems.push(...found.map((problem) => ({ path, ...problem })));
  for (const artifact of artifacts) {
    if (artifact.kind === 'schedules') continue;
    add(artifact.path, validateAgainstSchema(schemaPath, artifact.document));
    if (artifact.kind === 'orb') add(artifact.path, checkOrb(orb));
    else
      add(
        artifact.path,
        checkConfig(artifact.document as { [key: string]: YamlValue }, orb, ORB_ALIAS),
      );
  }
  return problems;
}

/**
 * A registry or URL orb version, once published, never changes: when the packed orb differs from
 * the committed orb.yml while orb.version is the one that file was packed for, say to bump it.
 */
function orbVersionGuard(settings: Settings, plan: OutputPlan): string | undefined {
  if (settings.orb.reference === 'inline') return undefined;
  const change = plan.writes.find((write) => write.path === ORB_FILE);
  if (!change?.before) return undefined;
  const recorded = recordedOrbVersion(change.before);
  if (recorded !== settings.orb.version || body(change.before) === body(change.text))
    return undefined;
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
