import { Field, Input, Radio, RadioGroup } from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { FormattedMessage, useIntl } from 'react-intl';
import { useNavigate } from 'react-router';
import { useApi } from '../../api/ApiProvider';
import { reportKeys } from '../../api/keys';
import { FormDialog, RelativePeriodField, ReportTypeField, useDraftForm } from './form';
import { FormatsField, RecipientsEditor, useFormStyles } from './parts';
import { recipientsInput, validateRecipients, type DraftErrors, type RecipientDraft } from './schedule';
import {
  AS_AT_REPORTS,
  type RelativePeriod,
  type ReportFormat,
  type ReportType,
  type Run,
  type RunRequest,
} from './types';

interface RunDraft {
  reportType: ReportType | '';
  /** A period relative to today, or dates of the user's choosing. */
  periodKind: 'relative' | 'dates';
  period: RelativePeriod;
  from: string;
  to: string;
  formats: ReportFormat[];
  recipients: RecipientDraft[];
}

const EMPTY: RunDraft = {
  reportType: '',
  periodKind: 'relative',
  period: 'lastMonth',
  from: '',
  to: '',
  formats: ['pdf'],
  recipients: [],
};

function validateRun(draft: RunDraft): DraftErrors {
  const errors: DraftErrors = {};
  if (!draft.reportType) errors.reportType = 'required';
  if (draft.formats.length === 0) errors.formats = 'formats';
  if (draft.periodKind === 'dates') {
    const asAt = draft.reportType !== '' && AS_AT_REPORTS.has(draft.reportType);
    if (!draft.to) errors.to = 'required';
    if (!asAt && !draft.from) errors.from = 'required';
    else if (!asAt && draft.to && draft.from > draft.to) errors.to = 'dates';
  }
  validateRecipients(draft.recipients, errors);
  return errors;
}

function runRequest(draft: RunDraft): RunRequest {
  const reportType = draft.reportType as ReportType;
  const period =
    draft.periodKind === 'relative'
      ? { parameters: { period: draft.period } }
      : AS_AT_REPORTS.has(reportType)
        ? { to: draft.to }
        : { from: draft.from, to: draft.to };
  return {
    reportType,
    formats: (['pdf', 'xlsx', 'csv'] as const).filter((f) => draft.formats.includes(f)),
    ...period,
    ...(draft.recipients.length > 0 ? { recipients: recipientsInput(draft.recipients) } : {}),
  };
}

/**
 * Runs a report once, now: a report type, a period (relative to today, or dates) and formats,
 * optionally announced to recipients. The API answers 202 with the run, whose page follows it.
 */
export function RunNowDialog({ onClose }: { onClose: () => void }) {
  const styles = useFormStyles();
  const intl = useIntl();
  const api = useApi();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const form = useDraftForm(() => EMPTY, validateRun, runRequest);
  const { draft, set, errorFor } = form;

  const start = useMutation({
    mutationFn: () => api.post<Run>('v1/reports/runs', form.body, { idempotencyKey: form.idempotencyKey }),
    onMutate: () => form.setServerError(undefined),
    onSuccess: (run) => {
      queryClient.setQueryData(reportKeys.run(run.id), run);
      void queryClient.invalidateQueries({ queryKey: reportKeys.runs() });
      onClose();
      void navigate(`/reports/runs/${run.id}`);
    },
    onError: form.setServerError,
  });

  const asAt = draft.reportType !== '' && AS_AT_REPORTS.has(draft.reportType);

  return (
    <FormDialog
      title={intl.formatMessage({ id: 'reports.runNow.title', defaultMessage: 'Run a report now' })}
      error={form.serverError}
      submitLabel={<FormattedMessage id="reports.runNow.submit" defaultMessage="Run report" />}
      pending={start.isPending}
      onSubmit={() => form.attempt() && start.mutate()}
      onClose={onClose}
    >
      <ReportTypeField
        value={draft.reportType}
        onChange={(type) => set('reportType', type)}
        validationMessage={errorFor('reportType')}
      />
      <Field label={intl.formatMessage({ id: 'reports.period', defaultMessage: 'Period' })}>
        <RadioGroup
          layout="horizontal"
          value={draft.periodKind}
          onChange={(_, data) => set('periodKind', data.value as RunDraft['periodKind'])}
        >
          <Radio
            value="relative"
            label={intl.formatMessage({ id: 'reports.runNow.relative', defaultMessage: 'Relative to today' })}
          />
          <Radio
            value="dates"
            label={intl.formatMessage({ id: 'reports.runNow.dates', defaultMessage: 'Dates' })}
          />
        </RadioGroup>
      </Field>
      {draft.periodKind === 'relative' ? (
        <RelativePeriodField
          label={intl.formatMessage({
            id: 'reports.runNow.relativePeriod',
            defaultMessage: 'Relative period',
          })}
          value={draft.period}
          onChange={(period) => set('period', period)}
          validationMessage={errorFor('parameters.period') ?? errorFor('parameters')}
        />
      ) : (
        <div className={styles.grid}>
          {!asAt && (
            <Field
              label={intl.formatMessage({ id: 'reports.from', defaultMessage: 'From' })}
              required
              validationMessage={errorFor('from')}
            >
              <Input type="date" value={draft.from} onChange={(_, data) => set('from', data.value)} />
            </Field>
          )}
          <Field
            label={
              asAt
                ? intl.formatMessage({ id: 'reports.asAt', defaultMessage: 'As at' })
                : intl.formatMessage({ id: 'reports.to', defaultMessage: 'To' })
            }
            required
            validationMessage={errorFor('to')}
          >
            <Input type="date" value={draft.to} onChange={(_, data) => set('to', data.value)} />
          </Field>
        </div>
      )}
      <FormatsField
        value={draft.formats}
        onChange={(formats) => set('formats', formats)}
        validationMessage={errorFor('formats')}
      />
      <RecipientsEditor
        rows={draft.recipients}
        onChange={(rows) => set('recipients', rows)}
        errorFor={errorFor}
        hint={intl.formatMessage({
          id: 'reports.runNow.recipientsHint',
          defaultMessage: 'Optional: who is told when the report is ready',
        })}
      />
    </FormDialog>
  );
}
