/**
 * Microsoft Teams: the bot endpoint Teams posts activities to (installation, card actions), and
 * the consumer that posts and updates the approval cards as requests are made, decided,
 * escalated and closed.
 */
import { randomUUID } from 'node:crypto';
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { databaseTenantDirectory } from '../shared/modules/admin/index.js';
import {
  activitySchema,
  BotAuthenticationError,
  botAuthenticator,
  botConnector,
  handleActivity,
  syncApprovalCards,
  type TeamsDeps,
} from '../shared/modules/teams/index.js';
import { cachedTenantDirectory } from '../shared/platform/auth/tenant-directory.js';
import { settings } from '../shared/platform/config.js';
import { primaryDb } from '../shared/platform/db/database.js';
import { AppError } from '../shared/platform/errors.js';
import { defineConsumer } from '../shared/platform/events/consumer.js';
import { nudgeOutboxRelay } from '../shared/platform/events/relay-trigger.js';
import { problemResponse } from '../shared/platform/http/problem.js';
import { logger } from '../shared/platform/telemetry/logger.js';

/** Bot Framework activities are small; Teams caps a message at about 100 KB. */
const ACTIVITY_BYTES_MAX = 256 * 1024;

const directory = cachedTenantDirectory(databaseTenantDirectory(primaryDb));

const deps = (requestId: string): TeamsDeps => ({
  db: primaryDb(),
  directory,
  connector: botConnector,
  afterCommit: nudgeOutboxRelay,
  requestId,
});

async function readActivityJson(request: HttpRequest): Promise<unknown> {
  if (Number(request.headers.get('content-length') ?? '0') > ACTIVITY_BYTES_MAX)
    throw new AppError('payload_too_large', 'teams.activity_too_large', 'The activity is too large.');
  const text = await request.text();
  if (Buffer.byteLength(text) > ACTIVITY_BYTES_MAX)
    throw new AppError('payload_too_large', 'teams.activity_too_large', 'The activity is too large.');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const stringField = (body: unknown, name: string): string =>
  typeof body === 'object' && body !== null && typeof (body as Record<string, unknown>)[name] === 'string'
    ? ((body as Record<string, unknown>)[name] as string)
    : '';

async function messages(request: HttpRequest, requestId: string): Promise<HttpResponseInit> {
  const authenticator = botAuthenticator();
  if (!authenticator)
    throw new AppError(
      'unavailable',
      'teams.not_configured',
      'No Teams bot is configured (TEAMS_BOT_APP_ID).',
    );
  const body = await readActivityJson(request);
  // The token is checked before the activity is: an unauthenticated caller learns nothing of its rules.
  try {
    await authenticator.authenticate(request.headers.get('authorization'), {
      serviceUrl: stringField(body, 'serviceUrl'),
      channelId: stringField(body, 'channelId'),
    });
  } catch (error) {
    if (!(error instanceof BotAuthenticationError)) throw error;
    logger().warn('Teams request refused', { requestId, reason: error.reason });
    throw new AppError(
      'unauthenticated',
      'teams.unauthenticated',
      'A valid Bot Framework token is required.',
      {
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
        cause: error,
      },
    );
  }
  const parsed = activitySchema.safeParse(body);
  if (!parsed.success)
    throw new AppError('validation', 'teams.invalid_activity', 'The body is not a Bot Framework activity.', {
      errors: parsed.error.issues.slice(0, 10).map((issue) => ({
        path: issue.path.map(String).join('.') || '(body)',
        message: issue.message,
      })),
    });
  const reply = await handleActivity(deps(requestId), parsed.data);
  return reply.body === undefined ? { status: reply.status } : { status: reply.status, jsonBody: reply.body };
}

app.http('teams-messages', {
  route: 'teams/messages',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: async (request, invocation) => {
    const requestId = invocation.invocationId || randomUUID();
    try {
      return await messages(request, requestId);
    } catch (error) {
      if (!(error instanceof AppError)) logger().error('Teams activity failed', { requestId, error });
      return problemResponse(error, requestId);
    }
  },
});

/**
 * Keeps the Teams cards of each request current: a new request is posted to its approvers, and a
 * decision (from Teams or the web inbox), an escalation or an expiry replaces the posted cards.
 */
defineConsumer({
  name: 'teams-approval-cards',
  subscription: 'teams',
  eventTypes: [
    'approvals.ApprovalRequested',
    'approvals.ApprovalDecided',
    'approvals.ApprovalEscalated',
    'approvals.ApprovalClosed',
  ],
  handleOutsideTransaction: async (event) => {
    if (!settings().TEAMS_BOT_APP_ID) return;
    const { approvalId } = event.payload as { approvalId: string };
    await syncApprovalCards(deps(event.id), event.tenantId, approvalId);
  },
});
