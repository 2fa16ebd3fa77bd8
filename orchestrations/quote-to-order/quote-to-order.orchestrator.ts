import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import type { Approval } from '../../shared/modules/approvals/index.js';
import { APPROVAL_DECIDED_EVENT } from '../../shared/modules/approvals/index.js';
import type { CreditCheck, ReservationOutcome, Validation } from '../../shared/modules/sales/index.js';
import type { ActivityInput } from '../../shared/platform/flow-activity.js';
import type { FlowInput } from '../../shared/platform/flows.js';
import {
  ABANDON_ACTIVITY,
  APPROVAL_EXPIRY_HOURS,
  APPROVAL_REMINDER_HOURS,
  CREATE_ORDER_ACTIVITY,
  CREDIT_CHECK_ACTIVITY,
  ESCALATE_APPROVAL_ACTIVITY,
  EXPIRE_APPROVAL_ACTIVITY,
  RESERVE_ACTIVITY,
  REQUEST_APPROVAL_ACTIVITY,
  VALIDATE_ACTIVITY,
} from './names.js';

export interface QuoteToOrderArgs {
  quoteId: string;
}

/** What each activity gets: the tenant, the quote, the flow, who accepted it, and the step's data. */
export interface QuoteStep<D = undefined> {
  tenantId: string;
  quoteId: string;
  instanceId: string;
  startedBy: FlowInput['startedBy'];
  requestId?: string;
  data: D;
}

export type Outcome = 'ordered' | 'stock_short' | 'rejected' | 'expired' | 'invalid';

export interface QuoteToOrderOutput {
  outcome: Outcome;
  quoteId: string;
  orderId: string | null;
  orderNumber: string | null;
  approvalId: string | null;
  reason: string | null;
}

/** The payload of the `ApprovalDecided` external event (the catalog event's). */
interface DecisionEvent {
  approvalId: string;
  decision: 'approve' | 'reject';
  decidedBy: { objectId: string; name: string };
  comment: string | null;
}

const retry = new df.RetryOptions(2_000, 5);
retry.backoffCoefficient = 2;
retry.maxRetryIntervalInMilliseconds = 60_000;

const HOUR_MS = 3_600_000;

/**
 * Quote to order. Validates the quote → checks the customer's credit → reserves stock for every
 * line, all or none → when the order is over the tenant's approval threshold or the credit check
 * failed, asks finance and waits for the decision (reminding the approvers after 24 hours, expiring
 * after 72) → makes the sales order. Every way out without an order releases what was reserved and
 * tells the quote why. Each step is an idempotent activity in its own transaction, so a flow
 * resumed after a crash never reserves, asks or orders twice.
 */
