// Which jobs of a config a CircleCI pipeline runs, decided as CircleCI decides it, for the part of
// the configuration language Carbon writes: pipeline parameters (declared, with defaults; an
// undeclared one fails the pipeline, "Unexpected argument(s)"), a workflow's `when` (logic
// statements: equal, not, and, or, over `<< pipeline.parameters.x >>`), and a job's expression
// filter (configuration reference, "Expression-based job filters": `pipeline.git.branch`,
// `pipeline.parameters.x`, string literals, ==, !=, and, or, not, parentheses). A job that
// requires one that did not run does not run either.
import { parse } from 'yaml';

type Map = Record<string, unknown>;

export interface PipelineRun {
  /** `pipeline.git.branch`: the branch checked out (a cross-repo trigger's checkout ref). */
  branch: string;
  parameters?: Record<string, string>;
}

export interface JobRun {
  workflow: string;
  /** As the workflow names it: `carbon/CarbonBuild`. */
  job: string;
  given: Map;
}

export function jobsRun(configText: string, run: PipelineRun): JobRun[] {
  const config = parse(configText) as Map;
  const declared = (config['parameters'] ?? {}) as Record<string, { default?: unknown }>;
  for (const name of Object.keys(run.parameters ?? {}))
    if (!(name in declared)) throw new Error(`Unexpected argument(s): ${name}`);
  const parameters: Record<string, string> = {};
  for (const [name, definition] of Object.entries(declared))
    parameters[name] = String(run.parameters?.[name] ?? definition.default ?? '');
  const substitute = (value: unknown) =>
    typeof value === 'string'
      ? value.replace(/<<\s*pipeline\.parameters\.([\w-]+)\s*>>/g, (_, name: string) => {
          if (!(name in parameters)) throw new Error(`undeclared pipeline parameter ${name}`);
          return parameters[name]!;
        })
      : value;
  const holds = (logic: unknown): boolean => {
    if (logic === undefined) return true;
    if (typeof logic !== 'object' || logic === null) return Boolean(substitute(logic));
    const [operator, operand] = Object.entries(logic as Map)[0]!;
    if (operator === 'equal') {
      const [a, b] = (operand as unknown[]).map(substitute);
      return a === b;
    }
    if (operator === 'not') return !holds(operand);
    if (operator === 'and') return (operand as unknown[]).every(holds);
    if (operator === 'or') return (operand as unknown[]).some(holds);
    throw new Error(`logic statement ${operator} is not modelled`);
  };
  const values: Record<string, string> = { 'pipeline.git.branch': run.branch };
  for (const [name, value] of Object.entries(parameters))
    values[`pipeline.parameters.${name}`] = value;

  const ran: JobRun[] = [];
  for (const [workflow, definition] of Object.entries((config['workflows'] ?? {}) as Map)) {
    const { when, jobs } = definition as { when?: unknown; jobs: Map[] };
    if (!holds(when)) continue;
    const names = new Set<string>();
    for (const entry of jobs) {
      const [job, given = {}] = Object.entries(entry)[0] as [string, Map];
      const requires = (given['requires'] ?? []) as string[];
      if (!requires.every((name) => names.has(name))) continue;
      if (typeof given['filters'] === 'string' && !evaluate(given['filters'], values)) continue;
      names.add(typeof given['name'] === 'string' ? given['name'] : job);
      ran.push({ workflow, job, given });
    }
  }
  return ran;
}

/** An expression filter's value. */
export function evaluate(expression: string, values: Record<string, string>): boolean {
  const tokens = expression.match(/"(?:[^"\\]|\\.)*"|==|!=|\(|\)|[\w.-]+/g) ?? [];
  let at = 0;
  const peek = () => tokens[at];
  const next = () => tokens[at++];
  const operand = (): string | boolean => {
    const token = next();
    if (token === undefined) throw new Error(`unexpected end of ${expression}`);
    if (token === '(') {
      const inner = or();
      if (next() !== ')') throw new Error(`missing ) in ${expression}`);
      return inner;
    }
    if (token === 'not') return !truthy(operand());
    if (token.startsWith('"')) return JSON.parse(token) as string;
    if (token === 'true' || token === 'false') return token === 'true';
    if (!(token in values)) throw new Error(`${token} is not modelled (in ${expression})`);
    return values[token]!;
  };
  const comparison = (): string | boolean => {
    const left = operand();
    if (peek() === '==' || peek() === '!=') {
      const equal = next() === '==';
      const right = operand();
      return (left === right) === equal;
    }
    return left;
  };
  const and = (): string | boolean => {
    let value = comparison();
    while (peek() === 'and') {
      next();
      const right = comparison();
      value = truthy(value) && truthy(right);
    }
    return value;
  };
  const or = (): string | boolean => {
    let value = and();
    while (peek() === 'or') {
      next();
      const right = and();
      value = truthy(value) || truthy(right);
    }
    return value;
  };
  const result = or();
  if (at !== tokens.length) throw new Error(`cannot read ${expression} from ${tokens[at]}`);
  return truthy(result);
}

const truthy = (value: string | boolean) => value !== '' && value !== false;
