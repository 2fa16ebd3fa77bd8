import { sql, type Kysely } from 'kysely';

/**
 * The devhost's Service Bus emulation and timer schedule monitor.
 *
 * `bus_messages` holds one row per message per subscription (a queue uses the subscription ''),
 * active or dead-lettered; a completed message is deleted. `bus_message_ids` remembers the message
 * ids each topic or queue received, for duplicate detection within its window. `timer_status` is
 * the schedule monitor: the last and next occurrence of each timer, so that a restart can tell a
 * missed occurrence (isPastDue).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create sequence devhost.bus_sequence`.execute(db);
  await sql`
    create table devhost.bus_messages (
      id bigserial primary key,
      entity text not null,
      subscription text not null default '',
      sequence_number bigint not null,
      message_id text not null,
      body text not null,
      body_encoding text not null check (body_encoding in ('text', 'json', 'base64')),
      subject text,
      content_type text,
      correlation_id text,
      application_properties jsonb not null default '{}',
      enqueued_at timestamptz not null,
      visible_at timestamptz not null,
      expires_at timestamptz not null,
      delivery_count integer not null default 0 check (delivery_count >= 0),
      lock_token uuid,
      locked_until timestamptz,
      state text not null default 'active' check (state in ('active', 'deadlettered')),
      dead_letter_reason text,
      dead_letter_description text,
      dead_lettered_at timestamptz,
      check ((lock_token is null) = (locked_until is null)),
      check ((state = 'deadlettered') = (dead_lettered_at is not null))
    )`.execute(db);
  await sql`create index bus_messages_active on devhost.bus_messages (entity, subscription, sequence_number, id) where state = 'active'`.execute(
    db,
  );
  await sql`create index bus_messages_dead_lettered on devhost.bus_messages (entity, subscription, dead_lettered_at, id) where state = 'deadlettered'`.execute(
    db,
  );
  await sql`
    create table devhost.bus_message_ids (
      entity text not null,
      message_id text not null,
      received_at timestamptz not null,
      primary key (entity, message_id)
    )`.execute(db);
  await sql`create index bus_message_ids_received on devhost.bus_message_ids (received_at)`.execute(db);
  await sql`
    create table devhost.timer_status (
      function_name text primary key,
      schedule text not null,
      last timestamptz,
      next timestamptz not null,
      last_updated timestamptz not null
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists devhost.timer_status`.execute(db);
  await sql`drop table if exists devhost.bus_message_ids`.execute(db);
  await sql`drop table if exists devhost.bus_messages`.execute(db);
  await sql`drop sequence if exists devhost.bus_sequence`.execute(db);
}
