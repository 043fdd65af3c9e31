// parse: checks the loaded values against the settings schema and fills in defaults. Repositories
// are parsed one by one, so a mistake in one repository neither hides the others nor stops the
// cross-repository rules from running on them.
import { z } from 'zod';
import type { DiagnosticCode } from '../diagnostic-codes.ts';
import { error, quote, type Diagnostic, type Origin, type PathSegment } from '../diagnostics.ts';
import { didYouMean } from '../suggest.ts';
import {
  configSchema,
  projectSchema,
  repositorySchema,
  withoutValueChecks,
  type Config,
  type Project,
  type Repository,
} from './schema.ts';

/** Where a parsed settings object was written. */
export interface Source {
  /** Absolute path of the module. */
  file: string;
  /** The export's name, `default` for the default export. */
  exportName: string;
}

/** One exported settings object as load gives it (modules/load.ts), and where it came from. */
export interface SettingsExport extends Source {
  value: unknown;
}

export interface ParsedProject {
  source: Source;
  settings: Omit<Project, 'repositories'>;
  /** Parsed repositories with their index in the written list (which `path`s refer to). */
  repositories: { index: number; settings: Repository }[];
  /** Ids of the repositories that failed to parse: they exist, so references to them are not typos. */
  invalidRepositoryIds: string[];
}

export interface Parsed {
  /** The workspace root: messages name files relative to it. */
  root: string;
  config: Config;
  configSource?: Source;
  projects: ParsedProject[];
  diagnostics: Diagnostic[];
}

const projectShellSchema = projectSchema.extend({
  repositories: z.array(z.unknown()).min(1, 'a project needs at least one repository'),
});

/** carbon.config.ts's default export with every default filled in (the defaults without one). */
export function parseConfig(entry: SettingsExport | undefined): {
  config: Config;
  configSource?: Source;
  diagnostics: Diagnostic[];
} {
  const diagnostics: Diagnostic[] = [];
  if (!entry) return { config: configSchema.parse(undefined), diagnostics };
  const parsed = parseValue(configSchema, entry, [], diagnostics);
  return {
    config: parsed ? parsed.data : configSchema.parse(undefined),
    configSource: { file: entry.file, exportName: entry.exportName },
    diagnostics,
  };
}

/** The projects of a module's exports; a project whose shape is wrong is left out, reported. */
export function parseProjects(entries: SettingsExport[]): {
  projects: ParsedProject[];
  diagnostics: Diagnostic[];
} {
  const diagnostics: Diagnostic[] = [];
  const projects: ParsedProject[] = [];
  for (const entry of entries) {
    const project = parseProject(entry, diagnostics);
    if (project) projects.push(project);
  }
  return { projects, diagnostics };
}

function parseProject(entry: SettingsExport, diagnostics: Diagnostic[]): ParsedProject | undefined {
  const shell = parseValue(projectShellSchema, entry, [], diagnostics);
  if (!shell) return undefined;
  const { repositories: written, ...settings } = shell.data;
  const project: ParsedProject = {
    source: { file: entry.file, exportName: entry.exportName },
    settings,
    repositories: [],
    invalidRepositoryIds: [],
  };
  written.forEach((value, index) => {
    const repository = parseValue(
      repositorySchema,
      { ...entry, value },
      ['repositories', index],
      diagnostics,
    );
    if (repository) {
      project.repositories.push({ index, settings: repository.data });
    } else {
      const id = (value as { id?: unknown } | null)?.id;
      if (typeof id === 'string') project.invalidRepositoryIds.push(id);
    }
  });
  return project;
}

/**
 * Parses one value: every issue and unknown field becomes a diagnostic. When values fail their
 * checks but the structure is sound, the structure is still returned (as `lenient`), so that the
 * cross-repository rules see it; an error has been reported either way, so nothing is emitted.
 */
function parseValue<T extends z.ZodType>(
  schema: T,
  entry: SettingsExport,
  prefix: PathSegment[],
  diagnostics: Diagnostic[],
): { data: z.output<T>; strict: boolean } | undefined {
  diagnostics.push(
    ...unknownFields(schema, entry.value, []).map(([path, known]) => {
      const key = String(path.at(-1));
      const close = didYouMean(key, known);
      const list = close === '' ? ` (fields here: ${known.join(', ')})` : '';
      return error(
        'unknown-field',
        { file: entry.file, exportName: entry.exportName, path: [...prefix, ...path] },
        `unknown field ${quote(key)}${close}${list}`,
      );
    }),
  );
  const parsed = schema.safeParse(entry.value);
  if (parsed.success) return { data: parsed.data, strict: true };
  // Again with the wrong values in the issues, for the messages: only when there is one.
  const result = schema.safeParse(entry.value, { reportInput: true });
  if (result.success) return { data: result.data, strict: true };
  for (const issue of result.error.issues) {
    diagnostics.push(...issueDiagnostics(issue, entry, prefix));
  }
  const lenient = withoutValueChecks(() => schema.safeParse(entry.value));
  return lenient.success ? { data: lenient.data, strict: false } : undefined;
}

