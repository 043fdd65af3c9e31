// The orb-tools review rules that need no network (CircleCI-Public/orb-tools-orb, review.bats),
// over the orb's source folder: RC001-RC005, RC008-RC010 and RC012.
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import type { YamlValue } from '../emit/yaml.ts';
import { isMap } from '../emit/yaml.ts';

export interface ReviewRule {
  id: string;
  title: string;
  /** Findings: empty when the orb passes. */
  check: (folder: string) => string[];
}

type Document = { [key: string]: YamlValue };

/** Component files (`jobs/x.yml`...) of the given folders, as [relative path, parsed document]. */
function componentFiles(folder: string, kinds: string[]): [string, Document][] {
  const files: [string, Document][] = [];
  for (const kind of kinds) {
    let names: string[] = [];
    try {
      names = readdirSync(join(folder, kind))
        .filter((name) => /\.ya?ml$/.test(name))
        .sort();
    } catch {
      continue;
    }
    for (const name of names)
      files.push([
        `${kind}/${name}`,
        parse(readFileSync(join(folder, kind, name), 'utf8')) as Document,
      ]);
  }
  return files;
}

function orbRoot(folder: string): Document {
  return parse(readFileSync(join(folder, '@orb.yml'), 'utf8')) as Document;
}

/** Every value under a key named `run`, with its dotted path. */
function runSteps(value: YamlValue, path: string[] = []): [string, YamlValue][] {
  const found: [string, YamlValue][] = [];
  if (Array.isArray(value))
    value.forEach((item, index) => found.push(...runSteps(item, [...path, String(index)])));
  else if (isMap(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === 'run') found.push([[...path, key].join('.'), item]);
      else found.push(...runSteps(item, [...path, key]));
    }
  }
  return found;
}

/** Every string with its path, for RC012. */
function stringsWithPaths(value: YamlValue, path: string[] = []): [string[], string][] {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value))
    return value.flatMap((item, index) => stringsWithPaths(item, [...path, String(index)]));
  if (isMap(value))
    return Object.entries(value).flatMap(([key, item]) => stringsWithPaths(item, [...path, key]));
  return [];
}

const MAX_COMMAND_LENGTH = 64;

export const REVIEW_RULES: ReviewRule[] = [
  {
    id: 'RC001',
    title: 'Include source_url in @orb.yml',
    check: (folder) => {
      const display = orbRoot(folder)['display'];
      return isMap(display) &&
        typeof display['source_url'] === 'string' &&
        display['source_url'] !== ''
        ? []
        : ['@orb.yml: set display.source_url'];
    },
  },
  {
    id: 'RC002',
    title: 'All components (jobs, commands, executors, examples) must have descriptions',
    check: (folder) =>
      componentFiles(folder, ['jobs', 'examples', 'commands', 'executors'])
        .filter(
          ([, document]) =>
            typeof document['description'] !== 'string' || document['description'].trim() === '',
        )
        .map(([path]) => `${path} has no description`),
  },
  {
    id: 'RC003',
    title: 'All production-ready orbs should contain at least one usage example',
    check: (folder) =>
      componentFiles(folder, ['examples']).length > 0 ? [] : ['examples/ has no usage example'],
  },
  {
    id: 'RC004',
    title: 'Usage example names should be descriptive',
    check: (folder) =>
      componentFiles(folder, ['examples'])
        .filter(([path]) => basename(path).includes('example'))
        .map(([path]) => `${path}: an example's file name should say what it shows, not "example"`),
  },
  {
    id: 'RC005',
    title: 'Write a detailed orb description',
    check: (folder) => {
      const description = orbRoot(folder)['description'];
      return typeof description === 'string' && description.length >= 64
        ? []
        : ['@orb.yml: the description is under 64 characters'];
    },
  },
  {
    id: 'RC008',
    title: 'All Run steps should contain a name',
    check: (folder) =>
      componentFiles(folder, ['jobs', 'commands']).flatMap(([path, document]) =>
        runSteps(document)
          .filter(
            ([, step]) => !isMap(step) || typeof step['name'] !== 'string' || step['name'] === '',
          )
          .map(([at]) => `${path}: ${at} has no name`),
      ),
  },
  {
    id: 'RC009',
    title: "Complex Run step's commands should be imported",
    check: (folder) =>
      componentFiles(folder, ['jobs', 'commands']).flatMap(([path, document]) =>
        runSteps(document)
          .map(([at, step]) => [at, isMap(step) ? step['command'] : step] as const)
          .filter(
            ([, command]) =>
              typeof command === 'string' &&
              command.length > MAX_COMMAND_LENGTH &&
              !command.startsWith('<<include('),
          )
          .map(
            ([at]) =>
              `${path}: ${at}.command is over ${MAX_COMMAND_LENGTH} characters and not included from scripts/`,
          ),
      ),
  },
  {
    id: 'RC010',
    title: 'All components (jobs, commands, executors) should be snake_cased',
    check: (folder) =>
      componentFiles(folder, ['jobs', 'commands', 'executors']).flatMap(([path, document]) => {
        const findings = basename(path).includes('-') ? [`${path}: the file name has a "-"`] : [];
        const parameters = document['parameters'];
        for (const name of isMap(parameters) ? Object.keys(parameters) : []) {
          if (name.includes('-')) findings.push(`${path}: parameter ${name} has a "-"`);
        }
        return findings;
      }),
  },
  {
    id: 'RC012',
    title: 'Incorrect usage of environment variables set as default parameter detected',
    check: (folder) =>
      componentFiles(folder, ['jobs', 'commands', 'executors']).flatMap(([path, document]) => {
        const parameters = isMap(document['parameters']) ? document['parameters'] : {};
        const findings: string[] = [];
        for (const [name, definition] of Object.entries(parameters)) {
          const fallback = isMap(definition) ? definition['default'] : undefined;
          if (typeof fallback !== 'string' || !fallback.includes('$') || fallback.endsWith('$'))
            continue;
          for (const [at, text] of stringsWithPaths(document)) {
            if (at.at(-1)?.endsWith('key') && text.includes(name)) {
              findings.push(
                `${path}: parameter ${name} defaults to the environment variable ${fallback}, which ${at.join('.')} cannot use`,
              );
            }
          }
        }
        return findings;
      }),
  },
];
