import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/db.js';
import { settings } from '../config.js';
import { AppError } from '../errors.js';
import { createDb, createPool, type Db, type Tx } from './database.js';
import { TRANSACTION_ATTEMPTS_MAX, transientFailure, withSystem, withTenant } from './tenant.js';

/**
 * The tenant transaction runs again when the server rolled it back for a transient reason, and
 * tells the caller to come back later (503) when it cannot know or keeps failing. On PGlite the
 * server-raised conflicts are checked; terminated connections need the real server.
 */
let t: TestDatabase;
const tenantId = randomUUID();

beforeAll(async () => {
  t = await createTestDatabase();
  await sql`create table retry_probe (run text not null, attempt int not null)`.execute(t.db);
  await sql`grant select, insert on retry_probe to ${sql.id(settings().DATABASE_APP_ROLE)}`.execute(t.db);
});
afterAll(async () => t?.close());

const raise = (trx: Tx, sqlstate: string) =>
  sql`do $$ begin raise exception 'injected' using errcode = ${sql.lit(sqlstate)}; end $$`.execute(trx);

const attemptsOf = async (db: Db, run: string) =>
  (
    await sql<{
      attempt: number;
    }>`select attempt from retry_probe where run = ${run} order by attempt`.execute(db)
  ).rows.map((r) => r.attempt);

describe('transientFailure', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  it('knows conflicts, lost connections and statements never sent', () => {
    expect(transientFailure(withCode('40001'))).toBe('conflict');
    expect(transientFailure(withCode('40P01'))).toBe('conflict');
    expect(transientFailure(withCode('57P01'))).toBe('connection');
    expect(transientFailure(withCode('08006'))).toBe('connection');
    expect(transientFailure(withCode('ECONNRESET'))).toBe('connection');
    expect(transientFailure(new Error('Connection terminated unexpectedly'))).toBe('connection');
    expect(
      transientFailure(new Error('Client has encountered a connection error and is not queryable')),
    ).toBe('not-sent');
  });
  it('leaves everything else alone', () => {
    expect(transientFailure(withCode('23505'))).toBeUndefined();
    expect(transientFailure(withCode('23514'))).toBeUndefined();
    expect(transientFailure(new AppError('conflict', 'x.y', 'no'))).toBeUndefined();
    expect(transientFailure('40001')).toBeUndefined();
  });
});

describe.each([
  ['a serialization failure', '40001'],
  ['a deadlock', '40P01'],
])('after %s raised by the server', (_, sqlstate) => {
  it('runs the work again in a new transaction; what the failed attempt wrote is gone', async () => {
    const run = randomUUID();
    let attempt = 0;
    const result = await withTenant(t.db, tenantId, async (trx) => {
      attempt++;
      await sql`insert into retry_probe (run, attempt) values (${run}, ${attempt})`.execute(trx);
      if (attempt === 1) await raise(trx, sqlstate);
      return `done on ${attempt}`;
    });
    expect(result).toBe('done on 2');
    expect(await attemptsOf(t.db, run)).toEqual([2]);
  });

  it(`answers 503 with Retry-After after ${TRANSACTION_ATTEMPTS_MAX} attempts`, async () => {
    let attempts = 0;
    const failing = withSystem(t.db, async (trx) => {
      attempts++;
      await raise(trx, sqlstate);
    });
    await expect(failing).rejects.toMatchObject({
      kind: 'unavailable',
      code: 'platform.database_busy',
      headers: { 'Retry-After': '1' },
    });
    expect(attempts).toBe(TRANSACTION_ATTEMPTS_MAX);
  });
});

it('does not run again after any other failure', async () => {
  let attempts = 0;
  await expect(
    withTenant(t.db, tenantId, async (trx) => {
      attempts++;
      await raise(trx, '23505');
    }),
  ).rejects.toMatchObject({ code: '23505' });
  const refusal = new AppError('conflict', 'tests.refused', 'Refused');
  await expect(
    withTenant(t.db, tenantId, async () => {
      attempts++;
      throw refusal;
    }),
  ).rejects.toBe(refusal);
  expect(attempts).toBe(2);
});

describe.skipIf(!process.env.DATABASE_URL)('a terminated connection (PostgreSQL server)', () => {
  let db: Db;
  beforeAll(async () => {
    // The backend terminates itself: as its own function's owner, since the app role may not.
    await sql`create function retry_probe_terminate() returns trigger language plpgsql security definer as $$
      begin perform pg_terminate_backend(pg_backend_pid()); return null; end $$`.execute(t.db);
    await sql`create function retry_probe_terminate_now() returns void language plpgsql security definer as $$
      begin perform pg_terminate_backend(pg_backend_pid()); end $$`.execute(t.db);
    await sql`create table retry_probe_commit (run text not null)`.execute(t.db);
    await sql`grant select, insert on retry_probe_commit to ${sql.id(settings().DATABASE_APP_ROLE)}`.execute(
      t.db,
    );
    await sql`create constraint trigger retry_probe_commit_terminates after insert on retry_probe_commit
      deferrable initially deferred for each row execute function retry_probe_terminate()`.execute(t.db);
    db = createDb(createPool(t.url!, 3));
  });
  afterAll(async () => db?.destroy());

  it('runs the work again on a new connection when it was lost before COMMIT, and the process lives on', async () => {
    const run = randomUUID();
    let attempt = 0;
    const pids: number[] = [];
    const result = await withTenant(db, tenantId, async (trx) => {
      attempt++;
      pids.push((await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx)).rows[0]!.pid);
      await sql`insert into retry_probe (run, attempt) values (${run}, ${attempt})`.execute(trx);
      if (attempt === 1) await sql`select retry_probe_terminate_now()`.execute(trx);
      return attempt;
    });
    expect(result).toBe(2);
    expect(pids[1]).not.toBe(pids[0]);
    expect(await attemptsOf(t.db, run)).toEqual([2]);
    // The broken client left the pool: every connection it hands out works.
    await Promise.all([1, 2, 3].map(() => withTenant(db, tenantId, (trx) => sql`select 1`.execute(trx))));
  });

  it('answers 503 without running the work again when the connection was lost during COMMIT', async () => {
    const run = randomUUID();
    let attempts = 0;
    await expect(
      withTenant(db, tenantId, async (trx) => {
        attempts++;
        await sql`insert into retry_probe_commit (run) values (${run})`.execute(trx);
      }),
    ).rejects.toMatchObject({
      kind: 'unavailable',
      code: 'platform.database_unavailable',
      headers: { 'Retry-After': '1' },
    });
    expect(attempts).toBe(1);
    expect((await sql`select 1 from retry_probe_commit where run = ${run}`.execute(t.db)).rows).toHaveLength(
      0,
    );
    await withTenant(db, tenantId, (trx) => sql`select 1`.execute(trx));
  });
});
