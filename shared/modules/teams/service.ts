/**
 * Finance approvals in Microsoft Teams. Teams sends the app activities (installation, card button
 * presses); the app posts approval cards to approvers and keeps every posted card showing the
 * request's current state. A decision made in Teams goes through `decideApproval`, the same
 * service as the web inbox, by the user Teams names (`from.aadObjectId` in the conversation's
 * tenant), never by anything the card carries.
 */
import type { TenantDirectory, TenantRef } from '../../platform/auth/tenant-directory.js';
import type { Db } from '../../platform/db/database.js';
import { withTenant } from '../../platform/db/tenant.js';
import { AppError } from '../../platform/errors.js';
import { logger } from '../../platform/telemetry/logger.js';
import { isRole } from '../../platform/auth/roles.js';
import { decideApproval, getApproval, type Approval, type Decider } from '../approvals/index.js';
import {
  cardActionValueSchema,
  conversationTenantOf,
  submitValueSchema,
  type Activity,
  type CardVerb,
} from './activity.js';
import {
  ADAPTIVE_CARD_CONTENT_TYPE,
  outcomeCard,
  refusedCard,
  requestCard,
  type AdaptiveCardJson,
  type CardContext,
} from './cards.js';
import { BotConnectorError, type BotConnector, type OutgoingActivity } from './connector.js';
import {
  approverConversations,
  cardContext,
  cardRows,
  claimCard,
  deactivateConversation,
  recordCard,
  saveConversation,
  userByObjectId,
  type ConversationReference,
} from './repository.js';

/** What the bot endpoint answers Teams. */
export interface BotReply {
  status: number;
  body?: unknown;
}

export interface TeamsDeps {
  db: Db;
  directory: TenantDirectory;
  connector: () => BotConnector;
  /** Called after a decision committed, so its event is relayed at once. */
  afterCommit: () => void;
  requestId: string;
}

/**
 * The app reads a request to render its cards as an overseer would: the cards go to people who
 * may not all be able to see it through the API. The nil object id is nobody's.
 */
const cardReader = (tenantId: string): Decider => ({
  tenantId,
  objectId: '00000000-0000-0000-0000-000000000000',
  name: 'Microsoft Teams',
  roles: ['Auditor'],
});

const cardMessage = (card: AdaptiveCardJson, summary: string): OutgoingActivity => ({
  type: 'message',
  summary,
  attachments: [{ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card }],
});

/** The answer to an `adaptiveCard/action` invoke: the card to show in place of the pressed one. */
const invokeReply = (card: AdaptiveCardJson): BotReply => ({
  status: 200,
  body: { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card },
});

/** Handles one authenticated activity from Teams. */
export async function handleActivity(deps: TeamsDeps, activity: Activity): Promise<BotReply> {
  const entraTenantId = conversationTenantOf(activity);
  const tenant = entraTenantId ? await deps.directory.byEntraTenantId(entraTenantId) : undefined;
  if (activity.type === 'invoke' && activity.name === 'adaptiveCard/action') {
    const parsed = cardActionValueSchema.safeParse(activity.value);
    if (!parsed.success)
      return {
        status: 400,
        body: {
          statusCode: 400,
          type: 'application/vnd.microsoft.error',
          value: { code: 'BadRequest', message: 'Not a Tessera card action.' },
        },
      };
    const { verb, data } = parsed.data.action;
    return invokeReply(
      await cardAction(deps, tenant, activity, verb, data.approvalId, commentOf(activity.value)),
    );
  }
  if (activity.type === 'message' && activity.value !== undefined) {
    // The Action.Submit fallback of clients without Universal Actions: decide, then replace the card.
    const parsed = submitValueSchema.safeParse(activity.value);
    if (!parsed.success) return { status: 200 };
    const card = await cardAction(
      deps,
      tenant,
      activity,
      parsed.data.verb,
      parsed.data.approvalId,
      parsed.data.comment,
    );
    if (activity.replyToId) {
      await deps
        .connector()
        .update(
          { serviceUrl: activity.serviceUrl, conversationId: activity.conversation.id },
          activity.replyToId,
          cardMessage(card, 'Approval'),
        );
    }
    return { status: 200 };
  }
  if (!tenant || tenant.status !== 'active') return { status: 200 };
  if (activity.type === 'installationUpdate') {
    if (activity.action?.startsWith('remove')) await deactivate(deps, tenant, activity);
    else await install(deps, tenant, activity);
  } else if (activity.type === 'conversationUpdate') {
    if (activity.membersAdded?.some((m) => m.id === activity.recipient.id))
      await install(deps, tenant, activity);
    if (activity.membersRemoved?.some((m) => m.id === activity.recipient.id))
      await deactivate(deps, tenant, activity);
  }
  return { status: 200 };
}

