import { PGlite } from '@electric-sql/pglite';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { Kysely, PostgresDialect, sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dbTelemetryLog } from '../../shared/platform/telemetry/db.js';
import { withSpan } from '../../shared/platform/telemetry/tracing.js';
import { pglitePool } from '../support/pg.js';
import { spanNamed, startLocalTelemetry } from './support.js';

interface Schema {
  customer: { id: string; name: string; credit_limit: string };
}

const capture = startLocalTelemetry();
let pglite: PGlite;
let db: Kysely<Schema>;

beforeAll(async () => {
  pglite = new PGlite();
  await pglite.waitReady;
  db = new Kysely<Schema>({
    dialect: new PostgresDialect({ pool: pglitePool(pglite) }),
    log: dbTelemetryLog({ dbName: 'tessera' }),
  });
  await sql`create table customer (id text primary key, name text not null, credit_limit numeric(19,4) not null)`.execute(
    db,
  );
});
afterAll(async () => {
  await db?.destroy();
  await pglite?.close();
  capture.dispose();
});
beforeEach(() => capture.reset());

describe('database spans', () => {
  it('records each query as a client span under the active span, without parameter values', async () => {
    await withSpan('sales.create-customer', {}, async () => {
      await db
        .insertInto('customer')
        .values({ id: 'c-1', name: 'Acme Mining (Pty) Ltd', credit_limit: '250000.0000' })
        .execute();
      await db
        .selectFrom('customer as c')
        .select(['c.name'])
        .where('c.name', '=', 'Acme Mining (Pty) Ltd')
        .execute();
    });
    const parent = spanNamed(capture.spans(), 'sales.create-customer');
    const insert = spanNamed(capture.spans(), 'INSERT customer');
    const select = spanNamed(capture.spans(), 'SELECT customer');
    for (const span of [insert, select]) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
      expect(span.attributes['db.system']).toBe('postgresql');
      expect(span.attributes['db.name']).toBe('tessera');
      expect(span.attributes['db.sql.table']).toBe('customer');
      expect(String(span.attributes['db.statement'])).toContain('$1');
      expect(JSON.stringify(span.attributes)).not.toContain('Acme');
      expect(JSON.stringify(span.attributes)).not.toContain('250000');
    }
    expect(insert.attributes['db.operation']).toBe('INSERT');
    expect(select.attributes['db.operation']).toBe('SELECT');
  });

  it('names raw statements by their first keyword, and records a failure by its SQLSTATE only', async () => {
    await sql`update customer set credit_limit = ${'1.0000'} where id = ${'c-1'}`.execute(db);
    expect(spanNamed(capture.spans(), 'UPDATE').attributes['db.operation']).toBe('UPDATE');

    await expect(
      db
        .insertInto('customer')
        .values({ id: 'c-1', name: 'Duplicate Holdings', credit_limit: '0' })
        .execute(),
    ).rejects.toThrow();
    const failed = spanNamed(capture.spans(), 'INSERT customer');
    expect(failed.status.code).toBe(SpanStatusCode.ERROR);
    expect(failed.attributes['db.response.status_code']).toBe('23505');
    expect(failed.status.message).toBe('SQLSTATE 23505');
    // The server's message quotes the duplicate key's value; it must not reach telemetry.
    expect(JSON.stringify({ events: failed.events, status: failed.status })).not.toContain('c-1');
  });
});
