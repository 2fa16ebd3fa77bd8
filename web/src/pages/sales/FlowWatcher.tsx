import { MessageBar, MessageBarBody, MessageBarTitle, Spinner } from '@fluentui/react-components';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { Link } from 'react-router';
import { useApi } from '../../api/ApiProvider';
import { flowKeys, salesKeys } from '../../api/keys';
import type { FlowStatus } from '../../api/types';
import { ErrorState } from '../../components/States';
import { flowOutcomeLabels, flowStepLabels } from './labels';

const POLL_INTERVAL_MS = 1_000;
const ACTIVE = new Set(['Pending', 'Running', 'ContinuedAsNew', 'Suspended']);

/** Follows the quote-to-order flow: its current step while it runs, then the order or the reason. */
export function FlowWatcher({
  instanceId,
  quoteId,
}: {
  instanceId: string;
  quoteId: string;
  outcome?: string | null;
}) {
  const api = useApi();
  const intl = useIntl();
  const queryClient = useQueryClient();
  const flow = useQuery({
    queryKey: flowKeys.flow(instanceId),
    queryFn: ({ signal }) => api.get<FlowStatus>(`v1/flows/${instanceId}`, { signal }),
    refetchInterval: (query) =>
      query.state.data && !ACTIVE.has(query.state.data.runtimeStatus) ? false : POLL_INTERVAL_MS,
  });
  const finished = flow.data !== undefined && !ACTIVE.has(flow.data.runtimeStatus);
  useEffect(() => {
    if (!finished) return;
    // The quote's status and the orders changed with the flow's end.
    void queryClient.invalidateQueries({ queryKey: salesKeys.quote(quoteId) });
    void queryClient.invalidateQueries({ queryKey: salesKeys.orders() });
  }, [finished, quoteId, queryClient]);

  if (flow.isError) return <ErrorState error={flow.error} onRetry={() => void flow.refetch()} />;
  const status = flow.data;
  const step = status?.customStatus?.step ?? 'starting';
  const stepText =
    step in flowStepLabels ? intl.formatMessage(flowStepLabels[step as keyof typeof flowStepLabels]) : step;

  if (!status || !finished) {
    return (
      <MessageBar intent="info" layout="multiline" aria-live="polite">
        <MessageBarBody>
          <MessageBarTitle>
            <FormattedMessage id="flow.running" defaultMessage="Turning the quote into an order" />
          </MessageBarTitle>
          <Spinner size="extra-tiny" /> <span data-testid="flow-step">{stepText}</span>
        </MessageBarBody>
      </MessageBar>
    );
  }
  const output = status.output;
  if (status.runtimeStatus === 'Completed' && output?.outcome === 'ordered' && output.orderId) {
    return (
      <MessageBar intent="success" aria-live="polite">
        <MessageBarBody>
          <MessageBarTitle>
            <FormattedMessage id="flow.ordered" defaultMessage="Order created" />
          </MessageBarTitle>
          <Link to={`/sales/orders/${output.orderId}`}>
            <FormattedMessage
              id="flow.openOrder"
              defaultMessage="Open order {number}"
              values={{ number: output.orderNumber ?? '' }}
            />
          </Link>
        </MessageBarBody>
      </MessageBar>
    );
  }
  const outcome = output?.outcome;
  return (
    <MessageBar intent="warning" layout="multiline" aria-live="polite">
      <MessageBarBody>
        <MessageBarTitle>
          {outcome && outcome in flowOutcomeLabels ? (
            intl.formatMessage(flowOutcomeLabels[outcome as keyof typeof flowOutcomeLabels])
          ) : (
            <FormattedMessage id="flow.failed" defaultMessage="The flow ended without an order" />
          )}
        </MessageBarTitle>
        {output?.reason ?? status.error ?? ''}
      </MessageBarBody>
    </MessageBar>
  );
}
