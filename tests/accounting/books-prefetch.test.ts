import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { tenantBooks } from '../../shared/modules/accounting/index.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

/**
 * The tenant's books, which most units of work read, travel with a tenant transaction's first
 * statement: reading them costs no round trip of its own. Round trips are counted at the
 * node-postgres client, as in shared/platform/db/round-trips.test.ts.
 */
let t: TestDatabase;
let sent: string[] = [];
const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const query = prototype.query;
const tenantId = randomUUID();

beforeAll(async () => {
  prototype.query = function (this: unknown, ...args: unknown[]) {
    const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string } | undefined)?.text;
    if (text) sent.push(text);
    return query.apply(this, args);
  };
  t = await createTestDatabase();
  await sql`insert into tenants (id, slug, name, entra_tenant_id, base_currency, locale, time_zone,
                                 fiscal_year_start_month, approval_threshold)
            values (${tenantId}, ${`books-${tenantId.slice(0, 8)}`}, 'Books Ltd', ${randomUUID()}, 'ZAR', 'en-ZA',
                    'Africa/Johannesburg', 3, '25000.00')`.execute(t.db);
});
afterAll(async () => {
  prototype.query = query;
  await t?.close();
});

const expected = {
  id: tenantId,
  baseCurrency: 'ZAR',
  fiscalYearStartMonth: 3,
  timeZone: 'Africa/Johannesburg',
  approvalThreshold: '25000.0000',
};

it('hands over the books that travelled with the first statement, without a round trip', async () => {
  sent = [];
  const books = await withTenant(t.db, tenantId, async (trx) => {
    await sql`select current_setting('app.tenant_id') as tenant`.execute(trx);
    return tenantBooks(trx);
  });
  expect(books).toEqual(expected);
  expect(sent).toHaveLength(2);
  expect(sent[0]).toMatch(/held read \d+ \*\/ select id, base_currency.*;\nselect current_setting/s);
  expect(sent[1]).toBe('commit');
});

it('reads the books itself when they are wanted before anything was sent, in the same round trip', async () => {
  sent = [];
  const books = await withTenant(t.db, tenantId, async (trx) => tenantBooks(trx));
  expect(books).toEqual(expected);
  expect(sent).toHaveLength(2);
});

it('sends the books before a first statement with parameters, and uses them', async () => {
  sent = [];
  const books = await withTenant(t.db, tenantId, async (trx) => {
    await sql`select ${1}::int as one`.execute(trx);
    return tenantBooks(trx);
  });
  expect(books).toEqual(expected);
  // The held statements, the statement with parameters, COMMIT.
  expect(sent).toHaveLength(3);
});
