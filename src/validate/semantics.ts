// What the CircleCI schema cannot see: that every orb job and command used exists, that every
// parameter passed is declared and of its type (or one of its enum values), that required
// parameters are given, that every `<< parameters.x >>` of the orb is declared by its component,
// that every `<< pipeline.parameters.x >>` of a config is declared and no deprecated pipeline value
// is used, and that workflow job names are unique and `requires` resolve.
import { isMap, type YamlValue } from '../emit/yaml.ts';

export interface Problem {
  /** JSON pointer into the document, e.g. /workflows/carbon-build/jobs/0/carbon~1CarbonBuild. */
  pointer: string;
  message: string;
}

type Map = { [key: string]: YamlValue };
export type ParameterDefinition = { type?: string; default?: YamlValue; enum?: YamlValue[] };
type Component = {
  parameters?: { [name: string]: ParameterDefinition };
  steps?: YamlValue[];
} & Map;

/** Steps CircleCI provides; any other step must be a command. */
const BUILT_IN_STEPS = new Set([
  'run',
  'checkout',
  'setup_remote_docker',
  'add_ssh_keys',
  'save_cache',
  'restore_cache',
  'store_artifacts',
  'store_test_results',
  'persist_to_workspace',
  'attach_workspace',
  'when',
  'unless',
  'steps',
  'deploy',
]);
/** Keys of a workflow job invocation that belong to the workflow, not to the job's parameters. */
export const WORKFLOW_KEYS = new Set([
  'name',
  'context',
  'filters',
  'requires',
  'matrix',
  'pre-steps',
  'post-steps',
  'type',
  'serial-group',
  'override-with',
]);
const PARAMETER_REFERENCE = /(?<!\\)<<\s*parameters\.([A-Za-z0-9_-]+)\s*>>/g;

/** `name` or `{ name: arguments }`: how steps and workflow jobs are written. */
export function invocation(item: YamlValue): [string, Map] {
  if (typeof item === 'string') return [item, {}];
  const first = isMap(item) ? Object.entries(item)[0] : undefined;
  if (!first) return ['', {}];
  return [first[0], isMap(first[1]) ? first[1] : {}];
}
const escape = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

/** Checks of an orb on its own: parameter references and the commands its jobs and commands call. */
export function checkOrb(orb: Map): Problem[] {
  const problems: Problem[] = [];
  const commands = components(orb, 'commands');
  for (const kind of ['jobs', 'commands', 'executors'] as const) {
    for (const [name, component] of Object.entries(components(orb, kind))) {
      const at = `/${kind}/${escape(name)}`;
      const declared = new Set(Object.keys(component.parameters ?? {}));
      forEachReference(component, at, (text, pointer) => {
        const where = pointer();
        if (where.startsWith(`${at}/parameters/`)) return;
        for (const match of text.matchAll(PARAMETER_REFERENCE)) {
          if (!declared.has(match[1]!))
            problems.push({
              pointer: where,
              message: `<< parameters.${match[1]} >> is not a parameter of ${kind.slice(0, -1)} ${name}`,
            });
        }
      });
      if (Array.isArray(component.steps))
        problems.push(...checkSteps(component.steps, `${at}/steps`, commands, ''));
      const executor = component['executor'];
      if (
        kind === 'jobs' &&
        typeof executor === 'string' &&
        !executor.includes('<<') &&
        !(executor in components(orb, 'executors'))
      ) {
        problems.push({
          pointer: `${at}/executor`,
          message: `executor ${JSON.stringify(executor)} is not an executor of the orb`,
        });
      }
    }
  }
  return problems;
}

const PIPELINE_PARAMETER = /<<\s*pipeline\.parameters\.([A-Za-z0-9_-]+)\s*>>/g;
/**
 * Pipeline values a config must not rely on: `trigger_source` is deprecated, and GitHub App
 * projects have no `schedule.name` (their schedule triggers set pipeline parameters instead).
 */
const UNRELIABLE_PIPELINE_VALUES =
  /<<\s*pipeline\.(trigger_source|schedule\.name|schedule\.id)\s*>>/g;

