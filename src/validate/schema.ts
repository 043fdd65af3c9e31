// Validation against CircleCI's official JSON schema (draft-07). The schema is data kept outside
// the project (see ../shared/circleci/SOURCE.md); compiling it costs about 150 ms, so it is
// compiled once per process, and only when something is validated.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { UserError } from '../errors.ts';
import { DEFAULT_SCHEMA } from '../paths.ts';

export interface SchemaProblem {
  /** JSON pointer of the offending value, e.g. /workflows/build/jobs/0. */
  pointer: string;
  message: string;
}

/** Where the schema is: --schema, then $CARBON_CIRCLECI_SCHEMA, then ../shared beside Carbon. */
export function findSchema(
  option: string | undefined,
  env: NodeJS.ProcessEnv,
  cwd: string,
): string {
  const candidates: [string, string][] = [];
  if (option) candidates.push([resolve(cwd, option), '--schema']);
  else if (env['CARBON_CIRCLECI_SCHEMA'])
    candidates.push([resolve(cwd, env['CARBON_CIRCLECI_SCHEMA']), 'CARBON_CIRCLECI_SCHEMA']);
  else candidates.push([DEFAULT_SCHEMA, 'the default location']);
  const [path, from] = candidates[0]!;
  if (!existsSync(path)) {
    throw new UserError(
      `the CircleCI schema was not found at ${path} (${from}): pass --schema FILE or set ` +
        'CARBON_CIRCLECI_SCHEMA to the schema.json published in CircleCI-Public/circleci-yaml-language-server',
    );
  }
  return path;
}

const compiled = new Map<string, ValidateFunction>();

function validator(schemaPath: string): ValidateFunction {
  let validate = compiled.get(schemaPath);
  if (!validate) {
    const require = createRequire(import.meta.url);
    const Ajv = require('ajv') as typeof import('ajv').default;
    const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
    compiled.set(schemaPath, validate);
  }
  return validate;
}

/** Every schema violation of a config or orb, most specific first. */
export function validateAgainstSchema(schemaPath: string, document: unknown): SchemaProblem[] {
  const validate = validator(schemaPath);
  if (validate(document)) return [];
  return summarize(validate.errors ?? []);
}

/**
 * The schema is full of oneOf: one mistake yields an error for every branch tried, most of them
 * about the enclosing value. Keep the leaves (errors with no other error below their pointer),
 * which name the value actually wrong, without exact duplicates.
 */
function summarize(errors: ErrorObject[]): SchemaProblem[] {
  const pointers = errors.map((e) => e.instancePath);
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  for (const error of errors) {
    const path = error.instancePath;
    if (pointers.some((other) => other.startsWith(`${path}/`))) continue;
    const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues;
    const detail = allowed ? ` (${allowed.join(', ')})` : '';
    const problem = { pointer: path || '/', message: `${error.message ?? 'is invalid'}${detail}` };
    const key = `${problem.pointer} ${problem.message}`;
    if (!seen.has(key)) {
      seen.add(key);
      problems.push(problem);
    }
  }
  return problems;
}
