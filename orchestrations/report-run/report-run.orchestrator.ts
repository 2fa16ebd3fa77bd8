import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { ReportFile, ReportFormat, Run } from '../../shared/modules/reports/index.js';
import type { ActivityInput } from '../../shared/platform/flow-activity.js';
import type { FlowInput } from '../../shared/platform/flows.js';
import {
  BEGIN_RUN_ACTIVITY,
  COMPLETE_RUN_ACTIVITY,
  FAIL_RUN_ACTIVITY,
  RENDER_FILE_ACTIVITY,
} from './names.js';

export interface ReportRunArgs {
  runId: string;
}

/** What each step gets: the tenant, the run, and the step's own data. */
export interface ReportRunStep<D = undefined> {
  tenantId: string;
  runId: string;
  data: D;
}

export interface ReportRunOutput {
  runId: string;
  files: ReportFile[];
  rowCount: number;
}

const retry = new df.RetryOptions(5_000, 4);
retry.backoffCoefficient = 2;
retry.maxRetryIntervalInMilliseconds = 60_000;

/**
 * Produces a report run: marks it running, renders each format into Blob storage (each format one
 * retried step; rendering reads from the read replica when there is one), then records the files
 * and tells the recipients in one step keyed by the run. A step that fails for good marks the run
 * failed and tells the recipients who are users.
 */
export const reportRunOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<FlowInput<ReportRunArgs>>();
  const step = <D>(data: D): ActivityInput<ReportRunStep<D>> => ({
    args: { tenantId: input.tenantId, runId: input.args.runId, data },
    trace: input.trace,
  });
  try {
    context.df.setCustomStatus({ step: 'starting' });
    const run: Run = yield context.df.callActivityWithRetry(BEGIN_RUN_ACTIVITY, retry, step(undefined));
    const files: ReportFile[] = [];
    let rowCount = 0;
    for (const format of run.formats) {
      context.df.setCustomStatus({ step: 'rendering', format });
      const file: ReportFile & { rowCount: number } = yield context.df.callActivityWithRetry(
        RENDER_FILE_ACTIVITY,
        retry,
        step<ReportFormat>(format),
      );
      const { rowCount: rows, ...stored } = file;
      rowCount = rows;
      files.push(stored);
    }
    context.df.setCustomStatus({ step: 'notifying' });
    yield context.df.callActivityWithRetry(COMPLETE_RUN_ACTIVITY, retry, step({ files, rowCount }));
    context.df.setCustomStatus({ step: 'completed', files: files.length });
    const output: ReportRunOutput = { runId: input.args.runId, files, rowCount };
    return output;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    context.df.setCustomStatus({ step: 'failed', reason });
    yield context.df.callActivityWithRetry(FAIL_RUN_ACTIVITY, retry, step({ reason }));
    throw error;
  }
};
