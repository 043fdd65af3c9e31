// The settings realm, as Carbon's thread sees it: a module of plain data is read here, without
// running it (plain-module.ts); any other module runs in the engine's thread (engine.ts), behind
// the sandbox's boundary (sandbox.ts). Either way the answer is the module's exports as plain data,
// with what it read (its inputs, for the cache) and what went wrong.
import { relative, sep } from 'node:path';
import type { PathSegment, Position } from '../diagnostics.ts';
import type { CodeEvaluation, EngineLimits } from './code-module.ts';
import { Engine } from './engine.ts';
import {
  emptyInputs,
  type Evaluated,
  type ModuleEvaluation,
  type ValueProblem,
} from './evaluation.ts';
import { SettingsFiles } from './inputs.ts';
import { SNAPSHOT_MARK, positionInRead, readPlainModule } from './plain-module.ts';

export type {
  ConsoleLine,
  EvaluationFailure,
  Inputs,
  ModuleEvaluation,
  ValueProblem,
} from './evaluation.ts';

export interface RealmOptions extends EngineLimits {
  root: string;
  /** Values of the environment variables carbon.config.ts declares (null: unset). */
  env: Record<string, string | null>;
  /**
   * Whether modules of plain data are read without running them (plain-module.ts); false runs
   * every module in the engine, as the tests that hold the two to each other need.
   */
  readsPlainModules?: boolean;
}

export class SettingsRealm {
  private readonly root: string;
  private readonly files: SettingsFiles;
  private readonly readsPlainModules: boolean;
  private readonly engine: Engine;
  private env: Record<string, string | null>;
  /** Modules read as plain data, with their exports as read (positionIn). */
  private readonly plain = new Map<string, Record<string, unknown>>();
  /** Modules of code sent to the engine ahead (prepare), by file. */
  private readonly sent = new Map<string, Promise<CodeEvaluation>>();

  constructor(options: RealmOptions) {
    this.root = options.root;
    this.readsPlainModules = options.readsPlainModules ?? true;
    this.env = options.env;
    this.files = new SettingsFiles(options.root);
    this.engine = new Engine(options.root, {
      timeoutMs: options.timeoutMs,
      memoryMb: options.memoryMb,
    });
  }

  /** The environment variables settings may read from now on (from carbon.config.ts). */
  declareEnv(env: Record<string, string | null>): void {
    this.env = env;
  }

  /**
   * Sends the modules of code among `files` to the engine now, so that it evaluates one while
   * this thread compiles the one before (evaluate then takes their answers).
   */
  prepare(files: string[]): void {
    for (const file of files)
      if (!this.readPlain(file) && !this.sent.has(file))
        this.sent.set(file, this.engine.evaluate(file, this.env));
  }

  /** One module's exports, what it read and what went wrong. */
  async evaluate(file: string): Promise<Evaluated> {
    const plain = this.readPlain(file);
    if (plain) {
      const inputs = emptyInputs();
      inputs.files[this.relative(file)] = this.files.read(file).hash;
      return {
        evaluation: { exports: plain, problems: [], console: [], exportsConstFixes: [] },
        inputs,
      };
    }
    const sent = this.sent.get(file);
    this.sent.delete(file);
    const code = await (sent ?? this.engine.evaluate(file, this.env));
    const problems = [...(code.answer?.problems ?? [])];
    const evaluation: ModuleEvaluation = {
      problems,
      console: code.answer?.console ?? [],
      exportsConstFixes: code.exportsConstFixes,
    };
    if (code.failure) evaluation.failure = code.failure;
    else if (code.answer?.exports && !code.answer.marked) evaluation.exports = code.answer.exports;
    else if (code.answer?.exports) {
      const exports: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(code.answer.exports))
        exports[name] = decode(value, name, [], problems);
      evaluation.exports = exports;
    }
    return { evaluation, inputs: code.inputs };
  }

  /** Stops the engine's thread. */
  close(): Promise<void> {
    return this.engine.close();
  }

  /** The exports of a module of plain data, read without running it; undefined for others. */
  private readPlain(file: string): Record<string, unknown> | undefined {
    if (!this.readsPlainModules || file.endsWith('.json')) return undefined;
    const known = this.plain.get(file);
    if (known) return known;
    const read = this.files.read(file);
    const exports = 'text' in read ? readPlainModule(read.text) : undefined;
    if (exports) this.plain.set(file, exports);
    return exports;
  }

  /**
   * Where a settings path of a module of plain data is written, from the text this realm read and
   * the offsets its reading kept (no second read); undefined for any other module, or an export
   * the module does not have: locate.ts's.
   */
  positionIn(file: string, exportName: string, path: PathSegment[]): Position | undefined {
    const exports = this.plain.get(file);
    const read = exports ? this.files.read(file) : undefined;
    if (!exports || !read || !('text' in read)) return undefined;
    return positionInRead(read.text, exports, exportName, path);
  }

  private relative(file: string): string {
    return relative(this.root, file).split(sep).join('/');
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
