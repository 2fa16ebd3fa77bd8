import { sql, type Kysely } from 'kysely';

/**
 * Sales: quotes, the sales orders accepted quotes become, their deliveries, and the invoices raised
 * for what was delivered. Customers are the accounting module's parties; items and warehouses are
 * inventory's; stock is reserved and issued through inventory's reservations.
 *
 * What must never happen, and who stops it:
 * - a quote edited once it has left draft: a trigger refuses changes to its commercial fields and
 *   its lines;
 * - two orders for one quote, or one flow making two orders: UNIQUE on the quote and on the flow;
 * - delivering more than was ordered, or invoicing more than was delivered: CHECK on each line;
 * - deliveries and the order-to-invoice links rewritten: the app role may only insert and read them.
 *
 * Invoice lines gain the trade discount sales gives, so an order's invoice shows the same net.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table trade_document_lines add column discount_percent numeric(7,4) not null default 0
    check (discount_percent >= 0 and discount_percent < 100)`.execute(db);

  await sql`
    create table sales_quotes (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      number text not null,
      customer_id uuid not null,
      currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
      quote_date date not null,
      valid_until date not null,
      status text not null default 'draft'
        check (status in ('draft', 'sent', 'accepted', 'ordered', 'rejected', 'expired')),
      reference text check (length(reference) between 1 and 100),
      notes text check (length(notes) <= 2000),
      net numeric(19,4) not null default 0 check (net >= 0),
      tax numeric(19,4) not null default 0 check (tax >= 0),
      gross numeric(19,4) not null default 0,
      flow_instance_id text,
      outcome text check (length(outcome) <= 500),
      version integer not null default 1,
      created_by text not null,
      created_by_id text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id),
      unique (tenant_id, number),
      foreign key (tenant_id, customer_id) references parties(tenant_id, id),
      check (gross = net + tax),
      check (valid_until >= quote_date),
      check (status not in ('accepted', 'ordered') or flow_instance_id is not null)
    )`.execute(db);
  await sql`create index sales_quotes_by_date on sales_quotes (tenant_id, quote_date desc, number desc)`.execute(
    db,
  );
  await sql`create index sales_quotes_by_customer on sales_quotes (tenant_id, customer_id, quote_date desc)`.execute(
    db,
  );
  // Quotes still open past their validity are found by date.
  await sql`create index sales_quotes_open on sales_quotes (tenant_id, valid_until) where status in ('draft', 'sent')`.execute(
    db,
  );

  await sql`
    create table sales_quote_lines (
      tenant_id uuid not null,
      quote_id uuid not null,
      line_no smallint not null check (line_no between 1 and 500),
      item_id uuid not null,
      warehouse_id uuid,
      description text not null check (length(description) between 1 and 500),
      quantity numeric(19,4) not null check (quantity > 0),
      unit_price numeric(19,4) not null check (unit_price > 0),
      discount_percent numeric(7,4) not null default 0 check (discount_percent >= 0 and discount_percent < 100),
      tax_code text not null,
      tax_rate numeric(7,4) not null,
      net numeric(19,4) not null check (net >= 0),
      primary key (tenant_id, quote_id, line_no),
      foreign key (tenant_id, quote_id) references sales_quotes(tenant_id, id),
      foreign key (tenant_id, item_id) references items(tenant_id, id),
      foreign key (tenant_id, warehouse_id) references warehouses(tenant_id, id),
      foreign key (tenant_id, tax_code) references tax_codes(tenant_id, code)
    )`.execute(db);

  await sql`
    create table sales_orders (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      number text not null,
      quote_id uuid not null,
      customer_id uuid not null,
      currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
      order_date date not null,
      status text not null default 'confirmed'
        check (status in ('confirmed', 'partially_delivered', 'delivered', 'invoiced', 'cancelled')),
      reference text,
      net numeric(19,4) not null check (net >= 0),
      tax numeric(19,4) not null check (tax >= 0),
      gross numeric(19,4) not null,
      approval_id uuid,
      flow_instance_id text not null,
      cancel_reason text check (length(cancel_reason) between 1 and 500),
      version integer not null default 1,
      created_by text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id),
      unique (tenant_id, number),
      unique (tenant_id, quote_id),
      unique (tenant_id, flow_instance_id),
      foreign key (tenant_id, quote_id) references sales_quotes(tenant_id, id),
      foreign key (tenant_id, customer_id) references parties(tenant_id, id),
      foreign key (tenant_id, approval_id) references approval_requests(tenant_id, id),
      check (gross = net + tax),
      check ((status = 'cancelled') = (cancel_reason is not null))
    )`.execute(db);
  await sql`create index sales_orders_by_date on sales_orders (tenant_id, order_date desc, number desc)`.execute(
    db,
  );
  await sql`create index sales_orders_by_customer on sales_orders (tenant_id, customer_id, status)`.execute(
    db,
  );

  await sql`
    create table sales_order_lines (
      tenant_id uuid not null,
      order_id uuid not null,
      line_no smallint not null check (line_no between 1 and 500),
      item_id uuid not null,
      warehouse_id uuid,
      stocked boolean not null,
      description text not null,
      quantity numeric(19,4) not null check (quantity > 0),
      unit_price numeric(19,4) not null check (unit_price > 0),
      discount_percent numeric(7,4) not null default 0,
      tax_code text not null,
      tax_rate numeric(7,4) not null,
      net numeric(19,4) not null check (net >= 0),
      delivered numeric(19,4) not null default 0 check (delivered >= 0),
      invoiced numeric(19,4) not null default 0 check (invoiced >= 0),
      cancelled numeric(19,4) not null default 0 check (cancelled >= 0),
      primary key (tenant_id, order_id, line_no),
      foreign key (tenant_id, order_id) references sales_orders(tenant_id, id),
      foreign key (tenant_id, item_id) references items(tenant_id, id),
      foreign key (tenant_id, warehouse_id) references warehouses(tenant_id, id),
      check (delivered + cancelled <= quantity),
      check (invoiced <= delivered),
      check (not stocked or warehouse_id is not null)
    )`.execute(db);

  await sql`
    create table sales_deliveries (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      number text not null,
      order_id uuid not null,
      delivery_date date not null,
      cost numeric(19,4) not null check (cost >= 0),
      entry_id uuid,
      created_by text not null,
      created_at timestamptz not null default now(),
      primary key (tenant_id, id),
      unique (tenant_id, number),
      foreign key (tenant_id, order_id) references sales_orders(tenant_id, id),
      foreign key (tenant_id, entry_id) references journal_entries(tenant_id, id)
    )`.execute(db);
  await sql`create index sales_deliveries_by_order on sales_deliveries (tenant_id, order_id, delivery_date)`.execute(
    db,
  );
  await sql`
    create table sales_delivery_lines (
      tenant_id uuid not null,
      delivery_id uuid not null,
      order_line_no smallint not null,
      quantity numeric(19,4) not null check (quantity > 0),
      cost numeric(19,4) not null check (cost >= 0),
      primary key (tenant_id, delivery_id, order_line_no),
      foreign key (tenant_id, delivery_id) references sales_deliveries(tenant_id, id)
    )`.execute(db);

  await sql`
    create table sales_order_invoices (
      tenant_id uuid not null,
      order_id uuid not null,
      invoice_id uuid not null,
      created_at timestamptz not null default now(),
      primary key (tenant_id, order_id, invoice_id),
      unique (tenant_id, invoice_id),
      foreign key (tenant_id, order_id) references sales_orders(tenant_id, id),
      foreign key (tenant_id, invoice_id) references trade_documents(tenant_id, id)
    )`.execute(db);

  // A quote is frozen once sent: only its status, flow, outcome and version move on.
  await sql`
    create function sales_quote_frozen() returns trigger language plpgsql as $$
    declare
      moving_columns text[] := array['status', 'flow_instance_id', 'outcome', 'version', 'updated_at'];
    begin
      if old.status <> 'draft' and
         (to_jsonb(new) - moving_columns) is distinct from (to_jsonb(old) - moving_columns) then
        raise exception 'quote % is % and cannot change', old.number, old.status using errcode = '42501';
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger sales_quotes_frozen before update on sales_quotes
    for each row execute function sales_quote_frozen()`.execute(db);
  await sql`
    create function sales_quote_lines_frozen() returns trigger language plpgsql as $$
    declare
      quote_status text;
    begin
      select status into quote_status from sales_quotes
        where tenant_id = coalesce(new.tenant_id, old.tenant_id) and id = coalesce(new.quote_id, old.quote_id);
      if quote_status is distinct from 'draft' then
        raise exception 'the lines of a % quote cannot change', quote_status using errcode = '42501';
      end if;
      return coalesce(new, old);
    end $$`.execute(db);
  await sql`create trigger sales_quote_lines_frozen before insert or update or delete on sales_quote_lines
    for each row execute function sales_quote_lines_frozen()`.execute(db);

  for (const table of [
    'sales_quotes',
    'sales_quote_lines',
    'sales_orders',
    'sales_order_lines',
    'sales_deliveries',
    'sales_delivery_lines',
    'sales_order_invoices',
  ]) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`alter table ${sql.table(table)} force row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to tessera_app
      using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(db);
  }
  await sql`grant select, insert on sales_quotes to tessera_app`.execute(db);
  await sql`grant update (customer_id, currency, quote_date, valid_until, status, reference, notes, net, tax, gross,
    flow_instance_id, outcome, version, updated_at) on sales_quotes to tessera_app`.execute(db);
  await sql`grant select, insert, delete on sales_quote_lines to tessera_app`.execute(db);
  await sql`grant select, insert on sales_orders to tessera_app`.execute(db);
  await sql`grant update (status, cancel_reason, version, updated_at) on sales_orders to tessera_app`.execute(
    db,
  );
  await sql`grant select, insert on sales_order_lines to tessera_app`.execute(db);
  await sql`grant update (delivered, invoiced, cancelled) on sales_order_lines to tessera_app`.execute(db);
  await sql`grant select, insert on sales_deliveries, sales_delivery_lines, sales_order_invoices to tessera_app`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'sales_order_invoices',
    'sales_delivery_lines',
    'sales_deliveries',
    'sales_order_lines',
    'sales_orders',
    'sales_quote_lines',
    'sales_quotes',
  ]) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
  await sql`drop function if exists sales_quote_lines_frozen()`.execute(db);
  await sql`drop function if exists sales_quote_frozen()`.execute(db);
  await sql`alter table trade_document_lines drop column if exists discount_percent`.execute(db);
}
