/** What the schedule form and the run-now form share: their state, their dialog and two fields. */
import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  Option,
} from '@fluentui/react-components';
import { useMemo, useState, type ReactNode } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { fieldErrorsOf } from '../../api/client';
import { periodLabels, reportTypeLabels } from './labels';
import { useFormStyles, useReportText, useRequestErrorText } from './parts';
import type { DraftErrors } from './schedule';
import { RELATIVE_PERIODS, REPORT_TYPES, type RelativePeriod, type ReportType } from './types';

/**
 * A draft, its checks, the body it makes once they pass, and the messages by field: the client's
 * after a first try to submit, else the server's (paths without `body.`). The Idempotency-Key
 * follows the body: a retry of the same submission reuses it, a changed form gets a new one.
 */
export function useDraftForm<D, B>(
  initial: () => D,
  validate: (draft: D) => DraftErrors,
  toBody: (draft: D) => B,
) {
  const text = useReportText();
  const [draft, setDraft] = useState<D>(initial);
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<unknown>();
  const clientErrors = useMemo(() => validate(draft), [validate, draft]);
  const valid = Object.keys(clientErrors).length === 0;
  const body = useMemo(() => (valid ? toBody(draft) : undefined), [valid, toBody, draft]);
  const bodyText = JSON.stringify(body);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const idempotencyKey = useMemo(() => crypto.randomUUID(), [bodyText]);
  const serverFieldErrors = fieldErrorsOf(serverError);
  return {
    draft,
    setDraft,
    set: <K extends keyof D>(key: K, value: D[K]) => setDraft((d) => ({ ...d, [key]: value })),
    body,
    idempotencyKey,
    serverError,
    setServerError,
    /** Marks the form as tried; true when the body may be sent. */
    attempt: () => {
      setSubmitted(true);
      return valid;
    },
    errorFor: (path: string): string | undefined => {
      const client = submitted ? clientErrors[path] : undefined;
      return client ? text.problem(client) : serverFieldErrors[path];
    },
  };
}

/** A modal dialog holding a form: title, the request's error, the fields, and the actions. */
export function FormDialog(props: {
  title: string;
  error: unknown;
  /** Offered beside the error, e.g. reload after a stale version. */
  errorAction?: ReactNode;
  submitLabel: ReactNode;
  pending: boolean;
  submitDisabled?: boolean;
  onSubmit: () => void;
  onClose: () => void;
  children: ReactNode;
}) {
  const styles = useFormStyles();
  const requestErrorText = useRequestErrorText();
  return (
    <Dialog open modalType="modal" onOpenChange={(_, data) => !data.open && props.onClose()}>
      <DialogSurface>
        <form
          noValidate
          aria-label={props.title}
          onSubmit={(event) => {
            // The dialog is portalled, but React still bubbles its submit to any form around it.
            event.preventDefault();
            event.stopPropagation();
            props.onSubmit();
          }}
        >
          <DialogBody>
            <DialogTitle>{props.title}</DialogTitle>
            <DialogContent className={styles.form}>
              {props.error !== undefined && (
                <MessageBar intent="error" layout="multiline">
                  <MessageBarBody>{requestErrorText(props.error)}</MessageBarBody>
                  {props.errorAction && <MessageBarActions>{props.errorAction}</MessageBarActions>}
                </MessageBar>
              )}
              {props.children}
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" type="submit" disabled={props.pending || props.submitDisabled}>
                {props.submitLabel}
              </Button>
              <Button onClick={props.onClose} disabled={props.pending}>
                <FormattedMessage id="reports.cancel" defaultMessage="Cancel" />
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

export function ReportTypeField(props: {
  value: ReportType | '';
  onChange: (type: ReportType | '') => void;
  validationMessage?: string;
}) {
  const intl = useIntl();
  return (
    <Field
      label={intl.formatMessage({ id: 'reports.report', defaultMessage: 'Report' })}
      required
      validationMessage={props.validationMessage}
    >
      <Dropdown
        value={props.value ? intl.formatMessage(reportTypeLabels[props.value]) : ''}
        selectedOptions={props.value ? [props.value] : []}
        placeholder={intl.formatMessage({ id: 'reports.chooseReport', defaultMessage: 'Choose a report' })}
        onOptionSelect={(_, data) => props.onChange((data.optionValue ?? '') as ReportType | '')}
      >
        {REPORT_TYPES.map((type) => (
          <Option key={type} value={type}>
            {intl.formatMessage(reportTypeLabels[type])}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}

export function RelativePeriodField(props: {
  label: string;
  hint?: string;
  value: RelativePeriod;
  onChange: (period: RelativePeriod) => void;
  validationMessage?: string;
}) {
  const intl = useIntl();
  return (
    <Field label={props.label} hint={props.hint} validationMessage={props.validationMessage}>
      <Dropdown
        value={intl.formatMessage(periodLabels[props.value])}
        selectedOptions={[props.value]}
        onOptionSelect={(_, data) => data.optionValue && props.onChange(data.optionValue as RelativePeriod)}
      >
        {RELATIVE_PERIODS.map((period) => (
          <Option key={period} value={period}>
            {intl.formatMessage(periodLabels[period])}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}
