import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/db.js';
import { settings } from '../config.js';
import { AT_COMMIT, heldRead, HELD_ROWS, literal, WITH_NEXT } from './round-trips.js';
import { withTenant } from './tenant.js';

/**
 * BEGIN travels with the transaction's first parameterless statement, statements marked AT_COMMIT
 * with COMMIT; what the transaction does is unchanged. Round trips are counted at the node-postgres
 * client (every `query` call that reaches it).
 */
let t: TestDatabase;
let sent: string[] = [];
const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const query = prototype.query;

beforeAll(async () => {
  // Counted below the batching: the connections are opened after this.
  prototype.query = function (this: unknown, ...args: unknown[]) {
    if (typeof args[0] === 'string') sent.push(args[0]);
    return query.apply(this, args);
  };
  t = await createTestDatabase();
  await sql`create table round_trip_probe (id text primary key, n int not null check (n >= 0))`.execute(t.db);
});
afterAll(async () => {
  prototype.query = query;
  await t?.close();
});

const rows = async () =>
  (await sql<{ id: string; n: number }>`select id, n from round_trip_probe order by id`.execute(t.db)).rows;

describe('round trips of a transaction', () => {
  it('sends BEGIN with the tenant statement and nothing else extra: 3 round trips for one read', async () => {
    sent = [];
    const tenantId = randomUUID();
    const seen = await withTenant(t.db, tenantId, async (trx) =>
      sql<{ tenant: string }>`select current_setting('app.tenant_id') as tenant where ${1} = 1`.execute(trx),
    );
    expect(seen.rows).toEqual([{ tenant: tenantId }]);
    expect(sent).toHaveLength(3);
    expect(sent[0]).toMatch(
      /^start transaction isolation level read committed;\n\/\* with next \*\/ select set_config\('role'/,
    );
    expect(sent[2]).toBe('commit');
  });

  it('sends BEGIN and the tenant statement with the next parameterless statement: 2 round trips', async () => {
    sent = [];
    const tenantId = randomUUID();
    const seen = await withTenant(t.db, tenantId, async (trx) =>
      sql<{
        tenant: string;
        role: string;
      }>`select current_setting('app.tenant_id') as tenant, current_user as role`.execute(trx),
    );
    // The answer is the last statement's, run as the tenant and the app role.
    expect(seen.rows).toEqual([{ tenant: tenantId, role: settings().DATABASE_APP_ROLE }]);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(
      /^start transaction isolation level read committed;\n\/\* with next \*\/ select set_config\('role'.*;\nselect current_setting/s,
    );
    expect(sent[1]).toBe('commit');
  });

  it('sends what it holds on its own before a statement with parameters, whose error its failure becomes', async () => {
    sent = [];
    await expect(
      t.db.transaction().execute(async (trx) => {
        await sql`${sql.raw(WITH_NEXT)} select 1 / 0`.execute(trx);
        await sql`select ${1}::int as one`.execute(trx);
      }),
    ).rejects.toThrow(/division by zero/);
    expect(sent[0]).toBe('begin;\n/* with next */ select 1 / 0');
    expect(sent[1]).toBe('select $1::int as one');
    // Nothing held survives the transaction: the connection works as before.
    await expect(sql`select 1 as one`.execute(t.db)).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });

  it('sends a statement marked AT_COMMIT with COMMIT, and applies it only then', async () => {
    const id = `a-${randomUUID()}`;
    sent = [];
    await t.db.transaction().execute(async (trx) => {
      await sql`insert into round_trip_probe (id, n) values (${id}, ${1})`.execute(trx);
      await sql`${sql.raw(AT_COMMIT)} update round_trip_probe set n = 2 where id = ${sql.raw(literal(id))}`.execute(
        trx,
      );
      // Not sent yet: this transaction still sees 1.
      const now = await sql<{ n: number }>`select n from round_trip_probe where id = ${id}`.execute(trx);
      expect(now.rows).toEqual([{ n: 1 }]);
    });
    // BEGIN goes alone before a statement with parameters; the update goes with COMMIT.
    expect(sent).toHaveLength(4);
    expect(sent[0]).toBe('begin');
    expect(sent[3]).toMatch(/^\/\* at commit \*\/ update round_trip_probe set n = 2 .*;\ncommit$/s);
    expect((await rows()).find((r) => r.id === id)).toEqual({ id, n: 2 });
  });

  it('rolls the whole transaction back when a statement sent with COMMIT fails', async () => {
    const id = `b-${randomUUID()}`;
    await expect(
      t.db.transaction().execute(async (trx) => {
        await sql`insert into round_trip_probe (id, n) values (${id}, ${1})`.execute(trx);
        await sql`${sql.raw(AT_COMMIT)} update round_trip_probe set n = -1 where id = ${sql.raw(literal(id))}`.execute(
          trx,
        );
      }),
    ).rejects.toThrow(/round_trip_probe_n_check/);
    expect((await rows()).some((r) => r.id === id)).toBe(false);
    // The connection is usable afterwards, outside any transaction.
    await expect(sql`select 1 as one`.execute(t.db)).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });

  it('drops AT_COMMIT statements of a transaction that rolls back, and sends nothing for one that never started', async () => {
    const id = `c-${randomUUID()}`;
    sent = [];
    await expect(
      t.db.transaction().execute(async () => {
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(sent).toEqual([]);
    await expect(
      t.db.transaction().execute(async (trx) => {
        await sql`insert into round_trip_probe (id, n) values (${id}, ${1})`.execute(trx);
        await sql`${sql.raw(AT_COMMIT)} update round_trip_probe set n = 5 where id = ${sql.raw(literal(id))}`.execute(
          trx,
        );
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(sent.some((s) => s.includes('set n = 5'))).toBe(false);
    expect((await rows()).some((r) => r.id === id)).toBe(false);
  });

  it('sends a held read with the next statement and hands it its own rows', async () => {
    sent = [];
    const read = heldRead();
    const seen = await t.db.transaction().execute(async (trx) => {
      const answer = await sql.raw<{ n: number }>(`${read.marker} select 7 as n`).execute(trx);
      // Held: no rows yet, and nothing sent.
      expect(answer.rows).toBe(HELD_ROWS);
      expect(sent).toEqual([]);
      return sql<{ one: number }>`select 1 as one`.execute(trx);
    });
    expect(seen.rows).toEqual([{ one: 1 }]);
    expect((await read.result).rows).toEqual([{ n: 7 }]);
    expect(sent).toHaveLength(2);
    expect(sent[0]).toMatch(/^begin;\n\/\* held read \d+ \*\/ select 7 as n;\nselect 1 as one$/);
  });

  it('fails a held read with its batch, or when its transaction ends before it was sent', async () => {
    const failing = heldRead();
    await expect(
      t.db.transaction().execute(async (trx) => {
        await sql.raw(`${failing.marker} select 1 / 0 as n`).execute(trx);
        await sql`select 1 as one`.execute(trx);
      }),
    ).rejects.toThrow(/division by zero/);
    await expect(failing.result).rejects.toThrow(/division by zero/);
    const unsent = heldRead();
    await expect(
      t.db.transaction().execute(async (trx) => {
        await sql.raw(`${unsent.marker} select 1 as n`).execute(trx);
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await expect(unsent.result).rejects.toThrow(/ended before the read was sent/);
  });

  it('escapes literals so that quotes and backslashes stay data', async () => {
    const id = `d-'); drop table round_trip_probe; --\\'`;
    await t.db.transaction().execute(async (trx) => {
      await sql`insert into round_trip_probe (id, n) values (${id}, ${1})`.execute(trx);
      await sql`${sql.raw(AT_COMMIT)} update round_trip_probe set n = 3 where id = ${sql.raw(literal(id))}`.execute(
        trx,
      );
    });
    expect((await rows()).find((r) => r.id === id)).toEqual({ id, n: 3 });
  });
});
