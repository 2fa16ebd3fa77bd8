import {
  abandonYearClose,
  computeYearResult,
  markYearClosed,
  markYearClosing,
  openPeriodsOf,
  postClosingEntry,
  type YearResult,
} from '../../shared/modules/accounting/index.js';
import type { AuditActor } from '../../shared/platform/audit.js';
import { primaryDb } from '../../shared/platform/db/database.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { flowActivity, flowOrchestration } from '../../shared/platform/flow-activity.js';
import {
  ABANDON_CLOSE_ACTIVITY,
  CHECK_PERIODS_ACTIVITY,
  COMPUTE_RESULT_ACTIVITY,
  MARK_CLOSED_ACTIVITY,
  MARK_CLOSING_ACTIVITY,
  POST_CLOSING_ENTRY_ACTIVITY,
  YEAR_END_CLOSE,
} from './names.js';
import { yearEndCloseOrchestrator, type YearEndStep } from './year-end-close.orchestrator.js';

flowOrchestration(YEAR_END_CLOSE, yearEndCloseOrchestrator);

/** Each step is one tenant transaction, audited as the user who asked for the close. */
function inTenant<D, R>(step: YearEndStep<D>, work: Parameters<typeof withTenant<R>>[2]): Promise<R> {
  return withTenant(primaryDb(), step.tenantId, work);
}
const actorOf = (step: YearEndStep<unknown>): AuditActor => ({
  tenantId: step.tenantId,
  objectId: step.startedBy.objectId,
  name: step.startedBy.name,
  requestId: step.requestId,
});

flowActivity(CHECK_PERIODS_ACTIVITY, async (step: YearEndStep) =>
  inTenant(step, (trx) => openPeriodsOf(trx, step.fiscalYearId)),
);

flowActivity(MARK_CLOSING_ACTIVITY, async (step: YearEndStep) =>
  inTenant(step, (trx) => markYearClosing(trx, step.fiscalYearId)),
);

flowActivity(COMPUTE_RESULT_ACTIVITY, async (step: YearEndStep) =>
  inTenant(step, (trx) => computeYearResult(trx, step.fiscalYearId)),
);

flowActivity(POST_CLOSING_ENTRY_ACTIVITY, async (step: YearEndStep<YearResult>) =>
  inTenant(step, (trx) => postClosingEntry(trx, actorOf(step), step.data)),
);

flowActivity(MARK_CLOSED_ACTIVITY, async (step: YearEndStep<{ entryId: string | null; netResult: string }>) =>
  inTenant(step, (trx) => markYearClosed(trx, actorOf(step), step.fiscalYearId, step.data)),
);

flowActivity(ABANDON_CLOSE_ACTIVITY, async (step: YearEndStep<{ reason: string }>) =>
  inTenant(step, (trx) => abandonYearClose(trx, actorOf(step), step.fiscalYearId, step.data.reason)),
);
