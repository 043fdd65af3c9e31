// The code that runs first in every settings context (sandbox.ts: a QuickJS context of its own for
// each module). It builds the module system settings use, Carbon's API as settings see it, a
// console that records instead of printing, and the snapshot that turns exported values into plain
// data, then evaluates the module and answers with JSON text.
//
// This function is not called in Carbon's engine: its source text is evaluated inside the context,
// so it may use nothing from outside but its `host` argument, whose functions take and return only
// strings and functions compiled in the context. The module runs after it in the same context and
// may change any built-in: that can spoil only this module's own answer, which Carbon reads as
// untrusted data (realm.ts), and what the module read is recorded on Carbon's side, not here.

/** What the bootstrap asks of Carbon: every answer is a string, or a function of the context. */
export interface RealmHost {
  /** JSON: {"kind":"carbon"} | {"kind":"file","path":...,"format":"code"|"json"} | {"kind":"error","message":...} */
  resolve(from: string, specifier: string): string;
  /** A function compiled in the context (exports, require, module, __filename, __dirname), or a JSON error. */
  compile(file: string): unknown;
  /** The text of a JSON file, or a JSON error {"error": ...} prefixed with "\0". */
  readJson(file: string): string;
  /** JSON: {"declared":false} | {"declared":true,"value":string|null}. */
  env(name: string): string;
}

