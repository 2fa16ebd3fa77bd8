/**
 * A devhost-like process for the kill-and-resume test: a FunctionHost with one flow registered
 * through `df.app.*`, and the durable driver over a file-backed PGlite in `<dataDir>` (or the
 * database in KILL_DATABASE_URL). Its activities record a side effect per execution in a table.
 * It prints one JSON line per fact the test watches (`effect`, driver `log`, final `status`), and
 * exits after the flow finishes. Run: `node --import tsx tests/durable/kill-resume-worker.ts <dataDir>`.
 *
 * Environment: KILL_RUN (a number recorded with each side effect), KILL_START=1 (start the flow),
 * KILL_DATABASE_URL (use this database instead of PGlite).
 */
import type { PoolConfig } from 'pg';
import { installFunctionsCore, setFunctionsCoreSink } from '../../devhost/functions-core.js';

installFunctionsCore();

const { sql } = await import('kysely');
const { FunctionHost } = await import('../../devhost/host.js');
const { DurableDriver } = await import('../../devhost/durable/driver.js');
const { migrateDevhost } = await import('../../devhost/db/migrator.js');
const { createDb, createPool } = await import('../../shared/platform/db/database.js');

const FLOW = 'kill-flow';
const STEP = 'kill-step';
const INSTANCE_ID = 'kill-resume-1';

const print = (fact: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(fact)}\n`);
};

const dataDir = process.argv[2];
const run = Number(process.env.KILL_RUN ?? '0');

async function openDatabase(): Promise<{ db: ReturnType<typeof createDb>; close: () => Promise<void> }> {
  if (process.env.KILL_DATABASE_URL) {
    const db = createDb(createPool(process.env.KILL_DATABASE_URL, 4));
    return { db, close: () => db.destroy() };
  }
  if (!dataDir) throw new Error('usage: kill-resume-worker.ts <dataDir>');
  const { PGlite } = await import('@electric-sql/pglite');
  const { createPgConfig } = await import('@electric-sql/pglite/node-postgres');
  const pg = (await import('pg')).default;
  const pglite = new PGlite(dataDir);
  await pglite.waitReady;
  const db = createDb(new pg.Pool({ ...createPgConfig(pglite), max: 1 } as unknown as PoolConfig));
  return {
    db,
    close: async () => {
      await db.destroy();
      await pglite.close();
    },
  };
}

const database = await openDatabase();
const db = database.db;
await migrateDevhost(db as never);
await sql`create table if not exists public.durable_kill_effects (id bigserial primary key, step integer not null, run integer not null)`.execute(
  db,
);

const host = new FunctionHost(() => undefined);
setFunctionsCoreSink(host);
const df = await import('durable-functions');

df.app.activity(STEP, {
  handler: async (step: number) => {
    await sql`insert into public.durable_kill_effects (step, run) values (${step}, ${run})`.execute(db);
    print({ effect: step, run });
    // Long enough for the test to kill the process while the activity is still running.
    await new Promise((resolve) => setTimeout(resolve, 200));
    return step * 10;
  },
});

/** Six steps in a chain, four in parallel, a durable timer, one last step. */
df.app.orchestration(FLOW, function* (context) {
  const results: number[] = [];
  for (let step = 0; step < 6; step++) results.push((yield context.df.callActivity(STEP, step)) as number);
  const parallel = [6, 7, 8, 9].map((step) => context.df.callActivity(STEP, step));
  results.push(...((yield context.df.Task.all(parallel)) as number[]));
  yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 300));
  results.push((yield context.df.callActivity(STEP, 10)) as number);
  return results;
});

const driver = new DurableDriver({
  host,
  db,
  baseUrl: () => 'http://127.0.0.1:0',
  pollIntervalMs: 25,
  // A short lease, so that the next process takes over the dead one's work quickly.
  leaseMs: 1_000,
  log: (message) => print({ log: message }),
});
driver.start();
if (process.env.KILL_START === '1') await driver.startNew(FLOW, { instanceId: INSTANCE_ID, input: null });
print({ ready: run });

const status = await driver.waitForCompletion(INSTANCE_ID, 60_000);
print({ status });
await driver.stop();
await database.close();
