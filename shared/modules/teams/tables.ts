import type { Generated } from 'kysely';
import type { GeneratedTimestamp } from '../../platform/db/types.js';

export type ConversationKind = 'personal' | 'channel' | 'groupChat';

export interface TeamsConversationsTable {
  tenant_id: string;
  conversation_id: string;
  kind: ConversationKind;
  /** The Entra object id of the user of a personal conversation; null for channels and group chats. */
  user_object_id: string | null;
  /** The user's Bot Framework id (`29:…`) in a personal conversation, which card refresh names. */
  user_channel_id: string | null;
  service_url: string;
  bot_id: string;
  team_id: string | null;
  channel_id: string | null;
  active: Generated<boolean>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface TeamsApprovalCardsTable {
  tenant_id: string;
  approval_id: string;
  conversation_id: string;
  /** The Bot Connector's id of the posted card; null while it is being posted. */
  activity_id: string | null;
  /** The approval version the card shows, so an older state never overwrites a newer one. */
  rendered_version: Generated<number>;
  created_at: GeneratedTimestamp;
  updated_at: GeneratedTimestamp;
}

export interface TeamsTables {
  teams_conversations: TeamsConversationsTable;
  teams_approval_cards: TeamsApprovalCardsTable;
}

declare module '../../platform/db/schema.js' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface DB extends TeamsTables {}
}
