import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.close());

it('starts from a migrated database', async () => {
  const { rows } = await sql<{ n: string }>`select count(*) as n from schema_migrations`.execute(t.db);
  expect(Number(rows[0]?.n)).toBeGreaterThan(0);
});
