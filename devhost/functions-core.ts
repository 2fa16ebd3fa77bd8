import Module, { createRequire } from 'node:module';
import path from 'node:path';

/**
 * A stand-in for `@azure/functions-core`, the module the Azure Functions Node worker supplies to
 * `@azure/functions`. With it installed before `@azure/functions` loads, every unchanged
 * `app.http(...)`, `app.timer(...)`, `df.app.orchestration(...)` hands the devhost the same binding
 * metadata and handler that it hands the worker in Azure.
 *
 * The module object is a process-wide singleton (Node caches it once per process, as does
 * `@azure/functions`), so it forwards to whichever host is current: tests start several hosts,
 * one after another, in one process.
 */

export interface RpcBindingInfo {
  type: string;
  direction: 'in' | 'out' | 'inout';
  name?: string;
  [key: string]: unknown;
}

export interface FunctionMetadata {
  name: string;
  bindings: Record<string, RpcBindingInfo>;
  retryOptions?: unknown;
}

export type FunctionCallback = (...args: unknown[]) => unknown;
export type HookCallback = (context: Record<string, unknown>) => unknown;

export interface FunctionsCoreSink {
  registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): void;
  registerHook(hookName: string, callback: HookCallback): { dispose(): void };
  log(level: string, category: string, message: string): void;
}

interface CoreApi {
  version: string;
  hostVersion: string;
  registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): { dispose(): void };
  registerHook(hookName: string, callback: HookCallback): { dispose(): void };
  setProgrammingModel(model: unknown): void;
  getProgrammingModel(): unknown;
  log(level: string, category: string, message: string): void;
  Disposable: unknown;
}

const GLOBAL_KEY = Symbol.for('tessera.devhost.functions-core');
const VIRTUAL_PATH = path.join(
  path.sep,
  '__tessera_devhost__',
  'node_modules',
  '@azure',
  'functions-core',
  'index.js',
);

interface CoreState {
  sink: FunctionsCoreSink | undefined;
  programmingModel: unknown;
  installed: boolean;
}

function state(): CoreState {
  const g = globalThis as unknown as Record<symbol, CoreState | undefined>;
  g[GLOBAL_KEY] ??= { sink: undefined, programmingModel: undefined, installed: false };
  return g[GLOBAL_KEY];
}

class Disposable {
  #callback: (() => void) | undefined;
  constructor(callback: () => void) {
    this.#callback = callback;
  }
  static from(...items: { dispose(): void }[]): Disposable {
    return new Disposable(() => items.forEach((item) => item.dispose()));
  }
  dispose(): void {
    this.#callback?.();
    this.#callback = undefined;
  }
}

function currentSink(): FunctionsCoreSink {
  const sink = state().sink;
  if (!sink)
    throw new Error('No devhost is collecting function registrations: call setFunctionsCoreSink first.');
  return sink;
}

const coreApi: CoreApi = {
  version: '3.10.1',
  hostVersion: '4.1040.0',
  registerFunction(metadata, callback) {
    currentSink().registerFunction(metadata, callback);
    return new Disposable(() => undefined);
  },
  registerHook(hookName, callback) {
    return currentSink().registerHook(hookName, callback);
  },
  setProgrammingModel(model) {
    state().programmingModel = model;
  },
  getProgrammingModel() {
    return state().programmingModel;
  },
  log(level, category, message) {
    const sink = state().sink;
    if (sink) sink.log(level, category, message);
  },
  Disposable,
};

/**
 * Makes `require('@azure/functions-core')` resolve to the stand-in. Idempotent; must run before
 * anything loads `@azure/functions`.
 */
export function installFunctionsCore(): void {
  const s = state();
  if (s.installed) return;
  const require = createRequire(import.meta.url);
  const ModuleInternals = Module as unknown as {
    _resolveFilename: (request: string, parent: unknown, ...rest: unknown[]) => string;
  };
  const resolve = ModuleInternals._resolveFilename;
  ModuleInternals._resolveFilename = function (request: string, parent: unknown, ...rest: unknown[]): string {
    if (request === '@azure/functions-core') return VIRTUAL_PATH;
    return resolve.call(this, request, parent, ...rest);
  };
  const virtual = new Module(VIRTUAL_PATH);
  virtual.filename = VIRTUAL_PATH;
  virtual.loaded = true;
  virtual.exports = coreApi;
  require.cache[VIRTUAL_PATH] = virtual;
  s.installed = true;
}

/** Directs registrations to `sink` (the host being started) until the next call. */
export function setFunctionsCoreSink(sink: FunctionsCoreSink | undefined): void {
  state().sink = sink;
}

/** The programming model `@azure/functions` set, for converting invocation data like the worker does. */
export function programmingModel(): unknown {
  return state().programmingModel;
}