export function realmBootstrap(host: RealmHost, file: string): string {
  'use strict';
  const global = globalThis;
  const { freeze, keys, getOwnPropertyDescriptor } = Object;
  const getPrototypeOf = Object.getPrototypeOf;
  // Plain objects without a prototype: a key such as `__proto__` is then an ordinary key.
  const blank = (): Record<string, unknown> => Object.create(null) as Record<string, unknown>;
  const defineProperty = Object.defineProperty;
  const isArray = Array.isArray;
  const ObjectPrototype = Object.prototype;
  const stringify = JSON.stringify;
  const parseJson = JSON.parse;
  const isFinite = Number.isFinite;
  const SetConstructor = Set;
  const MapConstructor = Map;
  const StringConstructor = String;
  const ErrorConstructor = Error;
  const reflectConstruct = Reflect.construct;
  const hasOwn = Object.hasOwn;
  const MARK = '\u0000carbon';
  const MAX_DEPTH = 64;
  const MAX_NODES = 2_000_000;
  const MAX_CONSOLE_LINES = 200;
  const MAX_MESSAGE = 2_000;
  const MAX_STACK = 20_000;

  // --- console: recorded with the module that wrote it, shown by Carbon on stderr ----------------
  const consoleLines: { level: string; file: string; text: string }[] = [];
  const fileStack: string[] = [file];
  const show = (value: unknown): string => {
    if (typeof value === 'string') return value;
    try {
      const text = stringify(value);
      return text === undefined ? StringConstructor(value) : text;
    } catch {
      try {
        return StringConstructor(value);
      } catch {
        return '[value that cannot be shown]';
      }
    }
  };
  /** The settings module that called console: the innermost stack frame in a file. */
  const writerOf = (): string => {
    const stack = new ErrorConstructor().stack ?? '';
    const frame = /\(?(\/[^()\n]+?):\d+:\d+\)?$/m.exec(stack);
    return frame ? frame[1]! : (fileStack[fileStack.length - 1] ?? '');
  };
  const writer =
    (level: string) =>
    (...values: unknown[]): void => {
      if (consoleLines.length >= MAX_CONSOLE_LINES) return;
      let text = '';
      for (let index = 0; index < values.length; index++)
        text += (index === 0 ? '' : ' ') + show(values[index]);
      consoleLines.push({ level, file: writerOf(), text: text.slice(0, MAX_MESSAGE * 5) });
    };
  const console = freeze({
    log: writer('log'),
    info: writer('info'),
    debug: writer('debug'),
    warn: writer('warn'),
    error: writer('error'),
    trace: writer('trace'),
    dir: writer('log'),
    table: writer('log'),
  });

  // --- no clock, no randomness: settings must give the same answer every time ------------------
  const unstable = (what: string) =>
    new ErrorConstructor(
      `settings cannot use ${what}: Carbon caches what settings produce and must get the same answer on every run; write the value into the settings`,
    );
  const RealDate = Date;
  const HermeticDate = function Date(this: unknown, ...args: unknown[]) {
    if (new.target === undefined || args.length === 0) throw unstable('the current time');
    return reflectConstruct(RealDate, args, new.target);
  } as unknown as DateConstructor;
  defineProperty(HermeticDate, 'prototype', { value: RealDate.prototype });
  defineProperty(HermeticDate, 'UTC', { value: RealDate.UTC });
  defineProperty(HermeticDate, 'parse', { value: RealDate.parse });
  defineProperty(HermeticDate, 'now', {
    value: () => {
      throw unstable('Date.now()');
    },
  });
  defineProperty(RealDate.prototype, 'constructor', { value: HermeticDate });

  // --- Carbon's API, as settings import it ---------------------------------------------------
  const env = (name: unknown): string | undefined => {
    if (typeof name !== 'string') throw new ErrorConstructor('env(name) takes a variable name');
    const answer = parseJson(host.env(name)) as { declared: boolean; value?: string | null };
    if (!answer.declared)
      throw new ErrorConstructor(
        `env(${stringify(name)}) is not declared: list ${stringify(name)} in env in carbon.config.ts, so that Carbon knows the settings depend on it`,
      );
    return answer.value === null ? undefined : answer.value;
  };
  const carbonApi = freeze({
    __esModule: true,
    defineProject: (project: unknown) => project,
    defineConfig: (config: unknown) => config,
    env,
  });
  const exported = ['defineProject', 'defineConfig', 'env'];
  /** Edits between two names, for the did-you-mean of an import Carbon does not export. */
  const distance = (a: string, b: string): number => {
    let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
    for (let i = 1; i <= a.length; i++) {
      const row = [i];
      for (let j = 1; j <= b.length; j++)
        row.push(
          Math.min(
            previous[j]! + 1,
            row[j - 1]! + 1,
            previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1),
          ),
        );
      previous = row;
    }
    return previous[b.length]!;
  };
  // Importing a name Carbon does not export says so, instead of failing later on `undefined`.
  const carbon = new Proxy(carbonApi, {
    get(target, name) {
      if (typeof name !== 'string' || hasOwn(target, name) || name === 'default' || name === 'then')
        return (target as Record<string | symbol, unknown>)[name];
      const close = exported.find(
        (candidate) => distance(candidate.toLowerCase(), name.toLowerCase()) <= 3,
      );
      throw new ErrorConstructor(
        `'carbon' has no export ${stringify(name)}${close ? ` (did you mean ${stringify(close)}?)` : ''}: it exports defineProject, defineConfig and env`,
      );
    },
  });

  // --- modules: each evaluated once in this context, which is this project module's alone -----
  type Module = { exports: unknown };
  const registry = new MapConstructor<string, Module>();
  const load = (file: string, format: string): unknown => {
    const known = registry.get(file);
    if (known) return known.exports;
    const module: Module = { exports: {} };
    registry.set(file, module);
    if (format === 'json') {
      const text = host.readJson(file);
      if (text.startsWith('\u0000')) throw new ErrorConstructor(text.slice(1));
      module.exports = parseJson(text);
      return module.exports;
    }
    const body = host.compile(file);
    if (typeof body !== 'function') {
      registry.delete(file);
      throw new ErrorConstructor((parseJson(body as string) as { error: string }).error);
    }
    fileStack.push(file);
    try {
      const directory = file.slice(0, file.lastIndexOf('/')) || '/';
      body(module.exports, requireFrom(file), module, file, directory);
    } finally {
      fileStack.pop();
    }
    return module.exports;
  };
  const requireFrom = (file: string) =>
    function require(specifier: unknown): unknown {
      if (typeof specifier !== 'string') throw new ErrorConstructor('require() takes a string');
      const target = parseJson(host.resolve(file, specifier)) as {
        kind: string;
        path?: string;
        format?: string;
        message?: string;
      };
      if (target.kind === 'carbon') return carbon;
      if (target.kind === 'file') return load(target.path!, target.format!);
      throw new ErrorConstructor(target.message);
    };

  // --- snapshot: exported values as plain JSON data, every problem at its settings path --------
  type Problem = { export: string; path: (string | number)[]; message: string };
  const describeThrown = (error: unknown): string => {
    try {
      if (error !== null && typeof error === 'object' && 'message' in error)
        return StringConstructor((error as { message: unknown }).message);
      return StringConstructor(error);
    } catch {
      return 'a value that cannot be shown';
    }
  };
  const kindOf = (value: object): string => {
    try {
      const tag = ObjectPrototype.toString.call(value).slice(8, -1);
      if (tag !== 'Object') return tag;
      const constructor = getPrototypeOf(value)?.constructor;
      return typeof constructor === 'function' && constructor.name
        ? `${constructor.name} instance`
        : 'object';
    } catch {
      return 'object';
    }
  };
  /** Whether the values hold a marker (so that Carbon decodes them). */
  let marked = false;
  const snapshot = (exported: string, root: unknown, problems: Problem[]): unknown => {
    const seen = new SetConstructor<object>();
    let nodes = 0;
    // The path of the value being read, kept as one stack: copied only for a problem.
    const path: (string | number)[] = [];
    const problem = (message: string, last?: string | number) => {
      problems.push({
        export: exported,
        path: last === undefined ? [...path] : [...path, last],
        message,
      });
      marked = true;
      return { [MARK]: 'invalid' };
    };
    const walk = (value: unknown, depth: number): unknown => {
      const type = typeof value;
      if (value === null || type === 'string' || type === 'boolean') return value;
      if (type === 'number' && isFinite(value)) return value;
      if (type !== 'object') {
        marked = true;
        if (type === 'number') return { [MARK]: 'number', text: StringConstructor(value) };
        if (type === 'bigint') return { [MARK]: type, text: StringConstructor(value) };
        return { [MARK]: type };
      }
      const object = value as object;
      if (++nodes > MAX_NODES)
        return problem(`is too large: settings hold at most ${MAX_NODES} values`);
      if (depth > MAX_DEPTH) return problem(`is nested deeper than ${MAX_DEPTH} levels`);
      if (seen.has(object)) return problem('refers to itself (a cycle)');
      seen.add(object);
      try {
        if (isArray(object)) {
          const length = (object as unknown[]).length;
          const list: unknown[] = [];
          for (let index = 0; index < length; index++) {
            let item: unknown;
            try {
              item = (object as unknown[])[index];
            } catch (error) {
              list.push(problem(`reading it threw: ${describeThrown(error)}`, index));
              continue;
            }
            path.push(index);
            list.push(walk(item, depth + 1));
            path.pop();
          }
          return list;
        }
        const prototype = getPrototypeOf(object);
        if (prototype !== ObjectPrototype && prototype !== null) {
          marked = true;
          return { [MARK]: 'object', kind: kindOf(object) };
        }
        const copy = blank();
        for (const key of keys(object)) {
          if (key === MARK) return problem('uses a key Carbon reserves', key);
          let item: unknown;
          try {
            item = (object as Record<string, unknown>)[key];
          } catch (error) {
            copy[key] = problem(`reading it threw: ${describeThrown(error)}`, key);
            continue;
          }
          path.push(key);
          copy[key] = walk(item, depth + 1);
          path.pop();
        }
        return copy;
      } catch (error) {
        return problem(`reading it threw: ${describeThrown(error)}`);
      } finally {
        seen.delete(object);
      }
    };
    return walk(root, 0);
  };

  // --- no clock, no randomness, a console that records --------------------------------------
  defineProperty(Math, 'random', {
    value: () => {
      throw unstable('Math.random()');
    },
  });
  defineProperty(global, 'console', { value: console, configurable: true, writable: true });
  defineProperty(global, 'Date', { value: HermeticDate, configurable: true, writable: true });

  // --- the module, and the answer: JSON text (nothing else leaves) ---------------------------
  const problems: Problem[] = [];
  let error: { message: string; stack: string } | null = null;
  let exports: Record<string, unknown> | null = null;
  try {
    const value = load(file, file.endsWith('.json') ? 'json' : 'code');
    exports = blank();
    if (value !== null && typeof value === 'object') {
      for (const name of keys(value)) {
        if (name === '__esModule') continue;
        let item: unknown;
        try {
          item = (value as Record<string, unknown>)[name];
        } catch (thrown) {
          problems.push({
            export: name,
            path: [],
            message: `reading it threw: ${describeThrown(thrown)}`,
          });
          continue;
        }
        exports[name] = snapshot(name, item, problems);
      }
    }
  } catch (thrown) {
    let stack = '';
    try {
      if (thrown !== null && typeof thrown === 'object') {
        const descriptor = getOwnPropertyDescriptor(thrown, 'stack');
        if (descriptor && typeof descriptor.value === 'string') stack = descriptor.value;
      }
    } catch {
      stack = '';
    }
    // Bounded: the stack is the module's to write (`throw { stack: ... }`), and Carbon reads it.
    error = {
      message: describeThrown(thrown).slice(0, MAX_MESSAGE),
      stack: stack.slice(0, MAX_STACK),
    };
  }
  return stringify({ exports, problems, console: consoleLines, error, marked });
}
