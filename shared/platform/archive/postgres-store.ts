import { sql, type Selectable } from 'kysely';
import { z } from 'zod';
import type { Db } from '../db/database.js';
import { withSystem, withTenant } from '../db/tenant.js';
import { decodeCursor, toPage, type Page } from '../http/pagination.js';
import type { ArchiveQuery, ArchiveRecord, ArchiveStore, ArchiveStream } from './store.js';
import type { ArchiveRecordsTable } from './tables.js';
import './tables.js';

const cursorSchema = z.tuple([z.iso.datetime(), z.uuid()]);

function toRecord(row: Selectable<ArchiveRecordsTable>): ArchiveRecord {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    at: row.at.toISOString(),
    type: row.type,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    data: row.data as Record<string, unknown>,
  };
}

/** The archive in the database itself: the `archive_records` table, read under row-level security. */
export class PostgresArchiveStore implements ArchiveStore {
  readonly name = 'postgres' as const;
  readonly #db: () => Db;

  constructor(db: () => Db) {
    this.#db = db;
  }

  async put(stream: ArchiveStream, records: readonly ArchiveRecord[]): Promise<void> {
    if (records.length === 0) return;
    await withSystem(this.#db(), (trx) =>
      trx
        .insertInto('archive_records')
        .values(
          records.map((r) => ({
            tenant_id: r.tenantId,
            stream,
            id: r.id,
            at: r.at,
            type: r.type,
            subject_type: r.subjectType,
            subject_id: r.subjectId,
            data: JSON.stringify(r.data),
          })),
        )
        .onConflict((oc) => oc.columns(['tenant_id', 'stream', 'id']).doNothing())
        .execute(),
    );
  }

  async get(stream: ArchiveStream, tenantId: string, id: string): Promise<ArchiveRecord | undefined> {
    const row = await withTenant(this.#db(), tenantId, (trx) =>
      trx
        .selectFrom('archive_records')
        .selectAll()
        .where('stream', '=', stream)
        .where('id', '=', id)
        .executeTakeFirst(),
    );
    return row ? toRecord(row) : undefined;
  }

  async list(stream: ArchiveStream, tenantId: string, query: ArchiveQuery): Promise<Page<ArchiveRecord>> {
    const after = decodeCursor(query.cursor, cursorSchema);
    const rows = await withTenant(this.#db(), tenantId, (trx) => {
      let q = trx.selectFrom('archive_records').selectAll().where('stream', '=', stream);
      if (query.type) q = q.where('type', '=', query.type);
      if (query.subjectType) q = q.where('subject_type', '=', query.subjectType);
      if (query.subjectId) q = q.where('subject_id', '=', query.subjectId);
      if (query.from) q = q.where('at', '>=', new Date(query.from));
      if (query.to) q = q.where('at', '<', new Date(query.to));
      if (after)
        q = q.where(sql<boolean>`(at, id) < (${new Date(after[0])}::timestamptz, ${after[1]}::uuid)`);
      return q
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(query.limit + 1)
        .execute();
    });
    return toPage(rows, query.limit, toRecord, (row) => [row.at.toISOString(), row.id]);
  }
}
