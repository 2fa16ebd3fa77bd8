import { randomUUID } from 'node:crypto';
import { BusEmulator, type BusEmulatorOptions } from '../../devhost/bus/emulator.js';
import { setFunctionsCoreSink } from '../../devhost/functions-core.js';
import { FunctionHost } from '../../devhost/host.js';

/**
 * A fresh function registry that collects the `app.*` registrations that follow, with user logs
 * kept for assertions instead of printed.
 */
export function collectingHost(): { host: FunctionHost; logs: string[] } {
  const logs: string[] = [];
  const host = new FunctionHost((entry) =>
    logs.push(`${entry.level} ${entry.functionName ?? entry.category}: ${entry.message}`),
  );
  setFunctionsCoreSink(host);
  return { host, logs };
}

/** A name no other test in the file uses (entities share the file's database). */
export const unique = (prefix: string): string => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A promise with its resolve function, for handlers a test releases when it chooses. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Emulators started by a test, stopped after it whatever happened. */
export class Emulators {
  readonly #started: BusEmulator[] = [];
  readonly logs: string[] = [];

  create(options: Omit<BusEmulatorOptions, 'log'>): BusEmulator {
    const emulator = new BusEmulator({
      pollIntervalMs: 50,
      abandonDelayMs: 5,
      ...options,
      log: (msg) => this.logs.push(msg),
    });
    this.#started.push(emulator);
    return emulator;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.#started.splice(0).map((emulator) => emulator.stop()));
  }
}
