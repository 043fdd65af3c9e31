// `carbon validate`: the files on disk, as CircleCI would get them: orb.yml and every generated
// config, against the schema and against the orb they use (inline, or orb.yml standing in for
// the registry or URL orb).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesBelow } from '../walk.ts';
import {
  LineCounter,
  isMap,
  isScalar,
  isSeq,
  parseDocument,
  type Document as YAMLDocument,
} from 'yaml';
import type { Position } from '../diagnostics.ts';
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
  schemaPath: string | undefined,
): { files: string[]; problems: FileProblem[] } {
  const problems: FileProblem[] = [];
  const add = (file: Read, found: { pointer: string; message: string }[]) =>
    problems.push(
      ...found.map((problem) => {
        const position = positionOf(file, problem.pointer);
        return { path: file.path, ...problem, ...(position ? { position } : {}) };
      }),
    );
  const orb = readDocument(root, ORB_FILE);
  if (!orb)
    throw new UserError(`there is no ${ORB_FILE} in ${root}: run \`carbon generate\` first`);
  add(orb, validateAgainstSchema(schemaPath, orb.value));
  add(orb, checkOrb(orb.value));
  const configs = findConfigs(root, GENERATED_FOLDER);
  for (const path of configs) {
    const config = readDocument(root, path);
    if (!config || typeof config.value !== 'object' || config.value === null) {
      problems.push({ path, pointer: '/', message: 'is empty, unreadable or not a YAML mapping' });
      continue;
    }
    add(config, validateAgainstSchema(schemaPath, config.value));
    const reference = (config.value['orbs'] as Document | undefined)?.[ORB_ALIAS];
    const used =
      typeof reference === 'object' && reference !== null && !Array.isArray(reference)
        ? (reference as Document)
        : orb.value;
    add(config, checkConfig(config.value, used, ORB_ALIAS));
  }
  return { files: [ORB_FILE, ...configs], problems };
}

/** A file read: its path, its value, and its YAML document for positions. */
interface Read {
  path: string;
  value: Document;
  document: YAMLDocument;
  lines: LineCounter;
}

function readDocument(root: string, path: string): Read | undefined {
  let text: string;
  try {
    text = readFileSync(join(root, path), 'utf8');
  } catch {
    return undefined;
  }
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines });
  if (document.errors.length > 0)
    throw new UserError(`${path} is not valid YAML: ${document.errors[0]!.message}`);
  let value: Document;
  try {
    // Refuses aliases that would expand without bound ("billion laughs"), as `carbon run` does.
    value = document.toJS() as Document;
  } catch (error) {
    throw new UserError(`${path} is not valid YAML: ${(error as Error).message}`);
  }
  return { path, value, document, lines };
}

/** Line and column of what a JSON pointer names: the key of a mapping entry, else the value. */
function positionOf(file: Read, pointer: string): Position | undefined {
  let node: unknown = file.document.contents;
  let mark: { range?: [number, number, number] | null } | undefined;
  for (const raw of pointer.split('/').slice(1)) {
    const segment = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === segment,
      );
      if (!pair) break;
      mark = pair.key as typeof mark;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined) break;
      mark = item as typeof mark;
      node = item;
    } else break;
  }
  const offset = mark?.range?.[0];
  if (offset === undefined) return undefined;
  const { line, col } = file.lines.linePos(offset);
  return { line, column: col };
}

function findConfigs(root: string, folder: string): string[] {
  return filesBelow(join(root, folder))
    .filter((path) => path.endsWith('.circleci/config.yml'))
    .map((path) => `${folder}/${path}`);
}
