import { sql, type Kysely } from 'kysely';

/**
 * Sales orders entered directly, without a quote: such an order has no quote and no flow, and its
 * stock is reserved under the order itself. An order from an accepted quote keeps both.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sales_orders alter column quote_id drop not null`.execute(db);
  await sql`alter table sales_orders alter column flow_instance_id drop not null`.execute(db);
  await sql`alter table sales_orders add constraint sales_orders_quote_has_flow
    check ((quote_id is null) = (flow_instance_id is null))`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table sales_orders drop constraint if exists sales_orders_quote_has_flow`.execute(db);
  // Fails while directly entered orders exist: they cannot be given a quote after the fact.
  await sql`alter table sales_orders alter column flow_instance_id set not null`.execute(db);
  await sql`alter table sales_orders alter column quote_id set not null`.execute(db);
}
