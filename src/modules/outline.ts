// The outline of a settings module, enough to turn a diagnostic's settings path into a line and
// column: its top-level declarations and exports, and the object and array literals of their
// values, from the module's tokens (tokens.ts). A TypeScript project (ts-morph), which locate
// used before, takes longer to load than a whole uncached check of a small workspace runs; this
// reads a module in one pass (bench/RESULTS.md, "warnings added").
import { positionAt, type PathSegment, type Position } from '../diagnostics.ts';
import { fixExportsConst } from './exports-const.ts';
import { valueTokens, type Token } from './tokens.ts';

/** A declaration or export: where to point, and the token its value starts at (if it has one). */
interface Declared {
  marker: number;
  value?: number;
  /** Point where the marker's text starts, type assertion included (an element `<T>{...}`). */
  fromTypes?: boolean;
}

const DEFINE = /^(?:\w+\.)?define(?:Project|Config)$/;
const OPENERS = new Set(['{', '[', '(', '${']);
const DECLARES = new Set(['const', 'let', 'var']);
/** Words that begin a statement: a line that starts with one ends the value above it. */
const STATEMENTS = new Set(['export', 'const', 'let', 'var', 'import', 'function', 'class']);
const CLOSERS = new Set(['}', ']', ')']);

export class Outline {
  private readonly text: string;
  /** The tokens of the values, without the types. */
  private readonly tokens: Token[];
  /** Where the text of each token starts, with the type tokens just before it (`<T>x`). */
  private readonly from: number[];
  /** For each opening bracket (`{`, `[`, `(`, `${`), the index of the token that closes it; 0 for other tokens. */
  private readonly closing: Int32Array;

  /** Top-level `const`, `let` and `var` declarations, first one first. */
  private readonly variables = new Map<string, Declared>();
  private readonly exported = new Map<string, Declared>();

  static of(text: string): Outline {
    // Read as the realm reads it: `exports const` as `export const`, columns unchanged.
    const source = fixExportsConst(text, () => {});
    const { tokens, from } = valueTokens(source);
    return new Outline(source, tokens, from);
  }

  private constructor(text: string, tokens: Token[], from: number[]) {
    this.text = text;
    this.tokens = tokens;
    this.from = from;
    this.closing = new Int32Array(tokens.length);
    const open: number[] = [];
    for (let index = 0; index < tokens.length; index++) {
      const kind = tokens[index]!.kind;
      if (OPENERS.has(kind)) open.push(index);
      else if (CLOSERS.has(kind)) {
        const opener = open.pop();
        if (opener !== undefined) this.closing[opener] = index;
      }
    }
    this.readTopLevel();
  }

  /**
   * Where the deepest part of `path` that can be followed in the source is, starting from the
   * export; line 1, column 1 when the export is not found. Follows what does not change a value:
   * parentheses, `as`, `satisfies`, `!`, `defineProject(...)` and the names of same-file consts.
   */
  locate(exportName: string, path: PathSegment[]): Position {
    const found = this.findExport(exportName);
    if (!found) return { line: 1, column: 1 };
    let marker: Declared = found;
    let value = found.value;
    for (const segment of path) {
      const literal = value === undefined ? undefined : this.unwrap(value);
      if (literal === undefined) break;
      const next =
        typeof segment === 'string' && this.is(literal, '{')
          ? this.property(literal, segment)
          : typeof segment === 'number' && this.is(literal, '[')
            ? this.element(literal, segment)
            : undefined;
      if (!next) break;
      marker = next;
      value = next.value;
    }
    return positionAt(
      this.text,
      marker.fromTypes ? this.from[marker.marker]! : this.tokens[marker.marker]!.start,
    );
  }

  private is(index: number, ...kinds: string[]): boolean {
    const kind = this.tokens[index]?.kind;
    return kind !== undefined && kinds.includes(kind);
  }

  /** The word a name token is, or '' for any other token. */
  private word(index: number): string {
    return this.is(index, 'name') ? this.textOf(index) : '';
  }

  private textOf(index: number): string {
    const token = this.tokens[index]!;
    return this.text.slice(token.start, token.end);
  }

