import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import { settings } from '../config.js';
import { dbTelemetryLog } from '../telemetry/db.js';
import { withPreparedStatements } from './prepared.js';
import { withFewerRoundTrips } from './round-trips.js';
import type { DB } from './schema.js';

export type Db = Kysely<DB>;
export type Tx = Transaction<DB>;

// `date` columns are calendar dates, not instants: keep them as 'YYYY-MM-DD' strings instead of
// letting node-postgres turn them into local-time Date objects.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export function createDb(pool: pg.Pool): Db {
  return new Kysely<DB>({
    dialect: new PostgresDialect({ pool: withFewerRoundTrips(pool) }),
    log: dbTelemetryLog(),
  });
}

export function createPool(connectionString: string, max: number): pg.Pool {
  const pool = new pg.Pool({
    connectionString,
    max,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  // An idle client that loses its connection must not crash the process; the pool replaces it.
  pool.on('error', () => undefined);
  // Nor may a checked-out one (a terminated backend, a failover): its query fails with the error,
  // and the 'error' event the client emits afterwards would otherwise have no listener. The pool
  // drops the broken client when it is released.
  pool.on('connect', (client) => {
    client.on('error', () => undefined);
  });
  return settings().DATABASE_PREPARED_STATEMENTS ? withPreparedStatements(pool) : pool;
}

interface Databases {
  primary: Db;
  replica: Db;
}

let current: Databases | undefined;

/**
 * Sets the databases the app uses. In Azure they come from `DATABASE_URL` / `DATABASE_READ_URL`
 * on first use; a host that embeds its own database (the devhost, tests) sets them before the
 * first request.
 */
export function configureDatabases(primary: Db, replica: Db = primary): void {
  current = { primary, replica };
}

function databases(): Databases {
  if (!current) {
    const s = settings();
    if (!s.DATABASE_URL) throw new Error('DATABASE_URL is not set and no database was configured.');
    const primary = createDb(createPool(s.DATABASE_URL, s.DATABASE_POOL_MAX));
    const replica = s.DATABASE_READ_URL
      ? createDb(createPool(s.DATABASE_READ_URL, s.DATABASE_POOL_MAX))
      : primary;
    current = { primary, replica };
  }
  return current;
}

/** The primary database: every write, and every read that must see its own writes. */
export function primaryDb(): Db {
  return databases().primary;
}

/** The read replica when one is configured (reports), otherwise the primary. */
export function replicaDb(): Db {
  return databases().replica;
}
