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
// Inside, Carbon's bootstrap (realm-bootstrap.ts) runs once in a context of its own, which it
// freezes, and each module runs in a fresh context, disposed after it: a global or a patched
// built-in a module leaves is gone before the next module runs. A module that leaves promise jobs
// queued takes the whole engine state with it (the jobs are never run).
//
// An exception of the host's own while settings ran (V8's stack running out under a recursion deep
// inside the engine traps the WebAssembly call) leaves the engine's memory in no known state: that
// instance is never used again, and the next evaluation loads a new one. So does a module that ran
// out of memory.
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
/** Longest answer read out of the engine: 64 MB of settings is no settings. */
const MAX_ANSWER = 64 * 1024 * 1024;

/**
 * A function settings code may call (through the bootstrap): strings in; a string, or a value
 * made in the module's context (a compiled module), out. Throwing is for Carbon's faults only.
 */
export type HostFunction = (module: QuickJSContext, ...args: string[]) => string | QuickJSHandle;

export interface SandboxOptions {
  /** The most the engine's memory may grow to (at least 32 MB). */
  memoryBytes: number;
  /** The functions the bootstrap is given. */
  host: Record<string, HostFunction>;
  /**
   * The bootstrap: the source of a function of the host functions, run once in Carbon's context,
   * that returns the function each call runs with the module context's global and its argument.
   */
  bootstrap: { source: string; name: string };
}

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

/** The engine, its runtime, and Carbon's context in it with the bootstrap's function. */
interface EngineState {
  memory: WasmMemory;
  runtime: QuickJSRuntime;
  carbon: QuickJSContext;
  evaluate: QuickJSHandle;
}

export class Sandbox {
  private readonly options: SandboxOptions;
  private readonly memoryBytes: number;
  private state: Promise<EngineState> | undefined;
  /** The module's context while a call runs: the host functions act on it. */
  private module: QuickJSContext | undefined;
  /** When the running call must stop (performance.now()). */
  private deadline = Number.POSITIVE_INFINITY;
  private timedOut = false;
  /** An exception of Carbon's own met while the engine ran: the engine is not used again. */
  private fault: unknown;

  constructor(options: SandboxOptions) {
    this.options = options;
    this.memoryBytes = Math.max(options.memoryBytes, 2 * INITIAL_BYTES);
  }

  /** Runs the bootstrap's function in a fresh module context, with `argument`, for `timeoutMs`. */
  async call(timeoutMs: number, argument: string): Promise<SandboxOutcome> {
    // Reset before an engine starts: a call stopped for time left them set, and the engine's
    // start polls the same interrupt handler.
    this.fault = undefined;
    this.timedOut = false;
    this.deadline = Number.POSITIVE_INFINITY;
    const state = await (this.state ??= this.start());
    this.deadline = performance.now() + timeoutMs;
    let outcome: SandboxOutcome;
    try {
      outcome = this.run(state, argument);
    } catch (error) {
      this.fault ??= error;
      outcome = { kind: 'stack' };
    }
    this.module = undefined;
    this.deadline = Number.POSITIVE_INFINITY;
    if (this.fault !== undefined) {
      // Not disposed: its memory is in no known state. Only V8's stack running out is the
      // settings' doing; anything else is a bug (exit 3).
      this.state = undefined;
      if (!(this.fault instanceof RangeError)) throw this.fault;
      return { kind: 'stack' };
    }
    // Promise jobs left queued would hold on to their context, and one stopped half way may have
    // left anything: the next module gets a new engine state.
    if (outcome.kind !== 'answer' || state.runtime.hasPendingJob() || this.exhausted(state))
      this.discard(state);
    return outcome;
  }

