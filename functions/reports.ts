/**
 * Reports: schedules (what to run, for whom, when), runs (one per due time or per request, each a
 * durable flow that renders PDF / XLSX / CSV into Blob storage and tells the recipients), and the
 * timer that starts the runs that are due.
 */
import { app } from '@azure/functions';
import { z } from 'zod';
import {
  changeSchedule,
  createSchedule,
  downloadSchema,
  getReadableRun,
  getReadableSchedule,
  idParamsSchema,
  listRuns,
  listSchedules,
  REPORTS,
  requestRun,
  runCreateSchema,
  runFileQuerySchema,
  runFileUrl,
  runListQuerySchema,
  runSchema,
  scheduleCreateSchema,
  scheduleListQuerySchema,
  schedulePatchSchema,
  scheduleSchema,
  startDueRuns,
} from '../shared/modules/reports/index.js';
import type { Role } from '../shared/platform/auth/roles.js';
import { primaryDb } from '../shared/platform/db/database.js';
import { nudgeOutboxRelay } from '../shared/platform/events/relay-trigger.js';
import { defineRoute } from '../shared/platform/http/route.js';

/** Everyone who may read at least one report; each call is checked against the report itself. */
const REPORT_USERS: readonly Role[] = [...new Set(Object.values(REPORTS).flatMap((r) => r.readers))];

const pageOf = (item: z.ZodType) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

defineRoute({
  name: 'reports-schedules-list',
  method: 'GET',
  route: 'v1/reports/schedules',
  summary: 'Report schedules of the reports the caller may read, by name',
  tags: ['reports'],
  roles: REPORT_USERS,
  query: scheduleListQuerySchema,
  response: pageOf(scheduleSchema),
  handler: async ({ trx, actor, query }) => ({ body: await listSchedules(trx, actor, query) }),
});

defineRoute({
  name: 'reports-schedules-create',
  method: 'POST',
  route: 'v1/reports/schedules',
  summary:
    'Schedule a report: type, period relative to the run date, formats, recipients, an NCRONTAB schedule and time zone',
  tags: ['reports'],
  roles: REPORT_USERS,
  body: scheduleCreateSchema,
  response: scheduleSchema,
  status: 201,
  example: {
    name: 'Monthly trial balance',
    reportType: 'trialBalance',
    parameters: { period: 'lastMonth' },
    formats: ['pdf', 'xlsx'],
    recipients: [{ email: 'cfo@example.com', name: 'Chief Financial Officer' }],
    schedule: '0 0 6 1 * *',
    timeZone: 'Africa/Johannesburg',
    active: true,
  },
  handler: async ({ trx, actor, body }) => {
    const schedule = await createSchedule(trx, actor, body);
    return { body: schedule, etag: schedule.version, location: `/api/v1/reports/schedules/${schedule.id}` };
  },
});

defineRoute({
  name: 'reports-schedules-get',
  method: 'GET',
  route: 'v1/reports/schedules/{id}',
  summary: 'One report schedule with its next due time',
  tags: ['reports'],
  roles: REPORT_USERS,
  params: idParamsSchema,
  response: scheduleSchema,
  handler: async ({ trx, actor, params }) => {
    const schedule = await getReadableSchedule(trx, actor, params.id);
    return { body: schedule, etag: schedule.version };
  },
});

defineRoute({
  name: 'reports-schedules-update',
  method: 'PATCH',
  route: 'v1/reports/schedules/{id}',
  summary: 'Change a report schedule, or pause it with active: false (If-Match required)',
  tags: ['reports'],
  roles: REPORT_USERS,
  params: idParamsSchema,
  body: schedulePatchSchema,
  response: scheduleSchema,
  example: { active: false },
  handler: async ({ trx, actor, params, body, ifMatch }) => {
    await getReadableSchedule(trx, actor, params.id);
    const schedule = await changeSchedule(trx, actor, params.id, ifMatch(), body);
    return { body: schedule, etag: schedule.version };
  },
});

defineRoute({
  name: 'reports-runs-list',
  method: 'GET',
  route: 'v1/reports/runs',
  summary: 'Report runs, newest first, with status, size, duration and files',
  tags: ['reports'],
  roles: REPORT_USERS,
  query: runListQuerySchema,
  response: pageOf(runSchema),
  handler: async ({ trx, actor, query }) => ({ body: await listRuns(trx, actor, query) }),
});

defineRoute({
  name: 'reports-runs-create',
  method: 'POST',
  route: 'v1/reports/runs',
  summary:
    'Run a report now (a schedule, or a report type with a period and formats); 202 with the run and the flow to follow',
  tags: ['reports'],
  roles: REPORT_USERS,
  body: runCreateSchema,
  response: runSchema,
  status: 202,
  example: {
    reportType: 'trialBalance',
    from: '2026-10-01',
    to: '2026-10-31',
    formats: ['csv'],
    recipients: [],
  },
  handler: async ({ trx, actor, body }) => {
    const { run, location } = await requestRun(trx, actor, body);
    return { status: 202, body: run, location };
  },
});

defineRoute({
  name: 'reports-runs-get',
  method: 'GET',
  route: 'v1/reports/runs/{id}',
  summary: 'One report run',
  tags: ['reports'],
  roles: REPORT_USERS,
  params: idParamsSchema,
  response: runSchema,
  handler: async ({ trx, actor, params }) => ({ body: await getReadableRun(trx, actor, params.id) }),
});

defineRoute({
  name: 'reports-runs-download',
  method: 'GET',
  route: 'v1/reports/runs/{id}/download',
  summary:
    'A short-lived download link (SAS, 10 minutes) for one file of a finished run (?format=pdf|xlsx|csv)',
  tags: ['reports'],
  roles: REPORT_USERS,
  params: idParamsSchema,
  query: runFileQuerySchema,
  response: downloadSchema,
  handler: async ({ trx, actor, params, query }) => ({
    body: await runFileUrl(trx, actor, params.id, query.format),
  }),
});

/** Every minute: start the runs of the schedules that are due (once per schedule and due time). */
app.timer('reports-schedules-due', {
  schedule: '0 * * * * *',
  handler: async (_timer, context) => {
    const pass = await startDueRuns(primaryDb());
    if (pass.started > 0) {
      nudgeOutboxRelay();
      context.log(`started ${pass.started} scheduled report runs (${pass.due} due)`);
    }
  },
});
