import { sql, type Selectable } from 'kysely';
import { z } from 'zod';
import type { Db, Tx } from '../../platform/db/database.js';
import { decodeCursor, toPage, type Page } from '../../platform/http/pagination.js';
import {
  recipientSchema,
  reportFileSchema,
  reportParametersSchema,
  type Recipient,
  type ReportFile,
  type ReportFormat,
  type ReportParameters,
  type ReportType,
  type Run,
  type RunListQuery,
  type Schedule,
} from './schemas.js';
import './tables.js';
import type { ReportRunsTable, ReportSchedulesTable } from './tables.js';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toSchedule(row: Selectable<ReportSchedulesTable>): Schedule {
  return {
    id: row.id,
    name: row.name,
    reportType: row.report_type as ReportType,
    parameters: reportParametersSchema.parse(row.parameters),
    formats: row.formats as ReportFormat[],
    recipients: z.array(recipientSchema).parse(row.recipients),
    schedule: row.schedule,
    timeZone: row.time_zone,
    locale: row.locale,
    active: row.active,
    nextRunAt: iso(row.next_run_at),
    lastRunAt: iso(row.last_run_at),
    version: row.version,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function toRun(row: Selectable<ReportRunsTable>): Run {
  return {
    id: row.id,
    scheduleId: row.schedule_id,
    dueAt: iso(row.due_at),
    name: row.name,
    reportType: row.report_type as ReportType,
    parameters: reportParametersSchema.parse(row.parameters),
    from: row.period_from,
    to: row.period_to,
    formats: row.formats as ReportFormat[],
    recipients: z.array(recipientSchema).parse(row.recipients),
    locale: row.locale,
    status: row.status,
    files: z.array(reportFileSchema).parse(row.files),
    rowCount: row.row_count,
    error: row.error,
    instanceId: row.instance_id,
    requestedBy: row.requested_by,
    createdAt: row.created_at.toISOString(),
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    durationMs:
      row.started_at && row.finished_at ? row.finished_at.getTime() - row.started_at.getTime() : null,
  };
}

export interface ScheduleValues {
  name: string;
  reportType: ReportType;
  parameters: ReportParameters;
  formats: ReportFormat[];
  recipients: Recipient[];
  schedule: string;
  timeZone: string;
  locale: string;
  active: boolean;
  nextRunAt: Date | null;
}

const scheduleColumns = (v: ScheduleValues) => ({
  name: v.name,
  report_type: v.reportType,
  parameters: JSON.stringify(v.parameters),
  formats: v.formats,
  recipients: JSON.stringify(v.recipients),
  schedule: v.schedule,
  time_zone: v.timeZone,
  locale: v.locale,
  active: v.active,
  next_run_at: v.nextRunAt,
});

export async function insertSchedule(
  trx: Tx,
  tenantId: string,
  id: string,
  createdBy: string,
  v: ScheduleValues,
): Promise<Schedule | undefined> {
  const row = await trx
    .insertInto('report_schedules')
    .values({
      tenant_id: tenantId,
      id,
      ...scheduleColumns(v),
      created_by: createdBy,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'name']).doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toSchedule(row) : undefined;
}

export async function updateSchedule(
  trx: Tx,
  id: string,
  version: number,
  v: ScheduleValues,
): Promise<Schedule | undefined> {
  const row = await trx
    .updateTable('report_schedules')
    .set({
      ...scheduleColumns(v),
      version: sql<number>`version + 1`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
  return row ? toSchedule(row) : undefined;
}

export async function scheduleNameTaken(trx: Tx, name: string, exceptId?: string): Promise<boolean> {
  let q = trx.selectFrom('report_schedules').select('id').where('name', '=', name);
  if (exceptId) q = q.where('id', '<>', exceptId);
  return (await q.executeTakeFirst()) !== undefined;
}

export async function findSchedule(trx: Tx, id: string, lock = false): Promise<Schedule | undefined> {
  let q = trx.selectFrom('report_schedules').selectAll().where('id', '=', id);
  if (lock) q = q.forUpdate();
  const row = await q.executeTakeFirst();
  return row ? toSchedule(row) : undefined;
}

const nameCursor = z.tuple([z.string(), z.uuid()]);

export async function listSchedules(
  trx: Tx,
  query: { limit: number; cursor?: string },
  types: readonly ReportType[],
): Promise<Page<Schedule>> {
  const after = decodeCursor(query.cursor, nameCursor);
  if (types.length === 0) return { items: [], nextCursor: null };
  let q = trx.selectFrom('report_schedules').selectAll().where('report_type', 'in', types);
  if (after)
    q = q.where((eb) =>
      eb.or([eb('name', '>', after[0]), eb.and([eb('name', '=', after[0]), eb('id', '>', after[1])])]),
    );
  const rows = await q
    .orderBy('name')
    .orderBy('id')
    .limit(query.limit + 1)
    .execute();
  return toPage(rows, query.limit, toSchedule, (row) => [row.name, row.id]);
}

/** The schedules due by `at`, across tenants (the system role's view). */
export async function dueSchedules(
  trx: Tx,
  at: Date,
  limit: number,
): Promise<{ tenantId: string; id: string }[]> {
  const rows = await trx
    .selectFrom('report_schedules')
    .select(['tenant_id', 'id'])
    .where('active', '=', true)
    .where('next_run_at', '<=', at)
    .orderBy('next_run_at')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ tenantId: r.tenant_id, id: r.id }));
}

export async function advanceSchedule(
  trx: Tx,
  id: string,
  lastRunAt: Date,
  nextRunAt: Date | null,
): Promise<void> {
  await trx
    .updateTable('report_schedules')
    .set({ last_run_at: lastRunAt, next_run_at: nextRunAt })
    .where('id', '=', id)
    .execute();
}

export interface RunValues {
  id: string;
  scheduleId: string | null;
  dueAt: Date | null;
  name: string;
  reportType: ReportType;
  parameters: ReportParameters;
  from: string | null;
  to: string;
  formats: ReportFormat[];
  recipients: Recipient[];
  locale: string;
  requestedBy: string;
}

/** Inserts a run; a scheduled run whose (schedule, due time) exists already is not inserted (undefined). */
export async function insertRun(trx: Tx, tenantId: string, v: RunValues): Promise<Run | undefined> {
  const row = await trx
    .insertInto('report_runs')
    .values({
      tenant_id: tenantId,
      id: v.id,
      schedule_id: v.scheduleId,
      due_at: v.dueAt,
      name: v.name,
      report_type: v.reportType,
      parameters: JSON.stringify(v.parameters),
      period_from: v.from,
      period_to: v.to,
      formats: v.formats,
      recipients: JSON.stringify(v.recipients),
      locale: v.locale,
      requested_by: v.requestedBy,
    })
    .onConflict((oc) =>
      oc.columns(['tenant_id', 'schedule_id', 'due_at']).where('schedule_id', 'is not', null).doNothing(),
    )
    .returningAll()
    .executeTakeFirst();
  return row ? toRun(row) : undefined;
}

export async function setRunInstance(trx: Tx, id: string, instanceId: string): Promise<void> {
  await trx.updateTable('report_runs').set({ instance_id: instanceId }).where('id', '=', id).execute();
}

export async function findRun(trx: Tx, id: string): Promise<Run | undefined> {
  const row = await trx.selectFrom('report_runs').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toRun(row) : undefined;
}

const createdCursor = z.tuple([z.string(), z.uuid()]);

export async function listRuns(
  trx: Tx,
  query: RunListQuery,
  types: readonly ReportType[],
): Promise<Page<Run>> {
  const after = decodeCursor(query.cursor, createdCursor);
  if (types.length === 0) return { items: [], nextCursor: null };
  let q = trx.selectFrom('report_runs').selectAll().where('report_type', 'in', types);
  if (query.scheduleId) q = q.where('schedule_id', '=', query.scheduleId);
  if (query.status) q = q.where('status', '=', query.status);
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('created_at', '<', new Date(after[0])),
        eb.and([eb('created_at', '=', new Date(after[0])), eb('id', '<', after[1])]),
      ]),
    );
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
  return toPage(rows, query.limit, toRun, (row) => [row.created_at.toISOString(), row.id]);
}

