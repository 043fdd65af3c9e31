// The boundary settings code runs behind: QuickJS, a JavaScript engine of its own compiled to
// WebAssembly (quickjs-emscripten). Its objects live in the WebAssembly instance's memory, where no
// object, function, error or prototype of Node's or Carbon's exists: none can be handed to settings
// code or thrown into it, whatever the code does (Node's vm contexts share one engine with Carbon,
// and an error made on Carbon's side once led a module to Carbon's Function, and from there to
// `process`). What crosses is copied: strings into the engine, strings out. Its limits are its
// own: a WebAssembly memory of a fixed maximum (QuickJS's own memory limit counts nothing in this
// build: it cannot size what it allocates), and an interrupt handler it polls as it runs, which
// ends a module past its time (polled between bytecode operations only: engine.ts has the stop
// that cannot be delayed).
//
// Every evaluation gets a runtime and a context of its own, disposed after it: a global, a patched
// built-in or a promise job a module leaves is gone before the next module runs.
//
// An exception of the host's own while settings ran (V8's stack running out under a recursion deep
// inside the engine traps the WebAssembly call) leaves the engine's memory in no known state: that
// instance is never used again, and the next evaluation loads a new one.
import type {
  QuickJSContext,
  QuickJSHandle,
  QuickJSRuntime,
  QuickJSSyncVariant,
  QuickJSWASMModule,
} from 'quickjs-emscripten-core';

/**
 * Bytes of the engine's own stack (a C stack inside WebAssembly memory). Small, so that the engine
 * stops a deep recursion with its own "stack overflow" error before the WebAssembly frames behind
 * it exhaust V8's stack (which traps): a plain recursion still goes a few hundred calls deep, far
 * beyond what settings need. A trap is handled all the same (above), only less precisely.
 */
const STACK_BYTES = 64 * 1024;

/** WebAssembly's Memory, which Node has and its type declarations (without the DOM's) lack. */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
const { Memory } = (
  globalThis as unknown as {
    WebAssembly: { Memory: new (size: { initial: number; maximum: number }) => WasmMemory };
  }
).WebAssembly;

/** Bytes the engine's memory starts with (the build's own size: code data, stack, first heap). */
const INITIAL_BYTES = 16 * 1024 * 1024;
const PAGE_BYTES = 64 * 1024;

/**
 * A function settings code may call (through the bootstrap): strings in; a string, or a value
 * made in the context (a compiled module), out. Throwing is for Carbon's own faults only.
 */
export type HostFunction = (context: QuickJSContext, ...args: string[]) => string | QuickJSHandle;

/** How an evaluation ended. */
export type SandboxOutcome =
  /** The bootstrap's answer. */
  | { kind: 'answer'; text: string }
  /** The bootstrap gave no answer: the module broke something it relies on. */
  | { kind: 'broken'; message: string }
  | { kind: 'timeout' }
  | { kind: 'memory' }
  /** V8's stack ran out while the engine ran (a recursion too deep for the engine's own check). */
  | { kind: 'stack' };

/** Longest answer read out of the engine: 64 MB of settings is no settings. */
const MAX_ANSWER = 64 * 1024 * 1024;

/** QuickJS, loaded on first need and again after a fault or a module that took all its memory. */
export class Sandbox {
  private engine: Promise<QuickJSWASMModule> | undefined;
  /** The engine's memory: every evaluation's objects, up to its maximum. */
  private memory: WasmMemory | undefined;
  private readonly memoryBytes: number;

  /** `memoryBytes`: the most the engine's memory may grow to (at least 32 MB). */
  constructor(memoryBytes: number) {
    this.memoryBytes = Math.max(memoryBytes, 2 * INITIAL_BYTES);
  }

