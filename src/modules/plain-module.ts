// Settings modules that are plain data, read without running them. Most project modules are an
// import of defineProject and one literal handed to it (what `carbon new` writes). Running such a
// module costs sucrase, the engine's compiler and its snapshot; reading its literal here costs a
// small part of that, on every module of a fresh clone (bench/RESULTS.md: a fleet of plain
// modules against its "helpers" twin, whose modules are code). The grammar is small on purpose: anything outside it (a spread, a helper, a template
// literal, a type, an escape this reader does not know) gives undefined, and the module runs in
// the realm as before. What this reader returns is what the realm gives after its snapshot: plain
// objects in the order written, -0 read as 0. test/modules/plain-module.test.ts holds the two to
// each other over the bench fleet, the sample, scaffolded modules and random modules.
import { positionAt, type PathSegment, type Position } from '../diagnostics.ts';
import { CARBON_SPECIFIERS } from './layout.ts';

/** Declines a module: thrown from anywhere in the reader, caught once at the top. */
const DECLINE = Symbol('not a plain module');

/**
 * The key the realm's snapshot marks values with (realm.ts; realm-bootstrap.ts keeps its own copy,
 * as it runs inside the realm and may use nothing from outside).
 */
export const SNAPSHOT_MARK = '\u0000carbon';

/**
 * The realm reads a line starting with `exports` as `export` (exports-const.ts), even inside a
 * comment, and reports it: such a module is the realm's.
 */
const EXPORTS_LINE = /^\s*exports\s/m;

/** Far below the realm's limits (64 levels, 2,000,000 values): a value near them runs there. */
const MAX_DEPTH = 32;
const MAX_NODES = 100_000;

/** Carbon's identity helpers (realm-bootstrap.ts): `defineProject(x)` is `x`. */
const DEFINE_HELPERS = new Set(['defineProject', 'defineConfig']);
/** What a settings module may import from 'carbon' without making this reader decline. */
const CARBON_EXPORTS = new Set([...DEFINE_HELPERS, 'env']);

/** Names a `const` cannot take: JavaScript's reserved words and the module wrapper's parameters. */
const UNBINDABLE = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends ' +
    'false finally for function if import in instanceof new null return super switch this throw ' +
    'true try typeof var void while with yield let static implements interface package private ' +
    'protected public await async eval arguments exports require module __filename __dirname ' +
    // sucrase's CommonJS starts with `Object.defineProperty(exports, "__esModule", ...)`.
    '__proto__ undefined Object'
  ).split(' '),
);

/**
 * A module's exports, by name in the order written, when the module is only imports from 'carbon',
 * `const` declarations and `export const` / `export default` of literals (objects, arrays,
 * strings, numbers, booleans, null, earlier constants holding one of those), each optionally
 * passed to defineProject or defineConfig. Undefined for anything else.
 */
export function readPlainModule(text: string): Record<string, unknown> | undefined {
  // The substring first: the regular expression would try every line of every module.
  if (text.includes('exports') && EXPORTS_LINE.test(text)) return undefined;
  try {
    return new PlainModule(text).read();
  } catch (thrown) {
    if (thrown === DECLINE) return undefined;
    throw thrown;
  }
}

/**
 * Where the members of an object or array literal were written, flat: for each member in the
 * order written, its key (or index), the offset of the key (or element), and the member's own
 * Written when it is an object or array. Kept while reading: a flat array a literal is several
 * times cheaper to keep than a map.
 */
type Written = unknown[];
/** Per exports object readPlainModule gave: where each export was declared, and its Written. */
const readings = new WeakMap<object, Map<string, [number, Written | undefined]>>();

/**
 * Where a settings path of an export is written, from what readPlainModule kept while reading
 * `exports` from `text`, as the outline (outline.ts) finds it: the name of an `export const`, the
 * `export` of `export default`, then down the path, the key of the last member of each name
 * written (its value counts) or the start of the element, as far as the path is written. The
 * realm locates the warnings of a module it has just read this way, with no second reading.
 * Undefined for an export the module does not have, or exports that are not a reading's.
 */
export function positionInRead(
  text: string,
  exports: Record<string, unknown>,
  exportName: string,
  path: readonly PathSegment[],
): Position | undefined {
  const declared = readings.get(exports)?.get(exportName);
  if (declared === undefined) return undefined;
  let [offset, written] = declared;
  for (const part of path) {
    let index = (written?.length ?? 0) - 3;
    while (index >= 0 && written![index] !== part) index -= 3;
    if (index < 0) break;
    offset = written![index + 1] as number;
    written = written![index + 2] as Written | undefined;
  }
  return positionAt(text, offset);
}

function decline(): never {
  throw DECLINE;
}

