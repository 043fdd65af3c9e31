// Validation against CircleCI's official JSON schema (draft-07). The schema is data kept outside
// the project (see ../shared/circleci/SOURCE.md); compiling it costs about 150 ms, so it is
// compiled once per process, and only when something is validated.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { UserError } from '../errors.ts';
import { PACKAGE_ROOT } from '../paths.ts';
import { STORE_FOLDER, buildId, nameOf, writeAtomic } from '../store.ts';

export interface SchemaProblem {
  /** JSON pointer of the offending value, e.g. /workflows/build/jobs/0. */
  pointer: string;
  message: string;
}

const compiled = new Map<string, ValidateFunction>();

/**
 * The schema's validation function: `fast` stops at the first error (most documents are valid, and
 * ajv then skips the branches of every oneOf it need not try); `full` collects every error, for the
 * messages. Compiling the schema costs about 190 ms (loading ajv and compiling); ajv's standalone
 * code for it loads in about 10 ms. So the first compile of a schema keeps that code (store.ts),
 * named by a hash of the schema and Carbon's build, and later processes load it instead.
 */
function validator(schemaPath: string, mode: 'fast' | 'full'): ValidateFunction {
  const key = `${mode} ${schemaPath}`;
  let validate = compiled.get(key);
  if (validate) return validate;
  const require = createRequire(join(PACKAGE_ROOT, 'package.json'));
  const text = readFileSync(schemaPath, 'utf8');
  const build = buildId();
  const kept =
    build === undefined
      ? undefined
      : join(STORE_FOLDER, `schema-${mode}-${nameOf(build, text)}.cjs`);
  try {
    if (!kept) throw new Error('nothing is kept without a build id');
    validate = require(kept) as ValidateFunction;
  } catch {
    validate = compileAndKeep(require, text, kept, schemaPath, mode === 'full');
  }
  compiled.set(key, validate);
  return validate;
}

function compileAndKeep(
  require: NodeJS.Require,
  schema: string,
  target: string | undefined,
  path: string,
  allErrors: boolean,
): ValidateFunction {
  const Ajv = require('ajv') as typeof import('ajv').default;
  const addFormats = require('ajv-formats') as typeof import('ajv-formats').default;
  // Without ajv's code optimizer the schema compiles in 85 ms instead of 170, and validating
  // 2,000 configs takes the same 35 ms.
  const ajv = new Ajv({
    strict: false,
    allErrors,
    code: { source: target !== undefined, optimize: false },
  });
  addFormats(ajv);
  let parsed: object;
  try {
    parsed = JSON.parse(schema) as object;
  } catch (error) {
    throw new UserError(
      `the CircleCI schema ${path} is not JSON (${(error as Error).message.split('\n')[0]}): give the schema.json published in CircleCI-Public/circleci-yaml-language-server`,
    );
  }
  let validate: ValidateFunction;
  try {
    validate = ajv.compile(parsed);
  } catch (error) {
    throw new UserError(
      `the CircleCI schema ${path} is not a JSON schema ajv can compile: ${(error as Error).message}`,
    );
  }
  if (target) {
    const standalone =
      require('ajv/dist/standalone') as typeof import('ajv/dist/standalone/index.js').default;
    try {
      writeAtomic(target, standalone(ajv, validate));
    } catch {
      // Without the kept code the next process compiles again: slower, not wrong.
    }
  }
  return validate;
}

/** Every schema violation of a config or orb, most specific first; none without a schema. */
export function validateAgainstSchema(
  schemaPath: string | undefined,
  document: unknown,
): SchemaProblem[] {
  if (schemaPath === undefined) return [];
  if (validator(schemaPath, 'fast')(document)) return [];
  const full = validator(schemaPath, 'full');
  full(document);
  return summarize(full.errors ?? []);
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