  /**
   * Evaluates `bootstrap` (the source of a function) in a fresh context, then calls it with an
   * object of the `host` functions and `argument`; its answer is the string it returns.
   */
  async call(
    timeoutMs: number,
    host: Record<string, HostFunction>,
    bootstrap: { source: string; name: string },
    argument: string,
  ): Promise<SandboxOutcome> {
    const engine = await (this.engine ??= this.load());
    let fault: unknown;
    let timedOut = false;
    let runtime: QuickJSRuntime | undefined;
    let opened: QuickJSContext | undefined;
    const finish = (outcome: SandboxOutcome): SandboxOutcome => {
      if (fault === undefined) {
        try {
          // With them every promise job the module left queued.
          opened?.dispose();
          runtime?.dispose();
        } catch (error) {
          fault = error;
        }
      }
      // A module that ran out of memory may leave it fragmented: the next starts afresh.
      if (outcome.kind === 'memory') this.engine = undefined;
      if (fault === undefined) return outcome;
      this.engine = undefined;
      // Only V8's stack running out is the settings' doing; anything else is a bug (exit 3).
      if (!(fault instanceof RangeError)) throw fault;
      return { kind: 'stack' };
    };
    try {
      runtime = engine.newRuntime();
      runtime.setMaxStackSize(STACK_BYTES);
      const deadline = performance.now() + timeoutMs;
      // Once past the deadline every later poll interrupts too: a module cannot catch its way on.
      runtime.setInterruptHandler(() => (timedOut ||= performance.now() > deadline));
      const context = runtime.newContext();
      opened = context;
      const hostObject = context.newObject();
      for (const [name, implementation] of Object.entries(host)) {
        const fn = context.newFunction(name, (...args: QuickJSHandle[]) => {
          try {
            // Only strings are read: reading anything else could run the module's code from here.
            const strings = args.map((arg) =>
              context.typeof(arg) === 'string' ? context.getString(arg) : '',
            );
            const answer = implementation(context, ...strings);
            return typeof answer === 'string' ? context.newString(answer) : answer;
          } catch (error) {
            // Never handed on: the module sees an error made in its own context, and the run ends.
            fault ??= error;
            return { error: context.newError('Carbon stopped the settings') };
          }
        });
        context.setProp(hostObject, name, fn);
        fn.dispose();
      }
      const compiled = context.evalCode(`(${bootstrap.source})`, bootstrap.name);
      if (compiled.error) {
        const message = errorText(context, compiled.error);
        compiled.error.dispose();
        throw new Error(`the settings bootstrap does not compile: ${message}`);
      }
      const input = context.newString(argument);
      const called = context.callFunction(compiled.value, context.undefined, hostObject, input);
      input.dispose();
      compiled.value.dispose();
      hostObject.dispose();
      if (fault !== undefined) {
        (called.error ?? called.value).dispose();
        return finish({ kind: 'stack' });
      }
      if (called.error) {
        const outOfMemory =
          errorText(context, called.error) === 'InternalError: out of memory' || this.exhausted();
        const message = timedOut || outOfMemory ? '' : errorText(context, called.error);
        called.error.dispose();
        if (timedOut) return finish({ kind: 'timeout' });
        if (outOfMemory) return finish({ kind: 'memory' });
        return finish({ kind: 'broken', message });
      }
      const text = readAnswer(context, called.value);
      called.value.dispose();
      return finish(
        text === undefined
          ? { kind: 'broken', message: 'its values could not be read' }
          : { kind: 'answer', text },
      );
    } catch (error) {
      fault ??= error;
      return finish({ kind: 'stack' });
    }
  }

  /** QuickJS's WebAssembly module, compiled and instantiated with a memory of its own. */
  private async load(): Promise<QuickJSWASMModule> {
    const [{ newQuickJSWASMModuleFromVariant, newVariant }, { default: variant }] =
      await Promise.all([
        import('quickjs-emscripten-core'),
        import('@jitl/quickjs-wasmfile-release-sync'),
      ]);
    this.memory = new Memory({
      initial: INITIAL_BYTES / PAGE_BYTES,
      maximum: Math.floor(this.memoryBytes / PAGE_BYTES),
    });
    // The package's types describe its CommonJS build; both of its builds give the variant.
    const base = variant as unknown as QuickJSSyncVariant;
    return newQuickJSWASMModuleFromVariant(newVariant(base, { wasmMemory: this.memory as never }));
  }

  /**
   * Whether the engine's memory is (nearly) all used: an allocation failed there, and the error
   * the engine then throws may be no error at all (making one needs memory too).
   */
  private exhausted(): boolean {
    const size = this.memory?.buffer.byteLength ?? 0;
    return size + 2 * 1024 * 1024 >= this.memoryBytes;
  }
}

/** The bootstrap's answer, when it is a string of a sane length. */
function readAnswer(context: QuickJSContext, value: QuickJSHandle): string | undefined {
  if (context.typeof(value) !== 'string') return undefined;
  const length = context.getProp(value, 'length');
  const size = context.getNumber(length);
  length.dispose();
  return size <= MAX_ANSWER ? context.getString(value) : undefined;
}

/**
 * `name: message` of an error the engine threw. Reading a property may run the module's code (a
 * getter), which runs in the engine like any other, under the same limits.
 */
function errorText(context: QuickJSContext, error: QuickJSHandle): string {
  if (context.typeof(error) !== 'object') return 'a value that is not an error';
  const read = (key: string): string => {
    const handle = context.getProp(error, key);
    const text = context.typeof(handle) === 'string' ? context.getString(handle) : '';
    handle.dispose();
    return text;
  };
  return `${read('name')}: ${read('message')}`;
}
