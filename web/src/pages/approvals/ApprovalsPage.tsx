import {
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  MessageBar,
  MessageBarBody,
  Textarea,
  Title2,
} from '@fluentui/react-components';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { ApiError, fieldErrorsOf } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import { approvalsKeys, salesKeys } from '../../api/keys';
import type { Approval } from '../../api/types';
import { useCursorList } from '../../api/useCursorList';
import { ResourceGrid, type GridColumn } from '../../components/ResourceGrid';
import { useErrorText } from '../../components/States';
import { useFormat } from '../../format/useFormat';
import { usePageStyles } from '../sales/QuotesPage';
import { approvalReasonLabels } from './labels';

const reasonLabels = approvalReasonLabels;

/** What the caller may decide: approve or reject with a comment, once. */
export function ApprovalsPage() {
  const styles = usePageStyles();
  const intl = useIntl();
  const api = useApi();
  const format = useFormat();
  const errorText = useErrorText();
  const queryClient = useQueryClient();
  const [selected, setSelected] = useState<Approval>();
  const [comment, setComment] = useState('');
  const filters = { status: 'pending', view: 'inbox' };
  const list = useCursorList<Approval>(approvalsKeys.inbox(filters), 'v1/approvals', filters);

  const decide = useMutation({
    mutationFn: (decision: 'approve' | 'reject') =>
      api.post<Approval>(`v1/approvals/${selected?.id}/decision`, {
        decision,
        ...(comment.trim() ? { comment: comment.trim() } : {}),
      }),
    onSuccess: () => {
      setSelected(undefined);
      setComment('');
      void queryClient.invalidateQueries({ queryKey: approvalsKeys.all });
      void queryClient.invalidateQueries({ queryKey: salesKeys.all });
    },
  });

  const reasonText = (reason: string) =>
    reason in reasonLabels ? intl.formatMessage(reasonLabels[reason as keyof typeof reasonLabels]) : reason;

  const columns = useMemo<GridColumn<Approval>[]>(
    () => [
      {
        id: 'number',
        header: intl.formatMessage({ id: 'approval.number', defaultMessage: 'Request' }),
        value: (a) => a.number,
        width: 140,
      },
      {
        id: 'title',
        header: intl.formatMessage({ id: 'approval.title', defaultMessage: 'What' }),
        value: (a) => a.title,
        width: 280,
      },
      {
        id: 'amount',
        header: intl.formatMessage({ id: 'approval.amount', defaultMessage: 'Amount' }),
        value: (a) => Number(a.baseAmount.amount),
        render: (a) => format.money(a.amount),
        exportValue: (a) => a.amount.amount,
        numeric: true,
        width: 150,
      },
      {
        id: 'reasons',
        header: intl.formatMessage({ id: 'approval.reasons', defaultMessage: 'Why' }),
        value: (a) => a.reasons.map(reasonText).join('; '),
        width: 240,
      },
      {
        id: 'requestedBy',
        header: intl.formatMessage({ id: 'approval.requestedBy', defaultMessage: 'Asked by' }),
        value: (a) => a.requestedBy.name,
        width: 160,
      },
      {
        id: 'deadline',
        header: intl.formatMessage({ id: 'approval.deadline', defaultMessage: 'Decide by' }),
        value: (a) => a.deadline,
        render: (a) => format.dateTime(a.deadline),
        width: 170,
      },
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [intl, format],
  );

  const decisionError = decide.error;
  const explained =
    decisionError instanceof ApiError && decisionError.status === 409
      ? intl.formatMessage({
          id: 'approval.conflict',
          defaultMessage: 'This request was decided or closed already; the inbox shows what is still open.',
        })
      : decisionError instanceof ApiError && decisionError.status === 403
        ? intl.formatMessage({
            id: 'approval.forbidden',
            defaultMessage:
              'You may not decide this request: it needs another role or a higher approval limit, or you asked for it yourself.',
          })
        : decisionError
          ? errorText(decisionError)
          : undefined;

  return (
    <div className={styles.page}>
      <Title2 as="h1">
        <FormattedMessage id="nav.approvals" defaultMessage="Approvals" />
      </Title2>
      <ResourceGrid<Approval>
        label={intl.formatMessage({ id: 'approvals.inbox', defaultMessage: 'Waiting for your decision' })}
        exportName="approvals"
        columns={columns}
        getRowId={(a) => a.id}
        onRowActivate={(a) => {
          decide.reset();
          setSelected(a);
        }}
        empty={
          <FormattedMessage id="approvals.empty" defaultMessage="Nothing is waiting for your decision." />
        }
        {...list}
      />
      <Dialog open={selected !== undefined} onOpenChange={(_, data) => !data.open && setSelected(undefined)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>{selected?.title}</DialogTitle>
            <DialogContent>
              {selected && (
                <p>
                  <FormattedMessage
                    id="approval.summary"
                    defaultMessage="{amount}, asked by {name}. {reasons}"
                    values={{
                      amount: format.money(selected.amount),
                      name: selected.requestedBy.name,
                      reasons: selected.reasons.map(reasonText).join('; '),
                    }}
                  />
                </p>
              )}
              {selected && !selected.canDecide && (
                <MessageBar intent="warning">
                  <MessageBarBody>
                    <FormattedMessage
                      id="approval.cannotDecide"
                      defaultMessage="You may see this request but not decide it."
                    />
                  </MessageBarBody>
                </MessageBar>
              )}
              <Field
                label={intl.formatMessage({ id: 'approval.comment', defaultMessage: 'Comment' })}
                validationMessage={fieldErrorsOf(decisionError).comment}
              >
                <Textarea value={comment} maxLength={1000} onChange={(_, data) => setComment(data.value)} />
              </Field>
              {explained && (
                <MessageBar intent="error" layout="multiline">
                  <MessageBarBody>{explained}</MessageBarBody>
                </MessageBar>
              )}
            </DialogContent>
            <DialogActions>
              <Button
                appearance="primary"
                disabled={decide.isPending || !selected?.canDecide}
                onClick={() => decide.mutate('approve')}
              >
                <FormattedMessage id="approval.approve" defaultMessage="Approve" />
              </Button>
              <Button
                disabled={decide.isPending || !selected?.canDecide}
                onClick={() => decide.mutate('reject')}
              >
                <FormattedMessage id="approval.reject" defaultMessage="Reject" />
              </Button>
              <Button appearance="subtle" onClick={() => setSelected(undefined)}>
                <FormattedMessage id="action.close" defaultMessage="Close" />
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </div>
  );
}
