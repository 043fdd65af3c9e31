// Settings modules that are code, evaluated behind the engine's boundary (sandbox.ts), in the
// engine's thread (engine-thread.ts): Carbon's side of that boundary. Modules import only `carbon`
// and other settings files by relative paths inside the workspace; everything they read is
// recorded here as it is read: the bytes of every file, every path looked at while resolving an
// import (also those that did not exist), and every environment variable read through `env()`.
// Those records, kept on this side of the boundary, are what lets a cached answer be trusted
// (cache.ts). What comes back across the boundary is untrusted JSON text, checked as data.
import { realpathSync, statSync } from 'node:fs';
import type { QuickJSContext, QuickJSHandle } from 'quickjs-emscripten-core';
import { isBuiltin } from 'node:module';
import { dirname, extname, relative, resolve, sep } from 'node:path';
import type { Position } from '../diagnostics.ts';
import {
  emptyInputs,
  memoryMessage,
  timeoutMessage,
  type ConsoleLine,
  type EvaluationFailure,
  type Inputs,
  type ValueProblem,
} from './evaluation.ts';
import { fixExportsConst } from './exports-const.ts';
import { SettingsFiles } from './inputs.ts';
import { CARBON_SPECIFIERS } from './layout.ts';
import { realmBootstrap } from './realm-bootstrap.ts';
import { Sandbox, type HostFunction, type SandboxOutcome } from './sandbox.ts';
import { transpile } from './transpile.ts';
import { closest } from '../suggest.ts';

/** What settings may import from 'carbon' (realm-bootstrap.ts). */
const CARBON_EXPORTS = ['defineProject', 'defineConfig', 'env'];

const CODE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];
/**
 * A module's code becomes a function of the CommonJS parameters sucrase's output expects. On the
 * same line as its first line, so that lines stay true (columns of line 1 are shifted by it).
 */
const MODULE_WRAPPER = '(function (exports, require, module, __filename, __dirname) {';
/** The bootstrap, as the engine compiles it: once a run, as text. */
const BOOTSTRAP = { source: realmBootstrap.toString(), name: 'carbon:realm' };

/** What the engine's thread answers for a module: the bootstrap's answer, or why there is none. */
export interface CodeEvaluation {
  /** The module's answer (exports still marked: realm.ts decodes them). */
  answer?: RawAnswer;
  failure?: EvaluationFailure;
  inputs: Inputs;
  exportsConstFixes: { file: string; position: Position }[];
}

export interface EngineLimits {
  /** Milliseconds a module (with everything it imports) may run. */
  timeoutMs: number;
  /** Megabytes of memory a module may use. */
  memoryMb: number;
}

export class CodeModules {
  private readonly sandbox: Sandbox;
  private readonly root: string;
  private readonly realRoot: string;
  private readonly files: SettingsFiles;
  private readonly limits: EngineLimits;
  private env: Record<string, string | null> = {};
  /** Each file's code as transpiled, once a run: a helper is compiled again in every context. */
  private readonly transpiled = new Map<
    string,
    { code: string } | { failure: EvaluationFailure }
  >();
  private readonly texts = new Map<string, { source: string; code: string }>();
  private inputs: Inputs = emptyInputs();
  /**
   * The files this evaluation may read: the module, and what resolve found for it. The bootstrap
   * asks for nothing else, and were the module to reach the host functions, it could not either.
   */
  private opened = new Set<string>();
  /** The first module of this evaluation that could not be read or compiled. */
  private compileFailure: EvaluationFailure | undefined;
  /** `exports const` lines of every module compiled, by workspace-relative path. */
  private readonly fixes = new Map<string, Position[]>();

  constructor(root: string, limits: EngineLimits) {
    this.root = root;
    this.realRoot = realpathSync(root);
    this.limits = limits;
    this.sandbox = new Sandbox({
      memoryBytes: limits.memoryMb * 1024 * 1024,
      host: this.host(),
      bootstrap: BOOTSTRAP,
    });
    this.files = new SettingsFiles(root);
  }

  /**
   * Runs one module (and what it imports) in a context of its own, with the environment
   * variables carbon.config.ts declares, recording what it reads.
   */
  async evaluate(file: string, env: Record<string, string | null>): Promise<CodeEvaluation> {
    this.env = env;
    this.inputs = emptyInputs();
    this.compileFailure = undefined;
    this.opened = new Set([file]);
    const outcome = await this.sandbox.call(this.limits.timeoutMs, file);
    if (outcome.kind !== 'answer') return this.finish({ failure: this.stopped(file, outcome) });
    const answer = parseAnswer(outcome.text);
    if (!answer)
      return this.finish({
        failure: { kind: 'threw', file, message: 'its values could not be read' },
      });
    answer.console = answer.console.map((line) => ({ ...line, file: this.relative(line.file) }));
    // The engine's own "out of memory", caught by the bootstrap (a module may say it too: its loss).
    if (answer.error?.message === 'out of memory')
      return this.finish({ failure: this.stopped(file, { kind: 'memory' }) });
    if (answer.error) return this.finish({ answer, failure: this.failureOf(file, answer.error) });
    return this.finish({ answer });
  }

