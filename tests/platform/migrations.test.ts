import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createMigrator, migrateToLatest } from '../../shared/platform/db/migrator.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t?.close());

const publicTables = async () =>
  (
    await sql<{
      tablename: string;
    }>`select tablename from pg_tables where schemaname = 'public' order by 1`.execute(t.db)
  ).rows.map((r) => r.tablename);

it('migrates every step down and up again to the same schema', async () => {
  const before = await publicTables();
  const migrator = createMigrator(t.db);
  const applied = (await migrator.getMigrations()).filter((m) => m.executedAt);
  expect(applied.length).toBeGreaterThan(0);
  for (let i = 0; i < applied.length; i++) {
    const result = await migrator.migrateDown();
    expect(result.error).toBeUndefined();
  }
  expect((await publicTables()).filter((name) => !name.startsWith('schema_migrations'))).toEqual([]);
  await migrateToLatest(t.db);
  expect(await publicTables()).toEqual(before);
});
