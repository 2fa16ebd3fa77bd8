import {
  Button,
  Dropdown,
  Field,
  Input,
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
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { useNavigate } from 'react-router';
import { fieldErrorsOf } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import { inventoryKeys } from '../../api/keys';
import type { Item, StockDocument, StockDocumentKind, Warehouse } from '../../api/types';
import { RemoveLineButton } from '../../components/RemoveLineButton';
import { EntityPicker } from '../../components/EntityPicker';
import { useUnsavedChangesGuard } from '../../components/UnsavedChangesGuard';
import { toAmount } from '../../format/decimal';
import { useFormat } from '../../format/useFormat';
import { SaveErrorBar, useFormErrorText } from './formParts';
import { documentLabels, documentPaths } from './labels';
import {
  documentInput,
  emptyDocument,
  emptyDocumentLine,
  receiptValues,
  validateDocument,
  type DocumentLineDraft,
  type StockDocumentDraft,
} from './stockDocumentDraft';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '1200px' },
  header: {
    display: 'grid',
    gap: tokens.spacingHorizontalL,
    gridTemplateColumns: 'repeat(auto-fill, minmax(min(100%, 220px), 1fr))',
    alignItems: 'start',
  },
  // Fluent's dropdown asks for 250px; in a narrow column it takes the column's width.
  dropdown: { minWidth: 0 },
  lines: { overflowX: 'auto' },
  linesTable: { tableLayout: 'auto', minWidth: '640px' },
  item: { minWidth: '260px' },
  narrow: { width: '120px' },
  numeric: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  total: { alignSelf: 'flex-end', fontWeight: tokens.fontWeightSemibold, fontVariantNumeric: 'tabular-nums' },
});

export interface StockDocumentFormProps {
  kind: StockDocumentKind;
  warehouses: Warehouse[];
  /** The tenant's base currency: receipts are costed in it. */
  baseCurrency: string;
}

/**
 * A goods receipt (warehouse, lines of SKU, quantity and unit cost), a transfer (from, to, lines of
 * SKU and quantity) or an adjustment (warehouse, reason, lines of signed quantities). Posted once:
 * stock documents are never edited, a mistake is corrected by another document.
 */
