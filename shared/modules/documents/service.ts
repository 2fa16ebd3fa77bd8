import { createHash, randomUUID } from 'node:crypto';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Role } from '../../platform/auth/roles.js';
import {
  attachmentDisposition,
  blobReadSasUrl,
  blobWriteSasUrl,
  deleteBlob,
  downloadBlob,
  ensureContainer,
  uploadBlob,
} from '../../platform/blob/storage.js';
import { settings } from '../../platform/config.js';
import type { Db, Tx } from '../../platform/db/database.js';
import { withTenant } from '../../platform/db/tenant.js';
import { staleVersion } from '../../platform/errors.js';
import { decodeCursor, toPage, type Page } from '../../platform/http/pagination.js';
import { z } from 'zod';
import { detectContentType, isStorableContentType, sanitizeFileName } from './content.js';
import { documentErrors as errors } from './errors.js';
import { assertMay, isRecordTypeName, resolverOf } from './records.js';
import * as repo from './repository.js';
import type { Document, StoredDocument } from './repository.js';
import type { DocumentListQuery, UploadSessionRequest } from './schemas.js';

/** The container of checked documents; each blob is named `{tenantId}/{documentId}`. */
export const DOCUMENTS_CONTAINER = 'documents';
/**
 * Where direct uploads land before they are checked. An upload URL can write only here, so a client
 * that keeps its URL can never replace a document after it was checked and made available.
 */
export const UPLOADS_CONTAINER = 'document-uploads';

const UPLOAD_URL_SECONDS = 15 * 60;
const DOWNLOAD_URL_SECONDS = 5 * 60;
const SERVICE_KEY_LENGTH_MAX = 250;

/** A signed-in user acting on documents: who they are for the audit log, and their roles. */
export interface DocumentActor extends AuditActor {
  roles: readonly Role[];
}

export interface StoreDocumentInput {
  tenantId: string;
  recordType: string; // e.g. 'invoice'
  recordId: string;
  fileName: string; // display name, e.g. 'INV-2026-000012.pdf'
  contentType: string; // trusted, system-generated content
  bytes: Buffer;
  actor: AuditActor; // from shared/platform/audit.ts
  /** Makes the call idempotent: a second call with the same key returns the first document and writes nothing. */
  idempotencyKey: string;
}

const maxBytes = (): number => settings().DOCUMENTS_MAX_BYTES;
const sha256 = (bytes: Uint8Array | string): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Stores a document that system code made (an invoice PDF, a report): the content type is trusted,
 * but never one a browser would run (HTML, SVG, XML). The record is not looked up: the caller made
 * the document for it. Idempotent by `idempotencyKey`: a second call with the same key returns the
 * first document and writes nothing, even if its bytes differ (a regenerated PDF carries a new
 * timestamp). A crash between the blob upload and the commit leaves a pending row, which the retry
 * with the same key finishes.
 */
export async function storeDocument(
  db: Db,
  input: StoreDocumentInput,
): Promise<{ id: string; blobName: string; created: boolean }> {
  if (!isRecordTypeName(input.recordType))
    throw new RangeError(`"${input.recordType}" is not a record type name.`);
  if (!z.uuid().safeParse(input.recordId).success) throw new RangeError('recordId must be a UUID.');
  if (input.idempotencyKey.length === 0 || input.idempotencyKey.length > SERVICE_KEY_LENGTH_MAX)
    throw new RangeError(`An idempotency key has 1 to ${SERVICE_KEY_LENGTH_MAX} characters.`);
  if (!isStorableContentType(input.contentType))
    throw new RangeError(`"${input.contentType}" is not a content type documents are stored as.`);
  if (input.bytes.length === 0) throw errors.empty();
  if (input.bytes.length > maxBytes()) throw errors.tooLarge(maxBytes(), 'file');
  const result = await ingest(db, {
    tenantId: input.tenantId,
    actor: input.actor,
    recordType: input.recordType,
    recordId: input.recordId,
    fileName: sanitizeFileName(input.fileName),
    bytes: input.bytes,
    contentType: input.contentType,
    key: `service:${input.idempotencyKey}`,
    requestHash: sha256(`service\n${input.recordType}\n${input.recordId}`),
  });
  return {
    id: result.document.id,
    blobName: repo.blobNameOf(input.tenantId, result.document.id),
    created: result.created,
  };
}

