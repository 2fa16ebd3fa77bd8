/** Approvals: the inbox of requests a user may decide, and the decision that lets a flow go on. */
import * as df from 'durable-functions';
import { z } from 'zod';
import {
  APPROVAL_DECIDED_EVENT,
  approvalListQuerySchema,
  approvalParamsSchema,
  approvalSchema,
  decideApproval,
  decisionBodySchema,
  getApproval,
  listApprovals,
} from '../shared/modules/approvals/index.js';
import { defineConsumer } from '../shared/platform/events/consumer.js';
import { defineRoute } from '../shared/platform/http/route.js';
import { logger } from '../shared/platform/telemetry/logger.js';

defineRoute({
  name: 'approvals-list',
  method: 'GET',
  route: 'v1/approvals',
  summary:
    'Approval requests: by default the inbox of what the caller may decide (`?status=pending` for the open ones, oldest first)',
  tags: ['approvals'],
  roles: 'any',
  query: approvalListQuerySchema,
  response: z.object({ items: z.array(approvalSchema), nextCursor: z.string().nullable() }),
  handler: async ({ trx, actor, query }) => ({ body: await listApprovals(trx, actor, query) }),
});

defineRoute({
  name: 'approvals-get',
  method: 'GET',
  route: 'v1/approvals/{id:guid}',
  summary: 'One approval request, with whether the caller may decide it',
  tags: ['approvals'],
  roles: 'any',
  params: approvalParamsSchema,
  response: approvalSchema,
  handler: async ({ trx, actor, params }) => {
    const approval = await getApproval(trx, actor, params.id);
    return { body: approval, etag: approval.version };
  },
});

defineRoute({
  name: 'approvals-decide',
  method: 'POST',
  route: 'v1/approvals/{id:guid}/decision',
  summary:
    'Approve or reject a pending request: once, by a user with the required role who did not ask for it, within their approval limit, before the deadline',
  tags: ['approvals'],
  roles: 'any',
  params: approvalParamsSchema,
  body: decisionBodySchema,
  response: approvalSchema,
  example: { decision: 'approve', comment: 'Customer has paid on time for three years.' },
  handler: async ({ trx, actor, params, body }) => {
    const approval = await decideApproval(trx, actor, params.id, body);
    return { body: approval, etag: approval.version };
  },
});

/**
 * Hands each decision to the flow that waits for it. The decision is already recorded (and can no
 * longer change); a flow that has gone on (it expired in the meantime) ignores the late event.
 */
defineConsumer({
  name: 'approvals-decision-to-flow',
  subscription: 'approvals',
  eventTypes: ['approvals.ApprovalDecided'],
  extraInputs: [df.input.durableClient()],
  handleOutsideTransaction: async (event, { invocation }) => {
    const payload = event.payload as { flowInstanceId: string | null; approvalId: string };
    if (!payload.flowInstanceId) return;
    try {
      await df.getClient(invocation).raiseEvent(payload.flowInstanceId, APPROVAL_DECIDED_EVENT, payload);
    } catch (error) {
      // The flow's history was purged: there is no one left to tell.
      if (error instanceof Error && /No instance with ID/.test(error.message)) {
        logger().warn('approval decided for a flow that no longer exists', {
          approvalId: payload.approvalId,
          instanceId: payload.flowInstanceId,
        });
        return;
      }
      throw error;
    }
  },
});