  /** The index after a token, jumping over the whole bracketed group it opens. */
  private after(index: number): number {
    return (this.closing[index] || index) + 1;
  }

  /** The top-level parts between `from` and `to` (exclusive), split at commas: [start, end) pairs. */
  private parts(from: number, to: number): [number, number][] {
    const parts: [number, number][] = [];
    let start = from;
    for (let index = from; index < to; index = this.after(index)) {
      if (!this.is(index, ',')) continue;
      parts.push([start, index]);
      start = index + 1;
    }
    if (start < to) parts.push([start, to]);
    return parts;
  }

  /** The `{` or `[` a value comes down to, or undefined when it is something else. */
  private unwrap(start: number): number | undefined {
    let index = start;
    for (let depth = 0; depth < 20; depth++) {
      if (this.is(index, '{', '[')) return index;
      if (this.is(index, '(')) {
        // `(...) =>` is a function, not a parenthesized value.
        if (this.is(this.after(index), '=>')) return undefined;
        index++;
        continue;
      }
      if (!this.is(index, 'name')) return undefined;
      let callee = index;
      if (this.is(index + 1, '.') && this.is(index + 2, 'name')) callee = index + 2;
      const name = this.text.slice(this.tokens[index]!.start, this.tokens[callee]!.end);
      if (this.is(callee + 1, '(')) {
        if (!DEFINE.test(name) || this.is(callee + 2, ')')) return undefined;
        index = callee + 2;
        continue;
      }
      if (callee !== index || !this.endsValue(index + 1, index)) return undefined;
      const definition = this.variables.get(name)?.value;
      if (definition === undefined) return undefined;
      index = definition;
    }
    return undefined;
  }

  /** Whether the value that began before `index` ends there (a name alone is a reference). */
  private endsValue(index: number, previous: number): boolean {
    if (index >= this.tokens.length) return true;
    if (this.is(index, ',', ';', '}', ']', ')')) return true;
    // A statement that ends with its line (no semicolon).
    return this.text.slice(this.tokens[previous]!.end, this.tokens[index]!.start).includes('\n');
  }

  /** A property of the object literal opened at `open`: its name, and its value unless shorthand. */
  private property(open: number, name: string): Declared | undefined {
    let found: Declared | undefined;
    // The last property of that name: it is the one whose value counts.
    for (const [start, end] of this.parts(open + 1, this.closing[open] || open)) {
      const key = this.keyOf(start);
      if (!key || key.name !== name) continue;
      if (key.next === end) {
        const value = this.is(start, 'name') ? this.variables.get(name)?.value : undefined;
        found = { marker: start, ...(value === undefined ? {} : { value }) };
      } else if (this.is(key.next, ':')) found = { marker: start, value: key.next + 1 };
    }
    return found;
  }

  /** The name a property is written with, and the token after it; none for `...` and computed names that are not strings. */
  private keyOf(start: number): { name: string; next: number } | undefined {
    if (this.is(start, 'name', 'number') || this.isKeyword(start))
      return { name: this.textOf(start), next: start + 1 };
    if (this.is(start, 'string')) return { name: stringValue(this.textOf(start)), next: start + 1 };
    if (this.is(start, '[') && this.is(start + 1, 'string') && this.is(start + 2, ']'))
      return { name: stringValue(this.textOf(start + 1)), next: start + 3 };
    return undefined;
  }

  /** A keyword written as a property name (`default:`, `new:`): a word, not punctuation. */
  private isKeyword(index: number): boolean {
    const token = this.tokens[index];
    return token !== undefined && /^[A-Za-z_$][\w$]*$/.test(this.textOf(index));
  }

  /** An element of the array literal opened at `open`; none after a spread, where indexes shift. */
  private element(open: number, position: number): Declared | undefined {
    const parts = this.parts(open + 1, this.closing[open] || open);
    for (let index = 0; index <= position; index++) {
      const part = parts[index];
      if (!part || part[0] === part[1] || this.is(part[0], '...')) return undefined;
    }
    const start = parts[position]![0];
    return { marker: start, value: start, fromTypes: true };
  }