/** A short-lived read URL of an available document, served as an attachment with its own type. */
export async function documentReadUrl(
  db: Db,
  tenantId: string,
  documentId: string,
  ttlSeconds = DOWNLOAD_URL_SECONDS,
): Promise<{ url: string; expiresAt: string }> {
  const document = await withTenant(db, tenantId, (trx) => availableDocument(trx, documentId));
  return readUrlOf(document, ttlSeconds);
}

export async function readDocumentBytes(
  db: Db,
  tenantId: string,
  documentId: string,
): Promise<{ fileName: string; contentType: string; bytes: Buffer }> {
  const document = await withTenant(db, tenantId, (trx) => availableDocument(trx, documentId));
  const bytes = await downloadBlob(DOCUMENTS_CONTAINER, document.blobName, document.sizeBytes ?? 0);
  if (!bytes) throw new Error(`The blob of available document ${document.id} is missing.`);
  return {
    fileName: document.fileName,
    contentType: document.contentType ?? 'application/octet-stream',
    bytes,
  };
}

export interface UploadInput {
  recordType: string;
  recordId: string;
  fileName: string;
  bytes: Buffer;
  /** The client's Idempotency-Key, if it sent one. */
  idempotencyKey: string | undefined;
}

/**
 * A user's upload through the API: the record must exist in the tenant and the user may change it;
 * the bytes decide the type. With an Idempotency-Key, the same request again returns the first
 * document (`created: false`) and the same key with another request is refused.
 */
export async function uploadDocument(
  db: Db,
  actor: DocumentActor,
  input: UploadInput,
  paths: { recordType: string; recordId: string } = { recordType: 'recordType', recordId: 'recordId' },
): Promise<{ document: Document; created: boolean }> {
  const resolver = resolverOf(input.recordType, paths.recordType);
  assertMay(actor.roles, resolver.type, 'change');
  if (input.bytes.length > maxBytes()) throw errors.tooLarge(maxBytes(), 'file');
  if (input.bytes.length === 0) throw errors.empty();
  const fileName = sanitizeFileName(input.fileName);
  const detection = await detectContentType(input.bytes, fileName);
  if (!detection.accepted) throw errors.typeRefused(detection.reason);
  const result = await ingest(db, {
    tenantId: actor.tenantId,
    actor,
    recordType: resolver.type,
    recordId: input.recordId,
    fileName,
    bytes: input.bytes,
    contentType: detection.contentType,
    key: input.idempotencyKey === undefined ? undefined : `http:${input.idempotencyKey}`,
    requestHash: sha256(
      JSON.stringify([input.recordType, input.recordId, input.fileName, sha256(input.bytes)]),
    ),
    verify: async (trx) => {
      if (!(await resolver.exists(trx, input.recordId, actor.tenantId)))
        throw errors.recordNotFound(resolver.type, paths.recordId);
    },
  });
  return { document: repo.toDocument(result.document), created: result.created };
}

interface Ingest {
  tenantId: string;
  actor: AuditActor;
  recordType: string;
  recordId: string;
  fileName: string;
  bytes: Buffer;
  contentType: string;
  key: string | undefined;
  requestHash: string;
  /** Checks inside the first transaction, before anything is written. */
  verify?: (trx: Tx) => Promise<void>;
}

/**
 * Pending row first, then the blob, then `available`: no transaction is open while the bytes
 * travel, and a row is never available without its blob.
 */