function commentOf(value: unknown): string | undefined {
  // Universal Actions put the inputs beside the action's own data.
  const data = (value as { action?: { data?: { comment?: unknown } } } | undefined)?.action?.data;
  const comment = typeof data?.comment === 'string' ? data.comment.trim() : '';
  return comment === '' ? undefined : comment.slice(0, 1000);
}

function referenceOf(activity: Activity): ConversationReference | undefined {
  const type = activity.conversation.conversationType ?? 'personal';
  const base = {
    serviceUrl: activity.serviceUrl,
    conversationId: activity.conversation.id,
    botId: activity.recipient.id,
    teamId: activity.channelData?.team?.id ?? null,
    channelId: activity.channelData?.channel?.id ?? null,
  };
  if (type === 'personal') {
    if (!activity.from.aadObjectId) return undefined;
    return {
      ...base,
      kind: 'personal',
      userObjectId: activity.from.aadObjectId,
      userChannelId: activity.from.id,
    };
  }
  if (type === 'channel' || type === 'groupChat')
    return { ...base, kind: type, userObjectId: null, userChannelId: null };
  return undefined;
}

async function install(deps: TeamsDeps, tenant: TenantRef, activity: Activity): Promise<void> {
  const reference = referenceOf(activity);
  if (!reference) return;
  await withTenant(deps.db, tenant.id, (trx) => saveConversation(trx, tenant.id, reference));
  logger().debug('Teams conversation recorded', { tenantId: tenant.id, kind: reference.kind });
}

async function deactivate(deps: TeamsDeps, tenant: TenantRef, activity: Activity): Promise<void> {
  await withTenant(deps.db, tenant.id, (trx) => deactivateConversation(trx, activity.conversation.id));
}

/** The title of the card shown to someone who could not act, by what they tried. */
const refusedTitle = (verb: CardVerb) =>
  verb === 'refresh' ? 'You cannot see this request' : `You could not ${verb} this request`;

/**
 * Presses of Approve, Reject (and Teams' automatic refresh) on a card. The user is the conversation
 * tenant's user with the Entra object id Teams names; their roles are those granted in Tessera (a
 * Teams request carries no app roles). Every refusal answers with a card saying why and changes
 * nothing.
 */
async function cardAction(
  deps: TeamsDeps,
  tenant: TenantRef | undefined,
  activity: Activity,
  verb: CardVerb,
  approvalId: string,
  comment: string | undefined,
): Promise<AdaptiveCardJson> {
  const refused = (message: string, approval?: Approval) =>
    refusedCard({
      approvalId,
      title: refusedTitle(verb),
      message,
      approval,
      refreshUserIds: [activity.from.id],
    });
  if (!tenant)
    return refused('Your organisation does not use Tessera, so this request is not yours to decide.');
  if (tenant.status !== 'active') return refused('Your organisation’s Tessera account is suspended.');
  const objectId = activity.from.aadObjectId;
  if (!objectId) return refused('Teams did not say who you are; sign in to Teams with your work account.');

  const lookup = await withTenant(deps.db, tenant.id, async (trx) => ({
    user: await userByObjectId(trx, objectId),
    context: await cardContext(trx),
  }));
  const { user, context } = lookup;
  if (!user || !user.active)
    return refused(
      `You are not an active user of ${context.tenantName} in Tessera; ask an administrator to add you.`,
    );
  const decider: Decider = {
    tenantId: tenant.id,
    objectId,
    name: user.name,
    roles: user.roles.filter(isRole),
    requestId: deps.requestId,
  };

  try {
    if (verb === 'refresh') {
      const approval = await withTenant(deps.db, tenant.id, (trx) => getApproval(trx, decider, approvalId));
      return approval.status === 'pending'
        ? requestCard(approval, context, { canAct: approval.canDecide, refreshUserIds: [activity.from.id] })
        : outcomeCard(approval, context);
    }
    const decided = await withTenant(deps.db, tenant.id, (trx) =>
      decideApproval(trx, decider, approvalId, comment ? { decision: verb, comment } : { decision: verb }),
    );
    deps.afterCommit();
    logger().info('approval decided in Teams', { tenantId: tenant.id, approvalId, decision: verb });
    return outcomeCard(decided, context);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    // Show the request's current state beside the reason (the decision already made, say).
    const current = await withTenant(deps.db, tenant.id, (trx) =>
      getApproval(trx, cardReader(tenant.id), approvalId),
    ).catch((lookup: unknown) => {
      if (lookup instanceof AppError && lookup.code === 'approvals.not_found') return undefined;
      throw lookup;
    });
    if (error.code === 'approvals.not_found') {
      // Not in the user's tenant at all, or theirs but not for their roles: say which, and no more.
      return refused(
        current
          ? `Only a user with the role ${current.requiredRole} may see or decide this request.`
          : `This request is not one of ${context.tenantName}’s.`,
      );
    }
    return refused(error.message, current);
  }
}

