import { sql, type Kysely } from 'kysely';

/**
 * Totals per account of every period, kept as the journal grows, so that reports over open
 * periods read a few rows per month instead of every journal line.
 *
 * No posting updates a shared row (a summary row updated by every posting would serialise
 * postings on it: RUNTIME-FACTS, ~28 % less throughput). Instead:
 * - every INSERT into journal_lines appends, from a statement-level trigger reading the inserted
 *   rows as a transition table, one delta row per (period, account) of what it inserted, whatever
 *   inserts them (the ledger service, a bulk load with triggers on, a script);
 * - a fold, one writer per tenant at a time (a transaction-level advisory lock), deletes the
 *   tenant's deltas and adds them into `period_account_rollups` in one statement, so any reader's
 *   snapshot sees each delta either still as a delta or already in the rollup, never both;
 * - a report reads rollups + the unfolded deltas of the periods it sums whole, in one statement.
 *
 * The journal itself never changes; these are derived rows and may be deleted and rebuilt. They
 * cover every period, open or closed: reopening a period needs no rebuild, and the closed-period
 * snapshots (period_snapshots) are taken from them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table period_account_rollups (
      tenant_id uuid not null,
      period_id uuid not null,
      account_id uuid not null,
      base_debit numeric(24,4) not null check (base_debit >= 0),
      base_credit numeric(24,4) not null check (base_credit >= 0),
      primary key (tenant_id, period_id, account_id),
      foreign key (tenant_id, period_id) references periods(tenant_id, id),
      foreign key (tenant_id, account_id) references accounts(tenant_id, id)
    )`.execute(db);
  // Appended on the posting path: no key, no foreign keys (the lines they come from have them),
  // one index for the fold and the reads.
  await sql`
    create table period_account_deltas (
      tenant_id uuid not null,
      period_id uuid not null,
      account_id uuid not null,
      base_debit numeric(24,4) not null,
      base_credit numeric(24,4) not null
    )`.execute(db);
  await sql`create index period_account_deltas_by_period on period_account_deltas (tenant_id, period_id)`.execute(
    db,
  );

  for (const table of ['period_account_rollups', 'period_account_deltas']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`alter table ${sql.table(table)} force row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to tessera_app
      using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(db);
  }
  await sql`grant select, insert, update (base_debit, base_credit) on period_account_rollups to tessera_app`.execute(
    db,
  );
  await sql`grant select, insert, delete on period_account_deltas to tessera_app`.execute(db);
  // The fold timer finds the tenants with deltas to fold; it folds each in that tenant's transaction.
  await sql`create policy system_access on period_account_deltas to tessera_system using (true)`.execute(db);
  await sql`grant select (tenant_id) on period_account_deltas to tessera_system`.execute(db);

  await sql`
    create function journal_lines_into_period_deltas() returns trigger language plpgsql as $$
    begin
      insert into period_account_deltas (tenant_id, period_id, account_id, base_debit, base_credit)
      select l.tenant_id, p.id, l.account_id, sum(l.base_debit), sum(l.base_credit)
        from inserted_lines l
        join periods p on p.tenant_id = l.tenant_id and l.entry_date between p.start_date and p.end_date
       group by l.tenant_id, p.id, l.account_id;
      return null;
    end $$`.execute(db);
  await sql`
    create trigger journal_lines_period_deltas after insert on journal_lines
    referencing new table as inserted_lines
    for each statement execute function journal_lines_into_period_deltas()`.execute(db);

  // Folds the tenant's deltas into its rollups; returns how many were folded. Does nothing in a
  // read-only transaction (a report on the replica), when another transaction is folding the
  // tenant, or when fewer than min_rows deltas wait (0: fold whatever there is).
  await sql`
    create function fold_period_account_deltas(p_tenant uuid, min_rows integer) returns bigint
    language plpgsql as $$
    declare
      folded bigint;
    begin
      if current_setting('transaction_read_only') = 'on' then
        return 0;
      end if;
      if not pg_try_advisory_xact_lock(hashtext('period_account_deltas'), hashtext(p_tenant::text)) then
        return 0;
      end if;
      if min_rows > 0 and (select count(*) from (select 1 from period_account_deltas
                                                  where tenant_id = p_tenant limit min_rows) waiting) < min_rows then
        return 0;
      end if;
      with d as (
        delete from period_account_deltas where tenant_id = p_tenant
        returning tenant_id, period_id, account_id, base_debit, base_credit),
      s as (
        insert into period_account_rollups as r (tenant_id, period_id, account_id, base_debit, base_credit)
        select tenant_id, period_id, account_id, sum(base_debit), sum(base_credit)
          from d group by tenant_id, period_id, account_id
        on conflict (tenant_id, period_id, account_id) do update
          set base_debit = r.base_debit + excluded.base_debit, base_credit = r.base_credit + excluded.base_credit)
      select count(*) into folded from d;
      return folded;
    end $$`.execute(db);

  // The journal posted before this migration. Row-level security is forced on these tables even
  // for their owner, who runs migrations and has no policy: lifted for this statement only.
  const backfilled = ['journal_lines', 'periods', 'period_account_rollups'];
  for (const table of backfilled)
    await sql`alter table ${sql.table(table)} no force row level security`.execute(db);
  await sql`
    insert into period_account_rollups (tenant_id, period_id, account_id, base_debit, base_credit)
    select l.tenant_id, p.id, l.account_id, sum(l.base_debit), sum(l.base_credit)
      from journal_lines l
      join periods p on p.tenant_id = l.tenant_id and l.entry_date between p.start_date and p.end_date
     group by l.tenant_id, p.id, l.account_id`.execute(db);
  for (const table of backfilled)
    await sql`alter table ${sql.table(table)} force row level security`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists journal_lines_period_deltas on journal_lines`.execute(db);
  await sql`drop function if exists journal_lines_into_period_deltas()`.execute(db);
  await sql`drop function if exists fold_period_account_deltas(uuid, integer)`.execute(db);
  await sql`drop table if exists period_account_deltas`.execute(db);
  await sql`drop table if exists period_account_rollups`.execute(db);
}
