// The settings to the texts of every generated file: load -> parse -> resolve (compile.ts) ->
// emit -> validate -> render. Loaded only when the pipeline cache has no answer: it is where
// zod, sucrase, yaml and ajv come in.
import { compileSettings } from './compile.ts';
import { hasErrors, type Diagnostic } from './diagnostics.ts';
import { ORB_ALIAS } from './emit/config.ts';
import { emitWorkspace, type Artifact } from './emit/emit.ts';
import { packOrbCached, type Orb } from './emit/orb.ts';
import { renderYaml, type YamlValue } from './emit/yaml.ts';
import type { RenderedFile } from './output/files.ts';
import { ORB_TEMPLATES } from './paths.ts';
import type { Timings } from './timings.ts';
import { validateAgainstSchema } from './validate/schema.ts';
import { checkConfig, checkOrb } from './validate/semantics.ts';

/** A problem in a file Carbon made or would make: invalid against the schema or the orb. */
export interface FileProblem {
  path: string;
  pointer: string;
  message: string;
}

export interface Produced {
  diagnostics: Diagnostic[];
  problems: FileProblem[];
  /** Present when there was no error and no problem. */
  files?: RenderedFile[];
  /** How configs reference the orb, for the orb version guard. */
  orb?: { reference: 'registry' | 'url' | 'inline'; version: string };
  /** Every settings file read, helpers included, with the hash of the bytes read. */
  modules: Record<string, string>;
  /** Whether the answer depends on nothing but those files (and the cache key's inputs). */
  trackable: boolean;
}

export async function produce(
  root: string,
  schemaPath: string,
  timings: Timings,
): Promise<Produced> {
  const compiled = await compileSettings(root, timings);
  const produced: Produced = {
    diagnostics: compiled.diagnostics,
    problems: [],
    modules: compiled.loaded.modules,
    trackable: compiled.loaded.trackable,
  };
  const workspace = compiled.workspace;
  if (hasErrors(compiled.diagnostics) || !workspace) return produced;

  const orb = timings.time('emit', () => packOrbCached(ORB_TEMPLATES));
  const artifacts = timings.time('emit', () => emitWorkspace(workspace, orb, root));
  produced.problems = timings.time('validate', () => validateArtifacts(artifacts, orb, schemaPath));
  if (produced.problems.length > 0) return produced;

  produced.files = timings.time('render', () =>
    artifacts.map((artifact) => ({
      path: artifact.path,
      text: renderYaml(artifact.document, artifact.header),
    })),
  );
  produced.orb = {
    reference: workspace.config.orb.reference,
    version: workspace.config.orb.version,
  };
  return produced;
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
