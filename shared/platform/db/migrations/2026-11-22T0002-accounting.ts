import { sql, type Kysely } from 'kysely';

/**
 * The accounting ledger: chart of accounts, fiscal years and periods, exchange rates, tax codes,
 * and the journal.
 *
 * The journal's invariants are the database's, not only the code's:
 * - every line is a debit or a credit, never both, never neither, never negative;
 * - every entry balances, in its currency and in the base currency, checked at commit by a
 *   deferred constraint trigger, so no transaction can leave an unbalanced entry behind;
 * - posted rows never change: the app role may only insert and read, and a trigger refuses UPDATE,
 *   DELETE and TRUNCATE to everyone. A mistake is corrected by a reversing entry.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table accounts (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      code text not null check (code ~ '^[0-9A-Z][0-9A-Z.-]{0,19}$'),
      name text not null check (length(name) between 1 and 200),
      type text not null check (type in ('asset', 'liability', 'equity', 'revenue', 'expense')),
      role text check (role in ('bank', 'receivable', 'payable', 'inventory', 'vat_input', 'vat_output',
        'retained_earnings', 'fx_gain', 'fx_loss', 'fx_unrealised', 'rounding')),
      manual_posting boolean not null default true,
      active boolean not null default true,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id),
      unique (tenant_id, code)
    )`.execute(db);
  await sql`create unique index accounts_one_per_role on accounts (tenant_id, role) where role is not null and role <> 'bank'`.execute(
    db,
  );

  await sql`
    create table fiscal_years (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      name text not null,
      start_date date not null,
      end_date date not null check (end_date > start_date),
      status text not null default 'open' check (status in ('open', 'closing', 'closed')),
      closed_at timestamptz,
      primary key (tenant_id, id),
      unique (tenant_id, start_date)
    )`.execute(db);

  await sql`
    create table periods (
      tenant_id uuid not null,
      id uuid not null,
      fiscal_year_id uuid not null,
      number smallint not null check (number between 1 and 12),
      start_date date not null,
      end_date date not null check (end_date >= start_date),
      status text not null default 'open' check (status in ('open', 'closed')),
      closed_at timestamptz,
      closed_by text,
      version integer not null default 1,
      primary key (tenant_id, id),
      unique (tenant_id, start_date),
      foreign key (tenant_id, fiscal_year_id) references fiscal_years(tenant_id, id)
    )`.execute(db);

  await sql`
    create table exchange_rates (
      tenant_id uuid not null references tenants(id),
      currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
      rate_date date not null,
      rate numeric(19,8) not null check (rate > 0),
      created_at timestamptz not null default now(),
      created_by text not null,
      primary key (tenant_id, currency, rate_date)
    )`.execute(db);

  await sql`
    create table tax_codes (
      tenant_id uuid not null references tenants(id),
      code text not null check (code ~ '^[A-Z0-9_]{1,20}$'),
      name text not null,
      kind text not null check (kind in ('standard', 'zero', 'exempt')),
      rate numeric(7,4) not null check (rate >= 0 and rate < 100),
      active boolean not null default true,
      primary key (tenant_id, code)
    )`.execute(db);

  await sql`
    create table journal_entries (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      number text not null,
      entry_date date not null,
      period_id uuid not null,
      memo text not null check (length(memo) <= 500),
      currency char(3) not null,
      exchange_rate numeric(19,8) not null check (exchange_rate > 0),
      source_type text,
      source_id text,
      reverses_entry_id uuid,
      posted_by text not null,
      posted_at timestamptz not null default now(),
      request_id text,
      primary key (tenant_id, id),
      unique (tenant_id, number),
      foreign key (tenant_id, period_id) references periods(tenant_id, id),
      foreign key (tenant_id, reverses_entry_id) references journal_entries(tenant_id, id),
      check ((source_type is null) = (source_id is null))
    )`.execute(db);
  await sql`create unique index journal_entries_by_source on journal_entries (tenant_id, source_type, source_id) where source_type is not null`.execute(
    db,
  );
  await sql`create unique index journal_entries_one_reversal on journal_entries (tenant_id, reverses_entry_id) where reverses_entry_id is not null`.execute(
    db,
  );
  await sql`create index journal_entries_by_date on journal_entries (tenant_id, entry_date, id)`.execute(db);

  await sql`
    create table journal_lines (
      tenant_id uuid not null,
      entry_id uuid not null,
      line_no smallint not null check (line_no between 1 and 1000),
      account_id uuid not null,
      entry_date date not null,
      debit numeric(19,4) not null default 0 check (debit >= 0),
      credit numeric(19,4) not null default 0 check (credit >= 0),
      base_debit numeric(19,4) not null default 0 check (base_debit >= 0),
      base_credit numeric(19,4) not null default 0 check (base_credit >= 0),
      memo text check (length(memo) <= 500),
      primary key (tenant_id, entry_id, line_no),
      foreign key (tenant_id, entry_id) references journal_entries(tenant_id, id),
      foreign key (tenant_id, account_id) references accounts(tenant_id, id),
      check ((debit > 0 and credit = 0) or (credit > 0 and debit = 0)),
      check (base_debit = 0 or base_credit = 0)
    )`.execute(db);
  // Reports read base amounts by account over a date range: an index-only scan of this index.
  await sql`create index journal_lines_for_reports on journal_lines (tenant_id, entry_date, account_id) include (base_debit, base_credit)`.execute(
    db,
  );
  await sql`create index journal_lines_by_account on journal_lines (tenant_id, account_id, entry_date, entry_id)`.execute(
    db,
  );

  // Balance, checked once per entry at commit.
  await sql`
    create function journal_entry_balances() returns trigger language plpgsql as $$
    declare
      totals record;
    begin
      select count(*) as lines, coalesce(sum(debit), 0) as debit, coalesce(sum(credit), 0) as credit,
             coalesce(sum(base_debit), 0) as base_debit, coalesce(sum(base_credit), 0) as base_credit
        into totals from journal_lines where tenant_id = new.tenant_id and entry_id = new.id;
      if totals.lines < 2 then
        raise exception 'journal entry % has % line(s); an entry needs at least two', new.number, totals.lines
          using errcode = '23514', constraint = 'journal_entry_balanced';
      end if;
      if totals.debit <> totals.credit or totals.base_debit <> totals.base_credit then
        raise exception 'journal entry % does not balance: debits % / %, credits % / % (base)', new.number,
          totals.debit, totals.base_debit, totals.credit, totals.base_credit
          using errcode = '23514', constraint = 'journal_entry_balanced';
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create constraint trigger journal_entry_balanced after insert on journal_entries
    deferrable initially deferred for each row execute function journal_entry_balances()`.execute(db);
  // Lines added to an entry after the transaction that posted it are checked too.
  await sql`
    create function journal_line_keeps_entry_balanced() returns trigger language plpgsql as $$
    declare
      entry journal_entries%rowtype;
    begin
      select * into entry from journal_entries where tenant_id = new.tenant_id and id = new.entry_id;
      if entry.posted_at < now() then
        raise exception 'journal entry % is posted; lines cannot be added', entry.number
          using errcode = '23514', constraint = 'journal_entry_immutable';
      end if;
      return null;
    end $$`.execute(db);
  await sql`
    create constraint trigger journal_line_added after insert on journal_lines
    deferrable initially deferred for each row execute function journal_line_keeps_entry_balanced()`.execute(
    db,
  );

  await sql`
    create function journal_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the journal is append-only: % on % is refused; post a reversing entry instead', tg_op, tg_table_name
        using errcode = '42501';
    end $$`.execute(db);
  for (const table of ['journal_entries', 'journal_lines']) {
    await sql`create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.table(table)}
      for each row execute function journal_is_append_only()`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
      for each statement execute function journal_is_append_only()`.execute(db);
  }

  for (const table of [
    'accounts',
    'fiscal_years',
    'periods',
    'exchange_rates',
    'tax_codes',
    'journal_entries',
    'journal_lines',
  ]) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`alter table ${sql.table(table)} force row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to tessera_app
      using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(db);
  }
  await sql`grant select, insert, delete on accounts to tessera_app`.execute(db);
  await sql`grant update (name, manual_posting, active, version, updated_at) on accounts to tessera_app`.execute(
    db,
  );
  await sql`grant select, insert on fiscal_years to tessera_app`.execute(db);
  await sql`grant update (status, closed_at) on fiscal_years to tessera_app`.execute(db);
  await sql`grant select, insert on periods to tessera_app`.execute(db);
  await sql`grant update (status, closed_at, closed_by, version) on periods to tessera_app`.execute(db);
  await sql`grant select, insert on exchange_rates to tessera_app`.execute(db);
  await sql`grant select, insert on tax_codes to tessera_app`.execute(db);
  await sql`grant update (name, active) on tax_codes to tessera_app`.execute(db);
  await sql`grant select, insert on journal_entries, journal_lines to tessera_app`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'journal_lines',
    'journal_entries',
    'tax_codes',
    'exchange_rates',
    'periods',
    'fiscal_years',
    'accounts',
  ]) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
  await sql`drop function if exists journal_is_append_only()`.execute(db);
  await sql`drop function if exists journal_line_keeps_entry_balanced()`.execute(db);
  await sql`drop function if exists journal_entry_balances()`.execute(db);
}
