import { DurableDriver } from '../../devhost/durable/driver.js';
import { setFunctionsCoreSink } from '../../devhost/functions-core.js';
import { FunctionHost } from '../../devhost/host.js';
import { DevhostHttpServer } from '../../devhost/http-server.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

export interface DurableHarness {
  host: FunctionHost;
  driver: DurableDriver;
  database: TestDatabase;
  url: string;
  logs: string[];
  /** Invokes a registered function the way the host does (real InvocationContext, input bindings). */
  invoke<T = unknown>(name: string, triggerValue: unknown): Promise<T>;
  close(): Promise<void>;
}

let registered: FunctionHost | undefined;

/** The FunctionHost holding the test orchestrations, registered through `df.app.*` once per test file. */
export async function fixtureHost(): Promise<FunctionHost> {
  if (!registered) {
    const host = new FunctionHost(() => undefined);
    setFunctionsCoreSink(host);
    await import('./fixtures.js');
    registered = host;
  }
  return registered;
}

/**
 * A FunctionHost with the test orchestrations registered through `df.app.*`, the durable driver
 * over a fresh test database (fast polling), and the devhost HTTP front serving its management
 * API on a free port, so `df.getClient` calls reach it.
 */
export async function startDurableHarness(options: { leaseMs?: number } = {}): Promise<DurableHarness> {
  const host = await fixtureHost();
  const database = await createTestDatabase();
  const logs: string[] = [];
  let baseUrl = '';
  const driver = new DurableDriver({
    host,
    db: database.db,
    baseUrl: () => baseUrl,
    pollIntervalMs: 25,
    leaseMs: options.leaseMs ?? 10_000,
    log: (message) => logs.push(message),
  });
  const server = new DevhostHttpServer({
    host,
    routePrefix: 'api',
    staticDir: undefined,
    endpoints: [(req) => driver.handleHttp(req)],
    onError: (error) => logs.push(`http error: ${String(error)}`),
  });
  baseUrl = await server.listen(0, '127.0.0.1');
  driver.start();
  return {
    host,
    driver,
    database,
    url: baseUrl,
    logs,
    invoke: async <T>(name: string, triggerValue: unknown): Promise<T> =>
      (await host.invoke(host.get(name), triggerValue)).result as T,
    close: async () => {
      await driver.stop();
      await server.close();
      await database.close();
    },
  };
}
