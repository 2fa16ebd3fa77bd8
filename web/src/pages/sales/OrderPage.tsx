import {
  Badge,
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
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Textarea,
  Title2,
  Title3,
  Toolbar,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { Link, useParams } from 'react-router';
import { fieldErrorsOf } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import { salesKeys } from '../../api/keys';
import type { Order } from '../../api/types';
import { useRoles } from '../../auth/AuthProvider';
import { can } from '../../auth/roles';
import { DocumentsPanel } from '../../components/DocumentsPanel';
import { ErrorState, Loading, useErrorText } from '../../components/States';
import { useFormat } from '../../format/useFormat';
import { orderStatusLabels } from './labels';
import { usePageStyles } from './QuotesPage';

const useStyles = makeStyles({
  numeric: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  facts: { display: 'flex', gap: tokens.spacingHorizontalXXL, flexWrap: 'wrap' },
  scroller: { overflowX: 'auto' },
});

/**
 * `/sales/orders/:id`: the order's lines, deliveries and invoices, its actions, its documents and,
 * for those who may read the books, each invoice's documents (the tax invoice PDF filed when the
 * invoice was issued among them).
 */
export function OrderPage() {
  const { id = '' } = useParams();
  const page = usePageStyles();
  const styles = useStyles();
  const intl = useIntl();
  const api = useApi();
  const format = useFormat();
  const errorText = useErrorText();
  const roles = useRoles();
  const queryClient = useQueryClient();
  const [cancelOpen, setCancelOpen] = useState(false);
  const [reason, setReason] = useState('');
  const order = useQuery({
    queryKey: salesKeys.order(id),
    queryFn: ({ signal }) => api.get<Order>(`v1/sales/orders/${id}`, { signal }),
  });
  const action = useMutation({
    mutationFn: async (kind: 'deliveries' | 'invoices' | 'cancel') => {
      const current = order.data;
      if (!current) throw new Error('The order is not loaded.');
      const body = kind === 'cancel' ? { reason: reason.trim() } : {};
      await api.post(`v1/sales/orders/${id}/${kind}`, body, { version: current.version });
    },
    onSuccess: (_, kind) => {
      if (kind === 'cancel') setCancelOpen(false);
      void queryClient.invalidateQueries({ queryKey: salesKeys.orders() });
    },
  });

  if (order.isPending) return <Loading />;
  if (order.isError) return <ErrorState error={order.error} onRetry={() => void order.refetch()} />;
  const o = order.data;
  const open = o.status !== 'cancelled' && o.status !== 'invoiced';
  const toDeliver = o.lines.some((l) => Number(l.toDeliver) > 0);
  const toInvoice = o.lines.some((l) => Number(l.toInvoice) > 0);
  const reasonError = fieldErrorsOf(action.error).reason;

  return (
    <div className={page.page}>
      <div className={page.heading}>
        <Title2 as="h1">
          <FormattedMessage id="order.title" defaultMessage="Order {number}" values={{ number: o.number }} />
        </Title2>
        <Badge appearance="tint">{intl.formatMessage(orderStatusLabels[o.status])}</Badge>
      </div>
      <div className={styles.facts}>
        <span>
          <FormattedMessage id="quote.customer" defaultMessage="Customer" />: {o.customer.name}
        </span>
        {o.quote ? (
          <span>
            <FormattedMessage id="order.quote" defaultMessage="From quote" />:{' '}
            <Link to={`/sales/quotes/${o.quote.id}`}>{o.quote.number}</Link>
          </span>
        ) : (
          <span>
            <FormattedMessage id="order.direct" defaultMessage="Entered directly" />
          </span>
        )}
        <span>
          <FormattedMessage id="quote.date" defaultMessage="Date" />: {format.date(o.orderDate)}
        </span>
        <span>
          <FormattedMessage id="quote.totalGross" defaultMessage="Total" />:{' '}
          <strong>{format.money(o.gross)}</strong>
        </span>
      </div>
      {o.cancelReason && (
        <MessageBar intent="warning">
          <MessageBarBody>{o.cancelReason}</MessageBarBody>
        </MessageBar>
      )}
      {action.isError && !reasonError && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>{errorText(action.error)}</MessageBarBody>
        </MessageBar>
      )}
      <Toolbar aria-label={intl.formatMessage({ id: 'order.actions', defaultMessage: 'Order actions' })}>
        {open && can.deliver(roles) && (
          <Button
            appearance="primary"
            disabled={!toDeliver || action.isPending}
            onClick={() => action.mutate('deliveries')}
          >
            <FormattedMessage id="order.deliverAll" defaultMessage="Deliver all" />
          </Button>
        )}
        {open && can.invoice(roles) && (
          <Button disabled={!toInvoice || action.isPending} onClick={() => action.mutate('invoices')}>
            <FormattedMessage id="order.invoiceDelivered" defaultMessage="Invoice delivered" />
          </Button>
        )}
        {open && can.cancelOrder(roles) && (
          <Button disabled={action.isPending} onClick={() => setCancelOpen(true)}>
            <FormattedMessage id="order.cancel" defaultMessage="Cancel order" />
          </Button>
        )}
      </Toolbar>
      <div className={styles.scroller}>
        <Table aria-label={intl.formatMessage({ id: 'quote.lines', defaultMessage: 'Lines' })} size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>
                <FormattedMessage id="quote.line.item" defaultMessage="Item" />
              </TableHeaderCell>
              <TableHeaderCell>
                <FormattedMessage id="quote.line.warehouse" defaultMessage="Warehouse" />
              </TableHeaderCell>
              <TableHeaderCell className={styles.numeric}>
                <FormattedMessage id="quote.line.quantity" defaultMessage="Quantity" />
              </TableHeaderCell>
              <TableHeaderCell className={styles.numeric}>
                <FormattedMessage id="order.line.delivered" defaultMessage="Delivered" />
              </TableHeaderCell>
              <TableHeaderCell className={styles.numeric}>
                <FormattedMessage id="order.line.invoiced" defaultMessage="Invoiced" />
              </TableHeaderCell>
              <TableHeaderCell className={styles.numeric}>
                <FormattedMessage id="quote.line.unitPrice" defaultMessage="Unit price" />
              </TableHeaderCell>
              <TableHeaderCell className={styles.numeric}>
                <FormattedMessage id="quote.line.net" defaultMessage="Net" />
              </TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {o.lines.map((line) => (
              <TableRow key={line.lineNo}>
                <TableCell>{`${line.sku} · ${line.description}`}</TableCell>
                <TableCell>{line.warehouseCode ?? '—'}</TableCell>
                <TableCell
                  className={styles.numeric}
                >{`${format.quantity(line.quantity)} ${line.uom}`}</TableCell>
                <TableCell className={styles.numeric}>{format.quantity(line.delivered)}</TableCell>
                <TableCell className={styles.numeric}>{format.quantity(line.invoiced)}</TableCell>
                <TableCell className={styles.numeric}>{format.money(line.unitPrice)}</TableCell>
                <TableCell className={styles.numeric}>{format.money(line.net)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
      <Title3 as="h2">
        <FormattedMessage id="order.deliveries" defaultMessage="Deliveries and invoices" />
      </Title3>
      {o.deliveries.length === 0 && o.invoices.length === 0 ? (
        <span>
          <FormattedMessage id="order.nothingYet" defaultMessage="Nothing delivered or invoiced yet." />
        </span>
      ) : (
        <ul>
          {o.deliveries.map((d) => (
            <li key={d.id}>
              <FormattedMessage
                id="order.delivery"
                defaultMessage="Delivery {number} on {date}"
                values={{ number: d.number, date: format.date(d.date) }}
              />
            </li>
          ))}
          {o.invoices.map((i) => (
            <li key={i.id}>
              <FormattedMessage
                id="order.invoice"
                defaultMessage="Invoice {number}: {amount}"
                values={{ number: i.number ?? '—', amount: format.money(i.gross) }}
              />
            </li>
          ))}
        </ul>
      )}
      <DocumentsPanel recordType="sales_order" recordId={o.id} />
      {o.invoices.map((i) => (
        <DocumentsPanel
          key={i.id}
          recordType="invoice"
          recordId={i.id}
          title={intl.formatMessage(
            { id: 'documents.invoiceTitle', defaultMessage: 'Documents of invoice {number}' },
            { number: i.number ?? '—' },
          )}
        />
      ))}
      <Dialog open={cancelOpen} onOpenChange={(_, data) => setCancelOpen(data.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>
              <FormattedMessage id="order.cancelTitle" defaultMessage="Cancel this order?" />
            </DialogTitle>
            <DialogContent>
              <Field
                label={intl.formatMessage({ id: 'order.cancelReason', defaultMessage: 'Reason' })}
                required
                validationMessage={reasonError}
              >
                <Textarea value={reason} maxLength={500} onChange={(_, data) => setReason(data.value)} />
              </Field>
            </DialogContent>
            <DialogActions>
              <Button
                appearance="primary"
                disabled={!reason.trim() || action.isPending}
                onClick={() => action.mutate('cancel')}
              >
                <FormattedMessage id="order.cancel" defaultMessage="Cancel order" />
              </Button>
              <Button onClick={() => setCancelOpen(false)}>
                <FormattedMessage id="action.close" defaultMessage="Close" />
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </div>
  );
}