function isIdentifierStart(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || code === 95 || code === 36;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** A decimal number as JSON writes one; `0x1`, `1_000`, `.5` and `1.` are left to the realm. */
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const HEX4 = /^[0-9a-fA-F]{4}$/;
const LINE_BREAK = /[\n\r\u2028\u2029]/;
const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

class PlainModule {
  private readonly text: string;
  private at = 0;
  /** Objects and arrays read so far. */
  private nodes = 0;
  /** Whether the white space last skipped held a line break (a statement may end there). */
  private lineBreak = false;
  /** Every name the module declares or imports: a second declaration is the realm's to report. */
  private readonly bindings = new Set<string>();
  /** The define helpers imported, callable from then on. */
  private readonly helpers = new Set<string>();
  /** Constants holding a primitive, which later literals may name. */
  private readonly constants = new Map<string, unknown>();
  private readonly exports: Record<string, unknown> = {};
  /** Where each export was declared, and where its members were written (positionInRead). */
  private readonly declared = new Map<string, [number, Written | undefined]>();
  /** The Written of the object or array literal read last; undefined after any other value. */
  private finished: Written | undefined;

  constructor(text: string) {
    this.text = text;
  }

  read(): Record<string, unknown> {
    this.space();
    while (this.at < this.text.length) this.statement();
    readings.set(this.exports, this.declared);
    return this.exports;
  }

  private statement(): void {
    if (this.code() === 59) {
      this.at++;
      this.space();
      return;
    }
    const start = this.at;
    const word = this.word();
    if (word === 'import') this.importDeclaration();
    else if (word === 'const') this.constant(false);
    else if (word === 'export') {
      const next = this.word();
      if (next === 'const') this.constant(true);
      else if (next === 'default') this.export('default', this.initializer(), start);
      else decline();
    } else decline();
    this.endStatement();
  }

  /** `import { defineProject, type ProjectSettings } from 'carbon'`, or `import type { ... }`. */
  private importDeclaration(): void {
    let typesOnly = false;
    if (this.code() !== 123) {
      if (this.word() !== 'type') decline();
      typesOnly = true;
    }
    this.expect(123);
    const values: string[] = [];
    while (this.code() !== 125) {
      let name = this.word();
      let isType = typesOnly;
      if (name === 'type' && isIdentifierStart(this.code())) {
        name = this.word();
        isType = true;
      }
      if (this.bindings.has(name) || (!isType && !CARBON_EXPORTS.has(name))) decline();
      this.bindings.add(name);
      if (!isType) values.push(name);
      if (this.code() !== 44) break;
      this.at++;
      this.space();
    }
    this.expect(125);
    if (this.word() !== 'from' || !CARBON_SPECIFIERS.has(this.string())) decline();
    for (const name of values) if (DEFINE_HELPERS.has(name)) this.helpers.add(name);
  }

  /** `const name = initializer`, after `const`. */
  private constant(exported: boolean): void {
    const start = this.at;
    const name = this.word();
    if (UNBINDABLE.has(name) || this.bindings.has(name)) decline();
    this.expect(61);
    const value = this.initializer();
    this.bindings.add(name);
    this.constants.set(name, value);
    if (exported) this.export(name, value, start);
  }

  /** An export, declared at `offset`; its value's Written is the one finished last. */
  private export(name: string, value: unknown, offset: number): void {
    // sucrase defines `__esModule` on the exports itself, read-only.
    if (name === '__esModule' || Object.hasOwn(this.exports, name)) decline();
    this.exports[name] = value;
    this.declared.set(name, [offset, this.finished]);
  }

  /** A literal, or a literal handed to an imported define helper; finished is its Written. */
  private initializer(): unknown {
    this.finished = undefined;
    const start = this.at;
    if (isIdentifierStart(this.code())) {
      const name = this.word();
      if (this.helpers.has(name) && this.code() === 40) {
        this.at++;
        this.space();
        const value = this.literal(0);
        if (this.code() === 44) {
          this.at++;
          this.space();
        }
        this.expect(41);
        return value;
      }
      this.at = start;
    }
    return this.literal(0);
  }

  /** A statement ends at `;`, at a line break, or at the end of the module. */
  private endStatement(): void {
    if (this.code() === 59) {
      this.at++;
      this.space();
    } else if (!this.lineBreak && this.at < this.text.length) decline();
  }

  private literal(depth: number): unknown {
    const code = this.code();
    let value: unknown;
    if (code === 123) value = this.object(depth);
    else if (code === 91) value = this.array(depth);
    else if (code === 34 || code === 39) return this.string();
    else if (code === 45 || isDigit(code)) return this.number();
    else if (isIdentifierStart(code)) {
      const name = this.word();
      if (name === 'true') return true;
      if (name === 'false') return false;
      if (name === 'null') return null;
      if (!this.constants.has(name)) decline();
      // An object named twice would be one object here and two after the realm's snapshot.
      value = this.constants.get(name);
      if (typeof value === 'object' && value !== null) decline();
      return value;
    } else decline();
    this.space();
    return value;
  }

  private object(depth: number): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    const written: Written = [];
    this.items(depth, 125, () => {
      const start = this.at;
      const key = this.key();
      this.expect(58);
      this.finished = undefined;
      // Assignment keeps JavaScript's order for a key written twice: its first place, last value.
      object[key] = this.literal(depth + 1);
      written.push(key, start, this.finished);
    });
    this.finished = written;
    return object;
  }

  private array(depth: number): unknown[] {
    const array: unknown[] = [];
    const written: Written = [];
    this.items(depth, 93, () => {
      const start = this.at;
      this.finished = undefined;
      array.push(this.literal(depth + 1));
      written.push(array.length - 1, start, this.finished);
    });
    this.finished = written;
    return array;
  }

  /** The items of the object or array literal opened here, up to `close`; a trailing comma is fine. */
  private items(depth: number, close: number, item: () => void): void {
    if (depth > MAX_DEPTH || ++this.nodes > MAX_NODES) decline();
    this.at++;
    this.space();
    while (this.code() !== close) {
      item();
      if (this.code() !== 44) break;
      this.at++;
      this.space();
    }
    if (this.code() !== close) decline();
    this.at++;
  }

  /** A property name: a word or a string. `__proto__` would set the prototype instead. */
  private key(): string {
    const code = this.code();
    const key =
      code === 34 || code === 39
        ? this.string()
        : isIdentifierStart(code)
          ? this.word()
          : decline();
    // The realm's snapshot reserves its marker key (realm-bootstrap.ts) and reports it.
    if (key === '__proto__' || key === SNAPSHOT_MARK) decline();
    return key;
  }

  private string(): string {
    const text = this.text;
    const quote = this.code();
    if (quote !== 34 && quote !== 39) decline();
    let at = this.at + 1;
    let from = at;
    let value = '';
    for (;;) {
      const code = text.charCodeAt(at);
      if (code === quote) break;
      // The end of the module, or a line break a string may not hold.
      if (code !== code || code === 10 || code === 13) decline();
      if (code === 92) {
        value += text.slice(from, at);
        const escape = text[at + 1]!;
        if (escape === 'u') {
          const hex = text.slice(at + 2, at + 6);
          if (!HEX4.test(hex)) decline();
          value += String.fromCharCode(parseInt(hex, 16));
          at += 6;
        } else {
          const character = ESCAPES[escape];
          if (character === undefined) decline();
          value += character;
          at += 2;
        }
        from = at;
      } else at++;
    }
    value += text.slice(from, at);
    this.at = at + 1;
    this.space();
    return value;
  }

  private number(): number {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (!match) decline();
    this.at += match[0].length;
    const next = this.code();
    if (isIdentifierStart(next) || isDigit(next) || next === 46 || next === 92 || next > 127)
      decline();
    const value = Number(match[0]);
    if (!Number.isFinite(value)) decline();
    this.space();
    // The realm's snapshot is JSON, in which -0 is 0.
    return value === 0 ? 0 : value;
  }

  /** An ASCII identifier (names with other letters or escapes are left to the realm). */
  private word(): string {
    const text = this.text;
    const start = this.at;
    if (!isIdentifierStart(text.charCodeAt(start))) decline();
    let at = start + 1;
    for (;;) {
      const code = text.charCodeAt(at);
      if (isIdentifierStart(code) || isDigit(code)) at++;
      else if (code === 92 || code > 127) decline();
      else break;
    }
    this.at = at;
    this.space();
    return text.slice(start, at);
  }

  private expect(code: number): void {
    if (this.code() !== code) decline();
    this.at++;
    this.space();
  }

  private code(): number {
    return this.text.charCodeAt(this.at);
  }

  /** Spaces, tabs, line breaks and comments; any other white space is left to the realm. */
  private space(): void {
    const text = this.text;
    let at = this.at;
    let lineBreak = false;
    for (;;) {
      const code = text.charCodeAt(at);
      if (code === 32 || code === 9) at++;
      else if (code === 10 || code === 13) {
        lineBreak = true;
        at++;
      } else if (code === 47 && text.charCodeAt(at + 1) === 47) {
        at += 2;
        for (;;) {
          const inside = text.charCodeAt(at);
          if (inside !== inside || inside === 10 || inside === 13) break;
          if (inside === 0x2028 || inside === 0x2029) decline();
          at++;
        }
      } else if (code === 47 && text.charCodeAt(at + 1) === 42) {
        const end = text.indexOf('*/', at + 2);
        if (end < 0) decline();
        if (LINE_BREAK.test(text.slice(at + 2, end))) lineBreak = true;
        at = end + 2;
      } else break;
    }
    this.at = at;
    this.lineBreak = lineBreak;
  }
}