  private findExport(name: string): Declared | undefined {
    return this.exported.get(name) ?? this.variables.get(name);
  }

  /** Reads the top-level statements: declarations, `export default`, `export { a as b }`. */
  private readTopLevel(): void {
    const specifiers: number[] = [];
    for (let index = 0; index < this.tokens.length; index = this.after(index)) {
      const exported = this.word(index) === 'export';
      const at = exported ? index + 1 : index;
      if (exported && this.word(at) === 'default') {
        if (!this.exported.has('default'))
          this.exported.set('default', { marker: index, value: at + 1 });
      } else if (DECLARES.has(this.word(at))) {
        index = this.readDeclarators(at + 1, exported) - 1;
      } else if (exported && this.is(at, '{')) {
        specifiers.push(at);
      } else if (exported) {
        // `export function f`, `export async function f`, `export function* f`, `export class C`.
        let name = at;
        if (this.is(name, 'name') && this.textOf(name) === 'async') name++;
        if (this.word(name) !== 'function' && this.word(name) !== 'class') continue;
        name++;
        if (this.is(name, 'op') && this.textOf(name) === '*') name++;
        if (this.is(name, 'name') && !this.exported.has(this.textOf(name)))
          this.exported.set(this.textOf(name), { marker: name });
      }
    }
    // After every declaration is known: `export { a }` may come before `const a`.
    for (const open of specifiers) this.readSpecifiers(open);
  }

  /** `a = ..., b = ...` after `const`; returns where the statement ends. */
  private readDeclarators(start: number, exported: boolean): number {
    let index = start;
    for (;;) {
      if (!this.is(index, 'name')) return index;
      const name = this.textOf(index);
      const equals = this.afterAnnotation(index + 1);
      const declared: Declared = this.is(equals, '=')
        ? { marker: index, value: equals + 1 }
        : { marker: index };
      if (!this.variables.has(name)) this.variables.set(name, declared);
      if (exported && !this.exported.has(name)) this.exported.set(name, declared);
      // The value runs to a comma (another declarator), a semicolon or a new statement.
      let end = declared.value ?? index + 1;
      let previous = end;
      while (end < this.tokens.length && !this.is(end, ',', ';')) {
        if (end > (declared.value ?? index) && this.startsStatement(end, previous)) return end;
        previous = end;
        end = this.after(end);
      }
      if (!this.is(end, ',')) return end;
      index = end + 1;
    }
  }

  /** The token after a declaration's type annotation (`: Record<string, T>`), if it has one. */
  private afterAnnotation(index: number): number {
    if (!this.is(index, ':')) return index;
    let angles = 0;
    for (let at = index + 1; at < this.tokens.length; at = this.after(at)) {
      if (angles === 0 && this.is(at, '=', ',', ';')) return at;
      if (this.is(at, '<')) angles++;
      else if (this.is(at, '>')) angles--;
    }
    return this.tokens.length;
  }

  private startsStatement(index: number, previous: number): boolean {
    return (
      STATEMENTS.has(this.word(index)) &&
      this.text.slice(this.tokens[previous]!.end, this.tokens[index]!.start).includes('\n')
    );
  }

  /** `export { local as name, other }`: each name points at its local declaration. */
  private readSpecifiers(open: number): void {
    const close = this.closing[open] || open;
    // `export { x } from './y'` has no local declaration: it points at the name in the braces.
    for (const [start, end] of this.parts(open + 1, close)) {
      if (!this.is(start, 'name')) continue;
      const local = this.textOf(start);
      const alias = end - start >= 3 ? this.textOf(end - 1) : local;
      if (this.exported.has(alias)) continue;
      const declaration = this.variables.get(local);
      this.exported.set(alias, declaration ?? { marker: start });
    }
  }
}

/** The value of a string literal as written in the source. */
function stringValue(literal: string): string {
  const body = literal.slice(1, -1);
  if (!body.includes('\\')) return body;
  try {
    return JSON.parse(`"${body.replace(/\\'/g, "'").replace(/(^|[^\\])"/g, '$1\\"')}"`) as string;
  } catch {
    return body;
  }
}