/** Every `<< pipeline.parameters.x >>` is declared; no deprecated or integration-specific value is used. */
function checkPipelineValues(config: Map): Problem[] {
  const problems: Problem[] = [];
  const declared = isMap(config['parameters']) ? config['parameters'] : {};
  forEachReference(config, '', (text, pointer) => {
    for (const match of text.matchAll(PIPELINE_PARAMETER)) {
      if (!Object.hasOwn(declared, match[1]!))
        problems.push({
          pointer: pointer(),
          message: `<< pipeline.parameters.${match[1]} >> is not declared in the config's parameters`,
        });
    }
    for (const match of text.matchAll(UNRELIABLE_PIPELINE_VALUES))
      problems.push({
        pointer: pointer(),
        message: `pipeline.${match[1]} is deprecated or missing in GitHub App projects: choose workflows with a pipeline parameter`,
      });
  });
  return problems;
}

const EXPRESSION_PARAMETER = /\bpipeline\.parameters\.([A-Za-z0-9_-]+)/g;

/** Every pipeline parameter an expression filter (`pipeline.parameters.x == ""`) reads is declared. */
function checkFilterParameters(config: Map, filters: YamlValue | undefined, pointer: string) {
  if (typeof filters !== 'string') return [];
  const declared = isMap(config['parameters']) ? config['parameters'] : {};
  return [...filters.matchAll(EXPRESSION_PARAMETER)]
    .filter((match) => !Object.hasOwn(declared, match[1]!))
    .map((match) => ({
      pointer,
      message: `pipeline.parameters.${match[1]} is not declared in the config's parameters`,
    }));
}

/** Checks of a config that uses the orb under `alias`. */
export function checkConfig(config: Map, orb: Map, alias: string): Problem[] {
  const problems: Problem[] = checkPipelineValues(config);
  const jobs = components(orb, 'jobs');
  const commands = components(orb, 'commands');
  const workflows = isMap(config['workflows']) ? config['workflows'] : {};
  for (const [workflowName, workflow] of Object.entries(workflows)) {
    if (!isMap(workflow) || !Array.isArray(workflow['jobs'])) continue;
    const at = `/workflows/${escape(workflowName)}/jobs`;
    const names = new Map<string, number>();
    const invocations: { requires: YamlValue | undefined; pointer: string }[] = [];
    workflow['jobs'].forEach((entry, index) => {
      const [jobName, given] = invocation(entry);
      const pointer = `${at}/${index}`;
      const name = typeof given['name'] === 'string' ? given['name'] : jobName;
      if (names.has(name))
        problems.push({
          pointer,
          message: `job name ${JSON.stringify(name)} is used twice in workflow ${workflowName}: give one a name`,
        });
      names.set(name, index);
      invocations.push({
        requires: given['requires'],
        pointer: `${pointer}/${escape(jobName)}/requires`,
      });
      problems.push(
        ...checkFilterParameters(config, given['filters'], `${pointer}/${escape(jobName)}/filters`),
      );
      if (!jobName.startsWith(`${alias}/`)) {
        problems.push({
          pointer,
          message: `job ${JSON.stringify(jobName)} is not a job of the orb ${alias}`,
        });
        return;
      }
      const job = jobs[jobName.slice(alias.length + 1)];
      if (!job) {
        problems.push({
          pointer,
          message: `${jobName} is not a job of the orb (its jobs: ${Object.keys(jobs).join(', ')})`,
        });
        return;
      }
      problems.push(
        ...checkArguments(
          job,
          `job ${jobName}`,
          given,
          `${pointer}/${escape(jobName)}`,
          commands,
          `${alias}/`,
          WORKFLOW_KEYS,
        ),
      );
    });
    for (const { requires, pointer } of invocations) {
      if (requires === undefined) continue;
      for (const required of Array.isArray(requires) ? requires : [requires]) {
        const name =
          typeof required === 'string'
            ? required
            : isMap(required)
              ? Object.keys(required)[0]
              : undefined;
        if (name !== undefined && !names.has(name))
          problems.push({
            pointer,
            message: `requires ${JSON.stringify(name)}, which is no job of workflow ${workflowName}`,
          });
      }
    }
  }
  return problems;
}

function components(
  orb: Map,
  kind: 'jobs' | 'commands' | 'executors',
): { [name: string]: Component } {
  const found = orb[kind];
  return isMap(found) ? (found as { [name: string]: Component }) : {};
}