  /** The failure of a module the engine stopped, or whose answer it could not give. */
  private stopped(file: string, outcome: Exclude<SandboxOutcome, { kind: 'answer' }>) {
    switch (outcome.kind) {
      case 'timeout':
        return { kind: 'timeout' as const, file, message: timeoutMessage(this.limits.timeoutMs) };
      case 'memory':
        return { kind: 'memory' as const, file, message: memoryMessage(this.limits.memoryMb) };
      case 'stack':
        return {
          kind: 'threw' as const,
          file,
          message:
            'the settings recursed too deeply (the stack ran out), so Carbon stopped them: look for a ' +
            'function that calls itself without end',
        };
      case 'broken':
        return {
          kind: 'threw' as const,
          file,
          message: `Carbon could not read what the module exports (${outcome.message.slice(0, 300)})`,
        };
    }
  }

  private finish(evaluation: Omit<CodeEvaluation, 'inputs' | 'exportsConstFixes'>): CodeEvaluation {
    const exportsConstFixes = Object.keys(this.inputs.files).flatMap((path) =>
      (this.fixes.get(path) ?? []).map((position) => ({
        file: resolve(this.root, path),
        position,
      })),
    );
    return { ...evaluation, exportsConstFixes, inputs: this.inputs };
  }

  private relative(file: string): string {
    return relative(this.root, file).split(sep).join('/');
  }

