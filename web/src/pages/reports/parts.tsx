import {
  Button,
  Checkbox,
  Field,
  FieldContextProvider,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { AddRegular, ArrowDownloadRegular, DeleteRegular } from '@fluentui/react-icons';
import { useMutation } from '@tanstack/react-query';
import { useCallback, useMemo, type ReactNode } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { ApiError } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import { useErrorText } from '../../components/States';
import { formatCode, formatLabels, reportTypeLabels } from './labels';
import { emptyRecipient, scheduleShape, type ProblemKind, type RecipientDraft } from './schedule';
import { REPORT_FORMATS, type DownloadLink, type ReportFormat, type Run } from './types';

export const useFormStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  grid: {
    display: 'grid',
    gap: tokens.spacingHorizontalL,
    gridTemplateColumns: 'repeat(auto-fit, minmax(220px, 1fr))',
  },
  checkboxes: { display: 'flex', flexWrap: 'wrap', columnGap: tokens.spacingHorizontalL },
  recipients: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  recipient: {
    display: 'grid',
    gridTemplateColumns: 'minmax(180px, 3fr) minmax(140px, 2fr) auto',
    gap: tokens.spacingHorizontalS,
    alignItems: 'start',
  },
  user: { alignSelf: 'center', color: tokens.colorNeutralForeground2 },
  downloads: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXS },
  code: { fontFamily: tokens.fontFamilyMonospace },
});

/** Words for the pages' values: schedules, periods, sizes, durations and the form's problems. */
export function useReportText() {
  const intl = useIntl();
  return useMemo(() => {
    const time = (hour: number, minute: number) =>
      intl.formatTime(new Date(2000, 0, 3, hour, minute), { hour: '2-digit', minute: '2-digit' });
    return {
      schedule(expression: string): string {
        const shape = scheduleShape(expression);
        switch (shape.kind) {
          case 'hourly':
            return intl.formatMessage(
              {
                id: 'reports.schedule.hourly',
                defaultMessage:
                  'Every hour, {minute, plural, one {# minute} other {# minutes}} past the hour',
              },
              { minute: shape.minute },
            );
          case 'daily':
            return intl.formatMessage(
              { id: 'reports.schedule.daily', defaultMessage: 'Every day at {time}' },
              { time: time(shape.hour, shape.minute) },
            );
          case 'weekdays':
            return intl.formatMessage(
              {
                id: 'reports.schedule.weekdays',
                defaultMessage: 'Every weekday (Monday to Friday) at {time}',
              },
              { time: time(shape.hour, shape.minute) },
            );
          case 'weekly':
            return intl.formatMessage(
              { id: 'reports.schedule.weekly', defaultMessage: 'Every {weekday} at {time}' },
              {
                // 2 January 2000 was a Sunday, day 0 of NCRONTAB's week.
                weekday: intl.formatDate(new Date(2000, 0, 2 + shape.weekday), { weekday: 'long' }),
                time: time(shape.hour, shape.minute),
              },
            );
          case 'monthly':
            return intl.formatMessage(
              { id: 'reports.schedule.monthly', defaultMessage: 'On day {day} of every month at {time}' },
              { day: shape.day, time: time(shape.hour, shape.minute) },
            );
          case 'custom':
            return intl.formatMessage({ id: 'reports.schedule.custom', defaultMessage: 'Custom schedule' });
        }
      },
      size(bytes: number): string {
        const [unit, value] =
          bytes < 1024
            ? (['byte', bytes] as const)
            : bytes < 1024 * 1024
              ? (['kilobyte', bytes / 1024] as const)
              : (['megabyte', bytes / (1024 * 1024)] as const);
        return intl.formatNumber(value, {
          style: 'unit',
          unit,
          unitDisplay: 'short',
          maximumFractionDigits: unit === 'byte' ? 0 : 1,
        });
      },
      duration(milliseconds: number): string {
        return intl.formatNumber(milliseconds / 1000, {
          style: 'unit',
          unit: 'second',
          unitDisplay: 'short',
          maximumFractionDigits: milliseconds < 10_000 ? 1 : 0,
        });
      },
      problem(kind: ProblemKind): string {
        switch (kind) {
          case 'required':
            return intl.formatMessage({ id: 'reports.form.required', defaultMessage: 'Required' });
          case 'email':
            return intl.formatMessage({
              id: 'reports.form.email',
              defaultMessage: 'An email address such as name@example.co.za',
            });
          case 'formats':
            return intl.formatMessage({
              id: 'reports.form.formats',
              defaultMessage: 'Choose at least one format',
            });
          case 'recipients':
            return intl.formatMessage({
              id: 'reports.form.recipients',
              defaultMessage: 'Add at least one recipient',
            });
          case 'ncrontab':
            return intl.formatMessage({
              id: 'reports.form.ncrontab',
              defaultMessage: 'Six fields: second, minute, hour, day, month and day of the week',
            });
          case 'timeZone':
            return intl.formatMessage({
              id: 'reports.form.timeZone',
              defaultMessage: 'A time zone such as Africa/Johannesburg',
            });
          case 'dates':
            return intl.formatMessage({
              id: 'reports.form.dates',
              defaultMessage: 'A date on or after the start of the period',
            });
        }
      },
    };
  }, [intl]);
}

