import {
  Badge,
  Button,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Dropdown,
  Field,
  Input,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Option,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Textarea,
  Title2,
  Toolbar,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { FormattedMessage, useIntl, type IntlShape } from 'react-intl';
import { useLocation, useNavigate } from 'react-router';
import { approvalReasonLabels } from '../approvals/labels';
import { ApiError, fieldErrorsOf, type Page } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import { accountingKeys, inventoryKeys, salesKeys } from '../../api/keys';
import type {
  Customer,
  Item,
  Order,
  OrderSentForApproval,
  Quote,
  QuoteAccepted,
  TaxCode,
  Warehouse,
} from '../../api/types';
import { useRoles } from '../../auth/AuthProvider';
import { can } from '../../auth/roles';
import { EntityPicker } from '../../components/EntityPicker';
import { RemoveLineButton } from '../../components/RemoveLineButton';
import { useErrorText } from '../../components/States';
import { useUnsavedChangesGuard } from '../../components/UnsavedChangesGuard';
import { Decimal, toAmount } from '../../format/decimal';
import { useFormat } from '../../format/useFormat';
import { FlowWatcher } from './FlowWatcher';
import { quoteStatusLabels } from './labels';
import {
  draftFromQuote,
  emptyLine,
  inputFromDraft,
  liveTotals,
  validateDraft,
  type DraftErrors,
  type LineDraft,
  type QuoteDraft,
} from './quoteDraft';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '1400px' },
  heading: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  header: {
    display: 'grid',
    gap: tokens.spacingHorizontalL,
    gridTemplateColumns: 'repeat(auto-fit, minmax(240px, 1fr))',
  },
  lines: { overflowX: 'auto' },
  linesTable: { tableLayout: 'auto', minWidth: '960px' },
  item: { minWidth: '240px' },
  narrow: { width: '110px' },
  numeric: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  totals: {
    alignSelf: 'flex-end',
    display: 'grid',
    gridTemplateColumns: 'auto auto',
    columnGap: tokens.spacingHorizontalXL,
    rowGap: tokens.spacingVerticalXS,
    fontVariantNumeric: 'tabular-nums',
  },
  total: { textAlign: 'end' },
  gross: { fontWeight: tokens.fontWeightSemibold, textAlign: 'end' },
  note: { color: tokens.colorNeutralForeground3 },
});

function clientErrorText(intl: IntlShape, kind: DraftErrors[string]): string {
  switch (kind) {
    case 'required':
      return intl.formatMessage({ id: 'form.required', defaultMessage: 'Required' });
    case 'positive':
      return intl.formatMessage({ id: 'form.positive', defaultMessage: 'A number greater than zero' });
    case 'discount':
      return intl.formatMessage({
        id: 'form.discount',
        defaultMessage: 'A percentage from 0 to below 100, up to 4 decimals',
      });
    case 'warehouse':
      return intl.formatMessage({
        id: 'quote.warehouseRequired',
        defaultMessage: 'Stock items need the warehouse they come from',
      });
    case 'lines':
      return intl.formatMessage({ id: 'quote.linesRequired', defaultMessage: 'Add at least one line' });
  }
}

/** What an order entered directly that needs approval tells the quote page it became. */
interface QuoteLocationState {
  sentForApproval?: OrderSentForApproval['reasons'];
}

export interface QuoteEditorProps {
  quote: Quote | undefined;
  /** The tenant's base currency, the currency of a new quote until a customer is chosen. */
  baseCurrency: string;
  /**
   * `order` enters a sales order directly with the same customer and lines: confirmed at once, or,
   * when it needs finance's approval, made an accepted quote whose flow asks for it.
   */
  mode?: 'quote' | 'order';
}

/**
 * A quote: its customer and lines with live totals while it is a draft, then the actions its
 * status allows (send, accept, reject), and the quote-to-order flow once accepted.
 */
