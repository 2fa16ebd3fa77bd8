import { randomUUID } from 'node:crypto';
import { PassThrough, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { adminService, companyProfileSchema } from '../admin/index.js';
import { notify, type NotificationRecipient } from '../notifications/index.js';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Role } from '../../platform/auth/roles.js';
import { attachmentDisposition, blobReadSasUrl, ensureContainer } from '../../platform/blob/storage.js';
import { now, todayIn } from '../../platform/clock.js';
import type { Db, Tx } from '../../platform/db/database.js';
import { withSystem, withTenant } from '../../platform/db/tenant.js';
import { AppError, staleVersion, type FieldError } from '../../platform/errors.js';
import { requestFlow } from '../../platform/flows.js';
import type { Page } from '../../platform/http/pagination.js';
import { parseNcrontab } from '../../platform/ncrontab.js';
import { REPORTS } from './definitions.js';
import { reportErrors } from './errors.js';
import { resolvePeriod, type Period } from './periods.js';
import { CONTENT_TYPES, renderReport } from './render/index.js';
import * as repo from './repository.js';
import { REPORT_TYPES } from './schemas.js';
import type {
  Recipient,
  ReportType,
  ReportFile,
  ReportFormat,
  Run,
  RunCreate,
  RunListQuery,
  Schedule,
  ScheduleCreate,
  SchedulePatch,
} from './schemas.js';

/** The orchestration that produces a run's files (orchestrations/report-run). */
export const REPORT_RUN_ORCHESTRATION = 'report-run';
/** Where report files live: `{tenant}/{yyyy}/{mm}/{name}.{ext}` in this container. */
export const REPORTS_CONTAINER = 'reports';
/** How long the links in a "report ready" message work (the longest a read SAS may live). */
const LINK_LIFETIME_SECONDS = 3_600;

export interface ReportsActor {
  tenantId: string;
  userId: string;
  objectId: string;
  name: string;
  roles: readonly Role[];
  requestId?: string;
}

const auditActor = (actor: ReportsActor): AuditActor => ({
  tenantId: actor.tenantId,
  objectId: actor.objectId,
  name: actor.name,
  requestId: actor.requestId,
});

const mayRead = (roles: readonly string[], type: ReportType) =>
  REPORTS[type].readers.some((role) => roles.includes(role));

/**
 * Who may receive a report: users of the tenant who may read it themselves, and outside addresses
 * only when an administrator names them (a report leaves the organisation by decision, not by
 * accident).
 */
async function checkRecipients(
  trx: Tx,
  actor: ReportsActor,
  type: keyof typeof REPORTS,
  recipients: readonly Recipient[],
  path: string,
): Promise<void> {
  const errors: FieldError[] = [];
  for (const [i, recipient] of recipients.entries()) {
    if ('email' in recipient) {
      if (!actor.roles.includes('Admin'))
        errors.push({
          path: `${path}.${i}.email`,
          message: 'Only an administrator may send reports to addresses outside the tenant',
        });
      continue;
    }
    const user = await adminService.getUser(trx, recipient.userId).catch(() => undefined);
    if (!user || !user.active)
      errors.push({ path: `${path}.${i}.userId`, message: 'No active user of this tenant has this id' });
    else if (!mayRead(user.roles, type))
      errors.push({ path: `${path}.${i}.userId`, message: `${user.displayName} may not read this report` });
  }
  if (errors.length) throw reportErrors.recipients(errors);
}

function nextRun(expression: string, timeZone: string, active: boolean, after: Date): Date | null {
  return active ? parseNcrontab(expression, timeZone).nextAfter(after) : null;
}

