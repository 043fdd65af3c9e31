// Config processing, as `circleci config process` does it for one job: find the job in the orb,
// bind its parameters (given values, then defaults, each type-checked), substitute
// `<< parameters.x >>`, expand commands and `steps` parameters into their steps, and evaluate
// `when`/`unless` steps. The result is the list of concrete steps the job runs.
import { isMap, type YamlValue } from '../emit/yaml.ts';
import {
  WORKFLOW_KEYS,
  invocation,
  typeProblem,
  type ParameterDefinition,
} from '../validate/semantics.ts';

type Map = { [key: string]: YamlValue };
type Component = Map & {
  parameters?: { [name: string]: ParameterDefinition };
  steps?: YamlValue[];
};

export type ProcessedStep =
  | {
      kind: 'run';
      name: string;
      command: string;
      environment: { [name: string]: string };
      workingDirectory?: string;
      /** CircleCI's `when` of a run step: after a failed step, only `always` and `on_fail` run. */
      when: 'on_success' | 'on_fail' | 'always';
    }
  | { kind: 'checkout'; path?: string }
  | { kind: 'add_ssh_keys'; fingerprints: string[] }
  | { kind: 'setup_remote_docker' }
  | { kind: 'other'; name: string };

export interface ProcessedJob {
  /** As the workflow names it, e.g. carbon/CarbonSync. */
  name: string;
  /** The executor's first image, when it has one: shown, never run. */
  image?: string;
  parameters: Map;
  steps: ProcessedStep[];
}

/** A config that cannot be processed: the message names the job and the step. */
export class ProcessError extends Error {
  override readonly name = 'ProcessError';
}

/** CircleCI's other built-in steps: processed, but `carbon run` cannot carry them out. */
const OTHER_BUILT_IN = new Set([
  'save_cache',
  'restore_cache',
  'store_artifacts',
  'store_test_results',
  'persist_to_workspace',
  'attach_workspace',
  'deploy',
]);
const REFERENCE = /(\\?)<<\s*parameters\.([A-Za-z0-9_-]+)\s*>>/g;
const WHOLE_REFERENCE = /^<<\s*parameters\.([A-Za-z0-9_-]+)\s*>>$/;

/**
 * Processes `jobName` (as a workflow calls it: `alias/Job`) with the workflow's arguments and any
 * overrides, against the orb the config knows as `alias`.
 */
export function processJob(
  orb: Map,
  alias: string,
  jobName: string,
  given: Map,
  overrides: Map = {},
): ProcessedJob {
  const jobs = isMap(orb['jobs']) ? orb['jobs'] : {};
  const local = jobName.startsWith(`${alias}/`) ? jobName.slice(alias.length + 1) : undefined;
  const job = local === undefined ? undefined : jobs[local];
  if (!isMap(job)) {
    throw new ProcessError(
      `job ${jobName} is not a job of the orb ${alias} (its jobs: ${Object.keys(jobs)
        .map((j) => `${alias}/${j}`)
        .join(', ')})`,
    );
  }
  const arguments_ = Object.fromEntries(
    Object.entries({ ...given, ...overrides }).filter(([key]) => !WORKFLOW_KEYS.has(key)),
  );
  const context = new Context(orb, alias);
  const values = context.bind(job as Component, arguments_, `job ${jobName}`);
  const body = substitute(job, values) as Component;
  const steps = context.expand(Array.isArray(body.steps) ? body.steps : [], `job ${jobName}`);
  const image = executorImage(orb, body['executor']);
  return { name: jobName, ...(image ? { image } : {}), parameters: values, steps };
}

class Context {
  private readonly commands: { [name: string]: Component };
  private readonly alias: string;

  constructor(orb: Map, alias: string) {
    this.commands = (isMap(orb['commands']) ? orb['commands'] : {}) as {
      [name: string]: Component;
    };
    this.alias = alias;
  }

