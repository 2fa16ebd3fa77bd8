import { promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/**
 * The devhost keeps its emulators' state (Service Bus messages, Durable instances and history,
 * timer schedules) in the schema `devhost` of the same database, with migrations of its own: none
 * of it exists in an Azure database.
 */
class DevhostMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    const files = (await fs.readdir(migrationsDir)).filter(
      (f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts'),
    );
    for (const file of files.sort()) {
      migrations[file.replace(/\.(ts|js)$/, '')] = (await import(
        pathToFileURL(path.join(migrationsDir, file)).href
      )) as Migration;
    }
    return migrations;
  }
}

export async function migrateDevhost(db: Kysely<unknown>): Promise<void> {
  await sql`create schema if not exists devhost`.execute(db);
  const result = await new Migrator({
    db,
    provider: new DevhostMigrationProvider(),
    migrationTableSchema: 'devhost',
    migrationTableName: 'migrations',
    migrationLockTableName: 'migrations_lock',
  }).migrateToLatest();
  if (result.error)
    throw new Error(`Devhost migration failed: ${String(result.error)}`, { cause: result.error });
}
