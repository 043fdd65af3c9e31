// Checks one AWS CLI v2 invocation, as the recording fake `aws` saw it, against AWS's service models
// (aws-models.ts): the command is an operation of the service (or a CLI-only command the CLI
// defines), every option is a global option of the CLI or an input member of the operation, and
// every value (shorthand, JSON, `file://` contents, `--cli-input-json` documents) fits the member's
// shape: no unknown member at any depth, enum values from the enum, required members present.
// The CLI's own naming rules are followed: operation and option names are botocore's xform_name of
// the API names with "-", boolean members are --x / --no-x flags, list members take several values.
import { closest } from '../../src/suggest.ts';
import {
  modelVersion,
  serviceModel,
  serviceNames,
  type Operation,
  type ServiceName,
  type Shape,
} from './aws-models.ts';
import { parseShorthand, ShorthandError, type ShorthandValue } from './aws-shorthand.ts';

/** A file:// argument as the fake read it. */
export interface RecordedFile {
  path: string;
  mode?: number;
  /** The file's text, as the CLI reads it for a file:// value. */
  text?: string;
  /** The text parsed as JSON, when it is JSON. */
  content?: unknown;
  error?: string;
}

export interface AwsInvocation {
  argv: string[];
  /** file:// arguments as the fake read them at call time (scripts delete some files after). */
  files?: Record<string, RecordedFile>;
}

