// Command-line arguments: each command declares its options, and anything else is refused in
// Carbon's own words, with the closest option suggested and the command's help named. Node's
// parseArgs splits the arguments (leniently: its strict errors are Node's words, not Carbon's);
// every option it found is then checked against the command's specs here.
import { parseArgs as tokenize } from 'node:util';
import { UserError } from '../errors.ts';
import { closest } from '../suggest.ts';
import { wrap } from '../wrap.ts';

export interface OptionSpec {
  /** A flag, or an option that takes a value (`--root DIR`, `--root=DIR`). */
  type: 'boolean' | 'string';
  short?: string;
  /** Repeatable: the values are collected in order. */
  multiple?: boolean;
  /** How the value is shown in help: `DIR`, `K=V`. */
  value?: string;
  description: string;
}

/** A command's options by name, in the order its help lists them: `util.parseArgs`'s shape. */
export type Options = { readonly [name: string]: OptionSpec };

/** What each option parses to, typed from its spec; undefined when it is not given. */
export type Values<O extends Options> = {
  [Name in keyof O]:
    | (O[Name]['type'] extends 'boolean'
        ? true
        : O[Name]['multiple'] extends true
          ? string[]
          : string)
    | undefined;
};

/**
 * Parses `args` against `specs`. `command` names the command in messages (`carbon generate`).
 * Everything after `--` is positional.
 */
export function parseArgs<const O extends Options>(
  args: string[],
  specs: O,
  command: string,
  /** Options of other commands, by name: an option given to the wrong command says whose it is. */
  elsewhere: Map<string, string[]> = new Map(),
): { options: Values<O>; positionals: string[] } {
  const { values, positionals, tokens } = tokenize({
    args,
    options: specs,
    strict: false,
    tokens: true,
  });
  const help = `see \`${command} --help\``;
  const seen = new Set<string>();
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const { name, value } = token;
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined;
    if (!spec) {
      const long = token.rawName.startsWith('--');
      // A group of short options (`-xyz`) is named as written, not by its first letter.
      const written = long ? token.rawName : args[token.index]!.split('=')[0]!;
      const owners = long ? elsewhere.get(name) : undefined;
      if (owners)
        throw new UserError(
          `--${name} is an option of ${owners.map((owner) => `\`carbon ${owner}\``).join(' and ')} only: ${help}`,
        );
      const guess = closest(long ? name : written, Object.keys(specs));
      const suggestion = guess === undefined ? '' : ` (did you mean --${guess}?)`;
      throw new UserError(`${command} has no option ${written}${suggestion}: ${help}`);
    }
    if (spec.type === 'boolean') {
      if (value !== undefined)
        throw new UserError(`--${name} takes no value (got "${value}"): ${help}`);
      continue;
    }
    // parseArgs takes the next argument as the value even when it is an option.
    if (value === undefined || (!token.inlineValue && value.startsWith('-') && value !== '-'))
      throw new UserError(`--${name} needs a value: --${name} ${spec.value ?? 'VALUE'}`);
    if (seen.has(name) && !spec.multiple) throw new UserError(`--${name} is given twice: ${help}`);
    seen.add(name);
  }
  // Every option found was checked above against its spec: each value is of its spec's type.
  const checked: { readonly [name: string]: unknown } = values;
  return { options: checked as Values<O>, positionals };
}

/** The options block of a help text, aligned. */
export function formatOptions(specs: Options): string {
  const entries = Object.entries(specs);
  const heads = entries.map(([name, spec]) => {
    const head = `--${name}${spec.type === 'string' ? ` ${spec.value ?? 'VALUE'}` : ''}`;
    return spec.short ? `-${spec.short}, ${head}` : `    ${head}`;
  });
  const width = Math.max(...heads.map((head) => head.length)) + 2;
  return entries
    .map(([, spec], index) => {
      const lines = wrap(spec.description, 96 - width - 2);
      return [
        `  ${heads[index]!.padEnd(width)}${lines[0]}`,
        ...lines.slice(1).map((line) => `  ${' '.repeat(width)}${line}`),
      ].join('\n');
    })
    .join('\n');
}