/** The period a run covers: a range, or the day a report as at a date was drawn up for. */
export function usePeriodText() {
  const intl = useIntl();
  return useCallback(
    (run: Pick<Run, 'from' | 'to'>, date: (value: string) => string): string =>
      run.from === null
        ? intl.formatMessage(
            { id: 'reports.period.asAt', defaultMessage: 'As at {date}' },
            { date: date(run.to) },
          )
        : intl.formatMessage(
            { id: 'reports.period.range', defaultMessage: '{from} – {to}' },
            { from: date(run.from), to: date(run.to) },
          ),
    [intl],
  );
}

/** A run's name; a run asked for without one is named after its report type by the server. */
export function useRunName() {
  const intl = useIntl();
  return useCallback(
    (run: Pick<Run, 'name' | 'reportType'>): string =>
      run.name === run.reportType ? intl.formatMessage(reportTypeLabels[run.reportType]) : run.name,
    [intl],
  );
}

/**
 * A failed request in words, saying which report a 403 was about: the API refuses the reports the
 * caller's roles do not open.
 */
export function useRequestErrorText() {
  const intl = useIntl();
  const errorText = useErrorText();
  return (error: unknown): string =>
    error instanceof ApiError && error.status === 403
      ? intl.formatMessage({
          id: 'reports.forbidden',
          defaultMessage:
            'Your roles do not open this report. Choose another report, or ask an administrator for access.',
        })
      : errorText(error);
}

/** A request that failed, under a title saying what did not happen. */
export function ErrorBar({ title, error }: { title: ReactNode; error: unknown }) {
  const requestErrorText = useRequestErrorText();
  return (
    <MessageBar intent="error" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{title}</MessageBarTitle>
        {requestErrorText(error)}
      </MessageBarBody>
    </MessageBar>
  );
}

/** PDF / XLSX / CSV check boxes; at least one must be ticked. */
export function FormatsField(props: {
  value: ReportFormat[];
  onChange: (formats: ReportFormat[]) => void;
  validationMessage?: string;
  disabled?: boolean;
}) {
  const styles = useFormStyles();
  const intl = useIntl();
  return (
    <Field
      label={intl.formatMessage({ id: 'reports.formats', defaultMessage: 'Formats' })}
      required
      validationMessage={props.validationMessage}
    >
      <div
        role="group"
        aria-label={intl.formatMessage({ id: 'reports.formats', defaultMessage: 'Formats' })}
        className={styles.checkboxes}
      >
        {/* Each box is named by its own label, not by the field's. */}
        <FieldContextProvider value={undefined}>
          {REPORT_FORMATS.map((format) => (
            <Checkbox
              key={format}
              label={intl.formatMessage(formatLabels[format])}
              checked={props.value.includes(format)}
              disabled={props.disabled}
              onChange={(_, data) =>
                props.onChange(
                  data.checked ? [...props.value, format] : props.value.filter((f) => f !== format),
                )
              }
            />
          ))}
        </FieldContextProvider>
      </div>
    </Field>
  );
}