  /** Given arguments checked against the declarations, defaults filled in. */
  bind(component: Component, given: Map, what: string): Map {
    const declared = component.parameters ?? {};
    for (const [name, value] of Object.entries(given)) {
      const definition = declared[name];
      if (!definition) {
        throw new ProcessError(
          `${what}: ${name} is not a parameter (its parameters: ${Object.keys(declared).join(', ')})`,
        );
      }
      const wrong = typeProblem(definition, value);
      if (wrong) throw new ProcessError(`${what}: parameter ${name} ${wrong}`);
    }
    // In the order the component declares them, as `circleci config process` lists them.
    const values: Map = {};
    for (const [name, definition] of Object.entries(declared)) {
      if (name in given) values[name] = given[name]!;
      else if (definition.default === undefined)
        throw new ProcessError(`${what}: the required parameter ${name} is missing`);
      else values[name] = definition.default;
    }
    return values;
  }

  /** Steps with commands, `steps` and `when`/`unless` expanded into concrete steps. */
  expand(steps: YamlValue[], where: string): ProcessedStep[] {
    const expanded: ProcessedStep[] = [];
    steps.forEach((step, index) => {
      const at = `${where}, step ${index + 1}`;
      const [name, argumentsOrBody] = invocation(step);
      if (name === 'run')
        expanded.push(runStep(typeof step === 'string' ? '' : (step as Map)['run']!, at));
      else if (name === 'checkout')
        expanded.push({
          kind: 'checkout',
          ...(typeof argumentsOrBody['path'] === 'string' ? { path: argumentsOrBody['path'] } : {}),
        });
      else if (name === 'add_ssh_keys')
        expanded.push({
          kind: 'add_ssh_keys',
          fingerprints: (Array.isArray(argumentsOrBody['fingerprints'])
            ? argumentsOrBody['fingerprints']
            : []
          ).map(String),
        });
      else if (name === 'setup_remote_docker') expanded.push({ kind: 'setup_remote_docker' });
      else if (name === 'steps')
        expanded.push(
          ...this.expand(
            Array.isArray((step as Map)['steps']) ? ((step as Map)['steps'] as YamlValue[]) : [],
            at,
          ),
        );
      else if (name === 'when' || name === 'unless') {
        const holds = truthy(evaluate(argumentsOrBody['condition'] ?? null));
        if (holds === (name === 'when'))
          expanded.push(
            ...this.expand(
              Array.isArray(argumentsOrBody['steps']) ? argumentsOrBody['steps'] : [],
              at,
            ),
          );
      } else {
        const command =
          this.commands[name] ??
          (name.startsWith(`${this.alias}/`)
            ? this.commands[name.slice(this.alias.length + 1)]
            : undefined);
        if (!command) {
          if (!OTHER_BUILT_IN.has(name)) {
            throw new ProcessError(
              `${at}: ${JSON.stringify(name)} is no command of the orb (its commands: ${Object.keys(this.commands).join(', ')})`,
            );
          }
          expanded.push({ kind: 'other', name });
          return;
        }
        const what = `${at} (command ${name})`;
        const values = this.bind(command, argumentsOrBody, what);
        const body = substitute(command, values) as Component;
        expanded.push(...this.expand(Array.isArray(body.steps) ? body.steps : [], what));
      }
    });
    return expanded;
  }
}

function runStep(run: YamlValue, at: string): ProcessedStep {
  if (typeof run === 'string')
    return {
      kind: 'run',
      name: firstLine(run),
      command: unescape(run),
      environment: {},
      when: 'on_success',
    };
  if (!isMap(run) || typeof run['command'] !== 'string')
    throw new ProcessError(`${at}: a run step needs a command`);
  const environment: { [name: string]: string } = {};
  for (const [key, value] of Object.entries(isMap(run['environment']) ? run['environment'] : {})) {
    environment[key] = value === null ? '' : String(value);
  }
  const command = unescape(run['command']);
  return {
    kind: 'run',
    name: typeof run['name'] === 'string' ? run['name'] : firstLine(command),
    command,
    environment,
    ...(typeof run['working_directory'] === 'string'
      ? { workingDirectory: run['working_directory'] }
      : {}),
    when: run['when'] === 'always' || run['when'] === 'on_fail' ? run['when'] : 'on_success',
  };
}

