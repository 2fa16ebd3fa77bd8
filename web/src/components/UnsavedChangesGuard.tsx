import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
} from '@fluentui/react-components';
import { useEffect, useRef } from 'react';
import { FormattedMessage } from 'react-intl';
import { useBlocker } from 'react-router';

/**
 * Keeps a user from losing unsaved changes: leaving the page inside the app asks first, closing or
 * reloading the tab lets the browser ask. Call `allowLeaving()` before navigating away after a save.
 */
export function useUnsavedChangesGuard(dirty: boolean) {
  const leaving = useRef(false);
  const blocker = useBlocker(
    ({ currentLocation, nextLocation }) =>
      dirty && !leaving.current && currentLocation.pathname !== nextLocation.pathname,
  );
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);
  const dialog = (
    <Dialog open={blocker.state === 'blocked'} modalType="alert">
      <DialogSurface>
        <DialogBody>
          <DialogTitle>
            <FormattedMessage id="form.leaveTitle" defaultMessage="Leave without saving?" />
          </DialogTitle>
          <DialogContent>
            <FormattedMessage
              id="form.leaveChanges"
              defaultMessage="Your changes are not saved and will be lost."
            />
          </DialogContent>
          <DialogActions>
            <Button appearance="primary" onClick={() => blocker.reset?.()}>
              <FormattedMessage id="form.stay" defaultMessage="Stay" />
            </Button>
            <Button onClick={() => blocker.proceed?.()}>
              <FormattedMessage id="form.leave" defaultMessage="Leave" />
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
  return {
    dialog,
    allowLeaving: () => {
      leaving.current = true;
    },
  };
}
