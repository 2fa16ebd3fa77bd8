import { z } from 'zod';
import { localeSchema, timeZoneSchema } from '../admin/schemas.js';
import { pageQuery } from '../../platform/http/pagination.js';
import { parseNcrontab } from '../../platform/ncrontab.js';

export const REPORT_TYPES = [
  'trialBalance',
  'profitAndLoss',
  'balanceSheet',
  'arAging',
  'apAging',
  'salesByCustomer',
  'stockValuation',
  'vat',
] as const;
export type ReportType = (typeof REPORT_TYPES)[number];

/** Periods relative to the day a report runs (in the schedule's time zone); quarters and years are fiscal. */
export const RELATIVE_PERIODS = [
  'today',
  'yesterday',
  'monthToDate',
  'lastMonth',
  'quarterToDate',
  'lastQuarter',
  'fiscalYearToDate',
  'lastFiscalYear',
] as const;
export type RelativePeriod = (typeof RELATIVE_PERIODS)[number];

export const REPORT_FORMATS = ['pdf', 'xlsx', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const dateSchema = z.iso.date().meta({ examples: ['2026-10-31'] });

export const reportParametersSchema = z
  .strictObject({
    period: z.enum(RELATIVE_PERIODS).default('lastMonth').meta({
      description:
        'The period the report covers, relative to the day it runs; reports as at a date (balance sheet, aging, stock valuation) use its last day',
    }),
    warehouseId: z.uuid().optional().meta({ description: 'Stock valuation only: one warehouse' }),
  })
  .meta({ description: 'What the report covers' });
export type ReportParameters = z.infer<typeof reportParametersSchema>;

export const recipientSchema = z.union([
  z.strictObject({ userId: z.uuid() }),
  z.strictObject({ email: z.email().max(254), name: z.string().trim().min(1).max(200).optional() }),
]);
export type Recipient = z.infer<typeof recipientSchema>;

const formatsSchema = z
  .array(z.enum(REPORT_FORMATS))
  .min(1)
  .max(3)
  .refine((formats) => new Set(formats).size === formats.length, 'Name each format once');

/** An NCRONTAB expression (six fields with seconds, or five), as Azure Functions timers take them. */
export const ncrontabSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .superRefine((value, ctx) => {
    try {
      parseNcrontab(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    }
  })
  .meta({ description: '{second} {minute} {hour} {day} {month} {day-of-week}', examples: ['0 0 6 1 * *'] });

export const scheduleCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  reportType: z.enum(REPORT_TYPES),
  parameters: reportParametersSchema.default({ period: 'lastMonth' }),
  formats: formatsSchema,
  recipients: z.array(recipientSchema).min(1).max(50),
  schedule: ncrontabSchema,
  timeZone: timeZoneSchema.optional().meta({ description: "The tenant's time zone by default" }),
  locale: localeSchema.optional().meta({ description: "The tenant's locale by default" }),
  active: z.boolean().default(true),
});
export type ScheduleCreate = z.infer<typeof scheduleCreateSchema>;

export const schedulePatchSchema = z
  .strictObject({
    name: z.string().trim().min(1).max(200).optional(),
    reportType: z.enum(REPORT_TYPES).optional(),
    parameters: reportParametersSchema.optional(),
    formats: formatsSchema.optional(),
    recipients: z.array(recipientSchema).min(1).max(50).optional(),
    schedule: ncrontabSchema.optional(),
    timeZone: timeZoneSchema.optional(),
    locale: localeSchema.optional(),
    active: z.boolean().optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'Name at least one field to change');
export type SchedulePatch = z.infer<typeof schedulePatchSchema>;

export const scheduleSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  reportType: z.enum(REPORT_TYPES),
  parameters: reportParametersSchema,
  formats: z.array(z.enum(REPORT_FORMATS)),
  recipients: z.array(recipientSchema),
  schedule: z.string(),
  timeZone: z.string(),
  locale: z.string(),
  active: z.boolean(),
  nextRunAt: z.string().nullable(),
  lastRunAt: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Schedule = z.infer<typeof scheduleSchema>;

export const scheduleListQuerySchema = z.strictObject({ ...pageQuery });

/**
 * Run a schedule now (`scheduleId` alone), or a report described here (`reportType` and `formats`,
 * with a relative period in `parameters` or an explicit `from`/`to`).
 */
export const runCreateSchema = z
  .strictObject({
    scheduleId: z.uuid().optional().meta({ description: 'Run this schedule now, for its usual period' }),
    name: z.string().trim().min(1).max(200).optional(),
    reportType: z.enum(REPORT_TYPES).optional(),
    parameters: reportParametersSchema.optional(),
    from: dateSchema.optional().meta({ description: 'An explicit period instead of parameters.period' }),
    to: dateSchema.optional(),
    formats: formatsSchema.optional(),
    recipients: z.array(recipientSchema).max(50).optional(),
    locale: localeSchema.optional(),
  })
  .superRefine((body, ctx) => {
    if (body.scheduleId !== undefined) {
      for (const key of Object.keys(body))
        if (key !== 'scheduleId')
          ctx.addIssue({
            code: 'custom',
            path: [key],
            message: 'A schedule runs as it is: give scheduleId alone',
          });
      return;
    }
    if (body.reportType === undefined)
      ctx.addIssue({ code: 'custom', path: ['reportType'], message: 'Name a report type, or a scheduleId' });
    if (body.formats === undefined)
      ctx.addIssue({ code: 'custom', path: ['formats'], message: 'Name at least one format' });
  });
export type RunCreate = z.infer<typeof runCreateSchema>;

export const reportFileSchema = z.object({
  format: z.enum(REPORT_FORMATS),
  fileName: z.string(),
  blobName: z.string(),
  contentType: z.string(),
  sizeBytes: z.number().int(),
});
export type ReportFile = z.infer<typeof reportFileSchema>;

export const runSchema = z.object({
  id: z.uuid(),
  scheduleId: z.uuid().nullable(),
  dueAt: z.string().nullable(),
  name: z.string(),
  reportType: z.enum(REPORT_TYPES),
  parameters: reportParametersSchema,
  from: z.string().nullable(),
  to: z.string(),
  formats: z.array(z.enum(REPORT_FORMATS)),
  recipients: z.array(recipientSchema),
  locale: z.string(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']),
  files: z.array(reportFileSchema),
  rowCount: z.number().int().nullable(),
  error: z.string().nullable(),
  instanceId: z.uuid().nullable(),
  requestedBy: z.string(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  durationMs: z.number().int().nullable(),
});
export type Run = z.infer<typeof runSchema>;

export const runListQuerySchema = z.strictObject({
  ...pageQuery,
  scheduleId: z.uuid().optional(),
  status: z.enum(['queued', 'running', 'succeeded', 'failed']).optional(),
});
export type RunListQuery = z.infer<typeof runListQuerySchema>;

export const runFileQuerySchema = z.strictObject({
  format: z
    .enum(REPORT_FORMATS)
    .optional()
    .meta({ description: "The file's format; the run's first by default" }),
});
export const idParamsSchema = z.strictObject({ id: z.uuid() });

export const downloadSchema = z.object({ url: z.url(), expiresAt: z.string() });
