import { sql, type Kysely } from 'kysely';

/**
 * Documents: files attached to any record (a quote, an invoice, a supplier, …). The bytes live in
 * Blob storage under `{tenant_id}/{id}`; this table says what they are, whose they are and whether
 * they may be served.
 *
 * What must never happen, and who stops it:
 * - a row served as `available` without its blob: rows start `pending` and become `available`
 *   only after the blob is written and checked, and an available row has its size, hash and type
 *   (CHECK);
 * - a blob name made from a user's file name: the blob name is the tenant and the document id
 *   (CHECK), whatever the file is called;
 * - one idempotency key making two documents: UNIQUE per tenant over the key;
 * - a deleted document without who and when: CHECK.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table documents (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      record_type text not null check (record_type ~ '^[a-z][a-z0-9_]{0,49}$'),
      record_id uuid not null,
      file_name text not null check (length(file_name) between 1 and 200 and file_name !~ '[/\\\\[:cntrl:]]'),
      content_type text check (length(content_type) between 3 and 200),
      declared_size_bytes bigint check (declared_size_bytes > 0),
      size_bytes bigint check (size_bytes > 0),
      sha256 text check (sha256 ~ '^[0-9a-f]{64}$'),
      blob_name text not null,
      status text not null default 'pending' check (status in ('pending', 'available', 'rejected', 'deleted')),
      rejection text check (length(rejection) <= 500),
      idempotency_key text check (length(idempotency_key) between 1 and 300),
      request_hash text check (request_hash ~ '^[0-9a-f]{64}$'),
      uploaded_by text not null,
      uploaded_by_name text not null,
      -- Milliseconds, as JavaScript dates carry them, so that list cursors round-trip exactly.
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      available_at timestamptz,
      deleted_at timestamptz,
      deleted_by text,
      version integer not null default 1,
      primary key (tenant_id, id),
      check (blob_name = tenant_id::text || '/' || id::text),
      check (status not in ('available', 'deleted') or (content_type is not null and size_bytes is not null
        and sha256 is not null and available_at is not null)),
      check ((status = 'deleted') = (deleted_at is not null and deleted_by is not null)),
      check ((idempotency_key is null) = (request_hash is null))
    )`.execute(db);
  await sql`create unique index documents_idempotency_key on documents (tenant_id, idempotency_key)
    where idempotency_key is not null`.execute(db);
  await sql`create index documents_of_record on documents (tenant_id, record_type, record_id, created_at desc, id desc)
    where status = 'available'`.execute(db);

  await sql`alter table documents enable row level security`.execute(db);
  await sql`alter table documents force row level security`.execute(db);
  await sql`create policy tenant_isolation on documents to tessera_app
    using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(db);
  // Rows are never deleted: a deleted document keeps its row (and its blob) for the audit trail.
  await sql`grant select, insert on documents to tessera_app`.execute(db);
  await sql`grant update (content_type, size_bytes, sha256, status, rejection, available_at, deleted_at, deleted_by, version)
    on documents to tessera_app`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists documents`.execute(db);
}