function issueDiagnostics(
  issue: z.core.$ZodIssue,
  entry: SettingsExport,
  prefix: PathSegment[],
): Diagnostic[] {
  const path = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
  const origin = (at: PathSegment[]): Origin => ({
    file: entry.file,
    exportName: entry.exportName,
    path: [...prefix, ...at],
  });
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type': {
      if (input === undefined) {
        return [
          error(
            'missing-field',
            origin(path),
            `${quote(String(path.at(-1) ?? 'value'))} is required`,
          ),
        ];
      }
      const quoted =
        issue.expected === 'string' && (typeof input === 'number' || typeof input === 'boolean')
          ? `: write it in quotes, '${String(input)}'`
          : '';
      return [
        error(
          'invalid-type',
          origin(path),
          `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describe(input)}${quoted}`,
        ),
      ];
    }
    case 'invalid_union':
      return [
        error(
          'invalid-type',
          origin(path),
          `${quote(input)} has the wrong type: write a string or a number`,
        ),
      ];
    case 'invalid_value': {
      const options = issue.values.map((value) => quote(value));
      const close = typeof input === 'string' ? didYouMean(input, issue.values.map(String)) : '';
      return [
        error(
          'invalid-value',
          origin(path),
          `${quote(input)} is not one of ${options.join(', ')}${close}`,
        ),
      ];
    }
    case 'custom': {
      const code = (issue.params as { code?: DiagnosticCode } | undefined)?.code ?? 'invalid-value';
      return [error(code, origin(path), issue.message)];
    }
    case 'too_small':
      return [error('too-small', origin(path), issue.message)];
    default:
      return [error('invalid-value', origin(path), `${issue.message} (got ${quote(input)})`)];
  }
}

/** zod's names of types, in the words of the settings. */
const EXPECTED: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list ([...])',
  object: 'an object ({ ... })',
  record: "an object of names to values (as { 'Taxaroo-App': 'develop' })",
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (typeof value === 'bigint') return `a bigint (${value}n)`;
  return `${typeof value} ${quote(value)}`;
}

/** Every written field the schema does not know, with the fields that object does know. */
type Walk =
  | { kind: 'object'; shape: Record<string, z.core.$ZodType> }
  | { kind: 'array' | 'record'; item: z.core.$ZodType }
  | { kind: 'leaf' };
const walks = new WeakMap<z.core.$ZodType, Walk>();

/** How to walk a value of this schema, worked out once per schema: this runs for every repository. */
function walkOf(schema: z.core.$ZodType): Walk {
  let walk = walks.get(schema);
  if (!walk) {
    const inner = unwrap(schema);
    const def = inner?._zod.def as unknown as
      (Record<string, unknown> & { type: string }) | undefined;
    if (def?.type === 'object')
      walk = { kind: 'object', shape: def['shape'] as Record<string, z.core.$ZodType> };
    else if (def?.type === 'array')
      walk = { kind: 'array', item: def['element'] as z.core.$ZodType };
    else if (def?.type === 'record')
      walk = { kind: 'record', item: def['valueType'] as z.core.$ZodType };
    else walk = { kind: 'leaf' };
    walks.set(schema, walk);
  }
  return walk;
}

/** Every written field the schema does not know, with the fields that object does know. */
function unknownFields(
  schema: z.core.$ZodType,
  value: unknown,
  path: PathSegment[],
  found: [PathSegment[], string[]][] = [],
): [PathSegment[], string[]][] {
  if (typeof value !== 'object' || value === null) return found;
  const walk = walkOf(schema);
  if (walk.kind === 'object' && !Array.isArray(value)) {
    for (const key of Object.keys(value)) {
      // Own fields only: `constructor` or `toString` are unknown fields, not Object's.
      const fieldSchema = Object.hasOwn(walk.shape, key) ? walk.shape[key] : undefined;
      if (fieldSchema)
        unknownFields(fieldSchema, (value as Record<string, unknown>)[key], [...path, key], found);
      else found.push([[...path, key], Object.keys(walk.shape)]);
    }
  } else if (walk.kind === 'array' && Array.isArray(value)) {
    for (let index = 0; index < value.length; index++)
      unknownFields(walk.item, value[index], [...path, index], found);
  } else if (walk.kind === 'record' && !Array.isArray(value)) {
    for (const key of Object.keys(value))
      unknownFields(walk.item, (value as Record<string, unknown>)[key], [...path, key], found);
  }
  return found;
}

function unwrap(schema: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  let current = schema;
  while (current) {
    const def = current._zod.def as unknown as Record<string, unknown> & { type: string };
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable') {
      current = def['innerType'] as z.core.$ZodType;
    } else if (def.type === 'pipe') {
      current = def['in'] as z.core.$ZodType;
    } else {
      return current;
    }
  }
  return undefined;
}