/** Rows of email address and name, added and removed; users of the tenant are kept as they are. */
export function RecipientsEditor(props: {
  rows: RecipientDraft[];
  onChange: (rows: RecipientDraft[]) => void;
  errorFor: (path: string) => string | undefined;
  required?: boolean;
  hint?: string;
  disabled?: boolean;
}) {
  const styles = useFormStyles();
  const intl = useIntl();
  const { rows, onChange, errorFor } = props;
  const update = (index: number, change: Partial<RecipientDraft>) =>
    onChange(rows.map((row, i) => (i === index ? { ...row, ...change } : row)));
  return (
    <Field
      label={intl.formatMessage({ id: 'reports.recipients', defaultMessage: 'Recipients' })}
      required={props.required}
      hint={props.hint}
      validationMessage={errorFor('recipients')}
    >
      <div
        role="group"
        aria-label={intl.formatMessage({ id: 'reports.recipients', defaultMessage: 'Recipients' })}
        className={styles.recipients}
      >
        {rows.map((row, index) => {
          const label = (field: string) =>
            intl.formatMessage(
              { id: 'reports.recipient.fieldLabel', defaultMessage: '{field}, recipient {number}' },
              { field, number: index + 1 },
            );
          return (
            <div key={row.key} className={styles.recipient}>
              {row.userId ? (
                <Field validationMessage={errorFor(`recipients.${index}.userId`)}>
                  <Text className={styles.user}>
                    <FormattedMessage
                      id="reports.recipient.user"
                      defaultMessage="A user of the organisation"
                    />
                  </Text>
                </Field>
              ) : (
                <Field validationMessage={errorFor(`recipients.${index}.email`)}>
                  <Input
                    type="email"
                    aria-label={label(
                      intl.formatMessage({ id: 'reports.recipient.email', defaultMessage: 'Email address' }),
                    )}
                    placeholder={intl.formatMessage({
                      id: 'reports.recipient.email',
                      defaultMessage: 'Email address',
                    })}
                    value={row.email}
                    maxLength={254}
                    disabled={props.disabled}
                    onChange={(_, data) => update(index, { email: data.value })}
                  />
                </Field>
              )}
              {row.userId ? (
                <span />
              ) : (
                <Field validationMessage={errorFor(`recipients.${index}.name`)}>
                  <Input
                    aria-label={label(
                      intl.formatMessage({ id: 'reports.recipient.name', defaultMessage: 'Name (optional)' }),
                    )}
                    placeholder={intl.formatMessage({
                      id: 'reports.recipient.name',
                      defaultMessage: 'Name (optional)',
                    })}
                    value={row.name}
                    maxLength={200}
                    disabled={props.disabled}
                    onChange={(_, data) => update(index, { name: data.value })}
                  />
                </Field>
              )}
              <Button
                appearance="subtle"
                icon={<DeleteRegular />}
                disabled={props.disabled}
                aria-label={intl.formatMessage(
                  { id: 'reports.recipient.remove', defaultMessage: 'Remove recipient {number}' },
                  { number: index + 1 },
                )}
                onClick={() => onChange(rows.filter((_, i) => i !== index))}
              />
            </div>
          );
        })}
        <div>
          <Button
            icon={<AddRegular />}
            disabled={props.disabled || rows.length >= 50}
            onClick={() => onChange([...rows, emptyRecipient()])}
          >
            <FormattedMessage id="reports.recipient.add" defaultMessage="Add recipient" />
          </Button>
        </div>
      </div>
    </Field>
  );
}

/**
 * Saves the file a link serves. The link answers with `Content-Disposition: attachment`, so the
 * browser downloads it and the page stays where it is.
 */
function saveLink(url: string, fileName: string): void {
  const anchor = document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.rel = 'noopener';
  anchor.style.display = 'none';
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
}

/** Asks the API for a short-lived link to one file of a run and downloads it. */
export function useRunDownload() {
  const api = useApi();
  return useMutation({
    mutationFn: async ({ run, format }: { run: Run; format: ReportFormat }) => {
      const link = await api.get<DownloadLink>(`v1/reports/runs/${run.id}/download`, { query: { format } });
      const file = run.files.find((f) => f.format === format);
      saveLink(link.url, file?.fileName ?? `${run.name}.${format}`);
    },
  });
}

/** One button per file of a finished run; named after the run where several runs are listed. */
export function DownloadButtons(props: {
  run: Run;
  download: ReturnType<typeof useRunDownload>;
  /** Shows "Download PDF (12 KB)" rather than only the format. */
  long?: boolean;
  /** The run's name as the user reads it, for the buttons' names in a list of runs. */
  runName?: string;
}) {
  const styles = useFormStyles();
  const intl = useIntl();
  const text = useReportText();
  const { run, download } = props;
  return (
    <div className={styles.downloads}>
      {run.files.map((file) => {
        const code = formatCode(file.format);
        const name = intl.formatMessage(
          { id: 'reports.downloadOf', defaultMessage: 'Download {format} of {name}' },
          { format: code, name: props.runName ?? run.name },
        );
        return (
          <Button
            key={file.format}
            size={props.long ? 'medium' : 'small'}
            icon={<ArrowDownloadRegular />}
            aria-label={props.long ? undefined : name}
            title={`${file.fileName} · ${text.size(file.sizeBytes)}`}
            disabled={download.isPending}
            onClick={(event) => {
              // In a grid row, a click on the button is not a click on the row.
              event.stopPropagation();
              download.mutate({ run, format: file.format });
            }}
          >
            {props.long
              ? intl.formatMessage(
                  { id: 'reports.downloadSized', defaultMessage: 'Download {format} ({size})' },
                  { format: code, size: text.size(file.sizeBytes) },
                )
              : code}
          </Button>
        );
      })}
    </div>
  );
}
