// orb.yml as generate writes it: the packed orb with its header, validated like every config.
import { orbArtifact } from '../emit/emit.ts';
import type { Orb } from '../emit/orb.ts';
import { renderYaml } from '../emit/yaml.ts';
import type { Config } from '../settings/schema.ts';
import { validateArtifacts, type FileProblem } from './validate.ts';

export interface OrbResult {
  text: string;
  problems: FileProblem[];
}

export function produceOrb(
  config: Config,
  orb: Orb,
  schemaPath: string | undefined,
  root: string,
): OrbResult {
  const artifact = orbArtifact(config, orb, root);
  return {
    text: renderYaml(artifact.document, artifact.header),
    problems: validateArtifacts([artifact], orb, schemaPath),
  };
}
