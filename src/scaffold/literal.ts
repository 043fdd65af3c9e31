// A TypeScript object literal as the settings modules Carbon writes it: fields with the comment
// that says what each means, and optional fields written commented out, with an example, ready to
// be uncommented. The text is what prettier writes with the workspace style (single quotes, lines
// of at most 100 characters), so a formatter leaves a scaffolded module alone.
import { wrap } from '../wrap.ts';
import { commentOf, exampleText, type SettingsDocs } from './docs.ts';

export type Value =
  | string
  | number
  | boolean
  | { object: Field[] }
  | { array: Item[] }
  /** A TypeScript expression written as is. */
  | { code: string };

export interface Item {
  value: Value;
  /** Comment lines above it. */
  note?: string[];
  /** Written commented out: an example to uncomment. */
  commented?: boolean;
}

export interface Field extends Item {
  key: string;
  /** The settings field it is, `BuildSettings.branch`: its documentation is written above it, once per module. */
  doc?: string;
}

const WIDTH = 100;
const INDENT = '  ';

/** Writes literals, documenting each settings field the first time it appears. */
export class LiteralWriter {
  private readonly documented = new Set<string>();
  private readonly docs: SettingsDocs;
  private readonly live: boolean;
  /** `live`: write the examples uncommented, as a user who uncomments them all gets them. */
  constructor(docs: SettingsDocs, { live = false }: { live?: boolean } = {}) {
    this.docs = docs;
    this.live = live;
  }

  /** The lines of `value` at `indent`, the first one starting with `head` (`key: `). */
  value(value: Value, indent: string, head = ''): string[] {
    if (typeof value !== 'object') return [`${indent}${head}${scalar(value)}`];
    if ('code' in value) return [`${indent}${head}${value.code}`];
    if ('object' in value) {
      const inline = this.inline(value, indent, head);
      if (inline !== undefined) return [inline];
      const body = value.object.flatMap((field) => this.field(field, indent + INDENT));
      return [`${indent}${head}{`, ...body, `${indent}}`];
    }
    const inline = this.inline(value, indent, head);
    if (inline !== undefined) return [inline];
    const body = value.array.flatMap((item) => this.item(item, indent + INDENT, ''));
    return [`${indent}${head}[`, ...body, `${indent}]`];
  }

  /** A field with its documentation and note above it, commented out when it is an example. */
  field(field: Field, indent: string): string[] {
    const docLines: string[] = [];
    if (field.doc !== undefined && !this.documented.has(field.doc)) {
      const doc = this.docs.get(field.doc);
      if (!doc) throw new Error(`scaffold: no documentation for ${field.doc} in types.ts`);
      this.documented.add(field.doc);
      docLines.push(...comment(commentOf(doc), indent));
    }
    return [...docLines, ...this.item(field, indent, `${key(field.key)}: `)];
  }

  private item(item: Item, indent: string, head: string): string[] {
    const note = (item.note ?? []).flatMap((text) => comment(text, indent));
    const lines = this.value(item.value, indent, head);
    lines[lines.length - 1] += ',';
    if (!item.commented || this.live) return [...note, ...lines];
    return [...note, ...lines.map((line) => `${indent}// ${line.slice(indent.length)}`)];
  }

  /**
   * `{ a: 'x', b: 'y' }` or `['x']` on one line, when every part is a plain value, nothing is
   * commented and the line fits: prettier joins such literals itself.
   */
  private inline(value: { object: Field[] } | { array: Item[] }, indent: string, head: string) {
    const parts = 'object' in value ? value.object : value.array;
    if (parts.some((part) => part.note || (part.commented && !this.live))) return undefined;
    if ('object' in value && value.object.some((f) => f.doc && !this.documented.has(f.doc)))
      return undefined;
    const texts: string[] = [];
    for (const part of parts) {
      const lines = this.value(part.value, '', 'key' in part ? `${key(part.key as string)}: ` : '');
      if (lines.length !== 1) return undefined;
      texts.push(lines[0]!);
    }
    const text =
      'object' in value
        ? texts.length === 0
          ? '{}'
          : `{ ${texts.join(', ')} }`
        : `[${texts.join(', ')}]`;
    const line = `${indent}${head}${text}`;
    // The comma that follows it counts too.
    return line.length + 1 <= WIDTH ? line : undefined;
  }
}

/** A field written commented out, with `value` as its example. */
export function commented(key: string, doc: string, value: Value): Field {
  return { key, doc, value, commented: true };
}

/** A field written commented out with the example types.ts gives (see exampleText). */
export function example(docs: SettingsDocs, key: string, doc: string): Field {
  return commented(key, doc, { code: exampleText(docs, doc) });
}

/** `// ` lines of `text`, wrapped to the width. */
export function comment(text: string, indent: string): string[] {
  return wrap(text, WIDTH - indent.length - 3).map((line) => `${indent}// ${line}`);
}

/** A string as prettier writes it with single quotes. */
export function scalar(value: string | number | boolean): string {
  if (typeof value !== 'string') return String(value);
  const single = value.split("'").length - 1;
  const double = value.split('"').length - 1;
  const json = JSON.stringify(value);
  if (single > double) return json;
  return `'${json.slice(1, -1).replace(/\\"/g, '"').replace(/'/g, "\\'")}'`;
}

/** A property key: bare when it is an identifier, quoted otherwise. */
function key(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : scalar(name);
}