/** botocore's xform_name(name, '-'): DescribeRepositories -> describe-repositories. */
export function cliName(name: string): string {
  if (name.includes('-')) return name;
  const special = /[A-Z]{2,}s$/.exec(name);
  const base = special ? `${name.slice(0, -special[0].length)}-${special[0].toLowerCase()}` : name;
  return base
    .replace(/(.)([A-Z][a-z]+)/g, '$1-$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
}

type GlobalOption = { takesValue: false } | { takesValue: true; choices?: string[] };

/** The CLI's global options (awscli/data/cli.json on the v2 branch). */
const GLOBAL_OPTIONS: Record<string, GlobalOption> = {
  debug: { takesValue: false },
  'endpoint-url': { takesValue: true },
  'no-verify-ssl': { takesValue: false },
  'no-paginate': { takesValue: false },
  output: { takesValue: true, choices: ['json', 'text', 'table', 'yaml', 'yaml-stream', 'off'] },
  query: { takesValue: true },
  profile: { takesValue: true },
  region: { takesValue: true },
  version: { takesValue: false },
  color: { takesValue: true, choices: ['on', 'off', 'auto'] },
  'no-sign-request': { takesValue: false },
  'ca-bundle': { takesValue: true },
  'cli-read-timeout': { takesValue: true },
  'cli-connect-timeout': { takesValue: true },
  'cli-binary-format': { takesValue: true, choices: ['base64', 'raw-in-base64-out'] },
  'no-cli-pager': { takesValue: false },
  'cli-auto-prompt': { takesValue: false },
  'no-cli-auto-prompt': { takesValue: false },
  'cli-error-format': {
    takesValue: true,
    choices: ['legacy', 'json', 'yaml', 'text', 'table', 'enhanced'],
  },
};

/** Options every operation command has (awscli/customizations/cliinput.py, generatecliskeleton.py). */
const OPERATION_OPTIONS = ['cli-input-json', 'cli-input-yaml', 'generate-cli-skeleton'];
/** What the CLI puts in place of a paginated operation's token and limit (awscli/paginate.py). */
const PAGINATION_OPTIONS = ['starting-token', 'page-size', 'max-items'];

/** Options the CLI renames (awscli/customizations/argrename.py), for the services checked here. */
const ARGUMENT_RENAMES: Partial<Record<ServiceName, Record<string, string>>> = {
  ecs: { 'no-enable-execute-command': 'disable-execute-command' },
};

/** A CLI command's option: a flag, or how many values it takes and what each must be. */
type CustomOption =
  { flag: true } | { values: 'one' | 'many'; check?: (value: string) => string | undefined };

type CustomCommand = {
  options: Record<string, CustomOption>;
  required?: string[];
};

/** `Key=Value`, as the CLI's deploy splits --parameter-overrides and --tags (at the first "="). */
const keyValue = (value: string) =>
  /^[^=]+=/.test(value) ? undefined : `${JSON.stringify(value)} is not Key=Value`;

/** A value of an enum of AWS's model, read from a member of an operation's input. */
const enumOf =
  (service: ServiceName, operation: string, member: string) =>
  (value: string): string | undefined => {
    const shape = serviceModel(service).operations[operation]?.input.members[member];
    const values =
      shape?.type === 'list' && shape.member.type === 'string' ? shape.member.enum : [];
    return values?.includes(value)
      ? undefined
      : `${JSON.stringify(value)} is not one of ${values?.join(', ')}`;
  };

/**
 * Commands of the CLI that are no API operation (awscli/customizations), with the options they
 * take besides the global ones, or why they are refused.
 */
const CLI_COMMANDS: Partial<
  Record<ServiceName, Record<string, CustomCommand | { refused: string }>>
> = {
  ecr: {
    // awscli/customizations/ecr.py: calls GetAuthorizationToken and prints the password.
    'get-login-password': { options: {} },
    'get-login': {
      refused: 'aws ecr get-login does not exist in AWS CLI v2: use get-login-password',
    },
  },
  cloudformation: {
    // awscli/customizations/cloudformation/deploy.py (the same in v1 and v2): a change set,
    // created from the template file, executed and waited for. Its API calls (DescribeStacks,
    // CreateChangeSet, DescribeChangeSet, ExecuteChangeSet) are checked where they arrive
    // (aws-endpoint.ts) when the real CLI runs.
    deploy: {
      required: ['template-file', 'stack-name'],
      options: {
        'template-file': { values: 'one' },
        'stack-name': { values: 'one' },
        's3-bucket': { values: 'one' },
        'force-upload': { flag: true },
        's3-prefix': { values: 'one' },
        'kms-key-id': { values: 'one' },
        'parameter-overrides': { values: 'many', check: keyValue },
        capabilities: {
          values: 'many',
          check: enumOf('cloudformation', 'CreateChangeSet', 'Capabilities'),
        },
        'no-execute-changeset': { flag: true },
        'disable-rollback': { flag: true },
        'no-disable-rollback': { flag: true },
        'role-arn': { values: 'one' },
        'notification-arns': { values: 'many' },
        'fail-on-empty-changeset': { flag: true },
        'no-fail-on-empty-changeset': { flag: true },
        tags: { values: 'many', check: keyValue },
      },
    },
  },
};

/** The problems of a CLI command's options, as the CLI's argument parser would find them. */
function customProblems(command: CustomCommand, parsed: Parsed, service: ServiceName): string[] {
  const problems: string[] = [];
  const given = new Set<string>();
  for (const { name, values } of parsed.options) {
    const option = command.options[name];
    if (!option) {
      const near = closest(name, Object.keys(command.options));
      problems.push(
        `--${name} is no option of the CLI command ${service} ${parsed.command}${near ? ` (did you mean "--${near}"?)` : ''}`,
      );
      continue;
    }
    given.add(name);
    if ('flag' in option) {
      if (values.length > 0) problems.push(`--${name} is a flag and takes no value`);
      continue;
    }
    if (values.length === 0 || (option.values === 'one' && values.length > 1))
      problems.push(
        `--${name} takes ${option.values === 'one' ? 'one value' : 'values'}, got ${values.length}`,
      );
    for (const value of values) {
      const problem = option.check?.(value);
      if (problem) problems.push(`--${name}: ${problem}`);
    }
  }
  for (const required of command.required ?? [])
    if (!given.has(required)) problems.push(`--${required} is required`);
  return problems;
}

interface Parsed {
  service?: string;
  command?: string;
  /** Operation options in order, with their values. */
  options: { name: string; values: string[] }[];
  /** The global options given, by name. */
  globals: Set<string>;
  problems: string[];
}

function parseArgv(argv: string[]): Parsed {
  const parsed: Parsed = { options: [], globals: new Set(), problems: [] };
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!token.startsWith('--')) {
      if (parsed.service === undefined) parsed.service = token;
      else if (parsed.command === undefined) parsed.command = token;
      else parsed.problems.push(`unexpected argument ${JSON.stringify(token)}`);
      continue;
    }
    const [name, inline] = token.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const values: string[] = inline === undefined ? [] : [inline];
    while (inline === undefined && i + 1 < argv.length && !argv[i + 1]!.startsWith('--'))
      values.push(argv[++i]!);
    const global = GLOBAL_OPTIONS[name];
    if (!global) {
      parsed.options.push({ name, values });
      continue;
    }
    parsed.globals.add(name);
    const wanted = global.takesValue ? 1 : 0;
    if (values.length < wanted) parsed.problems.push(`--${name} needs a value`);
    // Values past what a global option takes are the service and command, or stray.
    for (const extra of values.slice(wanted)) {
      if (parsed.service === undefined) parsed.service = extra;
      else if (parsed.command === undefined) parsed.command = extra;
      else parsed.problems.push(`unexpected argument ${JSON.stringify(extra)} after --${name}`);
    }
    if (
      global.takesValue &&
      global.choices &&
      values[0] !== undefined &&
      !global.choices.includes(values[0])
    )
      parsed.problems.push(`--${name} ${values[0]} is not one of ${global.choices.join(', ')}`);
  }
  return parsed;
}