function firstLine(text: string): string {
  return text.split('\n').find((line) => line.trim() !== '' && !line.startsWith('#!')) ?? text;
}

/** `\<<` is how orbs write a literal `<<` that is no parameter. */
function unescape(text: string): string {
  return text.replaceAll('\\<<', '<<');
}

/**
 * Every `<< parameters.x >>` replaced by its value. A string that is nothing but one reference
 * takes the value itself (a list of steps, a number); inside text, the value's text. Escaped
 * references (`\<<`) stay for runStep to unescape.
 */
function substitute(value: YamlValue, parameters: Map): YamlValue {
  if (typeof value === 'string') {
    const whole = WHOLE_REFERENCE.exec(value);
    if (whole && whole[1]! in parameters) return parameters[whole[1]!]!;
    return value.replace(REFERENCE, (match, escaped: string, name: string) => {
      if (escaped) return match;
      if (!(name in parameters)) return match;
      const replacement = parameters[name];
      return typeof replacement === 'object' && replacement !== null
        ? JSON.stringify(replacement)
        : String(replacement);
    });
  }
  if (Array.isArray(value)) {
    // A `steps` parameter used as a step is spliced in where it stands.
    return value.flatMap((item) => {
      const replaced = substitute(item, parameters);
      return typeof item === 'string' && Array.isArray(replaced) ? replaced : [replaced];
    });
  }
  if (isMap(value)) {
    const result: Map = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === 'parameters') result[key] = item;
      else result[key] = substitute(item, parameters);
    }
    return result;
  }
  return value;
}

/** The value of a `when` condition: literals, equal, not, and, or, matches. */
function evaluate(condition: YamlValue): YamlValue {
  if (!isMap(condition)) return condition;
  const [operator, operand] = Object.entries(condition)[0] ?? ['', null];
  const list = Array.isArray(operand) ? operand : [];
  switch (operator) {
    case 'equal':
      return list.every(
        (item) => JSON.stringify(evaluate(item)) === JSON.stringify(evaluate(list[0] ?? null)),
      );
    case 'not':
      return !truthy(evaluate(operand ?? null));
    case 'and':
      return list.every((item) => truthy(evaluate(item)));
    case 'or':
      return list.some((item) => truthy(evaluate(item)));
    case 'matches': {
      const spec = isMap(operand) ? operand : {};
      return new RegExp(`^(?:${String(spec['pattern'] ?? '')})$`).test(String(spec['value'] ?? ''));
    }
    default:
      throw new ProcessError(
        `a when condition uses ${JSON.stringify(operator)}, which is not a logic statement (equal, not, and, or, matches)`,
      );
  }
}

function truthy(value: YamlValue): boolean {
  return !(
    value === false ||
    value === null ||
    value === 0 ||
    value === '' ||
    (Array.isArray(value) && value.length === 0)
  );
}

function executorImage(orb: Map, executor: YamlValue | undefined): string | undefined {
  const [name, given] = invocation(executor ?? '');
  const executors = isMap(orb['executors']) ? orb['executors'] : {};
  const definition = executors[name];
  if (!isMap(definition)) return undefined;
  const values: Map = {};
  const declared = isMap(definition['parameters']) ? definition['parameters'] : {};
  for (const [key, spec] of Object.entries(declared))
    values[key] = given[key] ?? (isMap(spec) ? (spec['default'] ?? '') : '');
  const docker = substitute(definition['docker'] ?? [], values);
  const first = Array.isArray(docker) ? docker[0] : undefined;
  return isMap(first) && typeof first['image'] === 'string' ? first['image'] : undefined;
}
