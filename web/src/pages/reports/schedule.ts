/**
 * The schedule form's pure parts: NCRONTAB presets and how an expression reads in words, the
 * draft the form edits, its checks, and the bodies it sends.
 */
import type { Recipient, RelativePeriod, ReportFormat, ReportType, Schedule, ScheduleInput } from './types';

export const DEFAULT_TIME_ZONE = 'Africa/Johannesburg';

/** The schedules most reports want; anything else is typed as NCRONTAB. */
export const SCHEDULE_PRESETS = {
  daily: '0 0 6 * * *',
  weekdays: '0 0 6 * * 1-5',
  monday: '0 0 7 * * 1',
  monthly: '0 0 6 1 * *',
} as const;
export type SchedulePreset = keyof typeof SCHEDULE_PRESETS;
export type ScheduleChoice = SchedulePreset | 'custom';

const normalise = (expression: string) => expression.trim().split(/\s+/).join(' ');

export function presetOf(expression: string): ScheduleChoice {
  const text = normalise(expression);
  const found = Object.entries(SCHEDULE_PRESETS).find(([, preset]) => preset === text);
  return found ? (found[0] as SchedulePreset) : 'custom';
}

/** An NCRONTAB expression's shape where it is a common one; `custom` where words would not help. */
export type ScheduleShape =
  | { kind: 'hourly'; minute: number }
  | { kind: 'daily'; hour: number; minute: number }
  | { kind: 'weekdays'; hour: number; minute: number }
  | { kind: 'weekly'; weekday: number; hour: number; minute: number }
  | { kind: 'monthly'; day: number; hour: number; minute: number }
  | { kind: 'custom' };

const whole = (text: string | undefined, max: number): number | undefined =>
  text !== undefined && /^\d{1,2}$/.test(text) && Number(text) <= max ? Number(text) : undefined;

/**
 * Reads six fields (second minute hour day month day-of-week), or five without the seconds. Only
 * the shapes a person would say in one sentence are recognised; the server checks the rest.
 */
export function scheduleShape(expression: string): ScheduleShape {
  let fields = normalise(expression).split(' ');
  if (fields.length === 5) fields = ['0', ...fields];
  if (fields.length !== 6) return { kind: 'custom' };
  const [second, minuteText, hourText, day, month, weekday] = fields;
  const minute = whole(minuteText, 59);
  if (second !== '0' || minute === undefined || month !== '*') return { kind: 'custom' };
  if (hourText === '*' && day === '*' && weekday === '*') return { kind: 'hourly', minute };
  const hour = whole(hourText, 23);
  if (hour === undefined) return { kind: 'custom' };
  if (day === '*' && weekday === '*') return { kind: 'daily', hour, minute };
  if (day === '*' && weekday === '1-5') return { kind: 'weekdays', hour, minute };
  const dayOfWeek = whole(weekday, 6);
  if (day === '*' && dayOfWeek !== undefined) return { kind: 'weekly', weekday: dayOfWeek, hour, minute };
  const dayOfMonth = whole(day, 31);
  if (weekday === '*' && dayOfMonth !== undefined && dayOfMonth >= 1)
    return { kind: 'monthly', day: dayOfMonth, hour, minute };
  return { kind: 'custom' };
}

/** Whether an expression has the fields NCRONTAB needs (the server parses it exactly). */
export const looksLikeNcrontab = (expression: string): boolean =>
  [5, 6].includes(normalise(expression).split(' ').length) && /^[\d*,/\-\sA-Za-z]+$/.test(expression.trim());

export interface RecipientDraft {
  /** React's key for the row. */
  key: string;
  /** A user of the tenant, kept as it was; the row then has no address. */
  userId?: string;
  email: string;
  name: string;
}

export const emptyRecipient = (): RecipientDraft => ({ key: crypto.randomUUID(), email: '', name: '' });

export const recipientDrafts = (recipients: readonly Recipient[]): RecipientDraft[] =>
  recipients.map((r) =>
    'userId' in r
      ? { key: crypto.randomUUID(), userId: r.userId, email: '', name: '' }
      : { key: crypto.randomUUID(), email: r.email, name: r.name ?? '' },
  );

export const recipientsInput = (rows: readonly RecipientDraft[]): Recipient[] =>
  rows.map((row) => {
    if (row.userId) return { userId: row.userId };
    const name = row.name.trim();
    return name ? { email: row.email.trim(), name } : { email: row.email.trim() };
  });