/** The text a value stands for: a file://'s recorded contents, else the value itself. */
function readValue(value: string, call: AwsInvocation, problems: string[]): string | undefined {
  if (value.startsWith('fileb://')) return value; // a blob, passed as bytes
  if (!value.startsWith('file://')) return value;
  const path = value.slice('file://'.length);
  const file = Object.values(call.files ?? {}).find((recorded) => recorded.path === path);
  if (!file || file.text === undefined) {
    problems.push(`${value}: the file was not recorded${file?.error ? ` (${file.error})` : ''}`);
    return undefined;
  }
  return file.text;
}

function parseJson(text: string, where: string, problems: string[]): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    problems.push(`${where}: invalid JSON (${(error as Error).message})`);
    return undefined;
  }
}

/** Shorthand strings converted by the shape, as the CLI's shorthand visitor does. */
function coerce(shape: Shape, value: ShorthandValue): unknown {
  switch (shape.type) {
    case 'structure':
      if (typeof value !== 'object' || Array.isArray(value)) return value;
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [
          key,
          shape.members[key] ? coerce(shape.members[key], item) : item,
        ]),
      );
    case 'list':
      return (Array.isArray(value) ? value : [value]).map((item) => coerce(shape.member, item));
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) return value;
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, coerce(shape.value, v)]));
    case 'number':
      return typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))
        ? Number(value)
        : value;
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    default:
      return value;
  }
}

