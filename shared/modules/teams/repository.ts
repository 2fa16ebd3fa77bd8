import { sql } from 'kysely';
import type { Tx } from '../../platform/db/database.js';
import type { CardContext } from './cards.js';
import type { ConversationAddress } from './connector.js';
import type { ConversationKind } from './tables.js';

export interface ConversationReference extends ConversationAddress {
  kind: ConversationKind;
  botId: string;
  userObjectId: string | null;
  userChannelId: string | null;
  teamId: string | null;
  channelId: string | null;
}

export interface TeamsUser {
  objectId: string;
  name: string;
  active: boolean;
  roles: string[];
}

export interface CardRow extends ConversationAddress {
  activityId: string | null;
  renderedVersion: number;
  createdAt: Date;
}

export async function cardContext(trx: Tx): Promise<CardContext> {
  const row = await trx
    .selectFrom('tenants')
    .select(['name', 'locale', 'time_zone'])
    .executeTakeFirstOrThrow();
  return { tenantName: row.name, locale: row.locale, timeZone: row.time_zone };
}

/** Records where the app may post: a new reference replaces the user's or the conversation's old one. */
export async function saveConversation(trx: Tx, tenantId: string, ref: ConversationReference): Promise<void> {
  if (ref.kind === 'personal') {
    // A user has one personal conversation with the app at a time; an older one is no longer used.
    await trx
      .updateTable('teams_conversations')
      .set({ active: false, updated_at: new Date() })
      .where('kind', '=', 'personal')
      .where('user_object_id', '=', ref.userObjectId)
      .where('conversation_id', '<>', ref.conversationId)
      .execute();
  }
  const values = {
    kind: ref.kind,
    user_object_id: ref.userObjectId,
    user_channel_id: ref.userChannelId,
    service_url: ref.serviceUrl,
    bot_id: ref.botId,
    team_id: ref.teamId,
    channel_id: ref.channelId,
    active: true,
  };
  await trx
    .insertInto('teams_conversations')
    .values({ tenant_id: tenantId, conversation_id: ref.conversationId, ...values })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'conversation_id']).doUpdateSet({ ...values, updated_at: new Date() }),
    )
    .execute();
}

export async function deactivateConversation(trx: Tx, conversationId: string): Promise<void> {
  await trx
    .updateTable('teams_conversations')
    .set({ active: false, updated_at: new Date() })
    .where('conversation_id', '=', conversationId)
    .execute();
}

export async function userByObjectId(trx: Tx, objectId: string): Promise<TeamsUser | undefined> {
  const row = await trx
    .selectFrom('users')
    .select(['object_id', 'display_name', 'active', 'roles'])
    .where('object_id', '=', objectId)
    .executeTakeFirst();
  return row && { objectId: row.object_id, name: row.display_name, active: row.active, roles: row.roles };
}

/**
 * Where a request's card goes: the personal chat of every active user who holds the role and did
 * not ask for it, and every channel the app is installed in.
 */
export async function approverConversations(
  trx: Tx,
  role: string,
  requester: string,
): Promise<(ConversationAddress & { userChannelId: string | null })[]> {
  const rows = await trx
    .selectFrom('teams_conversations as c')
    .leftJoin('users as u', (join) =>
      join.onRef('u.tenant_id', '=', 'c.tenant_id').onRef('u.object_id', '=', 'c.user_object_id'),
    )
    .select(['c.conversation_id', 'c.service_url', 'c.user_channel_id'])
    .where('c.active', '=', true)
    .where((eb) =>
      eb.or([
        eb('c.kind', '=', 'channel'),
        eb.and([
          eb('c.kind', '=', 'personal'),
          eb('u.active', '=', true),
          eb(sql<boolean>`${role} = any(u.roles)`, '=', true),
          eb('c.user_object_id', '<>', requester),
        ]),
      ]),
    )
    .orderBy('c.conversation_id')
    .execute();
  return rows.map((r) => ({
    conversationId: r.conversation_id,
    serviceUrl: r.service_url,
    userChannelId: r.user_channel_id,
  }));
}

export async function cardRows(trx: Tx, approvalId: string): Promise<CardRow[]> {
  const rows = await trx
    .selectFrom('teams_approval_cards as a')
    .innerJoin('teams_conversations as c', (join) =>
      join.onRef('c.tenant_id', '=', 'a.tenant_id').onRef('c.conversation_id', '=', 'a.conversation_id'),
    )
    .select(['a.conversation_id', 'c.service_url', 'a.activity_id', 'a.rendered_version', 'a.created_at'])
    .where('a.approval_id', '=', approvalId)
    .orderBy('a.conversation_id')
    .execute();
  return rows.map((r) => ({
    conversationId: r.conversation_id,
    serviceUrl: r.service_url,
    activityId: r.activity_id,
    renderedVersion: r.rendered_version,
    createdAt: r.created_at,
  }));
}

/** Claims the posting of a card in a conversation; false when another worker already has. */
export async function claimCard(
  trx: Tx,
  tenantId: string,
  approvalId: string,
  conversationId: string,
): Promise<boolean> {
  const inserted = await trx
    .insertInto('teams_approval_cards')
    .values({ tenant_id: tenantId, approval_id: approvalId, conversation_id: conversationId })
    .onConflict((oc) => oc.doNothing())
    .returning('conversation_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Records what a card now shows; an older version never overwrites a newer one. */
export async function recordCard(
  trx: Tx,
  approvalId: string,
  conversationId: string,
  activityId: string,
  version: number,
): Promise<void> {
  await trx
    .updateTable('teams_approval_cards')
    .set({ activity_id: activityId, rendered_version: version, updated_at: new Date() })
    .where('approval_id', '=', approvalId)
    .where('conversation_id', '=', conversationId)
    .where('rendered_version', '<', version)
    .execute();
}
