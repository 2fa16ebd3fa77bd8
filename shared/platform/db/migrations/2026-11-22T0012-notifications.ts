import { sql, type Kysely } from 'kysely';

/**
 * Notifications: what users see under the bell in the web app (`notifications`), and the emails
 * waiting to go out or sent (`notification_deliveries`).
 *
 * What must never happen, and who stops it:
 * - one notification shown twice to a user for the same cause: UNIQUE (tenant_id, key, user_id);
 * - one email sent twice to an address for the same cause: UNIQUE (tenant_id, key, recipient),
 *   the recipient lower-cased by a CHECK;
 * - a notification for a user of another tenant: the foreign key includes tenant_id;
 * - a delivery marked sent without the provider's id, or failed without a reason: CHECKs.
 *
 * The delivery worker runs across tenants as the system role (like the outbox relay): it may read
 * deliveries and change only their delivery state, never their content. The same role deletes
 * what is past keeping (old read notifications, finished deliveries).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table notifications (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      key text not null check (length(key) between 1 and 300),
      user_id uuid not null,
      template text not null check (length(template) between 1 and 100),
      title text not null check (length(title) between 1 and 500),
      body text not null check (length(body) <= 4000),
      link text check (length(link) between 1 and 4000),
      -- Milliseconds, as JavaScript keeps them: the list's cursor carries this time exactly.
      created_at timestamptz not null default date_trunc('milliseconds', now()),
      read_at timestamptz,
      primary key (tenant_id, id),
      unique (tenant_id, key, user_id),
      foreign key (tenant_id, user_id) references users (tenant_id, id)
    )`.execute(db);
  await sql`create index notifications_by_user on notifications (tenant_id, user_id, created_at desc, id desc)`.execute(
    db,
  );
  await sql`create index notifications_unread on notifications (tenant_id, user_id) where read_at is null`.execute(
    db,
  );

  await sql`
    create table notification_deliveries (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      key text not null check (length(key) between 1 and 300),
      channel text not null default 'email' check (channel = 'email'),
      recipient text not null check (length(recipient) between 3 and 320 and recipient = lower(recipient)),
      recipient_name text check (length(recipient_name) <= 200),
      user_id uuid,
      locale text not null check (length(locale) between 2 and 35),
      template text not null check (length(template) between 1 and 100),
      data jsonb not null default '{}'::jsonb check (jsonb_typeof(data) = 'object'),
      link text check (length(link) between 1 and 4000),
      attachments jsonb not null default '[]'::jsonb check (jsonb_typeof(attachments) = 'array'),
      status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed')),
      attempts integer not null default 0 check (attempts >= 0),
      next_attempt_at timestamptz not null default now(),
      lease_until timestamptz,
      last_error text check (length(last_error) <= 2000),
      provider_message_id text check (length(provider_message_id) <= 500),
      sent_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id),
      unique (tenant_id, key, recipient),
      foreign key (tenant_id, user_id) references users (tenant_id, id),
      check ((status = 'sent') = (sent_at is not null and provider_message_id is not null)),
      check (status <> 'failed' or last_error is not null),
      check (status <> 'sending' or lease_until is not null)
    )`.execute(db);
  await sql`create index notification_deliveries_due on notification_deliveries (next_attempt_at)
    where status in ('pending', 'sending')`.execute(db);

  for (const table of ['notifications', 'notification_deliveries']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`alter table ${sql.table(table)} force row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to tessera_app
      using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(db);
  }
  for (const table of ['notifications', 'notification_deliveries']) {
    await sql`create policy system_access on ${sql.table(table)} to tessera_system using (true) with check (true)`.execute(
      db,
    );
  }

  await sql`grant select, insert on notifications to tessera_app`.execute(db);
  await sql`grant update (read_at) on notifications to tessera_app`.execute(db);
  await sql`grant select, insert on notification_deliveries to tessera_app`.execute(db);
  await sql`grant select, delete on notifications, notification_deliveries to tessera_system`.execute(db);
  await sql`grant update (status, attempts, next_attempt_at, lease_until, last_error, provider_message_id, sent_at, updated_at)
    on notification_deliveries to tessera_system`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists notification_deliveries`.execute(db);
  await sql`drop table if exists notifications`.execute(db);
}
