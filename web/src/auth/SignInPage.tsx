import {
  Button,
  Card,
  Checkbox,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  Option,
  Title2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useState, type FormEvent } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { DeveloperSignInError, useAuth } from './AuthProvider';
import { ROLES } from './roles';

const useStyles = makeStyles({
  page: { minHeight: '100vh', display: 'grid', placeItems: 'center', padding: tokens.spacingHorizontalL },
  card: { width: 'min(480px, 100%)', padding: tokens.spacingHorizontalXL },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  roles: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(180px, 1fr))' },
});

const TENANTS = ['demo', 'acme'];

export function SignInPage() {
  const auth = useAuth();
  const styles = useStyles();
  const intl = useIntl();
  const [tenant, setTenant] = useState('demo');
  const [user, setUser] = useState('');
  const [roles, setRoles] = useState<string[]>(['Sales.Rep']);
  const [submitted, setSubmitted] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();

  const userError =
    submitted && !/^[A-Za-z0-9._@-]{1,100}$/.test(user.trim())
      ? intl.formatMessage({
          id: 'signIn.userInvalid',
          defaultMessage: 'Enter a user name: letters, digits, dots, hyphens or an e-mail address.',
        })
      : undefined;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (!/^[A-Za-z0-9._@-]{1,100}$/.test(user.trim())) return;
    setBusy(true);
    setFailure(undefined);
    try {
      await auth.signInDeveloper({ tenant, user: user.trim(), roles });
    } catch (error) {
      setFailure(
        error instanceof DeveloperSignInError || error instanceof Error
          ? error.message
          : intl.formatMessage({ id: 'signIn.failed', defaultMessage: 'Sign-in failed.' }),
      );
    } finally {
      setBusy(false);
    }
  };

  const notice =
    auth.reason === 'expired' ? (
      <MessageBar intent="warning">
        <MessageBarBody>
          <FormattedMessage
            id="signIn.expired"
            defaultMessage="Your session has ended. Sign in again to go on."
          />
        </MessageBarBody>
      </MessageBar>
    ) : null;

  if (auth.mode === 'entra') {
    return (
      <main className={styles.page}>
        <Card className={styles.card}>
          <Title2 as="h1">
            <FormattedMessage id="app.name" defaultMessage="Tessera ERP" />
          </Title2>
          {notice}
          <Button appearance="primary" onClick={() => void auth.signInEntra()}>
            <FormattedMessage id="signIn.microsoft" defaultMessage="Sign in with your work account" />
          </Button>
        </Card>
      </main>
    );
  }

  return (
    <main className={styles.page}>
      <Card className={styles.card}>
        <form className={styles.form} onSubmit={(e) => void submit(e)} noValidate>
          <Title2 as="h1">
            <FormattedMessage id="signIn.developerTitle" defaultMessage="Sign in (local development)" />
          </Title2>
          {notice}
          <Field
            label={intl.formatMessage({ id: 'signIn.tenant', defaultMessage: 'Company (tenant)' })}
            required
          >
            <Dropdown
              value={tenant}
              selectedOptions={[tenant]}
              onOptionSelect={(_, data) => setTenant(data.optionValue ?? 'demo')}
            >
              {TENANTS.map((t) => (
                <Option key={t} value={t}>
                  {t}
                </Option>
              ))}
            </Dropdown>
          </Field>
          <Field
            label={intl.formatMessage({ id: 'signIn.user', defaultMessage: 'User name' })}
            required
            validationMessage={userError}
          >
            <Input value={user} onChange={(_, data) => setUser(data.value)} autoComplete="username" />
          </Field>
          <fieldset>
            <legend>
              <FormattedMessage id="signIn.roles" defaultMessage="Roles" />
            </legend>
            <div className={styles.roles}>
              {ROLES.map((role) => (
                <Checkbox
                  key={role}
                  label={role}
                  checked={roles.includes(role)}
                  onChange={(_, data) =>
                    setRoles((current) =>
                      data.checked ? [...current, role] : current.filter((r) => r !== role),
                    )
                  }
                />
              ))}
            </div>
          </fieldset>
          {failure && (
            <MessageBar intent="error">
              <MessageBarBody>{failure}</MessageBarBody>
            </MessageBar>
          )}
          <Button appearance="primary" type="submit" disabled={busy}>
            <FormattedMessage id="signIn.submit" defaultMessage="Sign in" />
          </Button>
        </form>
      </Card>
    </main>
  );
}
