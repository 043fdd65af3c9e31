// `carbon validate`: the files on disk, as CircleCI would get them: orb.yml and every generated
// config, against the schema and against the orb they use (inline, or orb.yml standing in for
// the registry or URL orb).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesBelow } from '../walk.ts';
import { parse } from 'yaml';
import { ORB_ALIAS } from '../emit/config.ts';
import { GENERATED_FOLDER, ORB_FILE } from '../output/layout.ts';
import type { YamlValue } from '../emit/yaml.ts';
import { UserError } from '../errors.ts';
import type { FileProblem } from '../compile/validate.ts';
import { validateAgainstSchema } from './schema.ts';
import { checkConfig, checkOrb } from './semantics.ts';

type Document = { [key: string]: YamlValue };

export function validateFiles(
  root: string,
  schemaPath: string,
): { files: string[]; problems: FileProblem[] } {
  const problems: FileProblem[] = [];
  const add = (path: string, found: { pointer: string; message: string }[]) =>
    problems.push(...found.map((problem) => ({ path, ...problem })));
  const orb = readDocument(root, ORB_FILE);
  if (!orb)
    throw new UserError(`there is no ${ORB_FILE} in ${root}: run \`carbon generate\` first`);
  add(ORB_FILE, validateAgainstSchema(schemaPath, orb));
  add(ORB_FILE, checkOrb(orb));
  const configs = findConfigs(root, GENERATED_FOLDER);
  for (const path of configs) {
    const config = readDocument(root, path);
    if (!config || typeof config !== 'object') {
      problems.push({ path, pointer: '/', message: 'is empty, unreadable or not a YAML mapping' });
      continue;
    }
    add(path, validateAgainstSchema(schemaPath, config));
    const reference = (config['orbs'] as Document | undefined)?.[ORB_ALIAS];
    const used =
      typeof reference === 'object' && reference !== null && !Array.isArray(reference)
        ? (reference as Document)
        : orb;
    add(path, checkConfig(config, used, ORB_ALIAS));
  }
  return { files: [ORB_FILE, ...configs], problems };
}

function readDocument(root: string, path: string): Document | undefined {
  let text: string;
  try {
    text = readFileSync(join(root, path), 'utf8');
  } catch {
    return undefined;
  }
  try {
    return parse(text) as Document;
  } catch (error) {
    throw new UserError(`${path} is not valid YAML: ${(error as Error).message}`);
  }
}

function findConfigs(root: string, folder: string): string[] {
  return filesBelow(join(root, folder))
    .filter((path) => path.endsWith('.circleci/config.yml'))
    .map((path) => `${folder}/${path}`);
}
