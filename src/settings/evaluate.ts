// Evaluates TypeScript settings modules without type-checking them: sucrase strips the types
// (transpile.ts; it keeps every statement on its line, so positions in errors stay true) and the result runs as a
// CommonJS module. Imports of `carbon` resolve to Carbon's own API, relative imports of other
// settings modules (the `_*.ts` helpers) are evaluated the same way, and anything else is an
// ordinary Node require from the module's folder.
import { readFileSync, statSync } from 'node:fs';
import { createRequire, isBuiltin } from 'node:module';
import { dirname, extname, resolve } from 'node:path';
import { compileFunction } from 'node:vm';
import * as carbonApi from '../index.ts';
import type { Position } from '../diagnostics.ts';
import type { Transpiler } from './transpile.ts';
import { hashOfText } from '../hash.ts';

/** The names settings modules may import Carbon's API by. */
const CARBON_SPECIFIERS = new Set(['carbon', '@blackstone/carbon']);
/** Built-ins whose results depend on the machine, not on the settings files. */
const UNTRACKABLE_BUILTINS = new Set([
  'fs',
  'child_process',
  'os',
  'process',
  'worker_threads',
  'net',
  'http',
  'https',
  'dns',
]);
const EXTENSIONS = ['', '.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.json', '/index.ts'];

export type EvaluationFailure =
  | { kind: 'syntax'; file: string; message: string; position: Position }
  | { kind: 'threw'; file: string; message: string; position?: Position };

export class EvaluationError extends Error {
  readonly failure: EvaluationFailure;
  constructor(failure: EvaluationFailure) {
    super(failure.message);
    this.failure = failure;
  }
}

interface CachedModule {
  exports: Record<string, unknown>;
}

/** One evaluation session: modules imported by several projects are evaluated once. */
export class ModuleEvaluator {
  private readonly transpiler: Transpiler;
  private readonly cache = new Map<string, CachedModule>();
  /** Source and compiled text of each module, to place a throw's column on the written line. */
  private readonly texts = new Map<string, { source: string; code: string }>();
  /** `exports const` lines found while evaluating (reported, then read as `export const`). */
  readonly exportsConstFixes: { file: string; position: Position }[] = [];

  constructor(transpiler: Transpiler) {
    this.transpiler = transpiler;
  }

  /** Every settings file read so far (modules, helpers, JSON), with the hash of the bytes read. */
  readonly read = new Map<string, string>();
  /**
   * False once a module reached what Carbon cannot follow: a package from node_modules, a
   * JavaScript helper run by Node itself, or a built-in that reads the machine (fs, child_process,
   * os). Its results then depend on more than the files read, and are never cached.
   */
  trackable = true;

  evaluate(file: string): Record<string, unknown> {
    const cached = this.cache.get(file);
    if (cached) return cached.exports;
    const module: CachedModule = { exports: {} };
    this.cache.set(file, module);
    try {
      this.run(file, module);
    } catch (error) {
      this.cache.delete(file);
      throw error;
    }
    return module.exports;
  }

  private run(file: string, module: CachedModule): void {
    const text = readFileSync(file, 'utf8');
    this.read.set(file, hashOfText(text));
    if (file.endsWith('.json')) {
      module.exports = JSON.parse(text) as Record<string, unknown>;
      return;
    }
    const source = this.fixExportsConst(file, text);
    let code: string;
    try {
      code = this.transpiler.transpile(source, file);
    } catch (error) {
      throw new EvaluationError(syntaxFailure(file, error));
    }
    this.texts.set(file, { source, code });
    let body: ReturnType<typeof compileFunction>;
    try {
      body = compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], {
        filename: file,
      });
    } catch (error) {
      throw new EvaluationError(v8SyntaxFailure(file, error));
    }
    const require = this.requireFrom(file);
    try {
      body(module.exports, require, module, file, dirname(file));
    } catch (error) {
      if (error instanceof EvaluationError) throw error;
      throw new EvaluationError(threwFailure(file, error, this.texts));
    }
  }

  /**
   * The seed writes `exports const taxaroo = ...`. Rather than stopping at that one mistake, note
   * it and read the line as `export const`, so every other problem of the module is reported in
   * the same run. Columns stay put: `exports ` and `export  ` have the same length.
   */
  private fixExportsConst(file: string, source: string): string {
    const lines = source.split('\n');
    let changed = false;
    lines.forEach((line, index) => {
      const match = /^(\s*)exports(\s+)(const|let|var|function|class|default)\b/.exec(line);
      if (!match) return;
      this.exportsConstFixes.push({
        file,
        position: { line: index + 1, column: match[1]!.length + 1 },
      });
      lines[index] =
        `${match[1]}export ${match[2]}${line.slice(match[0].length - match[3]!.length)}`;
      changed = true;
    });
    return changed ? lines.join('\n') : source;
  }

  private requireFrom(file: string): (specifier: string) => unknown {
    const nodeRequire = createRequire(file);
    return (specifier: string) => {
      if (CARBON_SPECIFIERS.has(specifier)) return carbonApi;
      if (specifier.startsWith('.') || specifier.startsWith('/')) {
        const target = resolveRelative(dirname(file), specifier);
        if (target !== undefined && /\.[cm]?[jt]s$|\.json$/.test(target))
          return this.evaluate(target);
        if (target === undefined) {
          throw new Error(
            `Cannot find module ${JSON.stringify(specifier)} imported from this module`,
          );
        }
      }
      const name = specifier.replace(/^node:/, '');
      if (!isBuiltin(specifier) || UNTRACKABLE_BUILTINS.has(name.split('/')[0]!))
        this.trackable = false;
      return nodeRequire(specifier);
    };
  }
}

function resolveRelative(directory: string, specifier: string): string | undefined {
  const base = resolve(directory, specifier);
  // `import './_shared.js'` is how TypeScript's NodeNext asks for `./_shared.ts`.
  const candidates = [...EXTENSIONS.map((extension) => base + extension)];
  if (extname(base) === '.js') candidates.push(base.slice(0, -3) + '.ts');
  return candidates.find((candidate) => {
    try {
      return statSync(candidate).isFile();
    } catch {
      return false;
    }
  });
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
    position: loc ? { line: loc.line, column: loc.column } : { line: 1, column: 1 },
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
 * Where a module threw: the first stack frame inside a settings module. sucrase keeps lines but not
 * always columns; where the compiled line differs from the written one, point at its first word.
 */
function threwFailure(
  file: string,
  error: unknown,
  texts: Map<string, { source: string; code: string }>,
): EvaluationFailure {
  const message = error instanceof Error ? error.message : String(error);
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  for (const match of stack.matchAll(/([^\s()]+):(\d+):(\d+)\)?$/gm)) {
    const text = texts.get(match[1]!);
    if (!text) continue;
    const line = Number(match[2]);
    const written = text.source.split('\n')[line - 1] ?? '';
    const compiled = text.code.split('\n')[line - 1] ?? '';
    const column = written === compiled ? Number(match[3]) : written.search(/\S/) + 1 || 1;
    return { kind: 'threw', file: match[1]!, message, position: { line, column } };
  }
  return { kind: 'threw', file, message };
}
