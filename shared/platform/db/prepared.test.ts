import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/db.js';
import { settings } from '../config.js';
import { createDb, type Db } from './database.js';
import { withPreparedStatements } from './prepared.js';
import { withTenant } from './tenant.js';

/**
 * Repeated statements go as named prepared statements, within bounds, and a schema change under a
 * prepared statement costs one transaction attempt, not an error. Each test reads the server's own
 * book of the connection's prepared statements (`pg_prepared_statements`), through a pool of one
 * connection.
 */
const onServer = Boolean(process.env.DATABASE_URL);
if (!onServer)
  console.info(
    'prepared statements: skipped on PGlite (the app prepares statements on a server only); set DATABASE_URL to run them on PostgreSQL',
  );

let t: TestDatabase;
let db: Db;
const prepared = async () =>
  (
    await sql<{
      statement: string;
    }>`select statement from pg_prepared_statements where name like 'tessera_%' order by statement`.execute(
      db,
    )
  ).rows.map((r) => r.statement);

beforeAll(async () => {
  if (!onServer) return;
  t = await createTestDatabase();
  db = createDb(
    withPreparedStatements(new pg.Pool({ connectionString: t.url, max: 1 }), { perConnectionMax: 3 }),
  );
  await sql`create table prepared_probe (id text primary key, n int not null)`.execute(db);
  await sql`insert into prepared_probe values ('a', 1), ('b', 2)`.execute(db);
  await sql`grant select on prepared_probe to ${sql.id(settings().DATABASE_APP_ROLE)}`.execute(db);
});
afterAll(async () => {
  await db?.destroy();
  await t?.close();
});

describe.skipIf(!onServer)('named prepared statements', () => {
  it('names a statement with parameters on its second use, and answers the same', async () => {
    const read = (id: string) =>
      sql<{ n: number }>`select n from prepared_probe where id = ${id}`.execute(db);
    expect((await read('a')).rows).toEqual([{ n: 1 }]);
    expect(await prepared()).not.toContain('select n from prepared_probe where id = $1');
    expect((await read('b')).rows).toEqual([{ n: 2 }]);
    expect((await read('a')).rows).toEqual([{ n: 1 }]);
    expect(await prepared()).toContain('select n from prepared_probe where id = $1');
  });

  it('prepares no more statements on a connection than its bound', async () => {
    for (let k = 1; k <= 5; k++)
      for (let i = 0; i < 2; i++) {
        const { rows } = await sql<{
          n: number;
        }>`select ${sql.raw(`/* ${k} */`)} ${k}::int + ${i}::int as n`.execute(db);
        expect(rows[0]!.n).toBe(k + i);
      }
    // Three in all: the one of the test above and the first two of these.
    expect(await prepared()).toHaveLength(3);
  });

  it('runs a transaction again when a column was added under a prepared statement', async () => {
    const fresh = createDb(withPreparedStatements(new pg.Pool({ connectionString: t.url, max: 1 })));
    try {
      const read = () =>
        withTenant(fresh, '00000000-0000-0000-0000-000000000001', async (trx) =>
          sql<Record<string, unknown>>`select * from prepared_probe where id = ${'a'}`.execute(trx),
        );
      expect((await read()).rows).toEqual([{ id: 'a', n: 1 }]);
      expect((await read()).rows).toEqual([{ id: 'a', n: 1 }]);
      await sql`alter table prepared_probe add column note text not null default 'x'`.execute(db);
      expect((await read()).rows).toEqual([{ id: 'a', n: 1, note: 'x' }]);
      expect((await read()).rows).toEqual([{ id: 'a', n: 1, note: 'x' }]);
      const { rows } = await sql<{
        statement: string;
      }>`select statement from pg_prepared_statements where name like 'tessera_%'`.execute(fresh);
      expect(rows.map((r) => r.statement)).toEqual(['select * from prepared_probe where id = $1']);
    } finally {
      await fresh.destroy();
    }
  });
});
