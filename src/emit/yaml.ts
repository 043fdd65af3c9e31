// render: deterministic YAML text for plain data, written the way prettier writes YAML, so that
// generated files pass `prettier --check` without running prettier on each of them. Keys keep
// the order the emitter built them in; there are no anchors, aliases or flow collections (but the
// empty `[]` and `{}`); multi-line strings become literal blocks.

import { rememberedByText } from '../memo.ts';

export type YamlValue =
  string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

/**
 * YAML text of `value`, after `#` comment lines for each line of `header`. A header line with a
 * line break (of YAML 1.2 or 1.1: LF, CR, NEL, LS, PS) is refused: a reader would take what follows
 * it for data, and every input of a header is escaped (headerText) or checked before it gets here.
 */
export function renderYaml(value: YamlValue, header: readonly string[] = []): string {
  for (const line of header)
    if (/[\n\r\u0085\u2028\u2029]/.test(line))
      throw new Error(`renderYaml: a header line has a line break: ${JSON.stringify(line)}`);
  const lines: string[] = header.map((line) => (line === '' ? '#' : `# ${line}`));
  if (header.length > 0) lines.push('');
  if (isMap(value)) writeMap(value, 0, lines);
  else if (Array.isArray(value)) writeList(value, 0, lines);
  else lines.push(scalar(value));
  return `${lines.join('\n')}\n`;
}

/** Whether a value is a mapping (not a list, not null). */
export function isMap(value: YamlValue | undefined): value is { [key: string]: YamlValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const PAD: string[] = [];
function pad(indent: number): string {
  return (PAD[indent] ??= ' '.repeat(indent));
}

function writeMap(map: { [key: string]: YamlValue }, indent: number, lines: string[]): void {
  for (const key of Object.keys(map)) {
    const value = map[key]!;
    const head = `${pad(indent)}${plainOrQuoted(key)}:`;
    if (isMap(value)) {
      if (Object.keys(value).length === 0) {
        lines.push(`${head} {}`);
      } else {
        lines.push(head);
        writeMap(value, indent + 2, lines);
      }
    } else if (Array.isArray(value)) {
      const flow = flowSequence(value);
      if (flow !== undefined && head.length + 1 + flow.length <= FLOW_WIDTH) {
        lines.push(`${head} ${flow}`);
      } else {
        lines.push(head);
        writeList(value, indent + 2, lines);
      }
    } else if (typeof value === 'string' && value.includes('\n')) {
      lines.push(`${head} ${blockIndicator(value)}`);
      literalBlock(value, indent + 2, lines);
    } else {
      lines.push(`${head} ${scalar(value)}`);
    }
  }
}

/**
 * Short lists of scalars read best on one line, `[a, b]`, as CircleCI's documentation writes
 * `equal: [...]`. The width stays under prettier's smallest usual print width, so prettier keeps
 * the line as it is rather than breaking it.
 */
const FLOW_WIDTH = 80;

function flowSequence(list: YamlValue[]): string | undefined {
  if (list.length === 0) return '[]';
  const items: string[] = [];
  for (const item of list) {
    if (typeof item === 'object' && item !== null) return undefined;
    if (typeof item === 'string' && (/[,[\]{}\n]/.test(item) || item.includes(': ')))
      return undefined;
    items.push(scalar(item));
  }
  return `[${items.join(', ')}]`;
}

function writeList(list: YamlValue[], indent: number, lines: string[]): void {
  for (const item of list) {
    const dash = `${pad(indent)}- `;
    if ((isMap(item) && Object.keys(item).length > 0) || (Array.isArray(item) && item.length > 0)) {
      // `- key: value` with the rest of the block aligned under the first key.
      const first = lines.length;
      if (isMap(item)) writeMap(item, indent + 2, lines);
      else writeList(item as YamlValue[], indent + 2, lines);
      lines[first] = dash + lines[first]!.slice(indent + 2);
    } else if (typeof item === 'string' && item.includes('\n')) {
      lines.push(`${dash}${blockIndicator(item)}`);
      literalBlock(item, indent + 2, lines);
    } else {
      lines.push(`${dash}${isMap(item) ? '{}' : Array.isArray(item) ? '[]' : scalar(item)}`);
    }
  }
}

/** `|`, `|-` or `|+` (keep, clip, strip), with an indentation indicator when the text starts with a space. */
function blockIndicator(text: string): string {
  const indentation = /^[ \n]/.test(text) ? '2' : '';
  const chomping = !text.endsWith('\n') ? '-' : text.endsWith('\n\n') ? '+' : '';
  return `|${indentation}${chomping}`;
}

function literalBlock(text: string, indent: number, lines: string[]): void {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  for (const line of body.split('\n')) lines.push(line === '' ? '' : `${pad(indent)}${line}`);
}

function scalar(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return plainOrQuoted(value);
}

// Strings a YAML 1.1 or 1.2 reader would take for something else, or that a plain scalar cannot
// hold: those are quoted.
const SPECIAL_WORDS =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
const NUMBER_LIKE =
  /^[-+]?(?:\.?[0-9][0-9_]*(?:[.:][0-9_]*)*(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF|nan|NaN|NAN)|0x[0-9a-fA-F_]+|0o[0-7_]+|0b[01_]+)$/;
const FIRST_CHARACTER_INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;

/**
 * How each string is written, remembered: the same keys and values (`carbon/CarbonBuild`,
 * `develop`, URLs) recur in every config of a fleet, and deciding costs a dozen regular expressions.
 */
const plainOrQuoted = rememberedByText(decidePlainOrQuoted, 100_000);

function decidePlainOrQuoted(text: string): string {
  if (
    text === '' ||
    SPECIAL_WORDS.test(text) ||
    NUMBER_LIKE.test(text) ||
    /^\d{4}-\d\d-\d\d/.test(text) ||
    (FIRST_CHARACTER_INDICATOR.test(text) && !/^[-?:][^\s]/.test(text)) ||
    /^[?:-]$/.test(text) ||
    text.startsWith(' ') ||
    text.endsWith(' ') ||
    text.endsWith(':') ||
    text.includes(': ') ||
    text.includes(' #') ||
    /[\u0000-\u001f\u007f]/.test(text)
  ) {
    return quoted(text);
  }
  // `- x` or `-x` as a value starting with a dash followed by a space is a sequence; `-x` is fine.
  if (/^[-?:] /.test(text)) return quoted(text);
  return text;
}

/** Prettier's choice: single quotes, unless the text holds more single than double quotes. */
function quoted(text: string): string {
  const singles = text.split("'").length - 1;
  const doubles = text.split('"').length - 1;
  if (singles > doubles || /[\u0000-\u001f\u007f]/.test(text)) return JSON.stringify(text);
  return `'${text.replaceAll("'", "''")}'`;
}
