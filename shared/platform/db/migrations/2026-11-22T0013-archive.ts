import { sql, type Kysely } from 'kysely';

/**
 * The archive: every published event and every audit record, copied to a store built for keeping
 * them (Cosmos DB in Azure; this table when the database is the store, as in the devhost).
 *
 * - `archived_at` on `outbox` and `audit_log` marks what has been copied; only the system role may
 *   set it (the audit log stays append-only for the app: it may not change a record).
 * - `archive_records` is the PostgreSQL store: one row per (tenant, stream, id), immutable; the
 *   app reads its own tenant's, the system role writes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table outbox add column archived_at timestamptz`.execute(db);
  await sql`create index outbox_unarchived on outbox (sequence) where archived_at is null and published_at is not null`.execute(
    db,
  );
  await sql`alter table audit_log add column archived_at timestamptz`.execute(db);
  await sql`create index audit_log_unarchived on audit_log (sequence) where archived_at is null`.execute(db);
  await sql`grant update (archived_at) on outbox to tessera_system`.execute(db);
  await sql`create policy system_access on audit_log to tessera_system using (true) with check (true)`.execute(
    db,
  );
  await sql`grant select, update (archived_at) on audit_log to tessera_system`.execute(db);

  await sql`
    create table archive_records (
      tenant_id uuid not null references tenants(id),
      stream text not null check (stream in ('events', 'audit')),
      id uuid not null,
      at timestamptz not null,
      type text not null check (length(type) between 1 and 200),
      subject_type text,
      subject_id text,
      data jsonb not null,
      archived_at timestamptz not null default now(),
      primary key (tenant_id, stream, id)
    )`.execute(db);
  await sql`create index archive_records_recent on archive_records (tenant_id, stream, at desc, id desc)`.execute(
    db,
  );
  await sql`create index archive_records_subject on archive_records (tenant_id, stream, subject_type, subject_id, at desc)
    where subject_id is not null`.execute(db);
  await sql`alter table archive_records enable row level security`.execute(db);
  await sql`alter table archive_records force row level security`.execute(db);
  await sql`create policy tenant_isolation on archive_records to tessera_app
    using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(db);
  await sql`create policy system_access on archive_records to tessera_system using (true) with check (true)`.execute(
    db,
  );
  await sql`grant select on archive_records to tessera_app`.execute(db);
  await sql`grant select, insert on archive_records to tessera_system`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists archive_records`.execute(db);
  await sql`revoke select, update (archived_at) on audit_log from tessera_system`.execute(db);
  await sql`drop policy if exists system_access on audit_log`.execute(db);
  await sql`drop index if exists audit_log_unarchived`.execute(db);
  await sql`alter table audit_log drop column if exists archived_at`.execute(db);
  await sql`drop index if exists outbox_unarchived`.execute(db);
  await sql`alter table outbox drop column if exists archived_at`.execute(db);
}
