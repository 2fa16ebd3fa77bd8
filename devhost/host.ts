import { randomUUID } from 'node:crypto';
import azureFunctions, { type InvocationContextInit } from '@azure/functions';
import type {
  FunctionCallback,
  FunctionMetadata,
  FunctionsCoreSink,
  HookCallback,
  RpcBindingInfo,
} from './functions-core.js';

export interface Binding extends RpcBindingInfo {
  name: string;
}

/** One function as registered by the app: its metadata, its trigger binding and its handler. */
export interface RegisteredFunction {
  name: string;
  metadata: FunctionMetadata;
  trigger: Binding;
  extraInputs: Binding[];
  extraOutputs: Binding[];
  returnBinding: Binding | undefined;
  handler: FunctionCallback;
}

export interface InvokeOptions {
  invocationId?: string;
  triggerMetadata?: Record<string, unknown>;
  traceContext?: { traceParent?: string; traceState?: string };
  retryContext?: { retryCount: number; maxRetryCount: number };
}

export interface InvocationResult {
  result: unknown;
  context: InvocationContext;
}

/**
 * Provides the value of an input binding at invocation time, as the Functions host would (the
 * durable client binding, for example). Registered by binding type.
 */
export type InputProvider = (binding: Binding, fn: RegisteredFunction) => unknown;

export type LogSink = (entry: {
  level: string;
  category: string;
  functionName?: string;
  message: string;
}) => void;

// Node's ESM loader cannot see the classes among the bundled CommonJS exports of @azure/functions
// (only plain functions like `app`), so they are taken from the module object.
const { InvocationContext } = azureFunctions;
type InvocationContext = InstanceType<typeof InvocationContext>;

const isTrigger = (type: string): boolean => /trigger$/i.test(type);

/**
 * The registry of functions and hooks the app registered, and the one way to invoke them with real
 * `InvocationContext` objects and the app's pre/post invocation hooks.
 */
export class FunctionHost implements FunctionsCoreSink {
  readonly functions = new Map<string, RegisteredFunction>();
  readonly #hooks = new Map<string, Set<HookCallback>>();
  readonly #inputProviders = new Map<string, InputProvider>();
  readonly #appHookData: Record<string, unknown> = {};
  #log: LogSink;

  constructor(log: LogSink = defaultLog) {
    this.#log = log;
  }

  registerFunction(metadata: FunctionMetadata, handler: FunctionCallback): void {
    if (this.functions.has(metadata.name))
      throw new Error(`A function named "${metadata.name}" is already registered.`);
    let trigger: Binding | undefined;
    let returnBinding: Binding | undefined;
    const extraInputs: Binding[] = [];
    const extraOutputs: Binding[] = [];
    for (const [name, info] of Object.entries(metadata.bindings)) {
      const binding: Binding = { ...info, name };
      if (isTrigger(info.type)) trigger = binding;
      else if (name === '$return') returnBinding = binding;
      else if (info.direction === 'in') extraInputs.push(binding);
      else extraOutputs.push(binding);
    }
    if (!trigger) throw new Error(`Function "${metadata.name}" has no trigger binding.`);
    this.functions.set(metadata.name, {
      name: metadata.name,
      metadata,
      trigger,
      extraInputs,
      extraOutputs,
      returnBinding,
      handler,
    });
  }

  registerHook(hookName: string, callback: HookCallback): { dispose(): void } {
    const set = this.#hooks.get(hookName) ?? new Set();
    set.add(callback);
    this.#hooks.set(hookName, set);
    return { dispose: () => set.delete(callback) };
  }

  log(level: string, category: string, message: string): void {
    this.#log({ level, category, message });
  }

  setLogSink(log: LogSink): void {
    this.#log = log;
  }

  provideInput(bindingType: string, provider: InputProvider): void {
    this.#inputProviders.set(bindingType.toLowerCase(), provider);
  }

  /** The functions whose trigger binding has this type (case-insensitive), in registration order. */
  byTrigger(type: string): RegisteredFunction[] {
    const wanted = type.toLowerCase();
    return [...this.functions.values()].filter((fn) => fn.trigger.type.toLowerCase() === wanted);
  }

  get(name: string): RegisteredFunction {
    const fn = this.functions.get(name);
    if (!fn) throw new Error(`No function named "${name}" is registered.`);
    return fn;
  }

  async runAppHook(hookName: 'appStart' | 'appTerminate'): Promise<void> {
    for (const callback of this.#hooks.get(hookName) ?? []) {
      await callback({ hookData: {}, appHookData: this.#appHookData, functionAppDirectory: process.cwd() });
    }
  }

  /**
   * Invokes a function with its trigger value, the way the worker does: a fresh InvocationContext
   * carrying the binding options, input bindings filled by their providers, the app's
   * preInvocation hooks (which may replace the handler or inputs), the handler, then the
   * postInvocation hooks (which may replace the result or the error).
   */
  async invoke(
    fn: RegisteredFunction,
    triggerValue: unknown,
    options: InvokeOptions = {},
  ): Promise<InvocationResult> {
    const init: InvocationContextInit = {
      invocationId: options.invocationId ?? randomUUID(),
      functionName: fn.name,
      triggerMetadata: options.triggerMetadata,
      traceContext: options.traceContext,
      retryContext: options.retryContext,
      options: {
        trigger: fn.trigger as never,
        return: fn.returnBinding as never,
        extraInputs: fn.extraInputs as never,
        extraOutputs: fn.extraOutputs as never,
      },
      logHandler: (level, ...args) =>
        this.#log({ level, category: 'user', functionName: fn.name, message: args.map(formatArg).join(' ') }),
    };
    const context = new InvocationContext(init);
    for (const binding of fn.extraInputs) {
      const provider = this.#inputProviders.get(binding.type.toLowerCase());
      if (provider) context.extraInputs.set(binding.name, provider(binding, fn));
    }

    const hookData: Record<string, unknown> = {};
    const pre = {
      hookData,
      appHookData: this.#appHookData,
      invocationContext: context,
      inputs: [triggerValue],
      functionCallback: fn.handler,
    };
    for (const callback of this.#hooks.get('preInvocation') ?? []) await callback(pre);

    let result: unknown;
    let error: unknown;
    try {
      result = await pre.functionCallback(...pre.inputs, context);
    } catch (err) {
      error = err;
    }
    const post = {
      hookData,
      appHookData: this.#appHookData,
      invocationContext: context,
      inputs: pre.inputs,
      result,
      error,
    };
    for (const callback of this.#hooks.get('postInvocation') ?? []) await callback(post);
    if (post.error !== undefined && post.error !== null) throw post.error;
    return { result: post.result, context };
  }
}

function formatArg(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  if (arg instanceof Error) return arg.stack ?? arg.message;
  try {
    return JSON.stringify(arg);
  } catch {
    return String(arg);
  }
}

function defaultLog(entry: {
  level: string;
  category: string;
  functionName?: string;
  message: string;
}): void {
  if (entry.level === 'trace' || entry.level === 'debug') return;
  const line = entry.functionName ? `[${entry.functionName}] ${entry.message}` : entry.message;
  if (entry.level === 'error' || entry.level === 'critical') console.error(line);
  else if (entry.level === 'warning') console.warn(line);
  else console.log(line);
}