/** A composite value written on the command line: JSON when it looks like JSON, else shorthand. */
function compositeValue(shape: Shape, text: string, where: string, problems: string[]): unknown {
  if (/^\s*[[{]/.test(text)) return parseJson(text, where, problems);
  try {
    return coerce(shape, parseShorthand(text));
  } catch (error) {
    if (!(error instanceof ShorthandError)) throw error;
    problems.push(`${where}: not valid shorthand syntax (${error.message})`);
    return undefined;
  }
}

/** Splits a list of scalars written as a,b,c (awscli's split_on_commas, without its rarities). */
function splitOnCommas(text: string): string[] {
  return text.split(/(?<!\\),/).map((part) => part.replaceAll('\\,', ','));
}

function scalarValue(shape: Shape, text: string, where: string, problems: string[]): unknown {
  if (shape.type === 'number') {
    if (text.trim() === '' || Number.isNaN(Number(text))) {
      problems.push(`${where}: ${JSON.stringify(text)} is not a number`);
      return undefined;
    }
    return Number(text);
  }
  if (shape.type === 'boolean') return coerce(shape, text);
  return text;
}

function optionValue(shape: Shape, texts: string[], where: string, problems: string[]): unknown {
  if (shape.type === 'list') {
    if (texts.length === 1 && /^\s*\[/.test(texts[0]!))
      return parseJson(texts[0]!, where, problems);
    const member = shape.member;
    const scalar = member.type !== 'structure' && member.type !== 'map' && member.type !== 'list';
    return texts
      .flatMap((text) => (scalar ? splitOnCommas(text) : [text]))
      .map((text, index) =>
        scalar
          ? scalarValue(member, text, `${where}[${index}]`, problems)
          : compositeValue(member, text, `${where}[${index}]`, problems),
      );
  }
  if (texts.length !== 1) {
    problems.push(`${where} takes one value, got ${texts.length}`);
    return undefined;
  }
  if (shape.type === 'structure' || shape.type === 'map')
    return compositeValue(shape, texts[0]!, where, problems);
  return scalarValue(shape, texts[0]!, where, problems);
}

const typeOf = (value: unknown) =>
  Array.isArray(value) ? 'list' : value === null ? 'null' : typeof value;

/** Checks a value against a shape, member by member, collecting every problem. */
export function checkValue(shape: Shape, value: unknown, where: string, problems: string[]): void {
  const wrong = (expected: string): void => {
    problems.push(`${where}: expected ${expected}, got ${typeOf(value)} ${JSON.stringify(value)}`);
  };
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return wrong(`a ${shape.name} structure`);
      const record = value as Record<string, unknown>;
      for (const [key, item] of Object.entries(record)) {
        const member = shape.members[key];
        if (!member) {
          const near = closest(key, Object.keys(shape.members));
          problems.push(
            `${where === '' ? '' : `${where}: `}unknown member ${JSON.stringify(key)} of ${shape.name}${near ? ` (did you mean "${near}"?)` : ''}`,
          );
        } else checkValue(member, item, where === '' ? key : `${where}.${key}`, problems);
      }
      for (const required of shape.required)
        if (record[required] === undefined)
          problems.push(
            `${where || shape.name}: the required member ${JSON.stringify(required)} of ${shape.name} is missing`,
          );
      return;
    }
    case 'list':
      if (!Array.isArray(value)) return wrong('a list');
      value.forEach((item, index) =>
        checkValue(shape.member, item, `${where}[${index}]`, problems),
      );
      return;
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        return wrong('a map');
      for (const [key, item] of Object.entries(value)) {
        checkValue(shape.key, key, `${where} key`, problems);
        checkValue(shape.value, item, `${where}.${key}`, problems);
      }
      return;
    case 'string':
      if (typeof value !== 'string') return wrong('a string');
      if (shape.enum && !shape.enum.includes(value))
        problems.push(`${where}: ${JSON.stringify(value)} is not one of ${shape.enum.join(', ')}`);
      return;
    case 'number':
      if (typeof value !== 'number') return wrong('a number');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') return wrong('a boolean');
      return;
    case 'timestamp':
      if (typeof value !== 'string' && typeof value !== 'number') return wrong('a timestamp');
      return;
    case 'blob':
      if (typeof value !== 'string') return wrong('a blob (base64 text)');
      return;
    case 'document':
      return;
  }
}

/** The operation's options by CLI name: member name and whether it is the --no- form of a flag. */
function operationOptions(service: ServiceName, operation: Operation) {
  const options = new Map<string, { member: string; negated: boolean }>();
  const renames = ARGUMENT_RENAMES[service] ?? {};
  const add = (name: string, member: string, negated: boolean) =>
    options.set(renames[name] ?? name, { member, negated });
  for (const [member, shape] of Object.entries(operation.input.members)) {
    add(cliName(member), member, false);
    if (shape.type === 'boolean') add(`no-${cliName(member)}`, member, true);
  }
  return options;
}

/** The violations of one invocation; empty when AWS's model accepts it. */
export function checkAwsInvocation(call: AwsInvocation): string[] {
  const parsed = parseArgv(call.argv);
  const problems = [...parsed.problems];
  const shown = `aws ${call.argv.join(' ')}`;
  const fail = (list: string[]) => list.map((problem) => `${shown}: ${problem}`);
  if (parsed.service === undefined && parsed.globals.has('version')) return fail(problems);
  if (parsed.service === undefined || parsed.command === undefined)
    return fail([...problems, 'no service and command']);
  if (!(serviceNames as string[]).includes(parsed.service))
    return fail([
      ...problems,
      `the service ${parsed.service} has no model here (${serviceNames.join(', ')})`,
    ]);
  const service = parsed.service as ServiceName;
  const model = serviceModel(service);

  const custom = CLI_COMMANDS[service]?.[parsed.command];
  if (custom) {
    if ('refused' in custom) return fail([...problems, custom.refused]);
    return fail([...problems, ...customProblems(custom, parsed, service)]);
  }

  const operation = Object.values(model.operations).find(
    (op) => cliName(op.name) === parsed.command,
  );
  if (!operation) {
    const near = closest(
      parsed.command,
      Object.values(model.operations).map((op) => cliName(op.name)),
    );
    return fail([
      ...problems,
      `${parsed.command} is no operation of ${service} in ${modelVersion(service)}${near ? ` (did you mean "${near}"?)` : ''}`,
    ]);
  }
  const options = operationOptions(service, operation);
  const input: Record<string, unknown> = {};
  for (const { name, values } of parsed.options) {
    if (name === 'cli-input-json') {
      const text = values.length === 1 ? readValue(values[0]!, call, problems) : undefined;
      if (values.length !== 1) problems.push('--cli-input-json takes one value');
      const document =
        text === undefined ? undefined : parseJson(text, '--cli-input-json', problems);
      if (document !== undefined) {
        const before = problems.length;
        checkValue({ ...operation.input, required: [] }, document, '', problems);
        for (let i = before; i < problems.length; i++)
          problems[i] = `--cli-input-json ${problems[i]}`;
        if (typeof document === 'object' && document !== null) Object.assign(input, document);
      }
      continue;
    }
    if (
      OPERATION_OPTIONS.includes(name) ||
      (operation.paginated && PAGINATION_OPTIONS.includes(name))
    )
      continue;
    const option = options.get(name);
    if (!option) {
      const near = closest(name, [...options.keys(), ...Object.keys(GLOBAL_OPTIONS)]);
      problems.push(
        `--${name} is no option of ${service} ${parsed.command} in ${modelVersion(service)}${near ? ` (did you mean "--${near}"?)` : ''}`,
      );
      continue;
    }
    const shape = operation.input.members[option.member]!;
    if (shape.type === 'boolean') {
      if (values.length > 0) problems.push(`--${name} is a flag and takes no value`);
      input[option.member] = !option.negated;
      continue;
    }
    const texts = values.map((value) => readValue(value, call, problems));
    if (values.length === 0) {
      problems.push(`--${name} needs a value`);
      continue;
    }
    if (texts.some((text) => text === undefined)) continue;
    const value = optionValue(shape, texts as string[], `--${name}`, problems);
    if (value === undefined) continue;
    const before = problems.length;
    checkValue(shape, value, option.member, problems);
    for (let i = before; i < problems.length; i++) problems[i] = `--${name}: ${problems[i]}`;
    input[option.member] = value;
  }
  for (const required of operation.input.required)
    if (input[required] === undefined)
      problems.push(`the required member ${required} (--${cliName(required)}) is missing`);
  return fail(problems);
}