export async function createSchedule(trx: Tx, actor: ReportsActor, input: ScheduleCreate): Promise<Schedule> {
  if (!mayRead(actor.roles, input.reportType)) throw reportErrors.mayNotRead(input.reportType);
  await checkRecipients(trx, actor, input.reportType, input.recipients, 'recipients');
  const company = await repo.companyOf(trx);
  const timeZone = input.timeZone ?? company.timeZone;
  const schedule = await repo.insertSchedule(trx, actor.tenantId, randomUUID(), actor.objectId, {
    name: input.name,
    reportType: input.reportType,
    parameters: input.parameters,
    formats: input.formats,
    recipients: input.recipients,
    schedule: input.schedule,
    timeZone,
    locale: input.locale ?? company.locale,
    active: input.active,
    nextRunAt: nextRun(input.schedule, timeZone, input.active, now()),
  });
  if (!schedule) throw reportErrors.nameTaken();
  await recordAudit(trx, auditActor(actor), {
    action: 'report.schedule_created',
    entityType: 'report_schedule',
    entityId: schedule.id,
    details: { name: schedule.name, reportType: schedule.reportType, recipients: schedule.recipients.length },
  });
  return schedule;
}

export async function getSchedule(trx: Tx, id: string): Promise<Schedule> {
  const schedule = await repo.findSchedule(trx, id);
  if (!schedule) throw reportErrors.scheduleNotFound();
  return schedule;
}

/** The report types these roles open. */
export const readableTypes = (roles: readonly string[]): ReportType[] =>
  REPORT_TYPES.filter((type) => mayRead(roles, type));

/** The schedules of the reports the caller may read. */
export const listSchedules = (
  trx: Tx,
  actor: Pick<ReportsActor, 'roles'>,
  query: { limit: number; cursor?: string },
): Promise<Page<Schedule>> => repo.listSchedules(trx, query, readableTypes(actor.roles));

/** A schedule of a report the caller may read (any other is not found). */
export async function getReadableSchedule(
  trx: Tx,
  actor: Pick<ReportsActor, 'roles'>,
  id: string,
): Promise<Schedule> {
  const schedule = await getSchedule(trx, id);
  if (!mayRead(actor.roles, schedule.reportType)) throw reportErrors.scheduleNotFound();
  return schedule;
}

export async function changeSchedule(
  trx: Tx,
  actor: ReportsActor,
  id: string,
  version: number,
  patch: SchedulePatch,
): Promise<Schedule> {
  const current = await getSchedule(trx, id);
  if (!mayRead(actor.roles, current.reportType)) throw reportErrors.mayNotRead(current.reportType);
  const next = { ...current, ...patch };
  if (!mayRead(actor.roles, next.reportType)) throw reportErrors.mayNotRead(next.reportType);
  if (patch.recipients || patch.reportType)
    await checkRecipients(trx, actor, next.reportType, next.recipients, 'recipients');
  if (patch.name && (await repo.scheduleNameTaken(trx, patch.name, id))) throw reportErrors.nameTaken();
  const timing = patch.schedule !== undefined || patch.timeZone !== undefined || patch.active !== undefined;
  const updated = await repo.updateSchedule(trx, id, version, {
    ...next,
    nextRunAt: timing
      ? nextRun(next.schedule, next.timeZone, next.active, now())
      : current.nextRunAt
        ? new Date(current.nextRunAt)
        : null,
  });
  if (!updated) throw staleVersion('report schedule');
  await recordAudit(trx, auditActor(actor), {
    action: 'report.schedule_changed',
    entityType: 'report_schedule',
    entityId: id,
    details: { changed: Object.keys(patch) },
  });
  return updated;
}

/** The day a run reports on: the due time's (or now's) calendar day in the time zone. */
function periodOn(
  type: keyof typeof REPORTS,
  relative: Schedule['parameters']['period'],
  at: Date,
  timeZone: string,
  fiscalYearStartMonth: number,
): Period & { asAt: boolean } {
  const period = resolvePeriod(relative, todayIn(timeZone, at), fiscalYearStartMonth);
  return { ...period, asAt: REPORTS[type].asAt };
}

/**
 * Runs a report now: a schedule's report for its usual period, or one described in the request.
 * The run row and the request for its flow commit together, so the flow starts exactly once.
 */
