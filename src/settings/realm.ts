// The settings realm: settings modules run in a vm context of their own (their own intrinsics,
// frozen; no `process`, no Node built-ins, no packages, no clock), import only `carbon` and other
// settings files by relative paths inside the workspace, and are stopped after a time limit.
// Everything they read is recorded as it is read: the bytes of every file, every path looked at
// while resolving an import (also those that did not exist), and every environment variable read
// through `env()`. Those records are what lets a cached answer be trusted (cache.ts).
import { realpathSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, extname, relative, resolve, sep } from 'node:path';
import { compileFunction, createContext, runInContext, type Context } from 'node:vm';
import type { PathSegment, Position } from '../diagnostics.ts';
import { fixExportsConst } from './exports-const.ts';
import { CARBON_SPECIFIERS } from './layout.ts';
import {
  SNAPSHOT_MARK,
  locateInPlainModule,
  positionInRead,
  readPlainModule,
} from './plain-module.ts';
import { realmBootstrap, type RealmHost } from './realm-bootstrap.ts';
import { SettingsFiles, type Inputs } from './inputs.ts';
import type { Transpiler } from './transpile.ts';

export type { Inputs } from './inputs.ts';

const CODE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];
const MODULE_PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname'];

export type EvaluationFailure =
  | { kind: 'syntax'; file: string; message: string; position: Position }
  | { kind: 'threw'; file: string; message: string; position?: Position }
  | { kind: 'timeout'; file: string; message: string }
  | { kind: 'unreadable'; file: string; message: string; position?: Position }
  | { kind: 'changed'; file: string; message: string };

export interface ValueProblem {
  export: string;
  path: (string | number)[];
  message: string;
}

export interface ConsoleLine {
  level: string;
  /** Workspace-relative path of the module that wrote it. */
  file: string;
  text: string;
}

export interface ModuleEvaluation {
  /** The exported values as plain data, when the module ran to the end. */
  exports?: Record<string, unknown>;
  /** Values that could not be read: a getter that threw, a cycle, nesting too deep... */
  problems: ValueProblem[];
  console: ConsoleLine[];
  failure?: EvaluationFailure;
  /** `exports const` lines found (reported, then read as `export const`). */
  exportsConstFixes: { file: string; position: Position }[];
}

export interface RealmOptions {
  root: string;
  transpiler: Transpiler;
  /** Values of the environment variables carbon.config.ts declares (null: unset). */
  env: Record<string, string | null>;
  /**
   * Milliseconds a module (with everything it imports) may run; undefined when the caller watches
   * the time itself (a worker thread, stopped from outside: cheaper than a vm timeout per module).
   */
  timeoutMs: number | undefined;
  /**
   * Whether modules of plain data are read without running them (plain-module.ts); false runs
   * every module in the realm, as the tests that hold the two to each other need.
   */
  readsPlainModules?: boolean;
  /**
   * false: a module that is not plain data is not run but reported, for a runner on Carbon's own
   * thread, which has no memory limit of its own (runner.ts runs there only plain modules).
   */
  runsCode?: boolean;
}

export class SettingsRealm {
  /** Made on first need: a run of plain modules never needs one (5 ms). */
  private context: Context | undefined;
  /** The realm's own evaluate, called directly when no vm time limit applies. */
  private evaluateInRealm!: (file: string) => string;
  private readonly root: string;
  private readonly realRoot: string;
  private readonly files: SettingsFiles;
  private readonly transpiler: Transpiler;
  private readonly timeoutMs: number | undefined;
  private readonly readsPlainModules: boolean;
  private readonly runsCode: boolean;
  private env: Record<string, string | null>;
  private readonly compiled = new Map<string, unknown>();
  /** Files read as plain data (their text is read once per run: SettingsFiles). */
  private readonly plainFiles = new Set<string>();
  /** The module of plain data read last, and its exports as read (positionIn). */
  private lastPlain: { file: string; exports: Record<string, unknown> } | undefined;
  private readonly texts = new Map<string, { source: string; code: string }>();
  private inputs: Inputs = emptyInputs();
  /** `exports const` lines of every module compiled, by workspace-relative path. */
  private readonly fixes = new Map<string, Position[]>();

  constructor(options: RealmOptions) {
    this.root = options.root;
    this.realRoot = realpathSync(options.root);
    this.transpiler = options.transpiler;
    this.timeoutMs = options.timeoutMs;
    this.readsPlainModules = options.readsPlainModules ?? true;
    this.runsCode = options.runsCode ?? true;
    this.env = options.env;
    this.files = new SettingsFiles(options.root);
  }

  private realm(): Context {
    this.context ??= this.createContext();
    return this.context;
  }