/** Steps calling commands: each command exists and gets its parameters right. */
function checkSteps(
  steps: YamlValue[],
  at: string,
  commands: { [name: string]: Component },
  prefix: string,
): Problem[] {
  const problems: Problem[] = [];
  steps.forEach((step, index) => {
    const pointer = `${at}/${index}`;
    const [name, value] = invocation(step);
    if (name.includes('<<')) return;
    if (BUILT_IN_STEPS.has(name)) {
      if ((name === 'when' || name === 'unless') && Array.isArray(value['steps'])) {
        problems.push(...checkSteps(value['steps'], `${pointer}/${name}/steps`, commands, prefix));
      }
      return;
    }
    const command = name.startsWith(prefix) ? commands[name.slice(prefix.length)] : undefined;
    if (!command) {
      problems.push({
        pointer,
        message: `${JSON.stringify(name)} is neither a built-in step nor a command of the orb (its commands: ${Object.keys(
          commands,
        )
          .map((c) => prefix + c)
          .join(', ')})`,
      });
      return;
    }
    problems.push(
      ...checkArguments(
        command,
        `command ${name}`,
        value,
        `${pointer}/${escape(name)}`,
        commands,
        prefix,
        new Set(),
      ),
    );
  });
  return problems;
}

/** Arguments of an invocation against the component's parameter declarations. */
function checkArguments(
  component: Component,
  what: string,
  given: Map,
  at: string,
  commands: { [name: string]: Component },
  prefix: string,
  ignored: Set<string>,
): Problem[] {
  const problems: Problem[] = [];
  const declared = component.parameters ?? {};
  for (const [name, value] of Object.entries(given)) {
    if (ignored.has(name)) continue;
    const definition = declared[name];
    if (!definition) {
      problems.push({
        pointer: `${at}/${escape(name)}`,
        message: `${name} is not a parameter of ${what} (its parameters: ${Object.keys(declared).join(', ')})`,
      });
      continue;
    }
    const wrong = typeProblem(definition, value);
    if (wrong)
      problems.push({ pointer: `${at}/${escape(name)}`, message: `${name} of ${what} ${wrong}` });
    if (definition.type === 'steps' && Array.isArray(value))
      problems.push(...checkSteps(value, `${at}/${escape(name)}`, commands, prefix));
  }
  for (const [name, definition] of Object.entries(declared)) {
    if (definition.default === undefined && !(name in given))
      problems.push({
        pointer: at,
        message: `${what} needs its parameter ${name}, which has no default`,
      });
  }
  return problems;
}

export function typeProblem(definition: ParameterDefinition, value: YamlValue): string | undefined {
  if (typeof value === 'string' && value.includes('<<')) return undefined;
  // Every argument of every config is checked: the value is shown only in a message.
  const shown = () => JSON.stringify(value);
  switch (definition.type) {
    case 'string':
      return typeof value === 'string' ? undefined : `must be a string, not ${shown()}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `must be a boolean, not ${shown()}`;
    case 'integer':
      return Number.isInteger(value) ? undefined : `must be an integer, not ${shown()}`;
    case 'enum':
      return (definition.enum ?? []).includes(value)
        ? undefined
        : `must be one of ${(definition.enum ?? []).join(', ')}, not ${shown()}`;
    case 'env_var_name':
      return typeof value === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(value)
        ? undefined
        : `must be the name of an environment variable, not ${shown()}`;
    case 'steps':
      return Array.isArray(value) ? undefined : `must be a list of steps, not ${shown()}`;
    case 'executor':
      return typeof value === 'string' || isMap(value)
        ? undefined
        : `must name an executor, not ${shown()}`;
    default:
      return `has an unknown type ${JSON.stringify(definition.type)}`;
  }
}

/**
 * Calls `visit` with every string of a document that contains `<<` (the only ones these checks
 * read), and a way to get its JSON pointer: pointers are built only for what is reported.
 */
function forEachReference(
  value: YamlValue,
  at: string,
  visit: (text: string, pointer: () => string) => void,
): void {
  const path: (string | number)[] = [];
  const pointer = () =>
    `${at}${path.map((segment) => `/${typeof segment === 'number' ? segment : escape(segment)}`).join('')}`;
  const walk = (item: YamlValue): void => {
    if (typeof item === 'string') {
      if (item.includes('<<')) visit(item, pointer);
    } else if (Array.isArray(item)) {
      for (let index = 0; index < item.length; index++) {
        path.push(index);
        walk(item[index]!);
        path.pop();
      }
    } else if (isMap(item)) {
      for (const key of Object.keys(item)) {
        path.push(key);
        walk(item[key]!);
        path.pop();
      }
    }
  };
  walk(value);
}
