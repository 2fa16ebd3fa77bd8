import { sql, type Kysely } from 'kysely';

/**
 * Scheduled reports, and the company details a tax invoice prints.
 *
 * - `tenants.company_profile`: legal name, VAT and registration numbers, address, contact and bank
 *   details, kept as one validated document (the API's zod schema is its shape).
 * - `report_schedules`: what to run (report type, parameters, formats, recipients) and when (an
 *   NCRONTAB expression in a time zone); `next_run_at` is the next due time.
 * - `report_runs`: one row per run. A scheduled run is unique per (schedule, due time), so a timer
 *   that fires twice, or two instances that fire at once, make one run; the insert that wins starts
 *   the flow.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tenants add column company_profile jsonb not null default '{}'::jsonb
    check (jsonb_typeof(company_profile) = 'object')`.execute(db);
  await sql`grant update (company_profile) on tenants to tessera_app`.execute(db);

  await sql`
    create table report_schedules (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      name text not null check (length(name) between 1 and 200),
      report_type text not null check (length(report_type) between 1 and 50),
      parameters jsonb not null default '{}'::jsonb,
      formats text[] not null check (cardinality(formats) between 1 and 3),
      recipients jsonb not null default '[]'::jsonb,
      schedule text not null check (length(schedule) between 1 and 200),
      time_zone text not null check (length(time_zone) between 1 and 64),
      locale text not null check (length(locale) between 2 and 35),
      active boolean not null default true,
      next_run_at timestamptz,
      last_run_at timestamptz,
      created_by text not null,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id),
      unique (tenant_id, name)
    )`.execute(db);
  await sql`create index report_schedules_due on report_schedules (next_run_at) where active`.execute(db);

  await sql`
    create table report_runs (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      schedule_id uuid,
      due_at timestamptz,
      name text not null check (length(name) between 1 and 200),
      report_type text not null,
      parameters jsonb not null default '{}'::jsonb,
      period_from date,
      period_to date not null,
      formats text[] not null,
      recipients jsonb not null default '[]'::jsonb,
      locale text not null,
      status text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed')),
      files jsonb not null default '[]'::jsonb,
      row_count integer,
      error text,
      instance_id uuid,
      requested_by text not null,
      created_at timestamptz not null default now(),
      started_at timestamptz,
      finished_at timestamptz,
      primary key (tenant_id, id),
      foreign key (tenant_id, schedule_id) references report_schedules (tenant_id, id),
      check ((schedule_id is null) = (due_at is null)),
      check (period_from is null or period_from <= period_to)
    )`.execute(db);
  await sql`create unique index report_runs_once_per_due on report_runs (tenant_id, schedule_id, due_at)
    where schedule_id is not null`.execute(db);
  await sql`create index report_runs_recent on report_runs (tenant_id, created_at desc, id desc)`.execute(db);

  for (const table of ['report_schedules', 'report_runs']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`alter table ${sql.table(table)} force row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to tessera_app
      using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(db);
  }
  await sql`grant select, insert, delete on report_schedules to tessera_app`.execute(db);
  await sql`grant update (name, report_type, parameters, formats, recipients, schedule, time_zone, locale, active,
    next_run_at, last_run_at, version, updated_at) on report_schedules to tessera_app`.execute(db);
  await sql`grant select, insert on report_runs to tessera_app`.execute(db);
  await sql`grant update (status, files, row_count, error, instance_id, started_at, finished_at)
    on report_runs to tessera_app`.execute(db);

  // The schedule timer finds what is due across tenants; it then works in each tenant's transaction.
  await sql`create policy system_access on report_schedules to tessera_system using (true) with check (true)`.execute(
    db,
  );
  await sql`grant select on report_schedules to tessera_system`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists report_runs`.execute(db);
  await sql`drop table if exists report_schedules`.execute(db);
  await sql`alter table tenants drop column if exists company_profile`.execute(db);
}
