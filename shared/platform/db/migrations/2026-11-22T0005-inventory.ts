import { sql, type Kysely } from 'kysely';

/**
 * Inventory: warehouses (yards and construction sites too), items, a balance per item and
 * warehouse, an append-only stock ledger, the stock documents that write it (goods receipts,
 * adjustments, transfers, issues) and reservations of stock for sales documents.
 *
 * What must never happen, and who stops it:
 * - stock on hand below zero, reserved stock below zero or above what is on hand, a negative stock
 *   value, or value left on an empty balance: CHECK constraints on `stock_balances`. Reservations
 *   and issues are conditional updates on these rows, so concurrent orders cannot oversell;
 * - the stock ledger and the posted documents change: the app role may only insert and read them,
 *   and a trigger refuses UPDATE, DELETE and TRUNCATE to everyone. A mistake is corrected by a new
 *   document (an adjustment, a transfer back);
 * - a reservation gives back or issues more than it holds: CHECK on `stock_reservations`;
 * - the same sales document reserves twice, or an issue is recorded twice for one source
 *   document: partial unique indexes.
 *
 * For tenants whose books already exist, the chart of accounts gains the two accounts inventory
 * posts to (2060 Goods received not invoiced, 5050 Stock adjustments) and 5000 Cost of sales gets
 * its role; every tenant gets the ADJ and TRF number series.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table warehouses (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      code text not null check (code ~ '^[0-9A-Z][0-9A-Z._-]{0,19}$'),
      name text not null check (length(name) between 1 and 200),
      kind text not null check (kind in ('warehouse', 'yard', 'site')),
      address jsonb,
      active boolean not null default true,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id),
      unique (tenant_id, code)
    )`.execute(db);

  await sql`
    create table items (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      sku text not null check (sku ~ '^[0-9A-Z][0-9A-Z._/-]{0,39}$'),
      name text not null check (length(name) between 1 and 200),
      description text check (length(description) between 1 and 2000),
      uom text not null check (uom ~ '^[a-z][a-z0-9]{0,11}$'),
      kind text not null check (kind in ('stock', 'service')),
      sales_price numeric(19,4) not null check (sales_price >= 0),
      tax_code text not null,
      reorder_level numeric(19,4) check (reorder_level >= 0),
      active boolean not null default true,
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id),
      unique (tenant_id, sku),
      foreign key (tenant_id, tax_code) references tax_codes(tenant_id, code),
      check (kind = 'stock' or reorder_level is null)
    )`.execute(db);

  await sql`
    create table stock_balances (
      tenant_id uuid not null,
      item_id uuid not null,
      warehouse_id uuid not null,
      on_hand numeric(19,4) not null default 0,
      reserved numeric(19,4) not null default 0,
      value numeric(19,4) not null default 0,
      updated_at timestamptz not null default now(),
      primary key (tenant_id, item_id, warehouse_id),
      foreign key (tenant_id, item_id) references items(tenant_id, id),
      foreign key (tenant_id, warehouse_id) references warehouses(tenant_id, id),
      constraint stock_balances_on_hand_not_negative check (on_hand >= 0),
      constraint stock_balances_reserved_not_negative check (reserved >= 0),
      constraint stock_balances_reserved_within_on_hand check (reserved <= on_hand),
      constraint stock_balances_value_not_negative check (value >= 0),
      constraint stock_balances_no_value_without_stock check (on_hand > 0 or value = 0)
    )`.execute(db);
  await sql`create index stock_balances_by_warehouse on stock_balances (tenant_id, warehouse_id, item_id)`.execute(
    db,
  );

  await sql`
    create table stock_documents (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      kind text not null check (kind in ('receipt', 'adjustment', 'transfer', 'issue')),
      number text,
      document_date date not null,
      -- Receipts and adjustments: the warehouse; transfers: the source. Issues name it per line.
      warehouse_id uuid,
      to_warehouse_id uuid,
      reference text check (length(reference) between 1 and 100),
      reason text check (length(reason) between 1 and 500),
      -- Issues: the document that took the stock (a delivery) and the reservation's reference.
      source_type text check (length(source_type) between 1 and 100),
      source_id text check (length(source_id) between 1 and 100),
      reference_type text check (length(reference_type) between 1 and 50),
      reference_id text check (length(reference_id) between 1 and 100),
      total_value numeric(19,4) not null,
      entry_id uuid,
      created_by text not null,
      request_id text,
      created_at timestamptz not null default now(),
      primary key (tenant_id, id),
      unique (tenant_id, number),
      foreign key (tenant_id, warehouse_id) references warehouses(tenant_id, id),
      foreign key (tenant_id, to_warehouse_id) references warehouses(tenant_id, id),
      foreign key (tenant_id, entry_id) references journal_entries(tenant_id, id),
      check ((kind = 'issue') = (number is null)),
      check ((kind = 'issue') = (warehouse_id is null)),
      check ((kind = 'issue') = (source_type is not null and source_id is not null
        and reference_type is not null and reference_id is not null)),
      check ((kind = 'transfer') = (to_warehouse_id is not null)),
      check (to_warehouse_id is null or to_warehouse_id <> warehouse_id),
      check ((kind = 'adjustment') = (reason is not null)),
      check (kind = 'adjustment' or total_value >= 0),
      check (kind <> 'receipt' or entry_id is not null),
      check (kind <> 'transfer' or entry_id is null)
    )`.execute(db);
  await sql`create unique index stock_documents_by_source on stock_documents (tenant_id, source_type, source_id)
    where kind = 'issue'`.execute(db);
  // Lists by kind, newest first.
  await sql`create index stock_documents_by_date on stock_documents (tenant_id, kind, document_date desc, id desc)`.execute(
    db,
  );

  await sql`
    create table stock_document_lines (
      tenant_id uuid not null,
      document_id uuid not null,
      line_no smallint not null check (line_no between 1 and 500),
      item_id uuid not null,
      warehouse_id uuid not null,
      reservation_key text check (length(reservation_key) between 1 and 100),
      quantity numeric(19,4) not null check (quantity <> 0),
      unit_cost numeric(19,4) not null check (unit_cost >= 0),
      value numeric(19,4) not null,
      primary key (tenant_id, document_id, line_no),
      foreign key (tenant_id, document_id) references stock_documents(tenant_id, id),
      foreign key (tenant_id, item_id) references items(tenant_id, id),
      foreign key (tenant_id, warehouse_id) references warehouses(tenant_id, id),
      check (value = 0 or sign(value) = sign(quantity))
    )`.execute(db);

  await sql`
    create table stock_moves (
      tenant_id uuid not null,
      id uuid not null,
      sequence bigint generated always as identity,
      move_date date not null,
      item_id uuid not null,
      warehouse_id uuid not null,
      kind text not null check (kind in ('receipt', 'issue', 'adjustment', 'transfer_out', 'transfer_in')),
      quantity numeric(19,4) not null check (quantity <> 0),
      unit_cost numeric(19,4) not null check (unit_cost >= 0),
      value numeric(19,4) not null,
      source_type text not null,
      source_id text not null,
      created_at timestamptz not null default now(),
      primary key (tenant_id, id),
      foreign key (tenant_id, item_id) references items(tenant_id, id),
      foreign key (tenant_id, warehouse_id) references warehouses(tenant_id, id),
      check (value = 0 or sign(value) = sign(quantity)),
      check (kind = 'adjustment' or (quantity > 0) = (kind in ('receipt', 'transfer_in')))
    )`.execute(db);
  // Valuation as of a past date is today's balances less the moves dated after it: a range scan
  // of this index from that date on, whatever the length of the history before it.
  await sql`create index stock_moves_by_date on stock_moves (tenant_id, move_date)
    include (item_id, warehouse_id, quantity, value)`.execute(db);
  // An item's history in a warehouse, and its last known cost.
  await sql`create index stock_moves_by_item on stock_moves (tenant_id, item_id, warehouse_id, move_date, sequence)`.execute(
    db,
  );
  await sql`create index stock_moves_by_source on stock_moves (tenant_id, source_type, source_id)`.execute(
    db,
  );

  await sql`
    create table stock_reservations (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      reference_type text not null check (length(reference_type) between 1 and 50),
      reference_id text not null check (length(reference_id) between 1 and 100),
      key text not null check (length(key) between 1 and 100),
      item_id uuid not null,
      warehouse_id uuid not null,
      quantity numeric(19,4) not null check (quantity > 0),
      issued numeric(19,4) not null default 0 check (issued >= 0),
      released numeric(19,4) not null default 0 check (released >= 0),
      status text not null default 'active' check (status in ('active', 'issued', 'released')),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id),
      foreign key (tenant_id, item_id) references items(tenant_id, id),
      foreign key (tenant_id, warehouse_id) references warehouses(tenant_id, id),
      check (issued + released <= quantity),
      check ((status = 'active') = (issued + released < quantity)),
      check (status <> 'issued' or issued = quantity),
      check (status <> 'released' or released > 0)
    )`.execute(db);
  // One live reservation per key of a reference; a released reference may reserve again.
  await sql`create unique index stock_reservations_live on stock_reservations (tenant_id, reference_type, reference_id, key)
    where status <> 'released'`.execute(db);
  await sql`create index stock_reservations_active on stock_reservations (tenant_id, item_id, warehouse_id)
    where status = 'active'`.execute(db);

  await sql`
    create function stock_ledger_is_append_only() returns trigger language plpgsql as $$
    begin
      raise exception 'the stock ledger is append-only: % on % is refused; post an adjustment or a transfer instead',
        tg_op, tg_table_name using errcode = '42501';
    end $$`.execute(db);
  for (const table of ['stock_moves', 'stock_documents', 'stock_document_lines']) {
    await sql`create trigger ${sql.raw(`${table}_append_only`)} before update or delete on ${sql.table(table)}
      for each row execute function stock_ledger_is_append_only()`.execute(db);
    await sql`create trigger ${sql.raw(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
      for each statement execute function stock_ledger_is_append_only()`.execute(db);
  }

  for (const table of TABLES) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`alter table ${sql.table(table)} force row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to tessera_app
      using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(db);
  }
  // Warehouses never used may be deleted; the rest are deactivated. Codes and SKUs never change.
  await sql`grant select, insert, delete on warehouses to tessera_app`.execute(db);
  await sql`grant update (name, kind, address, active, version, updated_at) on warehouses to tessera_app`.execute(
    db,
  );
  await sql`grant select, insert on items to tessera_app`.execute(db);
  await sql`grant update (name, description, uom, sales_price, tax_code, reorder_level, active, version, updated_at)
    on items to tessera_app`.execute(db);
  await sql`grant select, insert on stock_balances to tessera_app`.execute(db);
  await sql`grant update (on_hand, reserved, value, updated_at) on stock_balances to tessera_app`.execute(db);
  await sql`grant select, insert on stock_documents, stock_document_lines, stock_moves to tessera_app`.execute(
    db,
  );
  await sql`grant select, insert on stock_reservations to tessera_app`.execute(db);
  await sql`grant update (issued, released, status, updated_at) on stock_reservations to tessera_app`.execute(
    db,
  );

  await sql`alter table accounts drop constraint accounts_role_check`.execute(db);
  await sql`alter table accounts add constraint accounts_role_check check (role in (${sql.join(
    [...ACCOUNT_ROLES, ...NEW_ROLES].map((r) => sql.lit(r)),
  )}))`.execute(db);
  await asOwner(db, ['tenants', 'accounts', 'number_series'], async () => {
    // Books already set up (tenants with a chart of accounts) get the accounts inventory posts to.
    // The code may be there already: kept, without its role, by an earlier down migration.
    const accounts = sql`(values ('2060', 'Goods received not invoiced', 'liability', 'grni', false),
      ('5000', 'Cost of sales', 'expense', 'cost_of_sales', true),
      ('5050', 'Stock adjustments', 'expense', 'stock_adjustment', true)) as v(code, name, type, role, manual_posting)`;
    await sql`
      update accounts a set role = v.role, manual_posting = v.manual_posting
      from ${accounts}
      where a.code = v.code and a.type = v.type and a.role is null and (a.name = v.name or v.code = '5000')
        and not exists (select 1 from accounts r where r.tenant_id = a.tenant_id and r.role = v.role)`.execute(
      db,
    );
    await sql`
      insert into accounts (tenant_id, id, code, name, type, role, manual_posting)
      select t.tenant_id, gen_random_uuid(), v.code, v.name, v.type, v.role, v.manual_posting
      from (select distinct tenant_id from accounts) t cross join ${accounts}
      where v.code <> '5000' and not exists (select 1 from accounts r where r.tenant_id = t.tenant_id and r.role = v.role)
      on conflict (tenant_id, code) do nothing`.execute(db);
    await sql`
      insert into number_series (tenant_id, code, prefix)
      select t.id, s.code, s.code from tenants t cross join (values ('ADJ'), ('TRF')) as s(code)
      on conflict do nothing`.execute(db);
  });
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [...TABLES].reverse()) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
  await sql`drop function if exists stock_ledger_is_append_only()`.execute(db);

  await asOwner(db, ['accounts', 'number_series', 'number_counters'], async () => {
    await sql`delete from number_counters where code in ('ADJ', 'TRF')`.execute(db);
    await sql`delete from number_series where code in ('ADJ', 'TRF')`.execute(db);
    // Accounts with postings stay (the journal is append-only), without their role.
    await sql`
      delete from accounts a where a.code in ('2060', '5050') and a.role in ('grni', 'stock_adjustment')
        and not exists (select 1 from journal_lines l where l.tenant_id = a.tenant_id and l.account_id = a.id)`.execute(
      db,
    );
    await sql`update accounts set role = null where role in (${sql.join(NEW_ROLES.map((r) => sql.lit(r)))})`.execute(
      db,
    );
  });
  await sql`alter table accounts drop constraint accounts_role_check`.execute(db);
  await sql`alter table accounts add constraint accounts_role_check check (role in (${sql.join(
    ACCOUNT_ROLES.map((r) => sql.lit(r)),
  )}))`.execute(db);
}

const TABLES = [
  'warehouses',
  'items',
  'stock_balances',
  'stock_documents',
  'stock_document_lines',
  'stock_moves',
  'stock_reservations',
] as const;

/** The account roles before inventory, and the ones it adds. */
const ACCOUNT_ROLES = [
  'bank',
  'receivable',
  'payable',
  'inventory',
  'vat_input',
  'vat_output',
  'retained_earnings',
  'fx_gain',
  'fx_loss',
  'fx_unrealised',
  'rounding',
];
const NEW_ROLES = ['grni', 'cost_of_sales', 'stock_adjustment'];

/**
 * Runs data changes across tenants as the owner. Row-level security is forced on these tables, so
 * it binds their owner too; it is lifted for the statements in `work` and forced again, all in the
 * migration's transaction, so no other session ever sees the tables without it.
 */
async function asOwner(db: Kysely<unknown>, tables: string[], work: () => Promise<void>): Promise<void> {
  for (const table of tables)
    await sql`alter table ${sql.table(table)} no force row level security`.execute(db);
  await work();
  for (const table of tables) await sql`alter table ${sql.table(table)} force row level security`.execute(db);
}
