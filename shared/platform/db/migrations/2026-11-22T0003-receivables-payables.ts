import { sql, type Kysely } from 'kysely';

/**
 * Receivables and payables: customers and suppliers (one `parties` table, so the sales and
 * purchasing modules reuse the same records), their documents (customer invoices and credit notes,
 * supplier bills), receipts and payments, and the allocations that settle documents.
 *
 * What must never happen, and who stops it:
 * - an issued or posted document changes: a trigger refuses every change to it except its
 *   settlement columns, and its lines cannot be added, changed or removed;
 * - a posted receipt or payment changes: a trigger refuses every update to it;
 * - a document is settled beyond its gross, or below zero: CHECK on `settled` (the service also
 *   locks the documents `FOR UPDATE` before it allocates, so concurrent receipts queue);
 * - an allocation of zero or less, or one that settles from two sources at once: CHECK;
 * - allocations are history: the app role may insert and read them, never change or delete them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table parties (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      kind text not null check (kind in ('customer', 'supplier')),
      code text not null check (code ~ '^[0-9A-Z][0-9A-Z._-]{0,19}$'),
      name text not null check (length(name) between 1 and 200),
      tax_number text check (length(tax_number) between 1 and 30),
      currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
      payment_terms_days smallint not null default 30 check (payment_terms_days between 0 and 365),
      credit_limit numeric(19,4) check (credit_limit >= 0),
      email text check (length(email) between 3 and 254),
      billing_address jsonb,
      active boolean not null default true,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id),
      unique (tenant_id, kind, code),
      check (kind = 'customer' or credit_limit is null)
    )`.execute(db);
  // Lists are sorted by name with (name, id) as the keyset; the search filters within a tenant's kind.
  await sql`create index parties_by_name on parties (tenant_id, kind, name, id)`.execute(db);

  await sql`
    create table trade_documents (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      ledger text not null check (ledger in ('receivable', 'payable')),
      kind text not null check (kind in ('invoice', 'credit_note', 'bill')),
      status text not null default 'draft' check (status in ('draft', 'issued', 'posted')),
      number text,
      party_id uuid,
      currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
      issue_date date not null,
      due_date date,
      reference text check (length(reference) between 1 and 100),
      memo text check (length(memo) <= 500),
      corrects_document_id uuid,
      net numeric(19,4) not null default 0 check (net >= 0),
      tax numeric(19,4) not null default 0 check (tax >= 0),
      gross numeric(19,4) not null default 0,
      exchange_rate numeric(19,8) check (exchange_rate > 0),
      base_gross numeric(19,4) check (base_gross > 0),
      entry_id uuid,
      settled numeric(19,4) not null default 0,
      base_settled numeric(19,4) not null default 0,
      -- The last day the document was open: 'infinity' until it is settled in full, then the date of
      -- the allocation that settled it. Never null, so aging filters on it with a plain comparison.
      open_until date not null default 'infinity',
      version integer not null default 1,
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      issued_by text,
      issued_at timestamptz,
      primary key (tenant_id, id),
      unique (tenant_id, number),
      foreign key (tenant_id, party_id) references parties(tenant_id, id),
      foreign key (tenant_id, corrects_document_id) references trade_documents(tenant_id, id),
      foreign key (tenant_id, entry_id) references journal_entries(tenant_id, id),
      check ((ledger = 'receivable' and kind in ('invoice', 'credit_note') and status in ('draft', 'issued'))
          or (ledger = 'payable' and kind = 'bill' and status in ('draft', 'posted'))),
      check (gross = net + tax),
      check (settled >= 0 and settled <= gross),
      check (base_settled >= 0 and base_settled <= coalesce(base_gross, 0)),
      check (due_date is null or due_date >= issue_date),
      check (status <> 'draft' or (settled = 0 and open_until = 'infinity')),
      check (status = 'draft' or (number is not null and party_id is not null and due_date is not null
        and gross > 0 and exchange_rate is not null and base_gross is not null and entry_id is not null)),
      check (status = 'draft' or (settled = gross) = (open_until <> 'infinity'))
    )`.execute(db);
  // A supplier's invoice number is recorded once per supplier.
  await sql`create unique index trade_documents_supplier_reference on trade_documents (tenant_id, party_id, lower(reference))
    where ledger = 'payable' and status <> 'draft' and reference is not null`.execute(db);
  // Lists by kind, newest first.
  await sql`create index trade_documents_by_date on trade_documents (tenant_id, kind, issue_date desc, id desc)`.execute(
    db,
  );
  // A party's statement and open items: its documents by date.
  await sql`create index trade_documents_by_party on trade_documents (tenant_id, party_id, issue_date, id)
    where status <> 'draft'`.execute(db);
  // Aging as of a date reads only documents still open on that date: those never fully settled
  // (open_until 'infinity') and those settled after it, so years of settled history are never
  // scanned; see aging in ar-ap-repository.ts. The condition is a plain date comparison on purpose:
  // under row-level security only leakproof conditions reach an index (a COALESCE would not).
  await sql`create index trade_documents_open on trade_documents (tenant_id, ledger, open_until, issue_date)
    include (party_id, currency, due_date, gross, base_gross)
    where status <> 'draft'`.execute(db);

  await sql`
    create table trade_document_lines (
      tenant_id uuid not null,
      document_id uuid not null,
      line_no smallint not null check (line_no between 1 and 500),
      description text not null check (length(description) between 1 and 500),
      account_id uuid not null,
      quantity numeric(19,4) not null check (quantity > 0),
      unit_price numeric(19,4) not null check (unit_price > 0),
      net numeric(19,4) not null check (net >= 0),
      tax_code text not null,
      tax_rate numeric(7,4) not null check (tax_rate >= 0 and tax_rate < 100),
      primary key (tenant_id, document_id, line_no),
      foreign key (tenant_id, document_id) references trade_documents(tenant_id, id),
      foreign key (tenant_id, account_id) references accounts(tenant_id, id),
      foreign key (tenant_id, tax_code) references tax_codes(tenant_id, code)
    )`.execute(db);

  await sql`
    create table trade_settlements (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      ledger text not null check (ledger in ('receivable', 'payable')),
      kind text not null check (kind in ('receipt', 'payment')),
      status text not null default 'draft' check (status in ('draft', 'posted')),
      number text,
      party_id uuid,
      settlement_date date not null,
      currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
      amount numeric(19,4) not null check (amount > 0),
      bank_account_id uuid,
      reference text check (length(reference) between 1 and 100),
      memo text check (length(memo) <= 500),
      planned_allocations jsonb not null default '[]',
      exchange_rate numeric(19,8) check (exchange_rate > 0),
      base_amount numeric(19,4) check (base_amount > 0),
      fx_difference numeric(19,4),
      entry_id uuid,
      version integer not null default 1,
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      posted_by text,
      posted_at timestamptz,
      primary key (tenant_id, id),
      unique (tenant_id, number),
      foreign key (tenant_id, party_id) references parties(tenant_id, id),
      foreign key (tenant_id, bank_account_id) references accounts(tenant_id, id),
      foreign key (tenant_id, entry_id) references journal_entries(tenant_id, id),
      check ((ledger = 'receivable' and kind = 'receipt') or (ledger = 'payable' and kind = 'payment')),
      check (status = 'draft' or (number is not null and party_id is not null and bank_account_id is not null
        and exchange_rate is not null and base_amount is not null and fx_difference is not null and entry_id is not null))
    )`.execute(db);
  await sql`create index trade_settlements_by_date on trade_settlements (tenant_id, kind, settlement_date desc, id desc)`.execute(
    db,
  );
  await sql`create index trade_settlements_by_party on trade_settlements (tenant_id, party_id, settlement_date, id)
    where status = 'posted'`.execute(db);

  await sql`
    create table trade_allocations (
      tenant_id uuid not null,
      id uuid not null,
      ledger text not null check (ledger in ('receivable', 'payable')),
      document_id uuid not null,
      settlement_id uuid,
      credit_document_id uuid,
      allocation_date date not null,
      amount numeric(19,4) not null check (amount > 0),
      base_amount numeric(19,4) not null check (base_amount >= 0),
      credit_base_amount numeric(19,4) check (credit_base_amount >= 0),
      created_at timestamptz not null default now(),
      primary key (tenant_id, id),
      foreign key (tenant_id, document_id) references trade_documents(tenant_id, id),
      foreign key (tenant_id, settlement_id) references trade_settlements(tenant_id, id),
      foreign key (tenant_id, credit_document_id) references trade_documents(tenant_id, id),
      check (num_nonnulls(settlement_id, credit_document_id) = 1),
      check ((credit_document_id is null) = (credit_base_amount is null)),
      check (credit_document_id is distinct from document_id)
    )`.execute(db);
  // What was settled of a document by a date: an index-only range scan per document.
  await sql`create index trade_allocations_by_document on trade_allocations (tenant_id, document_id, allocation_date)
    include (amount, base_amount)`.execute(db);
  await sql`create index trade_allocations_by_credit on trade_allocations (tenant_id, credit_document_id, allocation_date)
    include (amount, credit_base_amount) where credit_document_id is not null`.execute(db);
  await sql`create index trade_allocations_by_settlement on trade_allocations (tenant_id, settlement_id)
    where settlement_id is not null`.execute(db);

  // Issued documents are frozen except for how much of them is settled.
  await sql`
    create function trade_document_frozen() returns trigger language plpgsql as $$
    declare
      settlement_columns text[] := array['settled', 'base_settled', 'open_until', 'version', 'updated_at'];
    begin
      if old.status <> 'draft' and
         (to_jsonb(new) - settlement_columns) is distinct from (to_jsonb(old) - settlement_columns) then
        raise exception 'document % is % and cannot change; correct it with a credit note', old.number, old.status
          using errcode = '42501';
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger trade_documents_frozen before update on trade_documents
    for each row execute function trade_document_frozen()`.execute(db);

  await sql`
    create function trade_document_lines_frozen() returns trigger language plpgsql as $$
    declare
      document_status text;
      row_document uuid := coalesce(new.document_id, old.document_id);
      row_tenant uuid := coalesce(new.tenant_id, old.tenant_id);
    begin
      select status into document_status from trade_documents where tenant_id = row_tenant and id = row_document;
      if document_status is distinct from 'draft' then
        raise exception 'the lines of a % document cannot change', document_status using errcode = '42501';
      end if;
      return coalesce(new, old);
    end $$`.execute(db);
  await sql`create trigger trade_document_lines_frozen before insert or update or delete on trade_document_lines
    for each row execute function trade_document_lines_frozen()`.execute(db);

  await sql`
    create function trade_settlement_frozen() returns trigger language plpgsql as $$
    begin
      if old.status = 'posted' then
        raise exception 'settlement % is posted and cannot change', old.number using errcode = '42501';
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger trade_settlements_frozen before update on trade_settlements
    for each row execute function trade_settlement_frozen()`.execute(db);

  for (const table of [
    'parties',
    'trade_documents',
    'trade_document_lines',
    'trade_settlements',
    'trade_allocations',
  ]) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`alter table ${sql.table(table)} force row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to tessera_app
      using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(db);
  }
  // Parties are never deleted (documents refer to them); they are deactivated.
  await sql`grant select, insert on parties to tessera_app`.execute(db);
  await sql`grant update (name, tax_number, currency, payment_terms_days, credit_limit, email, billing_address,
    active, version, updated_at) on parties to tessera_app`.execute(db);
  // Draft columns are updatable for drafts only (the trigger freezes issued documents); the
  // identity columns (tenant, id, ledger, kind, creator) never change.
  await sql`grant select, insert on trade_documents to tessera_app`.execute(db);
  await sql`grant update (status, number, party_id, currency, issue_date, due_date, reference, memo,
    corrects_document_id, net, tax, gross, exchange_rate, base_gross, entry_id, settled, base_settled, open_until,
    version, updated_at, issued_by, issued_at) on trade_documents to tessera_app`.execute(db);
  // A draft's lines are replaced as a whole when it is edited.
  await sql`grant select, insert, delete on trade_document_lines to tessera_app`.execute(db);
  await sql`grant select, insert on trade_settlements to tessera_app`.execute(db);
  await sql`grant update (status, number, party_id, settlement_date, currency, amount, bank_account_id, reference,
    memo, planned_allocations, exchange_rate, base_amount, fx_difference, entry_id, version, updated_at, posted_by,
    posted_at) on trade_settlements to tessera_app`.execute(db);
  await sql`grant select, insert on trade_allocations to tessera_app`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'trade_allocations',
    'trade_settlements',
    'trade_document_lines',
    'trade_documents',
    'parties',
  ]) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
  await sql`drop function if exists trade_settlement_frozen()`.execute(db);
  await sql`drop function if exists trade_document_lines_frozen()`.execute(db);
  await sql`drop function if exists trade_document_frozen()`.execute(db);
}
