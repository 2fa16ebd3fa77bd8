import { Button, Dropdown, Field, Input, Option, Switch } from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useCallback, useId, useMemo, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { ApiError } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import { reportKeys } from '../../api/keys';
import { FormDialog, RelativePeriodField, ReportTypeField, useDraftForm } from './form';
import { FormatsField, RecipientsEditor, useFormStyles, useReportText } from './parts';
import {
  SCHEDULE_PRESETS,
  expressionOf,
  scheduleDraft,
  scheduleInput,
  schedulePatch,
  validateSchedule,
  type ScheduleChoice,
  type ScheduleDraft,
} from './schedule';
import type { Schedule } from './types';

const CHOICES: readonly ScheduleChoice[] = ['daily', 'weekdays', 'monday', 'monthly', 'custom'];

/** Every IANA zone the browser knows, offered while typing; any zone Intl accepts is taken. */
const TIME_ZONES: readonly string[] =
  typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];

export interface ScheduleDialogProps {
  /** The schedule to change; a new one when absent. */
  schedule?: Schedule;
  onClose: () => void;
}

/**
 * Creates or changes a report schedule: what runs (report, period, formats), for whom, and when
 * (a preset or an NCRONTAB expression, in a time zone). A change sends only what differs, with the
 * version it was based on.
 */
