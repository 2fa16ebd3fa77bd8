import { sql, type Kysely } from 'kysely';

/**
 * Customers and suppliers get a telephone number, a delivery address (a construction customer's
 * site gate is seldom its billing address) and the people to speak to.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table parties
    add column phone text check (length(phone) between 3 and 40),
    add column delivery_address jsonb,
    add column contacts jsonb not null default '[]' check (jsonb_typeof(contacts) = 'array' and jsonb_array_length(contacts) <= 20)`.execute(
    db,
  );
  await sql`grant update (phone, delivery_address, contacts) on parties to tessera_app`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table parties drop column if exists contacts, drop column if exists delivery_address,
    drop column if exists phone`.execute(db);
}
