// The orb, packed from templates/orb/ with `circleci orb pack`'s semantics: @orb.yml at the root,
// each component folder a top-level key, each file's base name a component, and a string value that
// is exactly `<<include(path)>>` replaced by that file (relative to the orb folder) with every
// `<<` escaped as `\<<`, so that CircleCI does not read the script's heredocs as parameters.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';
import { hashOfFolder } from '../hash.ts';
import { ORB_TEMPLATES, PACKAGE_ROOT, PACKED_ORB } from '../paths.ts';
import { namesIn } from '../walk.ts';
import type { YamlValue } from './yaml.ts';

export type Orb = { [key: string]: YamlValue };

/** Component folders in the order they are written. */
export const COMPONENT_FOLDERS = ['commands', 'executors', 'jobs', 'examples'] as const;

const INCLUDE = /^<<\s*include\(([^)]+)\)\s*>>$/;

/**
 * The packed orb: parsing its YAML (with loading a YAML parser) costs more than the rest of
 * emitting a small workspace, and the templates rarely change. Carbon's own templates come packed
 * (templates/orb.packed.json, with the hash of the templates it was packed from); other folders,
 * or templates edited since the pack (while Carbon's own orb is being changed), are packed here.
 */
export function packOrbCached(folder: string): Orb {
  const hash = hashOfFolder(folder);
  let orb = packedHere.get(hash);
  if (orb) return orb;
  orb = (folder === ORB_TEMPLATES ? committedPack(hash) : undefined) ?? packOrb(folder);
  packedHere.set(hash, orb);
  return orb;
}

/** What templates/orb.packed.json holds: the orb, and the hash of the templates packed. */
export interface PackedOrb {
  templates: string;
  orb: Orb;
}

/** The committed pack of Carbon's templates, when it was packed from these very templates. */
function committedPack(hash: string): Orb | undefined {
  try {
    const packed = JSON.parse(readFileSync(PACKED_ORB, 'utf8')) as PackedOrb;
    return packed.templates === hash ? packed.orb : undefined;
  } catch {
    return undefined;
  }
}

/** templates/orb.packed.json's text for the templates in `folder`. */
export function packedOrbText(folder: string): string {
  const packed: PackedOrb = { templates: hashOfFolder(folder), orb: packOrb(folder) };
  return `${JSON.stringify(packed, null, 2)}\n`;
}

/** Orbs packed in this process, by the hash of their templates: a run packs each once. */
const packedHere = new Map<string, Orb>();

export function packOrb(folder: string): Orb {
  const orb = readYaml(join(folder, '@orb.yml')) as Orb;
  for (const kind of COMPONENT_FOLDERS) {
    const files = listYaml(join(folder, kind));
    if (files.length === 0) continue;
    const components: Orb = {};
    for (const file of files) components[basename(file).replace(/\.ya?ml$/, '')] = readYaml(file);
    orb[kind] = components;
  }
  return inline(orb, folder) as Orb;
}

function listYaml(folder: string): string[] {
  return namesIn(folder)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => join(folder, name));
}

// Loaded on first use: a run that finds the orb packed never needs a YAML parser.
let parseYaml: typeof import('yaml').parse | undefined;

function readYaml(file: string): YamlValue {
  parseYaml ??= (createRequire(join(PACKAGE_ROOT, 'package.json'))('yaml') as typeof import('yaml'))
    .parse;
  try {
    return parseYaml(readFileSync(file, 'utf8')) as YamlValue;
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
}

function inline(value: YamlValue, folder: string): YamlValue {
  if (typeof value === 'string') {
    const include = INCLUDE.exec(value);
    return include
      ? readFileSync(join(folder, include[1]!.trim()), 'utf8').replaceAll('<<', '\\<<')
      : value;
  }
  if (Array.isArray(value)) return value.map((item) => inline(item, folder));
  if (value !== null && typeof value === 'object') {
    const result: Orb = {};
    for (const [key, item] of Object.entries(value)) result[key] = inline(item, folder);
    return result;
  }
  return value;
}
