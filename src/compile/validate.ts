// Schema and semantic checks of every config and of the orb, before anything is written.
import type { Position } from '../diagnostics.ts';
import { ORB_ALIAS } from '../emit/config.ts';
import type { Artifact } from '../emit/emit.ts';
import type { Orb } from '../emit/orb.ts';
import type { YamlValue } from '../emit/yaml.ts';
import { validateAgainstSchema } from '../validate/schema.ts';
import { checkConfig, checkOrb } from '../validate/semantics.ts';

/** A problem in a file Carbon made or would make: invalid against the schema or the orb. */
export interface FileProblem {
  path: string;
  pointer: string;
  message: string;
  /** Where the pointer is in the file, when the file was read from disk (carbon validate). */
  position?: Position;
}

export function validateArtifacts(
  artifacts: Artifact[],
  orb: Orb,
  schemaPath: string | undefined,
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