export function QuoteEditor({ quote, baseCurrency, mode = 'quote' }: QuoteEditorProps) {
  const ordering = mode === 'order' && !quote;
  const styles = useStyles();
  const intl = useIntl();
  const api = useApi();
  const format = useFormat();
  const errorText = useErrorText();
  const roles = useRoles();
  const navigate = useNavigate();
  const location = useLocation();
  const sentForApproval = (location.state as QuoteLocationState | null)?.sentForApproval;
  const queryClient = useQueryClient();

  const initial = useMemo(() => draftFromQuote(quote, baseCurrency), [quote, baseCurrency]);
  const [draft, setDraft] = useState<QuoteDraft>(initial);
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<unknown>();
  const [flowId, setFlowId] = useState<string | undefined>(
    quote?.status === 'accepted' ? quote.flow?.instanceId : undefined,
  );
  // A saved or reloaded quote replaces what is being edited.
  const [basis, setBasis] = useState(initial);
  if (basis !== initial) {
    setBasis(initial);
    setDraft(initial);
    setSubmitted(false);
  }

  const editable = can.sell(roles) && (!quote || quote.status === 'draft');
  const dirty = editable && JSON.stringify(inputFromDraft(draft)) !== JSON.stringify(inputFromDraft(initial));

  const warehouses = useQuery({
    queryKey: inventoryKeys.warehouses(),
    queryFn: ({ signal }) =>
      api.get<Page<Warehouse>>('v1/inventory/warehouses', { query: { limit: 200 }, signal }),
    staleTime: 5 * 60_000,
    enabled: editable,
  });
  const taxCodes = useQuery({
    queryKey: accountingKeys.taxCodes(),
    queryFn: ({ signal }) => api.get<Page<TaxCode>>('v1/accounting/tax-codes', { signal }),
    staleTime: 5 * 60_000,
  });
  const taxRates = useMemo(() => {
    const rates = new Map((taxCodes.data?.items ?? []).map((t) => [t.code, t.rate] as const));
    for (const line of quote?.lines ?? [])
      if (!rates.has(line.taxCode)) rates.set(line.taxCode, line.taxRate);
    return rates;
  }, [taxCodes.data, quote]);
  const totals = useMemo(() => liveTotals(draft, taxRates), [draft, taxRates]);

  const clientErrors = useMemo(() => validateDraft(draft), [draft]);
  const serverFieldErrors = fieldErrorsOf(serverError);
  const errorFor = (path: string): string | undefined => {
    const client = submitted ? clientErrors[path] : undefined;
    return client ? clientErrorText(intl, client) : serverFieldErrors[path];
  };

  const guard = useUnsavedChangesGuard(dirty);

  const onSaved = (saved: Quote) => {
    queryClient.setQueryData(salesKeys.quote(saved.id), saved);
    void queryClient.invalidateQueries({ queryKey: salesKeys.quotes(), refetchType: 'none' });
  };

  const placeOrder = useMutation({
    mutationFn: async () => {
      const { validUntil: _validUntil, notes: _notes, ...input } = inputFromDraft(draft);
      return api.post<Order | OrderSentForApproval>('v1/sales/orders', input);
    },
    onMutate: () => setServerError(undefined),
    onSuccess: (placed) => {
      guard.allowLeaving();
      void queryClient.invalidateQueries({ queryKey: salesKeys.orders(), refetchType: 'none' });
      if ('instanceId' in placed) {
        // Over the approval threshold or the credit limit: the quote's page follows the approval.
        onSaved(placed.quote);
        void navigate(`/sales/quotes/${placed.quote.id}`, {
          replace: true,
          state: { sentForApproval: placed.reasons } satisfies QuoteLocationState,
        });
      } else {
        queryClient.setQueryData(salesKeys.order(placed.id), placed);
        void navigate(`/sales/orders/${placed.id}`, { replace: true });
      }
    },
    onError: setServerError,
  });

  const save = useMutation({
    mutationFn: async (): Promise<Quote> => {
      if (!quote) return api.post<Quote>('v1/sales/quotes', inputFromDraft(draft));
      return api.patch<Quote>(`v1/sales/quotes/${quote.id}`, inputFromDraft(draft, true), quote.version);
    },
    onMutate: () => setServerError(undefined),
    onSuccess: (saved) => {
      onSaved(saved);
      if (!quote) {
        guard.allowLeaving();
        void navigate(`/sales/quotes/${saved.id}`, { replace: true });
      }
    },
    onError: setServerError,
  });

  const act = useMutation({
    mutationFn: async (action: 'send' | 'accept'): Promise<Quote> => {
      if (!quote) throw new Error('Save the quote first.');
      if (action === 'accept') {
        const accepted = await api.post<QuoteAccepted>(
          `v1/sales/quotes/${quote.id}/accept`,
          {},
          { version: quote.version },
        );
        setFlowId(accepted.instanceId);
        return accepted.quote;
      }
      return api.post<Quote>(`v1/sales/quotes/${quote.id}/${action}`, {}, { version: quote.version });
    },
    onMutate: () => setServerError(undefined),
    onSuccess: onSaved,
    onError: setServerError,
  });

  const submit = () => {
    setSubmitted(true);
    if (Object.keys(clientErrors).length > 0) return;
    if (ordering) placeOrder.mutate();
    else save.mutate();
  };

  const updateLine = (index: number, change: Partial<LineDraft>) =>
    setDraft((d) => ({
      ...d,
      lines: d.lines.map((line, i) => (i === index ? { ...line, ...change } : line)),
    }));

  const pickItem = (index: number, item: Item) => {
    const main = warehouses.data?.items.find((w) => w.code === 'MAIN') ?? warehouses.data?.items[0];
    updateLine(index, {
      itemId: item.id,
      itemLabel: `${item.sku} · ${item.name}`,
      kind: item.kind,
      warehouseId: item.kind === 'stock' ? draft.lines[index]?.warehouseId || main?.id || '' : '',
      // A price in another currency is converted by the server at the day's rate.
      unitPrice: item.salesPrice.currency === draft.currency ? item.salesPrice.amount : '',
      taxCode: item.taxCode,
    });
  };

  const [declining, setDeclining] = useState(false);
  const decline = useMutation({
    mutationFn: (reason: string): Promise<Quote> =>
      api.post<Quote>(`v1/sales/quotes/${quote?.id}/reject`, { reason }, { version: quote?.version }),
    onMutate: () => setServerError(undefined),
    onSuccess: (rejected) => {
      setDeclining(false);
      onSaved(rejected);
    },
  });

  const busy = save.isPending || act.isPending || decline.isPending || placeOrder.isPending;
  const conflict = serverError instanceof ApiError && serverError.status === 412;
  const title = quote
    ? intl.formatMessage({ id: 'quote.title', defaultMessage: 'Quote {number}' }, { number: quote.number })
    : ordering
      ? intl.formatMessage({ id: 'order.new', defaultMessage: 'New order' })
      : intl.formatMessage({ id: 'quote.new', defaultMessage: 'New quote' });

  return (
    <form
      className={styles.root}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <div className={styles.heading}>
        <Title2 as="h1">{title}</Title2>
        {quote && <Badge appearance="tint">{intl.formatMessage(quoteStatusLabels[quote.status])}</Badge>}
        {dirty && (
          <Badge appearance="outline" color="warning">
            <FormattedMessage id="form.unsaved" defaultMessage="Unsaved changes" />
          </Badge>
        )}
      </div>

      {quote?.status === 'accepted' && sentForApproval && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>
              <FormattedMessage
                id="order.sentForApproval"
                defaultMessage="The order needs finance’s approval"
              />
            </MessageBarTitle>
            <FormattedMessage
              id="order.sentForApprovalDetail"
              defaultMessage="{reasons}. It was entered as this quote, which becomes the order once approved."
              values={{
                reasons: intl.formatList(
                  sentForApproval.map((r) => intl.formatMessage(approvalReasonLabels[r])),
                ),
              }}
            />
          </MessageBarBody>
        </MessageBar>
      )}

      {quote?.status === 'rejected' && (
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>
              <FormattedMessage id="quote.declined" defaultMessage="The customer declined this quote" />
            </MessageBarTitle>
            {quote.outcome}
          </MessageBarBody>
        </MessageBar>
      )}

      {serverError !== undefined && (
        <MessageBar intent="error" layout="multiline">
          <MessageBarBody>{errorText(serverError)}</MessageBarBody>
          {conflict && (
            <MessageBarActions>
              <Button
                onClick={() => {
                  setServerError(undefined);
                  if (quote) void queryClient.invalidateQueries({ queryKey: salesKeys.quote(quote.id) });
                }}
              >
                <FormattedMessage id="action.reload" defaultMessage="Reload" />
              </Button>
            </MessageBarActions>
          )}
        </MessageBar>
      )}

      <div className={styles.header}>
        <Field
          label={intl.formatMessage({ id: 'quote.customer', defaultMessage: 'Customer' })}
          required
          validationMessage={errorFor('customerId')}
        >
          <EntityPicker<Customer>
            disabled={!editable}
            selectedId={draft.customerId || undefined}
            selectedLabel={draft.customerLabel}
            queryKey={(search) => accountingKeys.customerList({ search, active: 'true' })}
            path="v1/accounting/customers"
            query={{ active: 'true' }}
            getId={(c) => c.id}
            getLabel={(c) => `${c.code} · ${c.name}`}
            placeholder={intl.formatMessage({
              id: 'quote.customerSearch',
              defaultMessage: 'Search by name or code',
            })}
            onSelect={(c) =>
              setDraft((d) => ({
                ...d,
                customerId: c.id,
                customerLabel: `${c.code} · ${c.name}`,
                currency: c.currency,
              }))
            }
          />
        </Field>
        <Field label={intl.formatMessage({ id: 'quote.currency', defaultMessage: 'Currency' })}>
          <Input value={draft.currency} readOnly />
        </Field>
        <Field
          label={intl.formatMessage({ id: 'quote.reference', defaultMessage: 'Customer reference' })}
          validationMessage={errorFor('reference')}
        >
          <Input
            value={draft.reference}
            readOnly={!editable}
            maxLength={100}
            onChange={(_, data) => setDraft((d) => ({ ...d, reference: data.value }))}
          />
        </Field>
        {!ordering && (
          <Field
            label={intl.formatMessage({ id: 'quote.validUntil', defaultMessage: 'Valid until' })}
            hint={
              editable && !draft.validUntil
                ? intl.formatMessage({
                    id: 'quote.validUntilHint',
                    defaultMessage: '30 days after the quote date unless set',
                  })
                : undefined
            }
            validationMessage={errorFor('validUntil')}
          >
            <Input
              type="date"
              value={draft.validUntil}
              readOnly={!editable}
              onChange={(_, data) => setDraft((d) => ({ ...d, validUntil: data.value }))}
            />
          </Field>
        )}
      </div>

      <div className={styles.lines}>
        <Table
          className={styles.linesTable}
          aria-label={intl.formatMessage({ id: 'quote.lines', defaultMessage: 'Lines' })}
          size="small"
        >
          <TableHeader>
            <TableRow>
              <TableHeaderCell className={styles.item}>
                <FormattedMessage id="quote.line.item" defaultMessage="Item" />
              </TableHeaderCell>
              <TableHeaderCell>
                <FormattedMessage id="quote.line.warehouse" defaultMessage="Warehouse" />
              </TableHeaderCell>
              <TableHeaderCell>
                <FormattedMessage id="quote.line.quantity" defaultMessage="Quantity" />
              </TableHeaderCell>
              <TableHeaderCell>
                <FormattedMessage id="quote.line.unitPrice" defaultMessage="Unit price" />
              </TableHeaderCell>
              <TableHeaderCell>
                <FormattedMessage id="quote.line.discount" defaultMessage="Discount %" />
              </TableHeaderCell>
              <TableHeaderCell>
                <FormattedMessage id="quote.line.tax" defaultMessage="Tax" />
              </TableHeaderCell>
              <TableHeaderCell className={styles.numeric}>
                <FormattedMessage id="quote.line.net" defaultMessage="Net" />
              </TableHeaderCell>
              {editable && (
                <TableHeaderCell
                  aria-label={intl.formatMessage({
                    id: 'quote.line.actions',
                    defaultMessage: 'Line actions',
                  })}
                />
              )}
            </TableRow>
          </TableHeader>
          <TableBody>
            {draft.lines.map((line, index) => {
              const lineLabel = (name: string) =>
                intl.formatMessage(
                  { id: 'quote.line.fieldLabel', defaultMessage: '{field}, line {line}' },
                  { field: name, line: index + 1 },
                );
              const net = totals.lineNets[index];
              return (
                <TableRow key={line.key} data-testid={`line-${index}`}>
                  <TableCell>
                    <Field validationMessage={errorFor(`lines.${index}.itemId`)}>
                      <EntityPicker<Item>
                        aria-label={lineLabel(
                          intl.formatMessage({ id: 'quote.line.item', defaultMessage: 'Item' }),
                        )}
                        disabled={!editable}
                        selectedId={line.itemId || undefined}
                        selectedLabel={line.itemLabel}
                        queryKey={(search) => inventoryKeys.itemList({ search, active: 'true' })}
                        path="v1/inventory/items"
                        query={{ active: 'true' }}
                        getId={(item) => item.id}
                        getLabel={(item) => `${item.sku} · ${item.name}`}
                        placeholder={intl.formatMessage({
                          id: 'quote.itemSearch',
                          defaultMessage: 'Search by SKU or name',
                        })}
                        onSelect={(item) => pickItem(index, item)}
                      />
                    </Field>
                  </TableCell>
                  <TableCell>
                    {line.kind === 'stock' ? (
                      <Field validationMessage={errorFor(`lines.${index}.warehouseId`)}>
                        <Dropdown
                          aria-label={lineLabel(
                            intl.formatMessage({ id: 'quote.line.warehouse', defaultMessage: 'Warehouse' }),
                          )}
                          disabled={!editable}
                          value={
                            warehouses.data?.items.find((w) => w.id === line.warehouseId)?.code ??
                            quote?.lines[index]?.warehouseCode ??
                            ''
                          }
                          selectedOptions={line.warehouseId ? [line.warehouseId] : []}
                          onOptionSelect={(_, data) =>
                            updateLine(index, { warehouseId: data.optionValue ?? '' })
                          }
                        >
                          {(warehouses.data?.items ?? [])
                            .filter((w) => w.active)
                            .map((w) => (
                              <Option key={w.id} value={w.id} text={w.code}>
                                {`${w.code} · ${w.name}`}
                              </Option>
                            ))}
                        </Dropdown>
                      </Field>
                    ) : (
                      <span className={styles.note}>—</span>
                    )}
                  </TableCell>
                  <TableCell>
                    <Field validationMessage={errorFor(`lines.${index}.quantity`)}>
                      <Input
                        className={styles.narrow}
                        aria-label={lineLabel(
                          intl.formatMessage({ id: 'quote.line.quantity', defaultMessage: 'Quantity' }),
                        )}
                        inputMode="decimal"
                        readOnly={!editable}
                        value={line.quantity}
                        onChange={(_, data) => updateLine(index, { quantity: data.value })}
                      />
                    </Field>
                  </TableCell>
                  <TableCell>
                    <Field validationMessage={errorFor(`lines.${index}.unitPrice`)}>
                      <Input
                        className={styles.narrow}
                        aria-label={lineLabel(
                          intl.formatMessage({ id: 'quote.line.unitPrice', defaultMessage: 'Unit price' }),
                        )}
                        inputMode="decimal"
                        readOnly={!editable}
                        placeholder={intl.formatMessage({
                          id: 'quote.line.priceFromItem',
                          defaultMessage: 'From item',
                        })}
                        value={line.unitPrice}
                        onChange={(_, data) => updateLine(index, { unitPrice: data.value })}
                      />
                    </Field>
                  </TableCell>
                  <TableCell>
                    <Field validationMessage={errorFor(`lines.${index}.discountPercent`)}>
                      <Input
                        className={styles.narrow}
                        aria-label={lineLabel(
                          intl.formatMessage({ id: 'quote.line.discount', defaultMessage: 'Discount %' }),
                        )}
                        inputMode="decimal"
                        readOnly={!editable}
                        placeholder="0"
                        value={line.discountPercent}
                        onChange={(_, data) => updateLine(index, { discountPercent: data.value })}
                      />
                    </Field>
                  </TableCell>
                  <TableCell>{line.taxCode}</TableCell>
                  <TableCell className={styles.numeric} data-testid={`line-${index}-net`}>
                    {net ? format.amount(toAmount(net, draft.currency), draft.currency) : '—'}
                  </TableCell>
                  {editable && (
                    <TableCell>
                      <RemoveLineButton
                        line={index + 1}
                        disabled={draft.lines.length === 1}
                        onRemove={() =>
                          setDraft((d) => ({ ...d, lines: d.lines.filter((_, i) => i !== index) }))
                        }
                      />
                    </TableCell>
                  )}
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </div>
      {editable && (
        <div>
          <Button
            icon={<AddRegular />}
            onClick={() => setDraft((d) => ({ ...d, lines: [...d.lines, emptyLine()] }))}
          >
            <FormattedMessage id="quote.addLine" defaultMessage="Add line" />
          </Button>
        </div>
      )}

      <div
        className={styles.totals}
        aria-label={intl.formatMessage({ id: 'quote.totals', defaultMessage: 'Totals' })}
        role="group"
      >
        <span>
          <FormattedMessage id="quote.totalNet" defaultMessage="Net" />
        </span>
        <span className={styles.total} data-testid="total-net">
          {format.amount(toAmount(totals.net, draft.currency), draft.currency)}
        </span>
        {totals.taxes.map((t) => (
          <TaxRow
            key={t.taxCode}
            code={t.taxCode}
            rate={t.rate}
            amount={format.amount(toAmount(t.tax, draft.currency), draft.currency)}
          />
        ))}
        <span>
          <FormattedMessage id="quote.totalGross" defaultMessage="Total" />
        </span>
        <span className={styles.gross} data-testid="total-gross">
          {format.amount(toAmount(totals.gross, draft.currency), draft.currency)}
        </span>
      </div>
      {totals.unpriced > 0 && (
        <span className={styles.note}>
          <FormattedMessage
            id="quote.unpriced"
            defaultMessage="{count, plural, one {# line has} other {# lines have}} no price yet: the item's price is used when you save."
            values={{ count: totals.unpriced }}
          />
        </span>
      )}

      {!ordering && (
        <Field
          label={intl.formatMessage({ id: 'quote.notes', defaultMessage: 'Notes' })}
          validationMessage={errorFor('notes')}
        >
          <Textarea
            value={draft.notes}
            readOnly={!editable}
            maxLength={2000}
            onChange={(_, data) => setDraft((d) => ({ ...d, notes: data.value }))}
          />
        </Field>
      )}

      <Toolbar aria-label={intl.formatMessage({ id: 'quote.actions', defaultMessage: 'Quote actions' })}>
        {editable && (
          <Button appearance="primary" type="submit" disabled={busy || (!!quote && !dirty)}>
            {ordering ? (
              <FormattedMessage id="order.place" defaultMessage="Place order" />
            ) : (
              <FormattedMessage id="quote.saveDraft" defaultMessage="Save draft" />
            )}
          </Button>
        )}
        {quote && can.sell(roles) && quote.status === 'draft' && (
          <Button disabled={busy || dirty} onClick={() => act.mutate('send')}>
            <FormattedMessage id="quote.send" defaultMessage="Mark as sent" />
          </Button>
        )}
        {quote && can.sell(roles) && (quote.status === 'draft' || quote.status === 'sent') && (
          <>
            <Button
              appearance={quote.status === 'sent' ? 'primary' : 'secondary'}
              disabled={busy || dirty}
              onClick={() => act.mutate('accept')}
            >
              <FormattedMessage id="quote.accept" defaultMessage="Customer accepted" />
            </Button>
            <Button
              disabled={busy || dirty}
              onClick={() => {
                decline.reset();
                setDeclining(true);
              }}
            >
              <FormattedMessage id="quote.reject" defaultMessage="Customer declined" />
            </Button>
          </>
        )}
      </Toolbar>

      {quote && (flowId ?? quote.flow?.instanceId) && (
        <FlowWatcher
          instanceId={(flowId ?? quote.flow?.instanceId) as string}
          quoteId={quote.id}
          outcome={quote.outcome}
        />
      )}

      {quote && (
        <DeclineDialog
          open={declining}
          number={quote.number}
          pending={decline.isPending}
          error={decline.error ?? undefined}
          onCancel={() => setDeclining(false)}
          onDecline={(reason) => decline.mutate(reason)}
        />
      )}

      {guard.dialog}
    </form>
  );
}

/** Asks why the customer declined; the reason is kept with the rejected quote. */
function DeclineDialog(props: {
  open: boolean;
  number: string;
  pending: boolean;
  error: unknown;
  onCancel: () => void;
  onDecline: (reason: string) => void;
}) {
  const intl = useIntl();
  const errorText = useErrorText();
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const missing = tried && !reason.trim();
  const serverMessage = fieldErrorsOf(props.error).reason;
  return (
    <Dialog
      open={props.open}
      onOpenChange={(_, data) => {
        if (!data.open) props.onCancel();
      }}
    >
      <DialogSurface>
        <form
          noValidate
          onSubmit={(event) => {
            // The dialog is portalled, but React still bubbles its submit to the quote's form.
            event.preventDefault();
            event.stopPropagation();
            setTried(true);
            if (reason.trim()) props.onDecline(reason.trim());
          }}
        >
          <DialogBody>
            <DialogTitle>
              <FormattedMessage
                id="quote.declineTitle"
                defaultMessage="Quote {number} declined"
                values={{ number: props.number }}
              />
            </DialogTitle>
            <DialogContent>
              {props.error !== undefined && !serverMessage && (
                <MessageBar intent="error" layout="multiline">
                  <MessageBarBody>{errorText(props.error)}</MessageBarBody>
                </MessageBar>
              )}
              <Field
                label={intl.formatMessage({
                  id: 'quote.declineReason',
                  defaultMessage: 'Why did the customer decline?',
                })}
                required
                validationMessage={
                  missing
                    ? intl.formatMessage({ id: 'form.required', defaultMessage: 'Required' })
                    : serverMessage
                }
              >
                <Textarea
                  value={reason}
                  maxLength={500}
                  resize="vertical"
                  onChange={(_, data) => setReason(data.value)}
                />
              </Field>
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" type="submit" disabled={props.pending}>
                <FormattedMessage id="quote.declineConfirm" defaultMessage="Mark as declined" />
              </Button>
              <Button onClick={props.onCancel} disabled={props.pending}>
                <FormattedMessage id="action.cancel" defaultMessage="Cancel" />
              </Button>
            </DialogActions>
          </DialogBody>
        </form>
      </DialogSurface>
    </Dialog>
  );
}

function TaxRow({ code, rate, amount }: { code: string; rate: string; amount: string }) {
  const styles = useStyles();
  return (
    <>
      <span>
        <FormattedMessage
          id="quote.totalTax"
          defaultMessage="{code} ({rate} %)"
          values={{ code, rate: new Decimal(rate).toString() }}
        />
      </span>
      <span className={styles.total}>{amount}</span>
    </>
  );
}