  /** A fresh context with the bootstrap run in it (compiled modules belong to their context). */
  private createContext(): Context {
    const context = createContext(
      {},
      { microtaskMode: 'afterEvaluate', codeGeneration: { strings: true, wasm: false } },
    );
    const bootstrap = runInContext(`(${realmBootstrap.toString()})`, context) as (
      host: RealmHost,
    ) => unknown;
    const api = bootstrap(this.host()) as { evaluate: (file: string) => string };
    this.evaluateInRealm = api.evaluate;
    this.compiled.clear();
    return context;
  }

  /** The environment variables settings may read from now on (from carbon.config.ts). */
  declareEnv(env: Record<string, string | null>): void {
    this.env = env;
  }

  /** Runs one module (and what it imports) in a fresh module registry, recording its inputs. */
  evaluate(file: string): { evaluation: ModuleEvaluation; inputs: Inputs } {
    this.inputs = emptyInputs();
    const plain = this.readPlain(file);
    if (plain) return this.finish({ exports: plain, problems: [], console: [] });
    if (!this.runsCode)
      return this.finish({
        problems: [],
        console: [],
        failure: {
          kind: 'changed',
          file,
          message:
            `${this.relative(file)} changed while Carbon was reading the settings (it is no ` +
            'longer plain data, as it was a moment before): run Carbon again',
        },
      });
    const context = this.realm();
    let answer: string;
    try {
      // A direct call costs no script to compile; a vm time limit needs runInContext.
      answer =
        this.timeoutMs === undefined
          ? this.evaluateInRealm(file)
          : (runInContext(`__carbonRealm.evaluate(${JSON.stringify(file)})`, context, {
              timeout: this.timeoutMs,
            }) as string);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ERR_SCRIPT_EXECUTION_TIMEOUT') throw error;
      // Stopped half way: whatever the module changed stays in that context, so it is replaced.
      this.context = undefined;
      const seconds = (this.timeoutMs ?? 0) / 1000;
      return this.finish({
        problems: [],
        console: [],
        failure: {
          kind: 'timeout',
          file,
          message:
            `evaluating the settings took longer than ${seconds} s, so Carbon stopped them: ` +
            'look for an endless loop (the limit is CARBON_SETTINGS_TIMEOUT, in seconds)',
        },
      });
    }
    const raw = JSON.parse(answer) as {
      exports: Record<string, unknown> | null;
      problems: ValueProblem[];
      console: ConsoleLine[];
      error: { message: string; stack: string; compile?: string } | null;
      tainted: boolean;
      /** Whether the values hold markers to decode (most settings are plain data throughout). */
      marked: boolean;
    };
    // A global the module could not be kept from adding: the next module gets a fresh realm.
    if (raw.tainted) this.context = undefined;
    const problems = [...raw.problems];
    const evaluation: Omit<ModuleEvaluation, 'exportsConstFixes'> = {
      problems,
      console: raw.console.map((line) => ({ ...line, file: this.relative(line.file) })),
    };
    if (raw.error) evaluation.failure = this.failureOf(file, raw.error);
    else if (raw.exports && !raw.marked) evaluation.exports = raw.exports;
    else if (raw.exports) {
      const exports: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(raw.exports))
        exports[name] = decode(value, name, [], problems);
      evaluation.exports = exports;
    }
    return this.finish(evaluation);
  }

  /** The exports of a module of plain data, read without running it; undefined for others. */
  private readPlain(file: string): Record<string, unknown> | undefined {
    if (!this.readsPlainModules || file.endsWith('.json')) return undefined;
    const text = this.read(file);
    const exports = typeof text === 'string' ? readPlainModule(text) : undefined;
    if (exports) {
      this.plainFiles.add(file);
      this.lastPlain = { file, exports };
    }
    return exports;
  }

  /**
   * Where a settings path of a module of plain data is written, from the text this realm read (no
   * second read); undefined for any other module: the outline's. For the module read last (a
   * unit's diagnostics are located right after its read), from the offsets its reading kept.
   */
  positionIn(file: string, exportName: string, path: PathSegment[]): Position | undefined {
    const read = this.plainFiles.has(file) ? this.files.read(file) : undefined;
    if (!read || !('text' in read)) return undefined;
    const last = this.lastPlain?.file === file ? this.lastPlain.exports : undefined;
    return (
      (last && positionInRead(read.text, last, exportName, path)) ??
      locateInPlainModule(read.text, exportName, path)
    );
  }

  private finish(evaluation: Omit<ModuleEvaluation, 'exportsConstFixes'>) {
    const exportsConstFixes = Object.keys(this.inputs.files).flatMap((path) =>
      (this.fixes.get(path) ?? []).map((position) => ({
        file: resolve(this.root, path),
        position,
      })),
    );
    return { evaluation: { ...evaluation, exportsConstFixes }, inputs: this.inputs };
  }

  private relative(file: string): string {
    return relative(this.root, file).split(sep).join('/');
  }

  private host(): RealmHost {
    return {
      resolve: (from, specifier) => JSON.stringify(this.resolve(from, specifier)),
      compile: (file) => this.compile(file),
      readJson: (file) => this.readJson(file),
      env: (name) => {
        if (!Object.hasOwn(this.env, name)) return JSON.stringify({ declared: false });
        const value = this.env[name] ?? null;
        this.inputs.env[name] = value;
        return JSON.stringify({ declared: true, value });
      },
    };
  }

  private resolve(
    from: string,
    specifier: string,
  ):
    | { kind: 'carbon' }
    | { kind: 'file'; path: string; format: 'code' | 'json' }
    | { kind: 'error'; message: string } {
    if (CARBON_SPECIFIERS.has(specifier)) return { kind: 'carbon' };
    const fail = (message: string) => ({ kind: 'error' as const, message });
    if (isBuiltin(specifier)) {
      return fail(
        `${JSON.stringify(specifier)} is a Node.js built-in module: settings run without access to the ` +
          "machine (no files, no process, no network). A value from the environment: list it in env in carbon.config.ts and read it with env('NAME') from 'carbon'",
      );
    }
    if (!specifier.startsWith('./') && !specifier.startsWith('../')) {
      return fail(
        `cannot import ${JSON.stringify(specifier)}: settings modules import only 'carbon' and other ` +
          "settings files of the workspace by a relative path (as './_shared')",
      );
    }
    const base = resolve(dirname(from), specifier);
    for (const candidate of candidatesOf(base)) {
      const path = this.relative(candidate);
      if (path.startsWith('../') || path === '..') {
        return fail(
          `cannot import ${JSON.stringify(specifier)}: it leaves the workspace; settings import only files inside it`,
        );
      }
      const found = isFile(candidate);
      this.inputs.probes[path] = found;
      if (!found) continue;
      const extension = extname(candidate);
      if (extension !== '.json' && !CODE_EXTENSIONS.includes(extension))
        return fail(
          `cannot import ${path}: settings files are TypeScript, JavaScript or JSON (.ts, .js, .json)`,
        );
      if (!this.insideWorkspace(candidate))
        return fail(`cannot import ${path}: it is a link to a file outside the workspace`);
      return { kind: 'file', path: candidate, format: extension === '.json' ? 'json' : 'code' };
    }
    return fail(
      `cannot find ${JSON.stringify(specifier)} (looked for ${this.relative(base)}.ts and the other settings file names)`,
    );
  }

  private insideWorkspace(file: string): boolean {
    const real = realpathSync(file);
    return real === this.realRoot || real.startsWith(`${this.realRoot}${sep}`);
  }

  private read(file: string): string | { error: string; position?: Position } {
    const read = this.files.read(file);
    this.inputs.files[this.relative(file)] = read.hash;
    if ('error' in read) return read;
    return read.text;
  }

  private readJson(file: string): string {
    const text = this.read(file);
    if (typeof text !== 'string') return `\u0000${text.error}`;
    try {
      JSON.parse(text);
      return text;
    } catch (error) {
      return `\u0000${this.relative(file)} is not valid JSON: ${(error as Error).message}`;
    }
  }

  private compile(file: string): unknown {
    const text = this.read(file);
    if (typeof text !== 'string')
      return JSON.stringify({ error: text.error, unreadable: { file, position: text.position } });
    const known = this.compiled.get(file);
    if (known) return known;
    const fixes: Position[] = [];
    const source = fixExportsConst(text, (position) => fixes.push(position));
    this.fixes.set(this.relative(file), fixes);
    let code: string;
    try {
      code = this.transpiler.transpile(source, file);
    } catch (error) {
      return JSON.stringify({ error: 'syntax error', syntax: syntaxFailure(file, error) });
    }
    let body: unknown;
    try {
      body = compileFunction(code, MODULE_PARAMETERS, {
        filename: file,
        parsingContext: this.realm(),
      });
    } catch (error) {
      return JSON.stringify({ error: 'syntax error', syntax: v8SyntaxFailure(file, error) });
    }
    this.texts.set(file, { source, code });
    this.compiled.set(file, body);
    return body;
  }

  private failureOf(
    file: string,
    error: { message: string; stack: string; compile?: string },
  ): EvaluationFailure {
    if (error.compile) {
      const compile = JSON.parse(error.compile) as {
        error: string;
        syntax?: EvaluationFailure;
        unreadable?: { file: string; position?: Position };
      };
      if (compile.syntax) return compile.syntax;
      if (compile.unreadable)
        return {
          kind: 'unreadable',
          file: compile.unreadable.file,
          message: compile.error,
          ...(compile.unreadable.position ? { position: compile.unreadable.position } : {}),
        };
    }
    return threwFailure(file, error.message, error.stack, this.texts, (path) =>
      this.relative(path),
    );
  }
}