export async function markRunning(trx: Tx, id: string): Promise<Run | undefined> {
  const row = await trx
    .updateTable('report_runs')
    .set({ status: 'running', started_at: sql<Date>`coalesce(started_at, now())` })
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'running'])
    .returningAll()
    .executeTakeFirst();
  return row ? toRun(row) : undefined;
}

/** Records the outcome once: a run already finished is left as it is (undefined). */
export async function finishRun(
  trx: Tx,
  id: string,
  outcome:
    { status: 'succeeded'; files: ReportFile[]; rowCount: number } | { status: 'failed'; error: string },
): Promise<Run | undefined> {
  const row = await trx
    .updateTable('report_runs')
    .set(
      outcome.status === 'succeeded'
        ? {
            status: 'succeeded',
            files: JSON.stringify(outcome.files),
            row_count: outcome.rowCount,
            finished_at: sql<Date>`now()`,
          }
        : { status: 'failed', error: outcome.error.slice(0, 2000), finished_at: sql<Date>`now()` },
    )
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'running'])
    .returningAll()
    .executeTakeFirst();
  return row ? toRun(row) : undefined;
}

/** Everything a reader in another process needs to print the header. */
export async function companyOf(trx: Tx): Promise<{
  id: string;
  name: string;
  profile: unknown;
  timeZone: string;
  locale: string;
  fiscalYearStartMonth: number;
}> {
  const row = await trx
    .selectFrom('tenants')
    .select(['id', 'name', 'company_profile', 'time_zone', 'locale', 'fiscal_year_start_month'])
    .executeTakeFirstOrThrow();
  return {
    id: row.id,
    name: row.name,
    profile: row.company_profile,
    timeZone: row.time_zone,
    locale: row.locale,
    fiscalYearStartMonth: row.fiscal_year_start_month,
  };
}

export type { Db };