export function ScheduleDialog({ schedule, onClose }: ScheduleDialogProps) {
  const styles = useFormStyles();
  const intl = useIntl();
  const api = useApi();
  const queryClient = useQueryClient();
  const text = useReportText();
  const timeZoneList = useId();
  // Hundreds of zones: listed once the field is first used, and not again on every keystroke.
  const [zonesWanted, setZonesWanted] = useState(false);
  const timeZoneOptions = useMemo(
    () =>
      zonesWanted && (
        <datalist id={timeZoneList}>
          {TIME_ZONES.map((zone) => (
            <option key={zone} value={zone} />
          ))}
        </datalist>
      ),
    [timeZoneList, zonesWanted],
  );

  const toBody = useCallback(
    (draft: ScheduleDraft) => (schedule ? schedulePatch(schedule, draft) : scheduleInput(draft)),
    [schedule],
  );
  const form = useDraftForm(() => scheduleDraft(schedule), validateSchedule, toBody);
  const { draft, setDraft, set, errorFor } = form;
  const unchanged = schedule !== undefined && form.body !== undefined && Object.keys(form.body).length === 0;

  const save = useMutation({
    mutationFn: (): Promise<Schedule> =>
      schedule
        ? api.patch<Schedule>(`v1/reports/schedules/${schedule.id}`, form.body, schedule.version)
        : api.post<Schedule>('v1/reports/schedules', form.body, { idempotencyKey: form.idempotencyKey }),
    onMutate: () => form.setServerError(undefined),
    onSuccess: (saved) => {
      queryClient.setQueryData(reportKeys.schedule(saved.id), saved);
      void queryClient.invalidateQueries({ queryKey: reportKeys.schedules() });
      onClose();
    },
    onError: form.setServerError,
  });

  const stale = form.serverError instanceof ApiError && form.serverError.status === 412;
  const expression = expressionOf(draft);

  return (
    <FormDialog
      title={
        schedule
          ? intl.formatMessage(
              { id: 'reports.schedule.editTitle', defaultMessage: 'Schedule “{name}”' },
              { name: schedule.name },
            )
          : intl.formatMessage({ id: 'reports.schedule.newTitle', defaultMessage: 'New report schedule' })
      }
      error={form.serverError}
      errorAction={
        stale && (
          <Button
            onClick={() => {
              void queryClient.invalidateQueries({ queryKey: reportKeys.schedules() });
              onClose();
            }}
          >
            <FormattedMessage id="reports.reload" defaultMessage="Reload" />
          </Button>
        )
      }
      submitLabel={
        schedule ? (
          <FormattedMessage id="reports.schedule.save" defaultMessage="Save changes" />
        ) : (
          <FormattedMessage id="reports.schedule.create" defaultMessage="Create schedule" />
        )
      }
      pending={save.isPending}
      submitDisabled={unchanged}
      onSubmit={() => form.attempt() && !unchanged && save.mutate()}
      onClose={onClose}
    >
      <div className={styles.grid}>
        <Field
          label={intl.formatMessage({ id: 'reports.name', defaultMessage: 'Name' })}
          required
          validationMessage={errorFor('name')}
        >
          <Input value={draft.name} maxLength={200} onChange={(_, data) => set('name', data.value)} />
        </Field>
        <ReportTypeField
          value={draft.reportType}
          onChange={(type) => set('reportType', type)}
          validationMessage={errorFor('reportType')}
        />
        <RelativePeriodField
          label={intl.formatMessage({ id: 'reports.period', defaultMessage: 'Period' })}
          hint={intl.formatMessage({
            id: 'reports.period.hint',
            defaultMessage: 'Counted from the day the report runs; balances are as at its last day',
          })}
          value={draft.period}
          onChange={(period) => set('period', period)}
          validationMessage={errorFor('parameters.period') ?? errorFor('parameters')}
        />
      </div>

      <FormatsField
        value={draft.formats}
        onChange={(formats) => set('formats', formats)}
        validationMessage={errorFor('formats')}
      />

      <RecipientsEditor
        rows={draft.recipients}
        onChange={(rows) => set('recipients', rows)}
        errorFor={errorFor}
        required
        hint={intl.formatMessage({
          id: 'reports.recipients.hint',
          defaultMessage:
            'They are told when each report is ready. Only an administrator may add addresses outside the organisation.',
        })}
      />

      <div className={styles.grid}>
        <Field
          label={intl.formatMessage({ id: 'reports.schedule', defaultMessage: 'Schedule' })}
          required
          hint={
            draft.choice === 'custom'
              ? undefined
              : intl.formatMessage(
                  { id: 'reports.schedule.ncrontabHint', defaultMessage: 'NCRONTAB: {expression}' },
                  { expression },
                )
          }
          validationMessage={draft.choice === 'custom' ? undefined : errorFor('schedule')}
        >
          <Dropdown
            value={
              draft.choice === 'custom'
                ? intl.formatMessage({
                    id: 'reports.schedule.customChoice',
                    defaultMessage: 'Custom (NCRONTAB)',
                  })
                : text.schedule(SCHEDULE_PRESETS[draft.choice])
            }
            selectedOptions={[draft.choice]}
            onOptionSelect={(_, data) => {
              const choice = data.optionValue as ScheduleChoice | undefined;
              if (!choice) return;
              setDraft((d) => ({
                ...d,
                choice,
                // Custom starts from what was chosen, to be adjusted.
                expression: choice === 'custom' ? expressionOf(d) : SCHEDULE_PRESETS[choice],
              }));
            }}
          >
            {CHOICES.map((choice) => (
              <Option key={choice} value={choice}>
                {choice === 'custom'
                  ? intl.formatMessage({
                      id: 'reports.schedule.customChoice',
                      defaultMessage: 'Custom (NCRONTAB)',
                    })
                  : text.schedule(SCHEDULE_PRESETS[choice])}
              </Option>
            ))}
          </Dropdown>
        </Field>
        {draft.choice === 'custom' && (
          <Field
            label={intl.formatMessage({
              id: 'reports.schedule.expression',
              defaultMessage: 'NCRONTAB expression',
            })}
            required
            hint={intl.formatMessage(
              {
                id: 'reports.schedule.expressionHint',
                defaultMessage:
                  'Second minute hour day month day-of-week, e.g. 0 30 6 * * 1-5. Reads: {words}',
              },
              { words: text.schedule(draft.expression) },
            )}
            validationMessage={errorFor('schedule')}
          >
            <Input
              className={styles.code}
              value={draft.expression}
              maxLength={200}
              spellCheck={false}
              onChange={(_, data) => set('expression', data.value)}
            />
          </Field>
        )}
        <Field
          label={intl.formatMessage({ id: 'reports.timeZone', defaultMessage: 'Time zone' })}
          required
          validationMessage={errorFor('timeZone')}
        >
          <Input
            value={draft.timeZone}
            list={timeZoneList}
            onFocus={() => setZonesWanted(true)}
            maxLength={64}
            spellCheck={false}
            onChange={(_, data) => set('timeZone', data.value)}
          />
        </Field>
        {timeZoneOptions}
      </div>

      <Field
        hint={intl.formatMessage({
          id: 'reports.active.hint',
          defaultMessage: 'A paused schedule does not run until it is switched on again',
        })}
        validationMessage={errorFor('active')}
      >
        <Switch
          label={intl.formatMessage({ id: 'reports.active', defaultMessage: 'Active' })}
          checked={draft.active}
          onChange={(_, data) => set('active', data.checked)}
        />
      </Field>
    </FormDialog>
  );
}