function emptyInputs(): Inputs {
  return { files: {}, probes: {}, env: {} };
}

/** Where `import './x'` may be: TypeScript's order (`./x.js` means `./x.ts` first). */
function candidatesOf(base: string): string[] {
  const extension = extname(base);
  const typescriptOf: Record<string, string> = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts' };
  if (typescriptOf[extension])
    return [base.slice(0, -extension.length) + typescriptOf[extension], base];
  return [
    base,
    ...CODE_EXTENSIONS.map((candidate) => base + candidate),
    `${base}.json`,
    `${base}/index.ts`,
    `${base}/index.js`,
  ];
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Plain data from the realm's snapshot. Markers become what they stood for, as values of this realm
 * (a function stands in for a function, so messages can say "a function"); objects that are not
 * plain data (a Map, a Date, a class instance) are reported and read as undefined.
 */
function decode(
  value: unknown,
  exported: string,
  path: (string | number)[],
  problems: ValueProblem[],
): unknown {
  if (Array.isArray(value))
    return value.map((item, index) => decode(item, exported, [...path, index], problems));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const mark = record[SNAPSHOT_MARK];
  if (typeof mark === 'string') {
    switch (mark) {
      case 'undefined':
      case 'invalid':
        return undefined;
      case 'number':
        return Number(record['text']);
      case 'bigint':
        return BigInt(String(record['text']));
      case 'function':
        return function settingsFunction() {};
      case 'symbol':
        return Symbol('settings');
      case 'object': {
        const kind = String(record['kind']);
        problems.push({
          export: exported,
          path,
          message: `is ${article(kind)} ${kind}, not plain data: write an object literal, an array or a string`,
        });
        return undefined;
      }
      default:
        return undefined;
    }
  }
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record))
    copy[key] = decode(item, exported, [...path, key], problems);
  return copy;
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a';
}

