// Command-line arguments: each command declares its options, and anything else is refused in
// Carbon's own words, with the closest option suggested and the command's help named.
import { UserError } from '../errors.ts';
import { closest } from '../suggest.ts';
import { wrap } from '../wrap.ts';

export interface OptionSpec {
  name: string;
  short?: string;
  /** A flag, or an option that takes a value (`--root DIR`, `--root=DIR`). */
  type: 'boolean' | 'string';
  /** Repeatable: the values are collected in order. */
  multiple?: boolean;
  /** How the value is shown in help: `DIR`, `K=V`. */
  value?: string;
  description: string;
}

export type ParsedOptions = Record<string, string | boolean | string[] | undefined>;

interface ParsedArgs {
  options: ParsedOptions;
  positionals: string[];
}

/**
 * Parses `args` against `specs`. `command` names the command in messages (`carbon generate`).
 * Everything after `--` is positional.
 */
export function parseArgs(
  args: string[],
  specs: OptionSpec[],
  command: string,
  /** Options of other commands, by name: an option given to the wrong command says whose it is. */
  elsewhere: Map<string, string[]> = new Map(),
): ParsedArgs {
  const options: ParsedOptions = {};
  const positionals: string[] = [];
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const byShort = new Map(specs.filter((s) => s.short).map((spec) => [spec.short!, spec]));
  const help = `see \`${command} --help\``;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') {
      positionals.push(...args.slice(index + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const [key, inline] = long ? splitInline(arg.slice(2)) : [arg.slice(1), undefined];
    const spec = long ? byName.get(key) : byShort.get(key);
    if (!spec) {
      const owners = long ? elsewhere.get(key) : undefined;
      if (owners)
        throw new UserError(
          `--${key} is an option of ${owners.map((owner) => `\`carbon ${owner}\``).join(' and ')} only: ${help}`,
        );
      const guess = closest(long ? key : arg, [...byName.keys()]);
      const suggestion = guess === undefined ? '' : ` (did you mean --${guess}?)`;
      throw new UserError(`${command} has no option ${arg.split('=')[0]}${suggestion}: ${help}`);
    }
    let value: string | boolean;
    if (spec.type === 'boolean') {
      if (inline !== undefined)
        throw new UserError(`--${spec.name} takes no value (got "${inline}"): ${help}`);
      value = true;
    } else if (inline !== undefined) {
      value = inline;
    } else {
      const next = args[index + 1];
      if (next === undefined || (next.startsWith('-') && next !== '-'))
        throw new UserError(
          `--${spec.name} needs a value: --${spec.name} ${spec.value ?? 'VALUE'}`,
        );
      value = next;
      index++;
    }
    if (spec.multiple) {
      const list = (options[spec.name] as string[] | undefined) ?? [];
      list.push(value as string);
      options[spec.name] = list;
    } else if (options[spec.name] !== undefined && spec.type === 'string') {
      throw new UserError(`--${spec.name} is given twice: ${help}`);
    } else {
      options[spec.name] = value;
    }
  }
  return { options, positionals };
}

function splitInline(text: string): [string, string | undefined] {
  const equals = text.indexOf('=');
  return equals < 0 ? [text, undefined] : [text.slice(0, equals), text.slice(equals + 1)];
}

/** The options block of a help text, aligned. */
export function formatOptions(specs: OptionSpec[]): string {
  const heads = specs.map((spec) => {
    const name = `--${spec.name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
    return spec.short ? `-${spec.short}, ${name}` : `    ${name}`;
  });
  const width = Math.max(...heads.map((head) => head.length)) + 2;
  return specs
    .map((spec, index) => {
      const lines = wrap(spec.description, 96 - width - 2);
      return [
        `  ${heads[index]!.padEnd(width)}${lines[0]}`,
        ...lines.slice(1).map((line) => `  ${' '.repeat(width)}${line}`),
      ].join('\n');
    })
    .join('\n');
}
