import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { TestProject } from 'vitest/node';
import { createDb, type Db } from '../../shared/platform/db/database.js';
import { migrateToLatest } from '../../shared/platform/db/migrator.js';
import { migrateDevhost } from '../../devhost/db/migrator.js';
import pg from 'pg';
import { adminUrl, pglitePool } from './pg.js';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseKind: 'pglite' | 'postgres';
    pgliteDumpPath: string;
    postgresTemplate: string;
  }
}

/**
 * Migrates one database for the whole run, then lets each test file start from a copy of it:
 * a PGlite data-directory dump (~0.7 s to load) or, with DATABASE_URL, a PostgreSQL template
 * database (CREATE DATABASE … TEMPLATE, a file copy on the server).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const pglite = new PGlite();
    const db = createDb(pglitePool(pglite));
    await migrate(db);
    await db.destroy();
    const dump = await pglite.dumpDataDir('none');
    await pglite.close();
    const dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-test-'));
    const dumpPath = path.join(dir, 'migrated.tar');
    await writeFile(dumpPath, Buffer.from(await dump.arrayBuffer()));
    project.provide('databaseKind', 'pglite');
    project.provide('pgliteDumpPath', dumpPath);
    project.provide('postgresTemplate', '');
    return async () => rm(dir, { recursive: true, force: true });
  }

  const template = `tessera_test_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl(url) });
  await admin.connect();
  await admin.query(`drop database if exists ${template}`);
  await admin.query(`create database ${template}`);
  const db = createDb(new pg.Pool({ connectionString: withDatabase(url, template), max: 2 }));
  await migrate(db);
  await db.destroy();
  project.provide('databaseKind', 'postgres');
  project.provide('pgliteDumpPath', '');
  project.provide('postgresTemplate', template);
  return async () => {
    await admin.query(`drop database if exists ${template} with (force)`);
    await admin.end();
  };
}

async function migrate(db: Db): Promise<void> {
  await migrateToLatest(db);
  await migrateDevhost(db as never);
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