function syntaxFailure(file: string, error: unknown): EvaluationFailure {
  const loc = (error as { loc?: { line: number; column: number } }).loc;
  const message = String((error as Error).message ?? error)
    .replace(/^Error transforming [^:]*: /, '')
    .replace(/ \(\d+:\d+\)$/, '');
  return {
    kind: 'syntax',
    file,
    message,
    position: loc ? { line: loc.line, column: loc.column + 1 } : { line: 1, column: 1 },
  };
}

/** V8's SyntaxError names the line in the first line of its stack and marks the column with a caret. */
function v8SyntaxFailure(file: string, error: unknown): EvaluationFailure {
  const stack = String((error as Error).stack ?? '');
  const [first = '', , caret = ''] = stack.split('\n');
  const line = Number(/:(\d+)$/.exec(first)?.[1] ?? 1);
  const column = caret.indexOf('^') + 1 || 1;
  return { kind: 'syntax', file, message: (error as Error).message, position: { line, column } };
}

/**
 * Where a module threw: in the module being read (the use site: the line that called a helper),
 * naming the helper's line when the throw happened there. sucrase keeps lines but not always
 * columns; where the compiled line differs from the written one, point at its first word.
 */
function threwFailure(
  file: string,
  message: string,
  stack: string,
  texts: Map<string, { source: string; code: string }>,
  display: (file: string) => string,
): EvaluationFailure {
  const frames: { file: string; position: Position }[] = [];
  for (const match of stack.matchAll(/([^\s()]+):(\d+):(\d+)\)?$/gm)) {
    const text = texts.get(match[1]!);
    if (!text) continue;
    const line = Number(match[2]);
    const written = text.source.split('\n')[line - 1] ?? '';
    const compiled = text.code.split('\n')[line - 1] ?? '';
    const column = written === compiled ? Number(match[3]) : written.search(/\S/) + 1 || 1;
    frames.push({ file: match[1]!, position: { line, column } });
  }
  const innermost = frames[0];
  if (!innermost) return { kind: 'threw', file, message };
  const useSite = frames.find((frame) => frame.file === file) ?? innermost;
  const where =
    useSite === innermost
      ? ''
      : ` (thrown at ${display(innermost.file)}:${innermost.position.line}:${innermost.position.column})`;
  return {
    kind: 'threw',
    file: useSite.file,
    message: `${message}${where}`,
    position: useSite.position,
  };
}