export async function requestRun(
  trx: Tx,
  actor: ReportsActor,
  input: RunCreate,
): Promise<{ run: Run; location: string }> {
  const company = await repo.companyOf(trx);
  let values: Omit<repo.RunValues, 'id' | 'requestedBy'>;
  if (input.scheduleId !== undefined) {
    const schedule = await getSchedule(trx, input.scheduleId);
    if (!mayRead(actor.roles, schedule.reportType)) throw reportErrors.mayNotRead(schedule.reportType);
    const period = periodOn(
      schedule.reportType,
      schedule.parameters.period,
      now(),
      schedule.timeZone,
      company.fiscalYearStartMonth,
    );
    values = {
      scheduleId: null,
      dueAt: null,
      name: schedule.name,
      reportType: schedule.reportType,
      parameters: schedule.parameters,
      from: period.asAt ? null : period.from,
      to: period.to,
      formats: schedule.formats,
      recipients: schedule.recipients,
      locale: schedule.locale,
    };
  } else {
    // The schema makes sure a run without a schedule names its report and formats.
    const reportType = input.reportType as ReportType;
    const formats = input.formats as ReportFormat[];
    const recipients = input.recipients ?? [];
    if (!mayRead(actor.roles, reportType)) throw reportErrors.mayNotRead(reportType);
    await checkRecipients(trx, actor, reportType, recipients, 'recipients');
    const parameters = input.parameters ?? { period: 'lastMonth' as const };
    let period: Period;
    if (input.from !== undefined || input.to !== undefined) {
      const asAt = REPORTS[reportType].asAt;
      if (!input.to || (!asAt && !input.from))
        throw reportErrors.explicitPeriod(asAt ? ['to'] : ['from', 'to']);
      if (input.from && input.from > input.to) throw reportErrors.explicitPeriod(['from']);
      period = { from: input.from ?? input.to, to: input.to };
    } else period = resolvePeriod(parameters.period, todayIn(company.timeZone), company.fiscalYearStartMonth);
    const asAt = REPORTS[reportType].asAt;
    values = {
      scheduleId: null,
      dueAt: null,
      name: input.name ?? reportType,
      reportType,
      parameters,
      from: asAt ? null : period.from,
      to: period.to,
      formats,
      recipients,
      locale: input.locale ?? company.locale,
    };
  }
  const run = await repo.insertRun(trx, actor.tenantId, {
    ...values,
    id: randomUUID(),
    requestedBy: actor.objectId,
  });
  if (!run) throw new Error('A run without a schedule cannot collide.');
  const flow = await requestFlow(
    trx,
    { tenantId: actor.tenantId, objectId: actor.objectId, name: actor.name, requestId: actor.requestId },
    REPORT_RUN_ORCHESTRATION,
    { runId: run.id },
  );
  await repo.setRunInstance(trx, run.id, flow.instanceId);
  await recordAudit(trx, auditActor(actor), {
    action: 'report.run_requested',
    entityType: 'report_run',
    entityId: run.id,
    details: { reportType: run.reportType, from: run.from, to: run.to, formats: run.formats },
  });
  return { run: { ...run, instanceId: flow.instanceId }, location: flow.location };
}

/** What the schedule timer did in one pass. */
export interface DuePass {
  due: number;
  started: number;
}

/**
 * Starts a run for every schedule that is due. Each schedule is handled in its tenant's
 * transaction with the schedule row locked: the run for a (schedule, due time) is inserted once
 * (a unique index backs the lock), and the schedule moves on to its next due time after now, so a
 * timer that fires twice, late, or on two instances at once makes exactly one run per due time.
 * After an outage the missed due times collapse into one run for the latest.
 */