async function ingest(db: Db, input: Ingest): Promise<{ document: StoredDocument; created: boolean }> {
  const claimed = await withTenant(db, input.tenantId, async (trx) => {
    const earlier = input.key ? await repo.documentByKey(trx, input.key) : undefined;
    if (earlier) return replayOf(earlier, input.requestHash);
    await input.verify?.(trx);
    const id = randomUUID();
    const inserted = await repo.insertPending(trx, {
      tenantId: input.tenantId,
      id,
      recordType: input.recordType,
      recordId: input.recordId,
      fileName: input.fileName,
      declaredSizeBytes: null,
      idempotencyKey: input.key ?? null,
      requestHash: input.key ? input.requestHash : null,
      uploadedBy: { objectId: input.actor.objectId, name: input.actor.name },
    });
    if (inserted) return { pendingId: id };
    // A concurrent request with the same key inserted first (its row is committed now).
    const winner = input.key ? await repo.documentByKey(trx, input.key) : undefined;
    if (!winner) throw new Error('A document idempotency key conflicted but its row is missing.');
    return replayOf(winner, input.requestHash);
  });
  if ('document' in claimed) return { document: claimed.document, created: false };

  const id = claimed.pendingId;
  await uploadBlob(DOCUMENTS_CONTAINER, repo.blobNameOf(input.tenantId, id), input.bytes, {
    contentType: input.contentType,
    contentDisposition: attachmentDisposition(input.fileName),
  });
  return withTenant(db, input.tenantId, async (trx) => {
    const content = {
      contentType: input.contentType,
      sizeBytes: input.bytes.length,
      sha256: sha256(input.bytes),
    };
    const made = await repo.markAvailable(trx, id, content);
    const document = (await repo.documentById(trx, id)) as StoredDocument;
    if (!made) return { document, created: false };
    await recordAudit(trx, input.actor, {
      action: 'document.uploaded',
      entityType: 'document',
      entityId: id,
      details: {
        recordType: document.recordType,
        recordId: document.recordId,
        fileName: document.fileName,
        contentType: content.contentType,
        sizeBytes: content.sizeBytes,
        sha256: content.sha256,
      },
    });
    return { document, created: true };
  });
}

/** What an earlier request with the same key left: its document, or a pending one to finish. */
function replayOf(
  earlier: StoredDocument,
  requestHash: string,
): { document: StoredDocument } | { pendingId: string } {
  if (earlier.requestHash !== requestHash) throw errors.keyReused();
  return earlier.status === 'pending' ? { pendingId: earlier.id } : { document: earlier };
}

/**
 * Opens a direct upload: a pending document and a URL that lets the client PUT exactly that many
 * bytes to a staging blob for 15 minutes. Nothing is served until `completeUpload` has checked them.
 */
export async function createUploadSession(
  trx: Tx,
  actor: DocumentActor,
  input: UploadSessionRequest,
): Promise<{
  id: string;
  uploadUrl: string;
  method: 'PUT';
  headers: { 'x-ms-blob-type': 'BlockBlob' };
  expiresAt: string;
  document: Document;
}> {
  const resolver = resolverOf(input.recordType);
  assertMay(actor.roles, resolver.type, 'change');
  if (input.size > maxBytes()) throw errors.tooLarge(maxBytes(), 'size');
  if (!(await resolver.exists(trx, input.recordId, actor.tenantId)))
    throw errors.recordNotFound(resolver.type);
  const id = randomUUID();
  await repo.insertPending(trx, {
    tenantId: actor.tenantId,
    id,
    recordType: resolver.type,
    recordId: input.recordId,
    fileName: sanitizeFileName(input.fileName),
    declaredSizeBytes: input.size,
    idempotencyKey: null,
    requestHash: null,
    uploadedBy: { objectId: actor.objectId, name: actor.name },
  });
  // The client PUTs straight to storage: the container must exist before it does.
  await ensureContainer(UPLOADS_CONTAINER);
  const sas = await blobWriteSasUrl(UPLOADS_CONTAINER, repo.blobNameOf(actor.tenantId, id), {
    expiresInSeconds: UPLOAD_URL_SECONDS,
  });
  const document = (await repo.documentById(trx, id)) as StoredDocument;
  return {
    id,
    uploadUrl: sas.url,
    method: 'PUT',
    headers: { 'x-ms-blob-type': 'BlockBlob' },
    expiresAt: sas.expiresOn.toISOString(),
    document: repo.toDocument(document),
  };
}