// Enough to catch a typing slip; the server checks the address properly.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export type ProblemKind = 'required' | 'email' | 'formats' | 'recipients' | 'ncrontab' | 'timeZone' | 'dates';
export type DraftErrors = Record<string, ProblemKind>;

export function validateRecipients(rows: readonly RecipientDraft[], errors: DraftErrors): void {
  rows.forEach((row, index) => {
    if (!row.userId && !EMAIL.test(row.email.trim())) errors[`recipients.${index}.email`] = 'email';
  });
}

export interface ScheduleDraft {
  name: string;
  reportType: ReportType | '';
  period: RelativePeriod;
  /** Kept from the schedule as it was (stock valuation of one warehouse). */
  warehouseId?: string;
  formats: ReportFormat[];
  recipients: RecipientDraft[];
  choice: ScheduleChoice;
  /** The expression when `choice` is custom. */
  expression: string;
  timeZone: string;
  active: boolean;
}

export function scheduleDraft(schedule: Schedule | undefined): ScheduleDraft {
  if (!schedule)
    return {
      name: '',
      reportType: '',
      period: 'lastMonth',
      formats: ['pdf'],
      recipients: [emptyRecipient()],
      choice: 'monthly',
      expression: SCHEDULE_PRESETS.monthly,
      timeZone: DEFAULT_TIME_ZONE,
      active: true,
    };
  return {
    name: schedule.name,
    reportType: schedule.reportType,
    period: schedule.parameters.period,
    warehouseId: schedule.parameters.warehouseId,
    formats: [...schedule.formats],
    recipients: recipientDrafts(schedule.recipients),
    choice: presetOf(schedule.schedule),
    expression: schedule.schedule,
    timeZone: schedule.timeZone,
    active: schedule.active,
  };
}

export const expressionOf = (draft: Pick<ScheduleDraft, 'choice' | 'expression'>): string =>
  draft.choice === 'custom' ? normalise(draft.expression) : SCHEDULE_PRESETS[draft.choice];

export function validTimeZone(zone: string): boolean {
  if (!zone.trim()) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone.trim() });
    return true;
  } catch {
    return false;
  }
}

export function validateSchedule(draft: ScheduleDraft): DraftErrors {
  const errors: DraftErrors = {};
  if (!draft.name.trim()) errors.name = 'required';
  if (!draft.reportType) errors.reportType = 'required';
  if (draft.formats.length === 0) errors.formats = 'formats';
  if (draft.recipients.length === 0) errors.recipients = 'recipients';
  validateRecipients(draft.recipients, errors);
  if (draft.choice === 'custom' && !looksLikeNcrontab(draft.expression)) errors.schedule = 'ncrontab';
  if (!validTimeZone(draft.timeZone)) errors.timeZone = 'timeZone';
  return errors;
}

/** The body that creates the schedule; call only when `validateSchedule` found nothing. */
export function scheduleInput(draft: ScheduleDraft): ScheduleInput {
  return {
    name: draft.name.trim(),
    reportType: draft.reportType as ReportType,
    parameters: draft.warehouseId
      ? { period: draft.period, warehouseId: draft.warehouseId }
      : { period: draft.period },
    // In the order the app lists them, whatever order they were ticked in.
    formats: (['pdf', 'xlsx', 'csv'] as const).filter((f) => draft.formats.includes(f)),
    recipients: recipientsInput(draft.recipients),
    schedule: expressionOf(draft),
    timeZone: draft.timeZone.trim(),
    active: draft.active,
  };
}

/**
 * The fields that differ from the schedule as loaded. Only they are sent, so saving a name does
 * not send (and have re-checked) recipients someone else chose.
 */
export function schedulePatch(schedule: Schedule, draft: ScheduleDraft): Partial<ScheduleInput> {
  const next = scheduleInput(draft);
  const current: ScheduleInput = {
    name: schedule.name,
    reportType: schedule.reportType,
    parameters: schedule.parameters,
    formats: schedule.formats,
    recipients: schedule.recipients,
    schedule: schedule.schedule,
    timeZone: schedule.timeZone,
    active: schedule.active,
  };
  const patch: Partial<ScheduleInput> = {};
  for (const key of Object.keys(next) as (keyof ScheduleInput)[]) {
    if (JSON.stringify(next[key]) !== JSON.stringify(current[key]))
      Object.assign(patch, { [key]: next[key] });
  }
  return patch;
}
