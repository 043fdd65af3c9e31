// Carbon's code inside the engine (sandbox.ts). It runs once, in a context of its own (Carbon's
// context), and returns `evaluate`, which Carbon calls for each project module with the global
// object of a fresh context (the module's context): it fences that context (no clock, no
// randomness, a console that records), runs the module there with the module system settings use
// and Carbon's API, and answers with the module's exports as JSON text (the snapshot).
//
// Carbon's context is compiled once per engine, not once per module (compiling it cost more than
// the rest of a module's evaluation), so nothing a module does may change it: before it returns,
// it freezes every object of its own that a module could reach (its global object and every
// intrinsic, and the functions it hands out), and what it keeps for one evaluation lives in
// evaluate's own variables. Errors a module sees are made with the module's own constructors.
//
// This function is not called in Carbon's engine: its source text is evaluated inside the engine,
// so it may use nothing from outside but its `host` argument, whose functions take and return only
// strings and functions compiled in the module's context. Carbon reads the answer as untrusted
// data (code-module.ts), and what the module read is recorded on Carbon's side, not here.

/** What the bootstrap asks of Carbon: every answer is a string, or a function of the context. */
export interface RealmHost {
  /** JSON: {"kind":"carbon"} | {"kind":"file","path":...,"format":"code"|"json"} | {"kind":"error","message":...} */
  resolve(from: string, specifier: string): string;
  /** A function compiled in the module's context (exports, require, module, __filename, __dirname), or a JSON error. */
  compile(file: string): unknown;
  /** The text of a JSON file, or a JSON error {"error": ...} prefixed with "\0". */
  readJson(file: string): string;
  /** JSON: {"declared":false} | {"declared":true,"value":string|null}. */
  env(name: string): string;
  /** The message for an import of `name` from 'carbon', which Carbon does not export. */
  missing(name: string): string;
}

/** The module's context, as evaluate reads it before the module runs. */
type ModuleGlobal = typeof globalThis & { Object: ObjectConstructor; Error: ErrorConstructor };