/**
 * Checks a direct upload: its real size (the announced one, within the limit) and its bytes
 * (an accepted type). Accepted, the checked bytes become the document and the staging blob goes;
 * refused, the staging blob goes, the document is marked rejected and a 422 names the problem.
 * Completing an available document again returns it unchanged.
 */
export async function completeUpload(db: Db, actor: DocumentActor, documentId: string): Promise<Document> {
  const pending = await withTenant(db, actor.tenantId, async (trx) => {
    const document = await repo.documentById(trx, documentId);
    if (!document) throw errors.notFound();
    assertMay(actor.roles, document.recordType, 'change');
    return document;
  });
  if (pending.status === 'available') return repo.toDocument(pending);
  if (pending.status !== 'pending') throw errors.notPending(pending.status);

  const staged = pending.blobName;
  let bytes: Buffer | undefined;
  let refusal: string | undefined;
  try {
    bytes = await downloadBlob(UPLOADS_CONTAINER, staged, maxBytes());
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    refusal = `The file is larger than ${maxBytes()} bytes.`;
  }
  if (!refusal && !bytes) throw errors.notUploaded();
  let contentType: string | undefined;
  if (!refusal && bytes) {
    if (pending.declaredSizeBytes !== null && bytes.length !== pending.declaredSizeBytes) {
      refusal = `The file has ${bytes.length} bytes, not the ${pending.declaredSizeBytes} announced.`;
    } else {
      const detection = await detectContentType(bytes, pending.fileName);
      if (detection.accepted) contentType = detection.contentType;
      else refusal = detection.reason;
    }
  }

  if (refusal || !bytes || !contentType) {
    const reason = refusal ?? 'The file was refused.';
    await deleteBlob(UPLOADS_CONTAINER, staged);
    await withTenant(db, actor.tenantId, async (trx) => {
      await repo.markRejected(trx, documentId, reason);
      await recordAudit(trx, actor, {
        action: 'document.upload_refused',
        entityType: 'document',
        entityId: documentId,
        details: { recordType: pending.recordType, recordId: pending.recordId, reason },
      });
    });
    throw errors.uploadRefused(reason);
  }

  await uploadBlob(DOCUMENTS_CONTAINER, pending.blobName, bytes, {
    contentType,
    contentDisposition: attachmentDisposition(pending.fileName),
  });
  const content = { contentType, sizeBytes: bytes.length, sha256: sha256(bytes) };
  const document = await withTenant(db, actor.tenantId, async (trx) => {
    const made = await repo.markAvailable(trx, documentId, content);
    if (made) {
      await recordAudit(trx, actor, {
        action: 'document.uploaded',
        entityType: 'document',
        entityId: documentId,
        details: {
          recordType: pending.recordType,
          recordId: pending.recordId,
          fileName: pending.fileName,
          ...content,
          direct: true,
        },
      });
    }
    return (await repo.documentById(trx, documentId)) as StoredDocument;
  });
  await deleteBlob(UPLOADS_CONTAINER, staged);
  return repo.toDocument(document);
}

/** One document (any status) of a record type the reader may read. */
export async function getDocument(trx: Tx, roles: readonly Role[], id: string): Promise<Document> {
  const document = await repo.documentById(trx, id);
  if (!document) throw errors.notFound();
  assertMay(roles, document.recordType, 'read');
  return repo.toDocument(document);
}

const documentCursor = z.tuple([z.iso.datetime(), z.uuid()]);

