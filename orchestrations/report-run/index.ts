import {
  beginRun,
  completeRun,
  failRun,
  renderRunFile,
  type ReportFile,
  type ReportFormat,
} from '../../shared/modules/reports/index.js';
import { nudgeEmailDelivery } from '../../shared/modules/notifications/index.js';
import { primaryDb } from '../../shared/platform/db/database.js';
import { upToDateReadDb } from '../../shared/platform/db/read-your-writes.js';
import { flowActivity, flowOrchestration } from '../../shared/platform/flow-activity.js';
import {
  BEGIN_RUN_ACTIVITY,
  COMPLETE_RUN_ACTIVITY,
  FAIL_RUN_ACTIVITY,
  RENDER_FILE_ACTIVITY,
  REPORT_RUN,
} from './names.js';
import { reportRunOrchestrator, type ReportRunStep } from './report-run.orchestrator.js';

flowOrchestration(REPORT_RUN, reportRunOrchestrator);

flowActivity(BEGIN_RUN_ACTIVITY, (step: ReportRunStep) => beginRun(primaryDb(), step.tenantId, step.runId));

// The report reads the replica once it has caught up with everything committed before the step
// began (a posting just before the run was asked for included), or the primary if it lags behind.
flowActivity(RENDER_FILE_ACTIVITY, async (step: ReportRunStep<ReportFormat>) =>
  renderRunFile(await upToDateReadDb(), primaryDb(), step.tenantId, step.runId, step.data),
);

// The recipients' email goes out as soon as the run is recorded, not at the sender's next round.
flowActivity(
  COMPLETE_RUN_ACTIVITY,
  async (step: ReportRunStep<{ files: ReportFile[]; rowCount: number }>) => {
    const run = await completeRun(
      primaryDb(),
      step.tenantId,
      step.runId,
      step.data.files,
      step.data.rowCount,
    );
    nudgeEmailDelivery();
    return run;
  },
);

flowActivity(FAIL_RUN_ACTIVITY, async (step: ReportRunStep<{ reason: string }>) => {
  const run = await failRun(primaryDb(), step.tenantId, step.runId, step.data.reason);
  nudgeEmailDelivery();
  return run;
});
