import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../tests/support/db.js';
import { AppError } from '../errors.js';
import { configureDatabases, primaryDb, replicaDb } from './database.js';
import {
  CONSISTENCY_TOKEN_HEADER,
  consistencyTokenOf,
  hasReadReplica,
  lsnAtOrAfter,
  lsnValue,
  readDbAfter,
  replayPosition,
  replicaHasReplayed,
  upToDateReadDb,
  writePosition,
} from './read-your-writes.js';

/**
 * The pieces of read-your-writes that need no standby: WAL positions, the token a client sends
 * back, and which database a read goes to when there is no replica or the read database is not in
 * recovery. A lagging standby is exercised by tests/reliability/replica.reliability.ts.
 */
describe('WAL positions', () => {
  it('compare as 64-bit numbers, the high half first', () => {
    expect(lsnValue('0/0')).toBe(0n);
    expect(lsnValue('1/0')).toBe(1n << 32n);
    expect(lsnValue('A/3A1F2B8')).toBe((10n << 32n) | 0x3a1f2b8n);
    expect(lsnAtOrAfter('1/0', '0/FFFFFFFF')).toBe(true);
    expect(lsnAtOrAfter('0/FFFFFFFF', '1/0')).toBe(false);
    expect(lsnAtOrAfter('0/16B3748', '0/16B3748')).toBe(true);
    expect(lsnAtOrAfter('0/16B3747', '0/16B3748')).toBe(false);
    expect(lsnAtOrAfter('0/16b3748', '0/16B3748')).toBe(true);
  });

  it('refuse what is not one', () => {
    for (const text of ['', '0', '0/', '/0', '0/0/0', 'G/0', '0/123456789', '-1/0', '0x1/0'])
      expect(() => lsnValue(text), text).toThrow();
  });
});

describe('the consistency token a request sends back', () => {
  it('is optional', () => {
    expect(consistencyTokenOf(null)).toBeUndefined();
    expect(consistencyTokenOf('')).toBeUndefined();
    expect(consistencyTokenOf('  ')).toBeUndefined();
  });

  it('is a WAL position, read as one', () => {
    expect(consistencyTokenOf('0/3a1f2b8')).toBe('0/3A1F2B8');
    expect(consistencyTokenOf(' 1/0 ')).toBe('1/0');
  });

  it('is refused with 400 naming the header when malformed', () => {
    for (const header of ['yesterday', '0/3A1F2B8; drop table', '0/123456789', '{}']) {
      let error: unknown;
      try {
        consistencyTokenOf(header);
      } catch (e) {
        error = e;
      }
      expect(error, header).toBeInstanceOf(AppError);
      expect((error as AppError).kind).toBe('validation');
      expect((error as AppError).errors).toEqual([
        { path: `header.${CONSISTENCY_TOKEN_HEADER}`, message: 'Invalid consistency token' },
      ]);
    }
  });
});

describe('where a read goes', () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase();
  });
  afterAll(async () => t?.close());

  it('without a replica: the primary, whatever the token', async () => {
    configureDatabases(t.db);
    expect(hasReadReplica()).toBe(false);
    const position = await writePosition(t.db);
    expect(() => lsnValue(position)).not.toThrow();
    expect(await readDbAfter(position)).toBe(primaryDb());
    expect(await readDbAfter(undefined)).toBe(primaryDb());
    expect(await upToDateReadDb()).toBe(primaryDb());
  });

  it('the write position only moves forward', async () => {
    const before = await writePosition(t.db);
    await t.db.schema.createTable('ryw_probe').ifNotExists().addColumn('n', 'integer').execute();
    await t.db
      .insertInto('ryw_probe' as never)
      .values({ n: 1 } as never)
      .execute();
    const after = await writePosition(t.db);
    expect(lsnAtOrAfter(after, before)).toBe(true);
    expect(lsnAtOrAfter(before, after)).toBe(false);
  });

  it('a read database that is not in recovery has all it will get: it is read as it is', async () => {
    // Another handle on the same database stands for a promoted replica.
    const promoted = t.db.withoutPlugins();
    configureDatabases(t.db, promoted);
    expect(hasReadReplica()).toBe(true);
    expect(await replayPosition(promoted)).toBeNull();
    const position = await writePosition(t.db);
    expect(await replicaHasReplayed(position, promoted)).toBe(true);
    expect(await readDbAfter(position)).toBe(replicaDb());
    expect(await readDbAfter(undefined)).toBe(promoted);
    expect(await upToDateReadDb(0)).toBe(promoted);
  });
});