  /** The doors settings have to Carbon: strings in, strings (or a compiled module) out. */
  private host(): Record<string, HostFunction> {
    return {
      resolve: (_context, from, specifier) => JSON.stringify(this.resolve(from!, specifier!)),
      compile: (context, file) => this.compile(context, file!),
      readJson: (_context, file) => this.readJson(file!),
      missing: (_context, name) => missingExport(name!),
      env: (_context, name) => {
        if (!Object.hasOwn(this.env, name!)) return JSON.stringify({ declared: false });
        const value = this.env[name!] ?? null;
        this.inputs.env[name!] = value;
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
      this.opened.add(candidate);
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
    if (!this.opened.has(file)) return `\u0000${JSON.stringify(file)} was not imported`;
    const text = this.read(file);
    if (typeof text !== 'string') return `\u0000${text.error}`;
    try {
      JSON.parse(text);
      return text;
    } catch (error) {
      return `\u0000${this.relative(file)} is not valid JSON: ${(error as Error).message}`;
    }
  }

  /**
   * The module's code, compiled in `context` into a function of the CommonJS parameters; a JSON
   * error when it cannot be read or does not compile.
   */
  private compile(context: QuickJSContext, file: string): string | QuickJSHandle {
    if (!this.opened.has(file))
      return JSON.stringify({ error: `${JSON.stringify(file)} was not imported` });
    const text = this.read(file);
    if (typeof text !== 'string') {
      this.compileFailure ??= {
        kind: 'unreadable',
        file,
        message: text.error,
        ...(text.position ? { position: text.position } : {}),
      };
      return JSON.stringify({ error: text.error });
    }
    let transpiled = this.transpiled.get(file);
    if (!transpiled) {
      transpiled = this.transpile(file, text);
      this.transpiled.set(file, transpiled);
    }
    if ('failure' in transpiled) {
      this.compileFailure ??= transpiled.failure;
      return JSON.stringify({ error: 'syntax error' });
    }
    const compiled = context.evalCode(`${MODULE_WRAPPER}${transpiled.code}\n})`, file);
    if (!compiled.error) return compiled.value;
    this.compileFailure ??= engineSyntaxFailure(context, file, compiled.error);
    compiled.error.dispose();
    return JSON.stringify({ error: 'syntax error' });
  }

  private transpile(file: string, text: string): { code: string } | { failure: EvaluationFailure } {
    const fixes: Position[] = [];
    const source = fixExportsConst(text, (position) => fixes.push(position));
    this.fixes.set(this.relative(file), fixes);
    try {
      const code = transpile(source, file);
      this.texts.set(file, { source, code });
      return { code };
    } catch (error) {
      return { failure: syntaxFailure(file, error) };
    }
  }

  private failureOf(file: string, error: { message: string; stack: string }): EvaluationFailure {
    // Recorded on this side when it happened: an error a module throws cannot pose as one.
    if (this.compileFailure) return this.compileFailure;
    return threwFailure(file, error.message, error.stack, this.texts, (path) =>
      this.relative(path),
    );
  }
}

/** The message for an import of `name` from 'carbon', which it does not export. */
function missingExport(name: string): string {
  const close = closest(name, CARBON_EXPORTS);
  return (
    `'carbon' has no export ${JSON.stringify(name)}${close ? ` (did you mean ${JSON.stringify(close)}?)` : ''}: ` +
    'it exports defineProject, defineConfig and env'
  );
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

/**
 * A syntax error QuickJS found where sucrase found none: its stack is `at FILE:LINE:COLUMN`, in the
 * wrapped code (whose first line starts with the wrapper).
 */
function engineSyntaxFailure(
  context: QuickJSContext,
  file: string,
  error: QuickJSHandle,
): EvaluationFailure {
  const read = (key: string): string => {
    const handle = context.getProp(error, key);
    const text = context.typeof(handle) === 'string' ? context.getString(handle) : '';
    handle.dispose();
    return text;
  };
  const frame = frameOf(read('stack').split('\n')[0] ?? '');
  return {
    kind: 'syntax',
    file,
    message: read('message') || 'syntax error',
    position: frame ? writtenPosition(frame.line, frame.column) : { line: 1, column: 1 },
  };
}

/** A position in the wrapped code, in the module's code. */
function writtenPosition(line: number, column: number): Position {
  return { line, column: line === 1 ? Math.max(1, column - MODULE_WRAPPER.length) : column };
}

/** Lines of a stack Carbon reads, and the longest: the stack is the module's to write. */
const MAX_FRAMES = 100;
const MAX_FRAME_LENGTH = 4_096;

/**
 * A QuickJS stack frame, `    at NAME (FILE:LINE:COLUMN)` or `    at FILE:LINE:COLUMN`, read from
 * its end without a regular expression: the text is the module's own when it threw an object with a
 * `stack` of its making, and a pattern over it could take time quadratic in its length.
 */
function frameOf(text: string): { file: string; line: number; column: number } | undefined {
  if (text.length > MAX_FRAME_LENGTH) return undefined;
  let end = text.trimEnd();
  if (end.endsWith(')')) end = end.slice(0, -1);
  const columnAt = end.lastIndexOf(':');
  const lineAt = end.lastIndexOf(':', columnAt - 1);
  if (lineAt <= 0) return undefined;
  const start = Math.max(end.lastIndexOf('(', lineAt), end.lastIndexOf(' ', lineAt)) + 1;
  const line = Number(end.slice(lineAt + 1, columnAt));
  const column = Number(end.slice(columnAt + 1));
  if (!Number.isInteger(line) || !Number.isInteger(column) || line < 1) return undefined;
  return { file: end.slice(start, lineAt), line, column };
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
  for (const line of stack.split('\n', MAX_FRAMES)) {
    const frame = frameOf(line);
    const text = frame && texts.get(frame.file);
    if (!frame || !text) continue;
    const written = text.source.split('\n')[frame.line - 1] ?? '';
    const compiled = text.code.split('\n')[frame.line - 1] ?? '';
    const { column } = writtenPosition(frame.line, frame.column);
    frames.push({
      file: frame.file,
      position: {
        line: frame.line,
        column: written === compiled ? callStart(written, column) : written.search(/\S/) + 1 || 1,
      },
    });
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

/**
 * QuickJS places a call at its parenthesis; an editor (and V8) at the call's start: the name
 * called, and `new` before it.
 */
function callStart(line: string, column: number): number {
  let index = column - 1;
  if (line[index] !== '(') return column;
  while (index > 0 && /[\w$]/.test(line[index - 1]!)) index--;
  const before = line.slice(0, index);
  const constructed = /\bnew\s+$/.exec(before);
  return (constructed ? constructed.index : index) + 1;
}

/** What the bootstrap answers (realm-bootstrap.ts), read as untrusted data. */
export interface RawAnswer {
  exports: Record<string, unknown> | null;
  problems: ValueProblem[];
  console: ConsoleLine[];
  error: { message: string; stack: string } | null;
  /** Whether the values hold markers to decode (most settings are plain data throughout). */
  marked: boolean;
}

/**
 * The bootstrap's answer, when it has the shape the bootstrap gives. The module ran in the same
 * context and could have changed what the bootstrap uses: its answer is checked like any input.
 */
function parseAnswer(text: string): RawAnswer | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const isRecord = (value: unknown): value is Record<string, unknown> =>
    value !== null && typeof value === 'object' && !Array.isArray(value);
  const isString = (value: unknown): value is string => typeof value === 'string';
  if (!isRecord(raw)) return undefined;
  const { exports, problems, console, error } = raw;
  if (exports !== null && !isRecord(exports)) return undefined;
  if (!Array.isArray(problems) || !Array.isArray(console)) return undefined;
  const validProblem = (problem: unknown) =>
    isRecord(problem) &&
    isString(problem['export']) &&
    isString(problem['message']) &&
    Array.isArray(problem['path']) &&
    problem['path'].every((key) => isString(key) || Number.isInteger(key));
  const validLine = (line: unknown) =>
    isRecord(line) && isString(line['level']) && isString(line['file']) && isString(line['text']);
  if (!problems.every(validProblem) || !console.every(validLine)) return undefined;
  if (typeof raw['marked'] !== 'boolean') return undefined;
  if (
    error !== null &&
    !(isRecord(error) && isString(error['message']) && isString(error['stack']))
  )
    return undefined;
  return raw as unknown as RawAnswer;
}