export function realmBootstrap(host: RealmHost): (global: ModuleGlobal, file: string) => string {
  'use strict';
  const { freeze, keys, getOwnPropertyDescriptor, getOwnPropertyNames, getOwnPropertySymbols } =
    Object;
  const getPrototypeOf = Object.getPrototypeOf;
  const defineProperty = Object.defineProperty;
  const hasOwn = Object.hasOwn;
  const isArray = Array.isArray;
  const objectToString = Object.prototype.toString;
  const stringify = JSON.stringify;
  const parseJson = JSON.parse;
  const isFinite = Number.isFinite;
  const reflectConstruct = Reflect.construct;
  const reflectApply = Reflect.apply;
  const SetConstructor = Set;
  const MapConstructor = Map;
  const StringConstructor = String;
  const MARK = '\u0000carbon';
  const MAX_DEPTH = 64;
  const MAX_NODES = 2_000_000;
  const MAX_CONSOLE_LINES = 200;
  const MAX_MESSAGE = 2_000;
  const MAX_STACK = 20_000;
  // Plain objects without a prototype: a key such as `__proto__` is then an ordinary key.
  const blank = (): Record<string, unknown> => Object.create(null) as Record<string, unknown>;
  const push = <T>(list: T[], item: T): void => {
    list[list.length] = item;
  };
  const describeThrown = (error: unknown): string => {
    try {
      if (error !== null && typeof error === 'object' && 'message' in error)
        return StringConstructor((error as { message: unknown }).message);
      return StringConstructor(error);
    } catch {
      return 'a value that cannot be shown';
    }
  };

  type Problem = { export: string; path: (string | number)[]; message: string };
  type Module = { exports: unknown };

  /** One module, in the context whose global object is `global`. */
  const evaluate = (global: ModuleGlobal, file: string): string => {
    // --- the module's own built-ins, read before it runs ---------------------------------------
    const ModuleObject = global.Object;
    const ModuleError = global.Error;
    const ModuleDate = global.Date;
    const ModuleJson = global.JSON;
    const parseModuleJson = ModuleJson.parse;
    const modulePrototype = ModuleObject.prototype;
    const fail = (message: string): Error => new ModuleError(message);
    const consoleLines: { level: string; file: string; text: string }[] = [];
    const fileStack: string[] = [file];
    const registry = new MapConstructor<string, Module>();
    const problems: Problem[] = [];
    let marked = false;

    // --- console: recorded with the module that wrote it, shown by Carbon on stderr -------------
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
      const stack = new ModuleError().stack ?? '';
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
        push(consoleLines, { level, file: writerOf(), text: text.slice(0, MAX_MESSAGE * 5) });
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

    // --- no clock, no randomness: settings must give the same answer every time ----------------
    const unstable = (what: string) =>
      fail(
        `settings cannot use ${what}: Carbon caches what settings produce and must get the same answer on every run; write the value into the settings`,
      );
    const HermeticDate = function Date(this: unknown, ...args: unknown[]) {
      if (new.target === undefined || args.length === 0) throw unstable('the current time');
      return reflectConstruct(ModuleDate, args, new.target);
    } as unknown as DateConstructor;
    defineProperty(HermeticDate, 'prototype', { value: ModuleDate.prototype });
    defineProperty(HermeticDate, 'UTC', { value: ModuleDate.UTC });
    defineProperty(HermeticDate, 'parse', { value: ModuleDate.parse });
    defineProperty(HermeticDate, 'now', {
      value: () => {
        throw unstable('Date.now()');
      },
    });
    defineProperty(ModuleDate.prototype, 'constructor', { value: HermeticDate });
    defineProperty(global.Math, 'random', {
      value: () => {
        throw unstable('Math.random()');
      },
    });
    defineProperty(global, 'console', { value: console, configurable: true, writable: true });
    defineProperty(global, 'Date', { value: HermeticDate, configurable: true, writable: true });
    // When the engine collects garbage depends on every module it ran before: not for settings.
    delete (global as Partial<ModuleGlobal>).WeakRef;
    delete (global as Partial<ModuleGlobal>).FinalizationRegistry;

    // --- Carbon's API, as settings import it ---------------------------------------------------
    const env = (name: unknown): string | undefined => {
      if (typeof name !== 'string') throw fail('env(name) takes a variable name');
      const answer = parseJson(host.env(name)) as { declared: boolean; value?: string | null };
      if (!answer.declared)
        throw fail(
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
    // Importing a name Carbon does not export says so, instead of failing later on `undefined`.
    const carbon = new Proxy(carbonApi, {
      get(target, name) {
        if (
          typeof name !== 'string' ||
          hasOwn(target, name) ||
          name === 'default' ||
          name === 'then'
        )
          return (target as Record<string | symbol, unknown>)[name];
        throw fail(host.missing(name));
      },
    });

    // --- modules: each evaluated once for this project module -----------------------------------
    const load = (path: string, format: string): unknown => {
      const known = registry.get(path);
      if (known) return known.exports;
      const module: Module = { exports: new ModuleObject() };
      registry.set(path, module);
      if (format === 'json') {
        const text = host.readJson(path);
        if (text.startsWith('\u0000')) throw fail(text.slice(1));
        module.exports = reflectApply(parseModuleJson, ModuleJson, [text]);
        return module.exports;
      }
      const body = host.compile(path);
      if (typeof body !== 'function') {
        registry.delete(path);
        throw fail((parseJson(body as string) as { error: string }).error);
      }
      push(fileStack, path);
      try {
        const directory = path.slice(0, path.lastIndexOf('/')) || '/';
        body(module.exports, requireFrom(path), module, path, directory);
      } finally {
        fileStack.length--;
      }
      return module.exports;
    };
    const requireFrom = (from: string) =>
      function require(specifier: unknown): unknown {
        if (typeof specifier !== 'string') throw fail('require() takes a string');
        const target = parseJson(host.resolve(from, specifier)) as {
          kind: string;
          path?: string;
          format?: string;
          message?: string;
        };
        if (target.kind === 'carbon') return carbon;
        if (target.kind === 'file') return load(target.path!, target.format!);
        throw fail(target.message ?? 'cannot import');
      };

    // --- snapshot: exported values as plain JSON data, every problem at its settings path -------
    const kindOf = (value: object): string => {
      try {
        const tag = reflectApply(objectToString, value, []).slice(8, -1) as string;
        if (tag !== 'Object') return tag;
        const constructor = getPrototypeOf(value)?.constructor;
        return typeof constructor === 'function' && constructor.name
          ? `${constructor.name} instance`
          : 'object';
      } catch {
        return 'object';
      }
    };
    const snapshot = (exported: string, root: unknown): unknown => {
      const seen = new SetConstructor<object>();
      let nodes = 0;
      // The path of the value being read, kept as one stack: copied only for a problem.
      const path: (string | number)[] = [];
      const problem = (message: string, last?: string | number) => {
        push(problems, {
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
                push(list, problem(`reading it threw: ${describeThrown(error)}`, index));
                continue;
              }
              push(path, index);
              push(list, walk(item, depth + 1));
              path.length--;
            }
            return list;
          }
          const prototype = getPrototypeOf(object);
          if (prototype !== modulePrototype && prototype !== null) {
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
            push(path, key);
            copy[key] = walk(item, depth + 1);
            path.length--;
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

    // --- the module, and the answer: JSON text (nothing else leaves) ---------------------------
    let error: { message: string; stack: string } | null = null;
    let exports: Record<string, unknown> | null = null;
    try {
      const value = load(file, file.endsWith('.json') ? 'json' : 'code');
      exports = blank();
      if (value !== null && typeof value === 'object') {
        // A proxy's traps throw here as anywhere: the module threw.
        for (const name of keys(value)) {
          if (name === '__esModule') continue;
          let item: unknown;
          try {
            item = (value as Record<string, unknown>)[name];
          } catch (thrown) {
            push(problems, {
              export: name,
              path: [],
              message: `reading it threw: ${describeThrown(thrown)}`,
            });
            continue;
          }
          exports[name] = snapshot(name, item);
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
  };

  // --- nothing of this context may change from now on -------------------------------------------
  const hardened = new SetConstructor<unknown>();
  const harden = (value: unknown): void => {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return;
    if (hardened.has(value)) return;
    hardened.add(value);
    try {
      freeze(value);
    } catch {
      // A typed array with elements cannot be frozen: none is reachable here, but none stops this.
    }
    harden(getPrototypeOf(value));
    for (const name of [...getOwnPropertyNames(value), ...getOwnPropertySymbols(value)]) {
      const descriptor = getOwnPropertyDescriptor(value, name)!;
      if (hasOwn(descriptor, 'value')) harden(descriptor.value);
      else {
        harden(descriptor.get);
        harden(descriptor.set);
      }
    }
  };
  harden(globalThis);
  harden(evaluate);
  return evaluate;
}
