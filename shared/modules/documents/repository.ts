import type { Selectable } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { DocumentsTable, DocumentStatus } from './tables.js';

/** The documents module's queries: the only Kysely code of the module. */

export interface Document {
  id: string;
  recordType: string;
  recordId: string;
  fileName: string;
  contentType: string | null;
  sizeBytes: number | null;
  sha256: string | null;
  status: DocumentStatus;
  rejection: string | null;
  uploadedBy: { objectId: string; name: string };
  createdAt: string;
  availableAt: string | null;
  deletedAt: string | null;
  deletedBy: string | null;
  version: number;
}

/** What the service needs beyond the public view. */
export interface StoredDocument extends Document {
  blobName: string;
  declaredSizeBytes: number | null;
  idempotencyKey: string | null;
  requestHash: string | null;
}

type Row = Selectable<DocumentsTable>;

const iso = (value: Date | null): string | null => (value === null ? null : value.toISOString());
const count = (value: string | null): number | null => (value === null ? null : Number(value));

function toStored(row: Row): StoredDocument {
  return {
    id: row.id,
    recordType: row.record_type,
    recordId: row.record_id,
    fileName: row.file_name,
    contentType: row.content_type,
    sizeBytes: count(row.size_bytes),
    sha256: row.sha256,
    status: row.status,
    rejection: row.rejection,
    uploadedBy: { objectId: row.uploaded_by, name: row.uploaded_by_name },
    createdAt: row.created_at.toISOString(),
    availableAt: iso(row.available_at),
    deletedAt: iso(row.deleted_at),
    deletedBy: row.deleted_by,
    version: row.version,
    blobName: row.blob_name,
    declaredSizeBytes: count(row.declared_size_bytes),
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
  };
}

/** The public view of a stored document: no blob name, no idempotency data. */
export function toDocument(stored: StoredDocument): Document {
  const { blobName, declaredSizeBytes, idempotencyKey, requestHash, ...document } = stored;
  void blobName;
  void declaredSizeBytes;
  void idempotencyKey;
  void requestHash;
  return document;
}

export async function documentById(trx: Tx, id: string): Promise<StoredDocument | undefined> {
  const row = await trx.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toStored(row) : undefined;
}

export async function documentByKey(trx: Tx, key: string): Promise<StoredDocument | undefined> {
  const row = await trx
    .selectFrom('documents')
    .selectAll()
    .where('idempotency_key', '=', key)
    .executeTakeFirst();
  return row ? toStored(row) : undefined;
}

export interface NewDocument {
  tenantId: string;
  id: string;
  recordType: string;
  recordId: string;
  fileName: string;
  declaredSizeBytes: number | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  uploadedBy: { objectId: string; name: string };
}

/**
 * Inserts a pending document. With an idempotency key already taken (a concurrent request with the
 * same key won), nothing is inserted and false is returned.
 */
export async function insertPending(trx: Tx, document: NewDocument): Promise<boolean> {
  const inserted = await trx
    .insertInto('documents')
    .values({
      tenant_id: document.tenantId,
      id: document.id,
      record_type: document.recordType,
      record_id: document.recordId,
      file_name: document.fileName,
      content_type: null,
      declared_size_bytes: document.declaredSizeBytes,
      size_bytes: null,
      sha256: null,
      blob_name: blobNameOf(document.tenantId, document.id),
      rejection: null,
      idempotency_key: document.idempotencyKey,
      request_hash: document.requestHash,
      uploaded_by: document.uploadedBy.objectId,
      uploaded_by_name: document.uploadedBy.name,
      available_at: null,
      deleted_at: null,
      deleted_by: null,
    })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'idempotency_key']).where('idempotency_key', 'is not', null).doNothing(),
    )
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Marks a pending document available with what its checked bytes are; false if it was not pending. */
export async function markAvailable(
  trx: Tx,
  id: string,
  content: { contentType: string; sizeBytes: number; sha256: string },
): Promise<boolean> {
  const result = await trx
    .updateTable('documents')
    .set((eb) => ({
      status: 'available',
      content_type: content.contentType,
      size_bytes: content.sizeBytes,
      sha256: content.sha256,
      available_at: new Date(),
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function markRejected(trx: Tx, id: string, reason: string): Promise<void> {
  await trx
    .updateTable('documents')
    .set((eb) => ({ status: 'rejected', rejection: reason.slice(0, 500), version: eb('version', '+', 1) }))
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

/** Soft-deletes an available document at the given version; false when the version is stale. */
export async function markDeleted(trx: Tx, id: string, version: number, deletedBy: string): Promise<boolean> {
  const result = await trx
    .updateTable('documents')
    .set((eb) => ({
      status: 'deleted',
      deleted_at: new Date(),
      deleted_by: deletedBy,
      version: eb('version', '+', 1),
    }))
    .where('id', '=', id)
    .where('version', '=', version)
    .where('status', '=', 'available')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Available documents of one record, newest first, from after the cursor's (created_at, id). */
export async function availableOfRecord(
  trx: Tx,
  recordType: string,
  recordId: string,
  after: readonly [string, string] | undefined,
  limit: number,
): Promise<StoredDocument[]> {
  let query = trx
    .selectFrom('documents')
    .selectAll()
    .where('record_type', '=', recordType)
    .where('record_id', '=', recordId)
    .where('status', '=', 'available');
  if (after) {
    const [createdAt, id] = after;
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', new Date(createdAt)),
        eb.and([eb('created_at', '=', new Date(createdAt)), eb('id', '<', id)]),
      ]),
    );
  }
  const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toStored);
}

/**
 * Marks pending documents created before `before` as rejected with `reason`, at most `limit` of
 * them (rows another transaction holds are left for the next run), and returns their blob names.
 */
export async function rejectStalePending(
  trx: Tx,
  before: Date,
  reason: string,
  limit: number,
): Promise<{ id: string; blobName: string }[]> {
  const stale = await trx
    .selectFrom('documents')
    .select(['id', 'blob_name'])
    .where('status', '=', 'pending')
    .where('created_at', '<', before)
    .orderBy('created_at')
    .limit(limit)
    .forUpdate()
    .skipLocked()
    .execute();
  if (stale.length === 0) return [];
  await trx
    .updateTable('documents')
    .set((eb) => ({ status: 'rejected', rejection: reason, version: eb('version', '+', 1) }))
    .where(
      'id',
      'in',
      stale.map((row) => row.id),
    )
    .execute();
  return stale.map((row) => ({ id: row.id, blobName: row.blob_name }));
}

export function blobNameOf(tenantId: string, id: string): string {
  return `${tenantId}/${id}`;
}
