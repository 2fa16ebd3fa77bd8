import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
} from '@fluentui/react-components';
import { FormattedMessage, useIntl } from 'react-intl';
import { ApiError } from '../../api/client';
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