/**
 * Brings every Teams card of a request up to date: posts the card to approvers who have none yet
 * (while the request is pending) and replaces cards that show an older state. Safe to run again
 * and concurrently: posting is claimed per conversation, and a card records the version it shows.
 */
export async function syncApprovalCards(
  deps: TeamsDeps,
  tenantId: string,
  approvalId: string,
): Promise<void> {
  const loaded = await withTenant(deps.db, tenantId, async (trx) => {
    const approval = await getApproval(trx, cardReader(tenantId), approvalId);
    const context = await cardContext(trx);
    const targets =
      approval.status === 'pending'
        ? await approverConversations(trx, approval.requiredRole, approval.requestedBy.objectId)
        : [];
    const claimed: typeof targets = [];
    for (const target of targets) {
      if (await claimCard(trx, tenantId, approvalId, target.conversationId)) claimed.push(target);
    }
    return { approval, context, targets, claimed, cards: await cardRows(trx, approvalId) };
  });
  const { approval, context, targets, claimed } = loaded;
  const refreshUserIds = targets.flatMap((t) => (t.userChannelId ? [t.userChannelId] : []));
  const card = cardFor(approval, context, refreshUserIds);
  const message = cardMessage(card, `${approval.number}: ${approval.title}`);

  // A claim older than this whose post never recorded its id was lost with its worker: post again.
  const abandonedAfterMs = 5 * 60_000;
  const unposted = loaded.cards.filter(
    (c) => c.activityId === null && Date.now() - c.createdAt.getTime() > abandonedAfterMs,
  );
  for (const target of [...claimed, ...unposted]) {
    if (approval.status !== 'pending') break;
    const activityId = await delivered(deps, tenantId, target.conversationId, () =>
      deps.connector().send(target, message),
    );
    if (activityId)
      await withTenant(deps.db, tenantId, (trx) =>
        recordCard(trx, approvalId, target.conversationId, activityId, approval.version),
      );
  }
  for (const posted of loaded.cards) {
    if (posted.activityId === null || posted.renderedVersion >= approval.version) continue;
    const activityId = posted.activityId;
    const done = await delivered(deps, tenantId, posted.conversationId, async () => {
      await deps.connector().update(posted, activityId, message);
      return activityId;
    });
    if (done)
      await withTenant(deps.db, tenantId, (trx) =>
        recordCard(trx, approvalId, posted.conversationId, activityId, approval.version),
      );
  }
}

function cardFor(approval: Approval, context: CardContext, refreshUserIds: string[]): AdaptiveCardJson {
  return approval.status === 'pending'
    ? requestCard(approval, context, { canAct: true, refreshUserIds })
    : outcomeCard(approval, context);
}

/**
 * Runs one Bot Connector call. A conversation Teams no longer lets the app into (the user removed
 * the app or blocked it: 403, 404) is marked inactive and skipped; anything else is thrown so the
 * event is delivered again.
 */
async function delivered(
  deps: TeamsDeps,
  tenantId: string,
  conversationId: string,
  call: () => Promise<string>,
): Promise<string | undefined> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof BotConnectorError && (error.status === 403 || error.status === 404)) {
      logger().warn('Teams conversation is gone; it gets no more cards', { tenantId, status: error.status });
      await withTenant(deps.db, tenantId, (trx) => deactivateConversation(trx, conversationId));
      return undefined;
    }
    throw error;
  }
}
