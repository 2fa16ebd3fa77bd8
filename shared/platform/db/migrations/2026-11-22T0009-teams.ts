import { sql, type Kysely } from 'kysely';

/**
 * Microsoft Teams: where the app may post proactively (the conversation reference Teams gives on
 * installation, per tenant and user for personal chats, per channel for teams), and which card it
 * posted for which approval in which conversation, so the card can be updated in place when the
 * request is decided, escalated or expires.
 *
 * What must never happen, and who stops it:
 * - one user with two active personal conversations (a card would go twice): UNIQUE per tenant
 *   and user over the active personal conversations;
 * - a card row that points to no conversation of its tenant: the foreign key includes tenant_id;
 * - one approval card twice in one conversation: the primary key.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table teams_conversations (
      tenant_id uuid not null references tenants(id),
      conversation_id text not null check (length(conversation_id) between 1 and 500),
      kind text not null check (kind in ('personal', 'channel', 'groupChat')),
      user_object_id uuid,
      user_channel_id text check (length(user_channel_id) between 1 and 500),
      service_url text not null check (service_url ~ '^https?://' and length(service_url) <= 500),
      bot_id text not null check (length(bot_id) between 1 and 200),
      team_id text check (length(team_id) <= 500),
      channel_id text check (length(channel_id) <= 500),
      active boolean not null default true,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, conversation_id),
      check ((kind = 'personal') = (user_object_id is not null and user_channel_id is not null))
    )`.execute(db);
  await sql`create unique index teams_conversations_personal on teams_conversations (tenant_id, user_object_id)
    where kind = 'personal' and active`.execute(db);

  await sql`
    create table teams_approval_cards (
      tenant_id uuid not null,
      approval_id uuid not null,
      conversation_id text not null,
      activity_id text check (length(activity_id) between 1 and 500),
      rendered_version integer not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, approval_id, conversation_id),
      foreign key (tenant_id, approval_id) references approval_requests (tenant_id, id),
      foreign key (tenant_id, conversation_id) references teams_conversations (tenant_id, conversation_id)
    )`.execute(db);

  for (const table of ['teams_conversations', 'teams_approval_cards']) {
    await sql`alter table ${sql.table(table)} enable row level security`.execute(db);
    await sql`alter table ${sql.table(table)} force row level security`.execute(db);
    await sql`create policy tenant_isolation on ${sql.table(table)} to tessera_app
      using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(db);
  }
  await sql`grant select, insert on teams_conversations, teams_approval_cards to tessera_app`.execute(db);
  await sql`grant update (kind, user_object_id, user_channel_id, service_url, bot_id, team_id, channel_id, active, updated_at)
    on teams_conversations to tessera_app`.execute(db);
  await sql`grant update (activity_id, rendered_version, updated_at) on teams_approval_cards to tessera_app`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists teams_approval_cards`.execute(db);
  await sql`drop table if exists teams_conversations`.execute(db);
}
