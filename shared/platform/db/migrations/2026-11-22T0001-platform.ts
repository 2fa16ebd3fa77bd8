import { sql, type Kysely } from 'kysely';

/**
 * The platform schema: roles, tenants, users, audit log, number series, idempotency keys, the
 * event outbox and inbox, and the flow ownership table.
 *
 * Two roles without login carry the privileges: `tessera_app` for every tenant unit of work (row
 * level security confines it to `app.tenant_id`), `tessera_system` for the cross-tenant machinery
 * (outbox relay, tenant lookup at sign-in, onboarding). The connecting login switches to one of
 * them with `SET LOCAL ROLE` inside each transaction; migrations run as the owner.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    do $$ begin
      if not exists (select 1 from pg_roles where rolname = 'tessera_app') then
        create role tessera_app nologin nobypassrls;
      end if;
      if not exists (select 1 from pg_roles where rolname = 'tessera_system') then
        create role tessera_system nologin nobypassrls;
      end if;
    end $$`.execute(db);
  await sql`grant usage on schema public to tessera_app, tessera_system`.execute(db);

  await sql`
    create function app_current_tenant() returns uuid language sql stable as $$
      select nullif(current_setting('app.tenant_id', true), '')::uuid
    $$`.execute(db);

  await sql`
    create table tenants (
      id uuid primary key,
      slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$'),
      name text not null check (length(name) between 1 and 200),
      entra_tenant_id uuid not null unique,
      base_currency char(3) not null check (base_currency ~ '^[A-Z]{3}$'),
      locale text not null,
      time_zone text not null,
      fiscal_year_start_month smallint not null check (fiscal_year_start_month between 1 and 12),
      approval_threshold numeric(19,4) not null check (approval_threshold >= 0),
      status text not null default 'active' check (status in ('active', 'suspended')),
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    )`.execute(db);

  await sql`
    create table users (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      object_id uuid not null,
      display_name text not null,
      email text,
      roles text[] not null default '{}',
      active boolean not null default true,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id),
      unique (tenant_id, object_id)
    )`.execute(db);

  await sql`
    create table audit_log (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      sequence bigint generated always as identity,
      occurred_at timestamptz not null default now(),
      actor_id text not null,
      actor_name text,
      action text not null,
      entity_type text not null,
      entity_id text not null,
      request_id text,
      details jsonb,
      primary key (tenant_id, id)
    )`.execute(db);
  await sql`create index audit_log_by_time on audit_log (tenant_id, sequence desc)`.execute(db);
  await sql`create index audit_log_by_entity on audit_log (tenant_id, entity_type, entity_id, sequence desc)`.execute(
    db,
  );

  await sql`
    create table number_series (
      tenant_id uuid not null references tenants(id),
      code text not null check (code ~ '^[A-Z][A-Z0-9]{0,9}$'),
      prefix text not null,
      padding smallint not null default 6 check (padding between 1 and 12),
      yearly boolean not null default true,
      primary key (tenant_id, code)
    )`.execute(db);
  await sql`
    create table number_counters (
      tenant_id uuid not null,
      code text not null,
      year smallint not null,
      last_value bigint not null check (last_value > 0),
      primary key (tenant_id, code, year),
      foreign key (tenant_id, code) references number_series(tenant_id, code)
    )`.execute(db);

  await sql`
    create table idempotency_keys (
      tenant_id uuid not null references tenants(id),
      key text not null check (length(key) between 1 and 200),
      method text not null,
      path text not null,
      request_hash text not null,
      status_code smallint not null,
      response_headers jsonb not null,
      response_body text,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      primary key (tenant_id, key)
    )`.execute(db);
  await sql`create index idempotency_keys_expiry on idempotency_keys (expires_at)`.execute(db);

  await sql`
    create table outbox (
      tenant_id uuid not null references tenants(id),
      id uuid not null primary key,
      sequence bigint generated always as identity,
      type text not null,
      version smallint not null,
      payload jsonb not null,
      traceparent text,
      tracestate text,
      occurred_at timestamptz not null default now(),
      published_at timestamptz,
      attempts integer not null default 0,
      claimed_until timestamptz,
      last_error text
    )`.execute(db);
  await sql`create index outbox_unpublished on outbox (sequence) where published_at is null`.execute(db);

  await sql`
    create table inbox (
      tenant_id uuid not null references tenants(id),
      consumer text not null,
      event_id uuid not null,
      processed_at timestamptz not null default now(),
      primary key (tenant_id, consumer, event_id)
    )`.execute(db);

  await sql`
    create table flows (
      tenant_id uuid not null references tenants(id),
      instance_id text not null primary key,
      name text not null,
      started_by text not null,
      created_at timestamptz not null default now()
    )`.execute(db);

  // Row-level security, forced so that the owner is bound by it too.
  for (const table of [
    'users',
    'audit_log',
    'number_series',
    'number_counters',
    'idempotency_keys',
    'outbox',
    'inbox',
    'flows',
  ]) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`alter table ${sql.table(table)} force row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to tessera_app
      using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(db);
  }
  await sql`alter table tenants enable row level security`.execute(db);
  await sql`alter table tenants force row level security`.execute(db);
  await sql`create policy tenant_isolation on tenants to tessera_app
    using (id = app_current_tenant()) with check (id = app_current_tenant())`.execute(db);

  // The system role sees across tenants only where its machinery needs to.
  for (const table of ['tenants', 'users', 'outbox', 'number_series', 'idempotency_keys']) {
    await sql`create policy system_access on ${sql.table(table)} to tessera_system using (true) with check (true)`.execute(
      db,
    );
  }

  await sql`grant select on tenants to tessera_app`.execute(db);
  await sql`grant update (name, locale, time_zone, fiscal_year_start_month, approval_threshold, version, updated_at)
    on tenants to tessera_app`.execute(db);
  await sql`grant select, insert, update on users to tessera_app`.execute(db);
  await sql`grant select, insert on audit_log to tessera_app`.execute(db);
  await sql`grant select, insert on number_series to tessera_app`.execute(db);
  await sql`grant select, insert, update on number_counters to tessera_app`.execute(db);
  await sql`grant select, insert, update, delete on idempotency_keys to tessera_app`.execute(db);
  await sql`grant insert on outbox to tessera_app`.execute(db);
  await sql`grant select, insert on inbox to tessera_app`.execute(db);
  await sql`grant select, insert on flows to tessera_app`.execute(db);

  await sql`grant select, insert, update on tenants to tessera_system`.execute(db);
  await sql`grant select, insert, update on users to tessera_system`.execute(db);
  await sql`grant select, insert on number_series to tessera_system`.execute(db);
  await sql`grant select, update on outbox to tessera_system`.execute(db);
  await sql`grant select, delete on idempotency_keys to tessera_system`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'flows',
    'inbox',
    'outbox',
    'idempotency_keys',
    'number_counters',
    'number_series',
    'audit_log',
    'users',
    'tenants',
  ]) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
  await sql`drop function if exists app_current_tenant()`.execute(db);
  await sql`revoke usage on schema public from tessera_app, tessera_system`.execute(db);
}
