import { closeApproval, escalateApproval, requestApproval } from '../../shared/modules/approvals/index.js';
import {
  abandonQuoteOrder,
  createOrderFromQuote,
  creditCheck,
  reserveForQuote,
  validateForOrder,
  type CreditCheck,
  type OrderCandidate,
} from '../../shared/modules/sales/index.js';
import type { AuditActor } from '../../shared/platform/audit.js';
import { primaryDb } from '../../shared/platform/db/database.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { flowActivity, flowOrchestration } from '../../shared/platform/flow-activity.js';
import {
  ABANDON_ACTIVITY,
  CREATE_ORDER_ACTIVITY,
  CREDIT_CHECK_ACTIVITY,
  ESCALATE_APPROVAL_ACTIVITY,
  EXPIRE_APPROVAL_ACTIVITY,
  QUOTE_TO_ORDER,
  RESERVE_ACTIVITY,
  REQUEST_APPROVAL_ACTIVITY,
  VALIDATE_ACTIVITY,
} from './names.js';
import { quoteToOrderOrchestrator, type Outcome, type QuoteStep } from './quote-to-order.orchestrator.js';

flowOrchestration(QUOTE_TO_ORDER, quoteToOrderOrchestrator);

/** Each step is one tenant transaction, audited as the user who accepted the quote. */
function inTenant<D, R>(step: QuoteStep<D>, work: Parameters<typeof withTenant<R>>[2]): Promise<R> {
  return withTenant(primaryDb(), step.tenantId, work);
}
const actorOf = (step: QuoteStep<unknown>): AuditActor => ({
  tenantId: step.tenantId,
  objectId: step.startedBy.objectId,
  name: step.startedBy.name,
  requestId: step.requestId,
});
/** The flow itself, for what no person did (expiry, escalation). */
const flowActor = (step: QuoteStep<unknown>): AuditActor => ({
  tenantId: step.tenantId,
  objectId: 'system:quote-to-order',
  name: 'Quote to order',
  requestId: step.requestId,
});

flowActivity(VALIDATE_ACTIVITY, async (step: QuoteStep) =>
  inTenant(step, (trx) => validateForOrder(trx, step.quoteId, step.instanceId)),
);

flowActivity(CREDIT_CHECK_ACTIVITY, async (step: QuoteStep<OrderCandidate>) =>
  inTenant(step, (trx) => creditCheck(trx, step.data)),
);

flowActivity(RESERVE_ACTIVITY, async (step: QuoteStep) =>
  inTenant(step, (trx) => reserveForQuote(trx, actorOf(step), step.quoteId, step.instanceId)),
);

flowActivity(
  REQUEST_APPROVAL_ACTIVITY,
  async (
    step: QuoteStep<{ candidate: OrderCandidate; credit: CreditCheck; reasons: string[]; deadline: string }>,
  ) => {
    const { candidate, credit, reasons, deadline } = step.data;
    return inTenant(step, (trx) =>
      requestApproval(trx, flowActor(step), {
        subject: { type: 'sales.quote', id: candidate.quoteId, number: candidate.quoteNumber },
        title: `Sales order for ${candidate.customerName} (${candidate.quoteNumber})`,
        amount: { amount: candidate.gross, currency: candidate.currency },
        baseAmount: candidate.baseGross,
        reasons,
        details: {
          customer: { id: candidate.customerId, name: candidate.customerName },
          quoteNumber: candidate.quoteNumber,
          threshold: { amount: candidate.threshold, currency: candidate.baseCurrency },
          credit: { ...credit, currency: candidate.baseCurrency },
        },
        requiredRole: 'Finance.Approver',
        requestedBy: step.startedBy,
        flowInstanceId: step.instanceId,
        deadline,
      }),
    );
  },
);

flowActivity(ESCALATE_APPROVAL_ACTIVITY, async (step: QuoteStep<string>) =>
  inTenant(step, (trx) => escalateApproval(trx, flowActor(step), step.data)),
);

flowActivity(EXPIRE_APPROVAL_ACTIVITY, async (step: QuoteStep<string>) =>
  inTenant(step, (trx) => closeApproval(trx, flowActor(step), step.data, 'expired')),
);

flowActivity(CREATE_ORDER_ACTIVITY, async (step: QuoteStep<string | null>) =>
  inTenant(step, (trx) => createOrderFromQuote(trx, actorOf(step), step.quoteId, step.instanceId, step.data)),
);

flowActivity(
  ABANDON_ACTIVITY,
  async (step: QuoteStep<{ outcome: Exclude<Outcome, 'ordered'>; reason: string }>) =>
    inTenant(step, (trx) =>
      abandonQuoteOrder(
        trx,
        flowActor(step),
        step.quoteId,
        step.instanceId,
        step.data.outcome,
        step.data.reason,
      ),
    ),
);
