import { sql, type Kysely } from 'kysely';

/**
 * Totals per account of each closed period, so that statements over long histories (a balance
 * sheet sums everything up to its date) read a few rows per closed month instead of every journal
 * line. They are written when a period closes, not when an entry posts: a summary row updated by
 * every posting would serialise postings on it (RUNTIME-FACTS: ~28 % less throughput).
 *
 * A snapshot is valid only while its period stays closed at the version it was taken for: reopening
 * a period bumps the version, so a stale snapshot is ignored without anyone having to delete it,
 * and closing it again replaces it.
 *
 * That needs closed periods to stay unchanged, so the database now refuses, at commit, an entry in
 * a period that is not open, with one exception: the year-end closing entry, dated on the last day
 * of the year whose periods are all closed. A posting that raced a period close is refused there.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table period_snapshots (
      tenant_id uuid not null,
      period_id uuid not null,
      period_version integer not null,
      taken_at timestamptz not null default now(),
      primary key (tenant_id, period_id),
      foreign key (tenant_id, period_id) references periods(tenant_id, id)
    )`.execute(db);
  await sql`
    create table period_account_totals (
      tenant_id uuid not null,
      period_id uuid not null,
      account_id uuid not null,
      base_debit numeric(24,4) not null check (base_debit >= 0),
      base_credit numeric(24,4) not null check (base_credit >= 0),
      primary key (tenant_id, period_id, account_id),
      foreign key (tenant_id, period_id) references period_snapshots(tenant_id, period_id) on delete cascade,
      foreign key (tenant_id, account_id) references accounts(tenant_id, id)
    )`.execute(db);
  for (const table of ['period_snapshots', 'period_account_totals']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`alter table ${sql.table(table)} force row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to tessera_app
      using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(db);
    await sql`grant select, insert, delete on ${sql.table(table)} to tessera_app`.execute(db);
  }

  await sql`
    create function journal_entry_in_open_period() returns trigger language plpgsql as $$
    declare
      period_status text;
    begin
      select status into period_status from periods where tenant_id = new.tenant_id and id = new.period_id;
      if period_status <> 'open' and new.source_type is distinct from 'accounting.year-end' then
        raise exception 'journal entry % is dated % in a closed period', new.number, new.entry_date
          using errcode = '23514', constraint = 'journal_entry_in_open_period';
      end if;
      return null;
    end $$`.execute(db);
  // Checked at commit: a period closed while the entry was being written is seen here.
  await sql`
    create constraint trigger journal_entry_in_open_period after insert on journal_entries
    deferrable initially deferred for each row execute function journal_entry_in_open_period()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists journal_entry_in_open_period on journal_entries`.execute(db);
  await sql`drop function if exists journal_entry_in_open_period()`.execute(db);
  await sql`drop table if exists period_account_totals`.execute(db);
  await sql`drop table if exists period_snapshots`.execute(db);
}
