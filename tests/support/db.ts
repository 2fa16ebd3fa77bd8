import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';
import { createDb, type Db } from '../../shared/platform/db/database.js';
import { withPreparedStatements } from '../../shared/platform/db/prepared.js';
import { adminUrl, pglitePool } from './pg.js';

export interface TestDatabase {
  kind: 'pglite' | 'postgres';
  db: Db;
  /** The connection URL on a real server; undefined for PGlite. */
  url: string | undefined;
  close(): Promise<void>;
}

let dumpCache: Blob | undefined;

/**
 * A fresh, migrated database of its own for a test file: PGlite by default, a new database on the
 * server named by DATABASE_URL when it is set.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (inject('databaseKind') === 'pglite') {
    dumpCache ??= new Blob([await readFile(inject('pgliteDumpPath'))]);
    const pglite = new PGlite({ loadDataDir: dumpCache });
    await pglite.waitReady;
    const db = createDb(pglitePool(pglite));
    return {
      kind: 'pglite',
      db,
      url: undefined,
      close: async () => {
        await db.destroy();
        await pglite.close();
      },
    };
  }

  const url = process.env.DATABASE_URL as string;
  const name = `tessera_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl(url) });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${inject('postgresTemplate')}`);
  } finally {
    await admin.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  // As the app's pools on a server: repeated statements prepared (shared/platform/db/prepared.ts).
  const db = createDb(withPreparedStatements(new pg.Pool({ connectionString: u.toString(), max: 10 })));
  return {
    kind: 'postgres',
    db,
    url: u.toString(),
    close: async () => {
      await db.destroy();
      const drop = new pg.Client({ connectionString: adminUrl(url) });
      await drop.connect();
      try {
        // pg's Pool.end() resolves before its sockets have closed. Forcing the drop while they
        // close would hit each one with a FATAL error no listener handles, so wait for them first.
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline) {
          const { rows } = await drop.query<{ n: string }>(
            'select count(*) as n from pg_stat_activity where datname = $1',
            [name],
          );
          if (rows[0]?.n === '0') break;
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        await drop.query(`drop database if exists ${name} with (force)`);
      } finally {
        await drop.end();
      }
    },
  };
}