export async function startDueRuns(db: Db, at: Date = now(), limit = 100): Promise<DuePass> {
  const due = await withSystem(db, (trx) => repo.dueSchedules(trx, at, limit));
  let started = 0;
  for (const { tenantId, id } of due) {
    const made = await withTenant(db, tenantId, async (trx) => {
      const schedule = await repo.findSchedule(trx, id, true);
      if (!schedule?.active || !schedule.nextRunAt || new Date(schedule.nextRunAt) > at) return false;
      const dueAt = new Date(schedule.nextRunAt);
      const company = await repo.companyOf(trx);
      const period = periodOn(
        schedule.reportType,
        schedule.parameters.period,
        dueAt,
        schedule.timeZone,
        company.fiscalYearStartMonth,
      );
      const starter = { tenantId, objectId: 'system:report-scheduler', name: 'Report scheduler' };
      const run = await repo.insertRun(trx, tenantId, {
        id: randomUUID(),
        scheduleId: schedule.id,
        dueAt,
        name: schedule.name,
        reportType: schedule.reportType,
        parameters: schedule.parameters,
        from: period.asAt ? null : period.from,
        to: period.to,
        formats: schedule.formats,
        recipients: schedule.recipients,
        locale: schedule.locale,
        requestedBy: starter.objectId,
      });
      if (run) {
        const flow = await requestFlow(trx, starter, REPORT_RUN_ORCHESTRATION, { runId: run.id });
        await repo.setRunInstance(trx, run.id, flow.instanceId);
      }
      await repo.advanceSchedule(
        trx,
        schedule.id,
        dueAt,
        nextRun(schedule.schedule, schedule.timeZone, true, at),
      );
      return run !== undefined;
    });
    if (made) started += 1;
  }
  return { due: due.length, started };
}

export async function getRun(trx: Tx, id: string): Promise<Run> {
  const run = await repo.findRun(trx, id);
  if (!run) throw reportErrors.runNotFound();
  return run;
}

export const listRuns = (
  trx: Tx,
  actor: Pick<ReportsActor, 'roles'>,
  query: RunListQuery,
): Promise<Page<Run>> => repo.listRuns(trx, query, readableTypes(actor.roles));

/** A run of a report the caller may read (any other is not found). */
export async function getReadableRun(trx: Tx, actor: Pick<ReportsActor, 'roles'>, id: string): Promise<Run> {
  const run = await getRun(trx, id);
  if (!mayRead(actor.roles, run.reportType)) throw reportErrors.runNotFound();
  return run;
}

/** A short-lived download link for one file of a finished run, for a user who may read the report. */
export async function runFileUrl(
  trx: Tx,
  actor: Pick<ReportsActor, 'roles'>,
  id: string,
  format: ReportFormat | undefined,
): Promise<{ url: string; expiresAt: string }> {
  const run = await getReadableRun(trx, actor, id);
  const file = format ? run.files.find((f) => f.format === format) : run.files[0];
  if (!file) throw reportErrors.fileNotFound(format ?? run.formats[0] ?? 'pdf');
  const sas = await blobReadSasUrl(REPORTS_CONTAINER, file.blobName, {
    expiresInSeconds: 600,
    attachmentFileName: file.fileName,
  });
  return { url: sas.url, expiresAt: sas.expiresOn.toISOString() };
}

// ---- The run's steps (activities of the report-run orchestration) ----------------------------

export async function beginRun(db: Db, tenantId: string, runId: string): Promise<Run> {
  return withTenant(db, tenantId, async (trx) => {
    const run = await repo.markRunning(trx, runId);
    return run ?? getRun(trx, runId);
  });
}

const slug = (text: string) =>
  text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60) || 'report';

/** `{tenant}/{yyyy}/{mm}/{name}.{ext}`: the run's year and month, the report's name and period, a run suffix. */
export function reportBlobName(
  tenantId: string,
  run: Pick<Run, 'id' | 'name' | 'from' | 'to' | 'createdAt'>,
  format: ReportFormat,
) {
  const created = new Date(run.createdAt);
  const yyyy = created.getUTCFullYear();
  const mm = String(created.getUTCMonth() + 1).padStart(2, '0');
  const period = run.from ? `${run.from}_${run.to}` : run.to;
  const fileName = `${slug(run.name)}-${period}-${run.id.slice(0, 8)}.${format}`;
  return { blobName: `${tenantId}/${yyyy}/${mm}/${fileName}`, fileName };
}

/**
 * Renders one format of a run and streams it into Blob storage. The data is read in one tenant
 * transaction on `readDb` (the read replica when there is one), which ends before rendering
 * starts; the file is written as it is rendered, so neither the report nor the file is ever held
 * whole in memory. Writing the same blob again (a retried step) replaces it.
 */
