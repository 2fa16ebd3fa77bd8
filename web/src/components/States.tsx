import {
  Button,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { ApiError, NetworkError } from '../api/client';

const useStyles = makeStyles({
  centered: { padding: tokens.spacingVerticalXXL, display: 'flex', justifyContent: 'center' },
  empty: { padding: tokens.spacingVerticalXXL, textAlign: 'center', color: tokens.colorNeutralForeground3 },
});

export function Loading({ label }: { label?: string }) {
  const styles = useStyles();
  const intl = useIntl();
  return (
    <div className={styles.centered}>
      <Spinner label={label ?? intl.formatMessage({ id: 'state.loading', defaultMessage: 'Loading…' })} />
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  const styles = useStyles();
  return (
    <div role="status" className={styles.empty}>
      {children}
    </div>
  );
}

/** A sentence for any failed request, in the user's language where the status says enough. */
export function useErrorText() {
  const intl = useIntl();
  return (error: unknown): string => {
    if (error instanceof ApiError) {
      switch (error.status) {
        case 403:
          return intl.formatMessage({
            id: 'error.forbidden',
            defaultMessage: 'Your roles do not allow this. Ask an administrator if you need it.',
          });
        case 404:
          return intl.formatMessage({ id: 'error.notFound', defaultMessage: 'This record does not exist.' });
        case 412:
          return intl.formatMessage({
            id: 'error.stale',
            defaultMessage:
              'Someone else changed this record after you opened it. Reload to see their changes, then make yours again.',
          });
        case 429:
          return intl.formatMessage({
            id: 'error.rateLimited',
            defaultMessage: 'Too many requests just now. Wait a moment and try again.',
          });
        default:
          return error.message;
      }
    }
    if (error instanceof NetworkError) {
      return intl.formatMessage({
        id: 'error.network',
        defaultMessage: 'The server could not be reached. Check the connection and try again.',
      });
    }
    return error instanceof Error ? error.message : String(error);
  };
}

export function ErrorState({
  error,
  onRetry,
  title,
}: {
  error: unknown;
  onRetry?: () => void;
  title?: string;
}) {
  const errorText = useErrorText();
  return (
    <MessageBar intent="error" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>
          {title ?? <FormattedMessage id="error.title" defaultMessage="Something went wrong" />}
        </MessageBarTitle>
        {errorText(error)}
      </MessageBarBody>
      {onRetry && (
        <MessageBarActions>
          <Button onClick={onRetry}>
            <FormattedMessage id="action.retry" defaultMessage="Try again" />
          </Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}
