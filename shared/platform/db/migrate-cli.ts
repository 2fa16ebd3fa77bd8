/**
 * `npm run migrate -- up | down | status`: runs the app's migrations against DATABASE_URL as the
 * database owner (the devhost runs them itself at start).
 */
import { createDb, createPool } from './database.js';
import { createMigrator, migrateDown, migrateToLatest } from './migrator.js';

const command = process.argv[2] ?? 'up';
const url = process.env.DATABASE_URL;
if (!url) {
  console.error(
    'Set DATABASE_URL to the database to migrate (the devhost migrates its embedded database itself).',
  );
  process.exit(2);
}
const db = createDb(createPool(url, 1));
try {
  if (command === 'up') {
    const result = await migrateToLatest(db);
    for (const r of result.results ?? []) console.log(`${r.direction} ${r.migrationName}: ${r.status}`);
    if (!result.results?.length) console.log('Already up to date.');
  } else if (command === 'down') {
    const result = await migrateDown(db);
    for (const r of result.results ?? []) console.log(`${r.direction} ${r.migrationName}: ${r.status}`);
  } else if (command === 'status') {
    for (const m of await createMigrator(db).getMigrations())
      console.log(`${m.executedAt ? m.executedAt.toISOString() : 'pending'.padEnd(24)}  ${m.name}`);
  } else {
    console.error(`Unknown command ${command}: use up, down or status.`);
    process.exitCode = 2;
  }
} finally {
  await db.destroy();
}