  private run(state: EngineState, argument: string): SandboxOutcome {
    const { carbon, evaluate } = state;
    const module = state.runtime.newContext();
    this.module = module;
    const input = carbon.newString(argument);
    const called = carbon.callFunction(evaluate, carbon.undefined, module.global, input);
    input.dispose();
    try {
      if (this.fault !== undefined) return { kind: 'stack' };
      // Also when the bootstrap caught the interruption (one met while a module was compiled).
      if (this.timedOut) return { kind: 'timeout' };
      if (called.error) {
        const text = errorText(carbon, called.error);
        if (text === 'InternalError: out of memory' || this.exhausted(state))
          return { kind: 'memory' };
        return { kind: 'broken', message: text };
      }
      const text = readAnswer(carbon, called.value);
      return text === undefined
        ? { kind: 'broken', message: 'its values could not be read' }
        : { kind: 'answer', text };
    } finally {
      (called.error ?? called.value).dispose();
      module.dispose();
    }
  }

  /** Loads QuickJS with a memory of its own, and runs the bootstrap in Carbon's context. */
  private async start(): Promise<EngineState> {
    const [{ newQuickJSWASMModuleFromVariant, newVariant }, { default: variant }] =
      await Promise.all([
        import('quickjs-emscripten-core'),
        import('@jitl/quickjs-wasmfile-release-sync'),
      ]);
    const memory = new Memory({
      initial: INITIAL_BYTES / PAGE_BYTES,
      maximum: Math.floor(this.memoryBytes / PAGE_BYTES),
    });
    // The package's types describe its CommonJS build; both of its builds give the variant.
    const base = variant as unknown as QuickJSSyncVariant;
    const engine: QuickJSWASMModule = await newQuickJSWASMModuleFromVariant(
      newVariant(base, { wasmMemory: memory }),
    );
    const runtime = engine.newRuntime();
    runtime.setMaxStackSize(STACK_BYTES);
    // Once past the deadline every later poll interrupts too: a module cannot catch its way on.
    runtime.setInterruptHandler(() => (this.timedOut ||= performance.now() > this.deadline));
    const carbon = runtime.newContext();
    const host = carbon.newObject();
    for (const [name, implementation] of Object.entries(this.options.host)) {
      const fn = carbon.newFunction(name, (...args: QuickJSHandle[]) => {
        try {
          const module = this.module;
          if (!module) throw new Error(`${name} was called outside an evaluation`);
          // Only strings are read: reading anything else could run the module's code from here.
          const strings = args.map((arg) =>
            carbon.typeof(arg) === 'string' ? carbon.getString(arg) : '',
          );
          const answer = implementation(module, ...strings);
          return typeof answer === 'string' ? carbon.newString(answer) : answer;
        } catch (error) {
          // Never handed on: the module sees an error made in the engine, and the run ends.
          this.fault ??= error;
          return { error: carbon.newError('Carbon stopped the settings') };
        }
      });
      carbon.setProp(host, name, fn);
      fn.dispose();
    }
    const { source, name } = this.options.bootstrap;
    const compiled = carbon.evalCode(`(${source})`, name);
    if (compiled.error) {
      const message = errorText(carbon, compiled.error);
      throw new Error(`the settings bootstrap does not compile: ${message}`);
    }
    const made = carbon.callFunction(compiled.value, carbon.undefined, host);
    compiled.value.dispose();
    host.dispose();
    if (made.error) {
      const message = errorText(carbon, made.error);
      throw new Error(`the settings bootstrap failed: ${message}`);
    }
    return { memory, runtime, carbon, evaluate: made.value };
  }

  private discard(state: EngineState): void {
    this.state = undefined;
    try {
      state.evaluate.dispose();
      state.carbon.dispose();
      state.runtime.dispose();
    } catch {
      // An engine that cannot be taken apart cleanly is simply let go.
    }
  }

  /**
   * Whether the engine's memory is (nearly) all used: an allocation failed there, and the error
   * the engine then throws may be no error at all (making one needs memory too).
   */
  private exhausted(state: EngineState): boolean {
    return state.memory.buffer.byteLength + 2 * 1024 * 1024 >= this.memoryBytes;
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