export async function renderRunFile(
  readDb: Db,
  primary: Db,
  tenantId: string,
  runId: string,
  format: ReportFormat,
): Promise<ReportFile & { rowCount: number }> {
  const run = await withTenant(primary, tenantId, (trx) => getRun(trx, runId));
  const { table, company } = await withTenant(readDb, tenantId, async (trx) => {
    const company = await repo.companyOf(trx);
    const table = await REPORTS[run.reportType].load(
      trx,
      { from: run.from ?? run.to, to: run.to },
      run.parameters,
      run.locale,
    );
    return { table, company };
  });
  const profile = companyProfileSchema.catch({}).parse(company.profile);
  const { blobName, fileName } = reportBlobName(tenantId, run, format);
  const contentType = CONTENT_TYPES[format];
  const container = await ensureContainer(REPORTS_CONTAINER);
  let sizeBytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      sizeBytes += chunk.length;
      done(null, chunk);
    },
  });
  const body = new PassThrough();
  const upload = container.getBlockBlobClient(blobName).uploadStream(body, 4 * 1024 * 1024, 2, {
    blobHTTPHeaders: {
      blobContentType: contentType,
      blobContentDisposition: attachmentDisposition(fileName),
    },
    metadata: { tenant: tenantId, run: runId, format },
  });
  await Promise.all([
    pipeline(
      renderReport(
        table,
        {
          companyName: profile.legalName ?? company.name,
          taxNumber: profile.taxNumber,
          locale: run.locale,
          timeZone: company.timeZone,
          generatedAt: now(),
        },
        format,
      ),
      counter,
      body,
    ),
    upload,
  ]);
  return { format, fileName, blobName, contentType, sizeBytes, rowCount: table.rowCount };
}

const recipientsOf = (recipients: readonly Recipient[]): NotificationRecipient[] =>
  recipients.map((r) =>
    'userId' in r ? { userId: r.userId } : { email: r.email, ...(r.name ? { name: r.name } : {}) },
  );

/**
 * Records the files and tells the recipients, once: the run is marked succeeded and the message
 * is queued in one transaction, keyed by the run, so a retried step neither marks nor tells twice.
 */
export async function completeRun(
  db: Db,
  tenantId: string,
  runId: string,
  files: ReportFile[],
  rowCount: number,
): Promise<Run> {
  // Links first: signing may call the storage service, which must not happen inside a transaction.
  const links = await Promise.all(
    files.map(async (file) => ({
      file,
      sas: await blobReadSasUrl(REPORTS_CONTAINER, file.blobName, {
        expiresInSeconds: LINK_LIFETIME_SECONDS,
        attachmentFileName: file.fileName,
      }),
    })),
  );
  return withTenant(db, tenantId, async (trx) => {
    const finished = await repo.finishRun(trx, runId, { status: 'succeeded', files, rowCount });
    if (!finished) return getRun(trx, runId);
    if (finished.recipients.length > 0)
      await notify(trx, {
        tenantId,
        key: `report-run:${runId}`,
        template: 'report.ready',
        recipients: recipientsOf(finished.recipients),
        channels: ['email', 'inApp'],
        locale: finished.locale,
        link: `/reports/runs/${runId}`,
        data: {
          reportName: finished.name,
          period: { from: finished.from ?? finished.to, to: finished.to },
          files: links.map(({ file, sas }) => ({
            format: file.format,
            url: sas.url,
            sizeBytes: file.sizeBytes,
          })),
          expiresAt: links[0]?.sas.expiresOn.toISOString() ?? null,
        },
      });
    return finished;
  });
}

export async function failRun(db: Db, tenantId: string, runId: string, error: string): Promise<Run> {
  return withTenant(db, tenantId, async (trx) => {
    const failed = await repo.finishRun(trx, runId, { status: 'failed', error });
    if (!failed) return getRun(trx, runId);
    const users = failed.recipients.filter((r): r is { userId: string } => 'userId' in r);
    if (users.length > 0)
      await notify(trx, {
        tenantId,
        key: `report-run-failed:${runId}`,
        template: 'report.failed',
        recipients: users,
        channels: ['inApp'],
        locale: failed.locale,
        link: `/reports/runs/${runId}`,
        data: { reportName: failed.name, error: error.slice(0, 500) },
      });
    return failed;
  });
}

export { AppError };