export const quoteToOrderOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<FlowInput<QuoteToOrderArgs>>();
  const step = <D>(data: D): ActivityInput<QuoteStep<D>> => ({
    args: {
      tenantId: input.tenantId,
      quoteId: input.args.quoteId,
      instanceId: context.df.instanceId,
      startedBy: input.startedBy,
      requestId: input.requestId,
      data,
    },
    trace: input.trace,
  });
  const output = (outcome: Outcome, extra: Partial<QuoteToOrderOutput> = {}): QuoteToOrderOutput => ({
    outcome,
    quoteId: input.args.quoteId,
    orderId: null,
    orderNumber: null,
    approvalId: null,
    reason: null,
    ...extra,
  });
  function* abandon(outcome: Exclude<Outcome, 'ordered'>, reason: string, approvalId: string | null = null) {
    context.df.setCustomStatus({ step: 'releasing-stock', outcome, reason });
    yield context.df.callActivityWithRetry(ABANDON_ACTIVITY, retry, step({ outcome, reason }));
    context.df.setCustomStatus({ step: 'ended', outcome, reason });
    return output(outcome, { reason, approvalId });
  }

  context.df.setCustomStatus({ step: 'validating-quote' });
  const validation: Validation = yield context.df.callActivityWithRetry(
    VALIDATE_ACTIVITY,
    retry,
    step(undefined),
  );
  if (!validation.ok) return yield* abandon('invalid', validation.reason);
  const candidate = validation.candidate;

  context.df.setCustomStatus({ step: 'checking-credit' });
  const credit: CreditCheck = yield context.df.callActivityWithRetry(
    CREDIT_CHECK_ACTIVITY,
    retry,
    step(candidate),
  );

  context.df.setCustomStatus({ step: 'reserving-stock' });
  const reservation: ReservationOutcome = yield context.df.callActivityWithRetry(
    RESERVE_ACTIVITY,
    retry,
    step(undefined),
  );
  if (!reservation.ok) return yield* abandon('stock_short', reservation.reason);

  let approvalId: string | null = null;
  try {
    const reasons = [
      ...(candidate.overThreshold ? ['over_threshold'] : []),
      ...(credit.withinLimit ? [] : ['over_credit_limit']),
    ];
    if (reasons.length > 0) {
      const requestedAt = context.df.currentUtcDateTime.getTime();
      const reminderAt = new Date(requestedAt + APPROVAL_REMINDER_HOURS * HOUR_MS);
      const deadline = new Date(requestedAt + APPROVAL_EXPIRY_HOURS * HOUR_MS);
      context.df.setCustomStatus({ step: 'requesting-approval', reasons });
      const approval: Approval = yield context.df.callActivityWithRetry(
        REQUEST_APPROVAL_ACTIVITY,
        retry,
        step({ candidate, credit, reasons, deadline: deadline.toISOString() }),
      );
      approvalId = approval.id;
      const waiting = {
        step: 'awaiting-approval',
        approvalId,
        approvalNumber: approval.number,
        reasons,
        deadline: deadline.toISOString(),
      };
      context.df.setCustomStatus({ ...waiting, escalated: false });

      const decided = context.df.waitForExternalEvent(APPROVAL_DECIDED_EVENT);
      const reminder = context.df.createTimer(reminderAt);
      let winner: Task = yield context.df.Task.any([decided, reminder]);
      if (winner === reminder) {
        yield context.df.callActivityWithRetry(ESCALATE_APPROVAL_ACTIVITY, retry, step(approvalId));
        context.df.setCustomStatus({ ...waiting, escalated: true });
        const expiry = context.df.createTimer(deadline);
        winner = yield context.df.Task.any([decided, expiry]);
        if (winner === expiry) {
          // The request is closed as expired unless a decision committed just before the deadline.
          const closed: Approval = yield context.df.callActivityWithRetry(
            EXPIRE_APPROVAL_ACTIVITY,
            retry,
            step(approvalId),
          );
          if (closed.status === 'rejected')
            return yield* abandon('rejected', rejectionReason(closed.decision), approvalId);
          if (closed.status !== 'approved')
            return yield* abandon(
              'expired',
              `No decision on approval ${approval.number} by its deadline.`,
              approvalId,
            );
        } else {
          expiry.cancel();
        }
      } else {
        reminder.cancel();
      }
      if (winner === decided) {
        const decision = decided.result as DecisionEvent;
        if (decision.decision === 'reject')
          return yield* abandon(
            'rejected',
            rejectionReason({ by: decision.decidedBy, comment: decision.comment }),
            approvalId,
          );
      }
    }

    context.df.setCustomStatus({ step: 'creating-order', approvalId });
    const order: { orderId: string; number: string } = yield context.df.callActivityWithRetry(
      CREATE_ORDER_ACTIVITY,
      retry,
      step(approvalId),
    );
    context.df.setCustomStatus({ step: 'completed', orderId: order.orderId, orderNumber: order.number });
    return output('ordered', { orderId: order.orderId, orderNumber: order.number, approvalId });
  } catch (error) {
    // A step failed for good after its retries: nothing may stay reserved for an order that never came.
    const reason = error instanceof Error ? error.message.split('\n')[0]! : String(error);
    return yield* abandon('invalid', `The order could not be made: ${reason}`, approvalId);
  }
};

function rejectionReason(decision: { by: { name: string }; comment: string | null } | null): string {
  if (!decision) return 'Rejected by finance.';
  return `Rejected by ${decision.by.name}${decision.comment ? `: ${decision.comment}` : '.'}`;
}