/** The available documents of one record, newest first. */
export async function listDocuments(
  trx: Tx,
  actor: DocumentActor,
  query: DocumentListQuery,
): Promise<Page<Document>> {
  const resolver = resolverOf(query.recordType, 'query.recordType');
  assertMay(actor.roles, resolver.type, 'read');
  if (!(await resolver.exists(trx, query.recordId, actor.tenantId)))
    throw errors.recordNotFound(resolver.type, 'query.recordId');
  const after = decodeCursor(query.cursor, documentCursor);
  const rows = await repo.availableOfRecord(trx, resolver.type, query.recordId, after, query.limit + 1);
  return toPage(rows, query.limit, repo.toDocument, (row) => [row.createdAt, row.id]);
}

/** A 5-minute download URL for an available document of a record type the reader may read. */
export async function downloadUrl(
  trx: Tx,
  roles: readonly Role[],
  id: string,
): Promise<{ url: string; expiresAt: string }> {
  const document = await availableDocument(trx, id);
  assertMay(roles, document.recordType, 'read');
  return readUrlOf(document, DOWNLOAD_URL_SECONDS);
}

/**
 * Soft delete: the document leaves its record's list and can no longer be downloaded; its row and
 * its blob stay for the audit trail.
 */
export async function deleteDocument(
  trx: Tx,
  actor: DocumentActor,
  id: string,
  version: number,
): Promise<void> {
  const document = await repo.documentById(trx, id);
  if (!document) throw errors.notFound();
  assertMay(actor.roles, document.recordType, 'change');
  if (document.status !== 'available') throw errors.notAvailable(document.status);
  if (!(await repo.markDeleted(trx, id, version, actor.objectId))) throw staleVersion('document');
  await recordAudit(trx, actor, {
    action: 'document.deleted',
    entityType: 'document',
    entityId: id,
    details: { recordType: document.recordType, recordId: document.recordId, fileName: document.fileName },
  });
}

const PENDING_HOURS_MAX = 24;
const EXPIRED_PER_RUN_MAX = 500;

/**
 * Ends uploads that were opened and never completed within 24 hours: the document is marked
 * rejected and whatever was written for it (the staging blob, or the blob of an API upload whose
 * process died before the commit) is deleted. Returns how many it ended; run it until it says 0.
 */
export async function expireStaleUploads(db: Db, actor: AuditActor): Promise<number> {
  const before = new Date(Date.now() - PENDING_HOURS_MAX * 3_600_000);
  const reason = `The upload was not completed within ${PENDING_HOURS_MAX} hours.`;
  const expired = await withTenant(db, actor.tenantId, async (trx) => {
    const stale = await repo.rejectStalePending(trx, before, reason, EXPIRED_PER_RUN_MAX);
    for (const document of stale) {
      await recordAudit(trx, actor, {
        action: 'document.upload_expired',
        entityType: 'document',
        entityId: document.id,
        details: { reason },
      });
    }
    return stale;
  });
  for (const document of expired) {
    await deleteBlob(UPLOADS_CONTAINER, document.blobName);
    await deleteBlob(DOCUMENTS_CONTAINER, document.blobName);
  }
  return expired.length;
}

async function availableDocument(trx: Tx, id: string): Promise<StoredDocument> {
  const document = await repo.documentById(trx, id);
  if (!document) throw errors.notFound();
  if (document.status !== 'available') throw errors.notAvailable(document.status);
  return document;
}

async function readUrlOf(
  document: StoredDocument,
  ttlSeconds: number,
): Promise<{ url: string; expiresAt: string }> {
  const sas = await blobReadSasUrl(DOCUMENTS_CONTAINER, document.blobName, {
    expiresInSeconds: ttlSeconds,
    attachmentFileName: document.fileName,
    contentType: document.contentType ?? 'application/octet-stream',
  });
  return { url: sas.url, expiresAt: sas.expiresOn.toISOString() };
}