export function StockDocumentForm({ kind, warehouses, baseCurrency }: StockDocumentFormProps) {
  const styles = useStyles();
  const intl = useIntl();
  const api = useApi();
  const format = useFormat();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const formErrorText = useFormErrorText();
  const labels = documentLabels[kind];
  const active = warehouses.filter((w) => w.active);
  const initial = useMemo(
    () => emptyDocument(kind === 'transfer' ? '' : (active.find((w) => w.code === 'MAIN')?.code ?? '')),
    // Chosen once, when the form opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [kind],
  );
  const [draft, setDraft] = useState<StockDocumentDraft>(initial);
  const [submitted, setSubmitted] = useState(false);
  const [serverError, setServerError] = useState<unknown>();
  const input = documentInput(kind, draft, baseCurrency);
  const inputText = JSON.stringify(input);
  // One key per body: a retry of the same document is posted once; a changed one is new.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const idempotencyKey = useMemo(() => crypto.randomUUID(), [inputText]);
  const dirty = inputText !== JSON.stringify(documentInput(kind, initial, baseCurrency));
  const guard = useUnsavedChangesGuard(dirty);

  const clientErrors = useMemo(() => validateDocument(kind, draft), [kind, draft]);
  const serverFieldErrors = fieldErrorsOf(serverError);
  const errorFor = (path: string): string | undefined => {
    const client = submitted ? clientErrors[path] : undefined;
    return client ? formErrorText(client) : serverFieldErrors[path];
  };
  const { values, total } = receiptValues(draft);

  const post = useMutation({
    mutationFn: () =>
      api.post<StockDocument>(`v1/inventory/${documentPaths[kind]}`, input, { idempotencyKey }),
    onMutate: () => setServerError(undefined),
    onSuccess: (document) => {
      queryClient.setQueryData(inventoryKeys.document(documentPaths[kind], document.id), document);
      // Stock, its value and every list of documents moved.
      void queryClient.invalidateQueries({ queryKey: inventoryKeys.all });
      guard.allowLeaving();
      void navigate(`/inventory/${documentPaths[kind]}/${document.id}`, { replace: true });
    },
    onError: setServerError,
  });

  const submit = () => {
    setSubmitted(true);
    if (Object.keys(clientErrors).length > 0) return;
    post.mutate();
  };
  const updateLine = (index: number, change: Partial<DocumentLineDraft>) =>
    setDraft((d) => ({ ...d, lines: d.lines.map((l, i) => (i === index ? { ...l, ...change } : l)) }));

  const warehouseField = (which: 'warehouse' | 'to', label: string, path: string) => (
    <Field label={label} required validationMessage={errorFor(path)}>
      <Dropdown
        className={styles.dropdown}
        value={active.find((w) => w.code === draft[which])?.code ?? ''}
        selectedOptions={draft[which] ? [draft[which]] : []}
        placeholder={intl.formatMessage({
          id: 'receipt.chooseWarehouse',
          defaultMessage: 'Choose a warehouse',
        })}
        onOptionSelect={(_, data) => setDraft((d) => ({ ...d, [which]: data.optionValue ?? '' }))}
      >
        {active.map((w) => (
          <Option key={w.id} value={w.code} text={w.code}>
            {`${w.code} · ${w.name}`}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );

  return (
    <form
      className={styles.root}
      noValidate
      aria-label={intl.formatMessage(labels.new)}
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      <Title2 as="h1">{intl.formatMessage(labels.new)}</Title2>
      {serverError !== undefined && <SaveErrorBar error={serverError} />}

      <div className={styles.header}>
        {kind === 'transfer' ? (
          <>
            {warehouseField(
              'warehouse',
              intl.formatMessage({ id: 'transfer.from', defaultMessage: 'From warehouse' }),
              'from',
            )}
            {warehouseField(
              'to',
              intl.formatMessage({ id: 'transfer.to', defaultMessage: 'To warehouse' }),
              'to',
            )}
          </>
        ) : (
          warehouseField(
            'warehouse',
            intl.formatMessage({ id: 'quote.line.warehouse', defaultMessage: 'Warehouse' }),
            'warehouse',
          )
        )}
        <Field
          label={intl.formatMessage({ id: 'receipt.date', defaultMessage: 'Date' })}
          hint={
            draft.date
              ? undefined
              : intl.formatMessage({ id: 'receipt.dateHint', defaultMessage: 'Today unless set' })
          }
          validationMessage={errorFor('date')}
        >
          <Input
            type="date"
            value={draft.date}
            onChange={(_, data) => setDraft((d) => ({ ...d, date: data.value }))}
          />
        </Field>
        {kind !== 'adjustment' && (
          <Field
            label={
              kind === 'receipt'
                ? intl.formatMessage({ id: 'receipt.reference', defaultMessage: 'Delivery note or invoice' })
                : intl.formatMessage({ id: 'transfer.reference', defaultMessage: 'Reference' })
            }
            validationMessage={errorFor('reference')}
          >
            <Input
              value={draft.reference}
              maxLength={100}
              onChange={(_, data) => setDraft((d) => ({ ...d, reference: data.value }))}
            />
          </Field>
        )}
      </div>
      {kind === 'adjustment' && (
        <Field
          label={intl.formatMessage({ id: 'adjustment.reason', defaultMessage: 'Reason' })}
          required
          hint={intl.formatMessage({
            id: 'adjustment.reasonHint',
            defaultMessage: 'Stock count, breakage, loss…',
          })}
          validationMessage={errorFor('reason')}
        >
          <Textarea
            value={draft.reason}
            maxLength={500}
            onChange={(_, data) => setDraft((d) => ({ ...d, reason: data.value }))}
          />
        </Field>
      )}

      <Field validationMessage={errorFor('lines')}>
        <div className={styles.lines}>
          <Table
            className={styles.linesTable}
            size="small"
            aria-label={intl.formatMessage({ id: 'receipt.lines', defaultMessage: 'Lines' })}
          >
            <TableHeader>
              <TableRow>
                <TableHeaderCell className={styles.item}>
                  <FormattedMessage id="quote.line.item" defaultMessage="Item" />
                </TableHeaderCell>
                <TableHeaderCell>
                  <FormattedMessage id="quote.line.quantity" defaultMessage="Quantity" />
                </TableHeaderCell>
                {kind === 'receipt' && (
                  <>
                    <TableHeaderCell>
                      <FormattedMessage
                        id="receipt.unitCost"
                        defaultMessage="Unit cost ({currency})"
                        values={{ currency: baseCurrency }}
                      />
                    </TableHeaderCell>
                    <TableHeaderCell className={styles.numeric}>
                      <FormattedMessage id="receipt.value" defaultMessage="Value" />
                    </TableHeaderCell>
                  </>
                )}
                <TableHeaderCell
                  aria-label={intl.formatMessage({
                    id: 'quote.line.actions',
                    defaultMessage: 'Line actions',
                  })}
                />
              </TableRow>
            </TableHeader>
            <TableBody>
              {draft.lines.map((line, index) => {
                const lineLabel = (name: string) =>
                  intl.formatMessage(
                    { id: 'quote.line.fieldLabel', defaultMessage: '{field}, line {line}' },
                    { field: name, line: index + 1 },
                  );
                const value = values[index];
                return (
                  <TableRow key={line.key} data-testid={`line-${index}`}>
                    <TableCell>
                      <Field validationMessage={errorFor(`lines.${index}.item`)}>
                        <EntityPicker<Item>
                          aria-label={lineLabel(
                            intl.formatMessage({ id: 'quote.line.item', defaultMessage: 'Item' }),
                          )}
                          selectedId={line.sku || undefined}
                          selectedLabel={line.itemLabel}
                          queryKey={(search) =>
                            inventoryKeys.itemList({ search, kind: 'stock', active: 'true' })
                          }
                          path="v1/inventory/items"
                          query={{ kind: 'stock', active: 'true' }}
                          getId={(item) => item.sku}
                          getLabel={(item) => `${item.sku} · ${item.name}`}
                          placeholder={intl.formatMessage({
                            id: 'quote.itemSearch',
                            defaultMessage: 'Search by SKU or name',
                          })}
                          onSelect={(item) =>
                            updateLine(index, {
                              sku: item.sku,
                              itemLabel: `${item.sku} · ${item.name}`,
                              uom: item.uom,
                            })
                          }
                        />
                      </Field>
                    </TableCell>
                    <TableCell>
                      <Field validationMessage={errorFor(`lines.${index}.quantity`)}>
                        <Input
                          className={styles.narrow}
                          aria-label={lineLabel(
                            intl.formatMessage({ id: 'quote.line.quantity', defaultMessage: 'Quantity' }),
                          )}
                          inputMode="decimal"
                          value={line.quantity}
                          contentAfter={line.uom || undefined}
                          onChange={(_, data) => updateLine(index, { quantity: data.value })}
                        />
                      </Field>
                    </TableCell>
                    {kind === 'receipt' && (
                      <>
                        <TableCell>
                          <Field validationMessage={errorFor(`lines.${index}.unitCost.amount`)}>
                            <Input
                              className={styles.narrow}
                              aria-label={lineLabel(
                                intl.formatMessage({
                                  id: 'receipt.unitCostLabel',
                                  defaultMessage: 'Unit cost',
                                }),
                              )}
                              inputMode="decimal"
                              value={line.unitCost}
                              onChange={(_, data) => updateLine(index, { unitCost: data.value })}
                            />
                          </Field>
                        </TableCell>
                        <TableCell className={styles.numeric} data-testid={`line-${index}-value`}>
                          {value ? format.amount(toAmount(value, baseCurrency), baseCurrency) : '—'}
                        </TableCell>
                      </>
                    )}
                    <TableCell>
                      <RemoveLineButton
                        line={index + 1}
                        disabled={draft.lines.length === 1}
                        onRemove={() =>
                          setDraft((d) => ({ ...d, lines: d.lines.filter((_, i) => i !== index) }))
                        }
                      />
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </div>
      </Field>
      <div>
        <Button
          icon={<AddRegular />}
          disabled={draft.lines.length >= 500}
          onClick={() => setDraft((d) => ({ ...d, lines: [...d.lines, emptyDocumentLine()] }))}
        >
          <FormattedMessage id="quote.addLine" defaultMessage="Add line" />
        </Button>
      </div>
      {kind === 'receipt' && (
        <span className={styles.total} data-testid="receipt-total">
          <FormattedMessage
            id="receipt.total"
            defaultMessage="Total value {amount}"
            values={{ amount: format.amount(toAmount(total, baseCurrency), baseCurrency) }}
          />
        </span>
      )}

      <Toolbar aria-label={intl.formatMessage({ id: 'receipt.actions', defaultMessage: 'Document actions' })}>
        <Button appearance="primary" type="submit" disabled={post.isPending}>
          {intl.formatMessage(labels.post)}
        </Button>
        <Button onClick={() => void navigate(`/inventory/${documentPaths[kind]}`)} disabled={post.isPending}>
          <FormattedMessage id="action.cancel" defaultMessage="Cancel" />
        </Button>
      </Toolbar>
      {guard.dialog}
    </form>
  );
}
