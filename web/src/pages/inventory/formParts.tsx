import {
  Badge,
  Button,
  Dropdown,
  Field,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Switch,
  Title2,
  Toolbar,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { FormattedMessage, useIntl } from 'react-intl';
import { ApiError } from '../../api/client';
import type { GridColumn } from '../../components/ResourceGrid';
import { useErrorText } from '../../components/States';

/** The reasons a form field is refused before anything is sent. */
export type FormErrorKind =
  | 'required'
  | 'positive'
  | 'amount'
  | 'code'
  | 'sku'
  | 'uom'
  | 'currency'
  | 'terms'
  | 'email'
  | 'country'
  | 'sameWarehouse'
  | 'nonZero'
  | 'lines';

/** The sentence for a client-side field error. */
export function useFormErrorText() {
  const intl = useIntl();
  return (kind: FormErrorKind): string => {
    switch (kind) {
      case 'required':
        return intl.formatMessage({ id: 'form.required', defaultMessage: 'Required' });
      case 'positive':
        return intl.formatMessage({ id: 'form.positive', defaultMessage: 'A number greater than zero' });
      case 'amount':
        return intl.formatMessage({
          id: 'form.amount',
          defaultMessage: 'An amount such as 1250.00, not negative, up to 4 decimals',
        });
      case 'code':
        return intl.formatMessage({
          id: 'form.code',
          defaultMessage: 'Up to 20 capitals, digits, dots, underscores or hyphens',
        });
      case 'sku':
        return intl.formatMessage({
          id: 'item.skuFormat',
          defaultMessage: 'Up to 40 capitals, digits, dots, underscores, slashes or hyphens',
        });
      case 'uom':
        return intl.formatMessage({
          id: 'item.uomFormat',
          defaultMessage: 'A unit in lower case, such as bag, ton, each or m3',
        });
      case 'currency':
        return intl.formatMessage({ id: 'form.currency', defaultMessage: 'A currency code such as ZAR' });
      case 'terms':
        return intl.formatMessage({
          id: 'customer.termsFormat',
          defaultMessage: 'Whole days from 0 to 365',
        });
      case 'email':
        return intl.formatMessage({
          id: 'form.email',
          defaultMessage: 'An e-mail address such as name@example.com',
        });
      case 'country':
        return intl.formatMessage({
          id: 'form.country',
          defaultMessage: 'A two-letter country code such as ZA',
        });
      case 'sameWarehouse':
        return intl.formatMessage({
          id: 'transfer.sameWarehouse',
          defaultMessage: 'Choose a warehouse other than the one the stock leaves',
        });
      case 'nonZero':
        return intl.formatMessage({
          id: 'adjustment.nonZero',
          defaultMessage: 'A quantity other than zero: negative takes stock out',
        });
      case 'lines':
        return intl.formatMessage({ id: 'form.linesRequired', defaultMessage: 'Add at least one line' });
    }
  };
}

/**
 * Why a save failed, above the form. A stale version (412) offers to reload the record; the edits
 * made here are then replaced by what is saved.
 */
export function SaveErrorBar({ error, onReload }: { error: unknown; onReload?: () => void }) {
  const errorText = useErrorText();
  const conflict = error instanceof ApiError && error.status === 412;
  const fieldCount = error instanceof ApiError ? error.fieldErrors.length : 0;
  return (
    <MessageBar intent="error" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>
          {conflict ? (
            <FormattedMessage id="form.conflictTitle" defaultMessage="Changed by someone else" />
          ) : (
            <FormattedMessage id="form.notSaved" defaultMessage="Not saved" />
          )}
        </MessageBarTitle>
        {errorText(error)}
        {fieldCount > 0 && (
          <>
            {' '}
            <FormattedMessage
              id="form.fieldErrors"
              defaultMessage="{count, plural, one {# field needs} other {# fields need}} attention."
              values={{ count: fieldCount }}
            />
          </>
        )}
      </MessageBarBody>
      {conflict && onReload && (
        <MessageBarActions>
          <Button onClick={onReload}>
            <FormattedMessage id="action.reload" defaultMessage="Reload" />
          </Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}

export type ActiveChoice = 'true' | 'false' | '';

/** A list filter on the active flag: active records, deactivated ones, or all. */
export function ActiveFilter(props: {
  value: ActiveChoice;
  onChange: (value: ActiveChoice) => void;
  activeLabel: string;
  inactiveLabel: string;
}) {
  const intl = useIntl();
  const labels: Record<ActiveChoice, string> = {
    true: props.activeLabel,
    false: props.inactiveLabel,
    '': intl.formatMessage({ id: 'filter.all', defaultMessage: 'All' }),
  };
  return (
    <Field label={intl.formatMessage({ id: 'filter.active', defaultMessage: 'Active' })}>
      <Dropdown
        value={labels[props.value]}
        selectedOptions={[props.value]}
        onOptionSelect={(_, data) => props.onChange((data.optionValue ?? '') as ActiveChoice)}
      >
        {(['true', 'false', ''] as const).map((value) => (
          <Option key={value} value={value}>
            {labels[value]}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}

/** The grid column of the active flag: yes, or a badge saying the record is deactivated. */
export function activeColumn<T>(
  header: string,
  inactiveLabel: string,
  isActive: (row: T) => boolean,
): GridColumn<T> {
  return {
    id: 'active',
    header,
    value: (row) => (isActive(row) ? 1 : 0),
    render: (row) =>
      isActive(row) ? (
        <FormattedMessage id="filter.yes" defaultMessage="Yes" />
      ) : (
        <Badge appearance="tint" color="subtle">
          {inactiveLabel}
        </Badge>
      ),
    exportValue: (row) => (isActive(row) ? 'true' : 'false'),
    width: 110,
  };
}

/** Save (or create) and discard, under a form the user may change. */
export function FormActions(props: {
  label: string;
  submitLabel: string;
  isNew?: boolean;
  dirty: boolean;
  pending: boolean;
  onDiscard: () => void;
}) {
  return (
    <Toolbar aria-label={props.label}>
      <Button appearance="primary" type="submit" disabled={props.pending || (!props.isNew && !props.dirty)}>
        {props.submitLabel}
      </Button>
      {props.dirty && !props.isNew && (
        <Button onClick={props.onDiscard} disabled={props.pending}>
          <FormattedMessage id="form.discard" defaultMessage="Discard changes" />
        </Button>
      )}
    </Toolbar>
  );
}

const useHeadingStyles = makeStyles({
  heading: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
});

/** A form's title with what the user should know at a glance: deactivated, unsaved, saved. */
export function FormHeading(props: {
  title: string;
  inactiveLabel?: string;
  dirty: boolean;
  saved?: boolean;
}) {
  const styles = useHeadingStyles();
  return (
    <div className={styles.heading}>
      <Title2 as="h1">{props.title}</Title2>
      {props.inactiveLabel && (
        <Badge appearance="tint" color="subtle">
          {props.inactiveLabel}
        </Badge>
      )}
      {props.dirty && (
        <Badge appearance="outline" color="warning">
          <FormattedMessage id="form.unsaved" defaultMessage="Unsaved changes" />
        </Badge>
      )}
      {props.saved && !props.dirty && (
        <Badge appearance="tint" color="success" role="status">
          <FormattedMessage id="form.saved" defaultMessage="Saved" />
        </Badge>
      )}
    </div>
  );
}

/** The active flag of a record, with what each state means for it and a refusal to change it. */
export function ActiveField(props: {
  checked: boolean;
  disabled: boolean;
  onLabel: string;
  offLabel: string;
  error: string | undefined;
  onChange: (active: boolean) => void;
}) {
  const intl = useIntl();
  return (
    <Field
      label={intl.formatMessage({ id: 'filter.active', defaultMessage: 'Active' })}
      validationMessage={props.error}
    >
      <Switch
        checked={props.checked}
        disabled={props.disabled}
        label={props.checked ? props.onLabel : props.offLabel}
        onChange={(_, data) => props.onChange(data.checked)}
      />
    </Field>
  );
}
