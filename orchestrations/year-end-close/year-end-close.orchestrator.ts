import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { YearResult } from '../../shared/modules/accounting/index.js';
import type { ActivityInput } from '../../shared/platform/flow-activity.js';
import type { FlowInput } from '../../shared/platform/flows.js';
import {
  ABANDON_CLOSE_ACTIVITY,
  CHECK_PERIODS_ACTIVITY,
  COMPUTE_RESULT_ACTIVITY,
  MARK_CLOSED_ACTIVITY,
  MARK_CLOSING_ACTIVITY,
  POST_CLOSING_ENTRY_ACTIVITY,
} from './names.js';

export interface YearEndCloseArgs {
  fiscalYearId: string;
}

/** What each activity gets: the tenant and year, who asked, and the step's own data. */
export interface YearEndStep<D = undefined> {
  tenantId: string;
  fiscalYearId: string;
  startedBy: FlowInput['startedBy'];
  requestId?: string;
  data: D;
}

export interface YearEndCloseOutput {
  fiscalYearId: string;
  closingEntryId: string | null;
  closingEntryNumber: string | null;
  netResult: { amount: string; currency: string };
}

const retry = new df.RetryOptions(2_000, 4);
retry.backoffCoefficient = 2;
retry.maxRetryIntervalInMilliseconds = 30_000;

/**
 * Closes a fiscal year: checks every period is closed, marks the year closing, computes the
 * result per account, posts the one closing entry (revenue and expenses into retained earnings,
 * dated the year's last day), and marks the year closed. Every step is idempotent with retries;
 * the posting is keyed by the year, so a resumed or replayed flow never posts twice. If the
 * checks fail or a step before the posting fails for good, the year is open again (the
 * compensation) and the flow fails with the reason.
 */
export const yearEndCloseOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<FlowInput<YearEndCloseArgs>>();
  const step = <D>(data: D): ActivityInput<YearEndStep<D>> => ({
    args: {
      tenantId: input.tenantId,
      fiscalYearId: input.args.fiscalYearId,
      startedBy: input.startedBy,
      requestId: input.requestId,
      data,
    },
    trace: input.trace,
  });

  let result: YearResult;
  try {
    context.df.setCustomStatus({ step: 'checking-periods' });
    const openPeriods: string[] = yield context.df.callActivityWithRetry(
      CHECK_PERIODS_ACTIVITY,
      retry,
      step(undefined),
    );
    if (openPeriods.length > 0)
      throw new Error(`The year cannot be closed while periods are open: ${openPeriods.join(', ')}.`);

    context.df.setCustomStatus({ step: 'marking-closing' });
    yield context.df.callActivityWithRetry(MARK_CLOSING_ACTIVITY, retry, step(undefined));

    context.df.setCustomStatus({ step: 'computing-result' });
    result = yield context.df.callActivityWithRetry(COMPUTE_RESULT_ACTIVITY, retry, step(undefined));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    context.df.setCustomStatus({ step: 'compensating', reason });
    yield context.df.callActivityWithRetry(ABANDON_CLOSE_ACTIVITY, retry, step({ reason }));
    context.df.setCustomStatus({ step: 'failed', reason });
    throw error;
  }

  const netResult = { amount: result.netResult, currency: result.currency };
  context.df.setCustomStatus({ step: 'posting-closing-entry', netResult, lines: result.lines.length });
  let posted: { entryId: string; number: string } | null;
  try {
    posted = yield context.df.callActivityWithRetry(POST_CLOSING_ENTRY_ACTIVITY, retry, step(result));
  } catch (error) {
    // The posting rolled back with its transaction: nothing is in the ledger, the year opens again.
    const reason = error instanceof Error ? error.message : String(error);
    context.df.setCustomStatus({ step: 'compensating', reason });
    yield context.df.callActivityWithRetry(ABANDON_CLOSE_ACTIVITY, retry, step({ reason }));
    context.df.setCustomStatus({ step: 'failed', reason });
    throw error;
  }

  context.df.setCustomStatus({ step: 'marking-closed', netResult, closingEntryId: posted?.entryId ?? null });
  yield context.df.callActivityWithRetry(
    MARK_CLOSED_ACTIVITY,
    retry,
    step({ entryId: posted?.entryId ?? null, netResult: result.netResult }),
  );

  const output: YearEndCloseOutput = {
    fiscalYearId: input.args.fiscalYearId,
    closingEntryId: posted?.entryId ?? null,
    closingEntryNumber: posted?.number ?? null,
    netResult,
  };
  context.df.setCustomStatus({ step: 'completed', netResult, closingEntryId: output.closingEntryId });
  return output;
};
