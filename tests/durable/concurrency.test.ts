import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DurableDriver } from '../../devhost/durable/driver.js';
import { EventType } from '../../devhost/durable/protocol.js';
import { createDb, type Db } from '../../shared/platform/db/database.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { fixtureHost } from './harness.js';
import { activityRuns, CHAIN, DOUBLE, FAN_OUT, HELLO } from './names.js';

let database: TestDatabase;
let secondDb: Db;
const drivers: DurableDriver[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  // On a server the second worker has a pool of its own, as a second devhost process would;
  // PGlite has one connection, so there the two workers interleave statement by statement.
  secondDb = database.url ? createDb(new pg.Pool({ connectionString: database.url, max: 5 })) : database.db;
});

afterAll(async () => {
  for (const driver of drivers) await driver.stop();
  if (secondDb !== database.db) await secondDb.destroy();
  await database?.close();
});

it('shares the work of many instances between two workers without doing any step twice', async () => {
  const host = await fixtureHost();
  const logs: string[][] = [[], []];
  for (const [index, db] of [database.db, secondDb].entries()) {
    drivers.push(
      new DurableDriver({
        host,
        db,
        baseUrl: () => 'http://127.0.0.1:0',
        pollIntervalMs: 10,
        log: (m) => logs[index]?.push(m),
      }),
    );
  }
  for (const driver of drivers) driver.start();
  const [a, b] = drivers as [DurableDriver, DurableDriver];

  const doublesBefore = activityRuns.get(DOUBLE) ?? 0;
  const hellosBefore = activityRuns.get(HELLO) ?? 0;
  const fanOuts = await Promise.all([...Array(5).keys()].map(() => a.startNew(FAN_OUT, { input: 30 })));
  const chains = await Promise.all(
    [...Array(5).keys()].map((i) => b.startNew(CHAIN, { input: [`a${i}`, `b${i}`, `c${i}`] })),
  );

  for (const id of fanOuts) expect((await a.waitForCompletion(id, 30_000)).output).toBe(870);
  for (const [i, id] of chains.entries())
    expect((await b.waitForCompletion(id, 30_000)).output).toEqual([
      `Hello a${i}!`,
      `Hello b${i}!`,
      `Hello c${i}!`,
    ]);
  await a.waitForIdle();
  await b.waitForIdle();

  // Leases never expired here, so every activity ran exactly once.
  expect((activityRuns.get(DOUBLE) ?? 0) - doublesBefore).toBe(150);
  expect((activityRuns.get(HELLO) ?? 0) - hellosBefore).toBe(15);
  for (const id of [...fanOuts, ...chains]) {
    const history = await a.getHistory(id);
    const scheduled = history.filter((e) => e.EventType === EventType.TaskScheduled).map((e) => e.EventId);
    const completed = history
      .filter((e) => e.EventType === EventType.TaskCompleted)
      .map((e) => Number(e.TaskScheduledId));
    expect(completed.sort((x, y) => x - y)).toEqual(scheduled);
  }
  const activitiesBy = logs.map(
    (lines) => lines.filter((line) => /: completed$/.test(line) && line.includes('activity')).length,
  );
  console.log(`activities completed per worker: ${activitiesBy.join(' / ')} (${database.kind})`);
});
