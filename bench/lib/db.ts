/**
 * The benchmark's own database on the server named by DATABASE_URL: created, migrated with the
 * product's migrations (and the devhost's, whose durable and bus tables live there too), dropped
 * at the end unless BENCH_KEEP=1.
 */
import pg from 'pg';
import { migrateDevhost } from '../../devhost/db/migrator.js';
import { createDb, createPool, type Db } from '../../shared/platform/db/database.js';
import { migrateToLatest } from '../../shared/platform/db/migrator.js';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** The URL without its password, for printing. */
export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/**
 * Connects to the server's maintenance database, or explains why it cannot and exits: the
 * benchmark measures nothing without a real PostgreSQL.
 */
export async function connectAdmin(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    const { rows } = await client.query<{ server_version: string; superuser: string }>(
      `select current_setting('server_version') as server_version, current_setting('is_superuser') as superuser`,
    );
    if (rows[0]?.superuser !== 'on') {
      throw new Error(
        'the benchmark connects as a superuser (it creates a database, roles and bulk-loads with triggers off)',
      );
    }
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    console.error(
      `\nnpm run bench needs a real PostgreSQL: ${redact(url)} is not usable (${
        error instanceof Error ? error.message : String(error)
      }).\nStart PostgreSQL (pg_ctlcluster 15 main start) or point DATABASE_URL at a server where this user may create databases.\n`,
    );
    process.exit(2);
  }
}

export interface BenchDatabase {
  name: string;
  url: string;
  /** A Kysely handle for seeding with the product's own services. */
  db: Db;
  /** Plain SQL as the database owner (row-level security does not bind it): seeding and reading back. */
  query<T>(text: string, values?: unknown[]): Promise<T[]>;
  serverVersion: string;
  settings: Record<string, string>;
  drop(): Promise<void>;
}

export async function createBenchDatabase(admin: pg.Client, serverUrl: string): Promise<BenchDatabase> {
  const name = `tessera_bench_${new Date().toISOString().slice(0, 19).replace(/\D/g, '')}_${process.pid}`;
  await admin.query(`create database ${name}`);
  const url = withDatabase(serverUrl, name);
  const pool = createPool(url, 4);
  const db = createDb(pool);
  await migrateToLatest(db);
  await migrateDevhost(db as never);
  const { rows } = await admin.query<{ name: string; setting: string }>(
    `select name, setting from pg_settings where name = any($1)`,
    [
      [
        'server_version',
        'shared_buffers',
        'work_mem',
        'max_connections',
        'synchronous_commit',
        'max_parallel_workers_per_gather',
        'jit',
        'effective_cache_size',
      ],
    ],
  );
  const settings = Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  return {
    name,
    url,
    db,
    query: async <T>(text: string, values: unknown[] = []) => (await pool.query(text, values)).rows as T[],
    serverVersion: settings.server_version ?? '?',
    settings,
    drop: async () => {
      await db.destroy();
      await admin.query(`drop database if exists ${name} with (force)`);
    },
  };
}

/** One transaction as the app role, with the tenant set, as the product's `withTenant` opens it. */
export async function inTenantTx<T>(
  client: pg.PoolClient,
  tenantId: string,
  work: () => Promise<T>,
): Promise<T> {
  await client.query('begin');
  try {
    await client.query(
      `select set_config('role', 'tessera_app', true), set_config('app.tenant_id', $1, true)`,
      [tenantId],
    );
    const result = await work();
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  }
}
