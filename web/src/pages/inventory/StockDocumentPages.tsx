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
  Text,
  Title2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { AddRegular } from '@fluentui/react-icons';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { Link, useNavigate, useParams } from 'react-router';
import type { Page } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import { useTenant } from '../../api/useTenant';
import { inventoryKeys } from '../../api/keys';
import type { StockDocument, StockDocumentKind, Warehouse } from '../../api/types';
import { useCursorList } from '../../api/useCursorList';
import { useRoles } from '../../auth/AuthProvider';
import { can } from '../../auth/roles';
import { ResourceGrid, type GridColumn } from '../../components/ResourceGrid';
import { ErrorState, Loading } from '../../components/States';
import { useFormat } from '../../format/useFormat';
import { usePageStyles } from '../sales/QuotesPage';
import { documentLabels, documentPaths } from './labels';
import { StockDocumentForm } from './StockDocumentForm';

/** Every warehouse, yard and site of the tenant: a few dozen at most, kept for minutes. */
export function useWarehouses() {
  const api = useApi();
  return useQuery({
    queryKey: inventoryKeys.warehouses(),
    queryFn: ({ signal }) =>
      api.get<Page<Warehouse>>('v1/inventory/warehouses', { query: { limit: 200 }, signal }),
    staleTime: 5 * 60_000,
  });
}

/** A warehouse filter for lists: all, or one by id. */
export function WarehouseFilter(props: {
  value: string;
  onChange: (id: string) => void;
  warehouses: Warehouse[];
}) {
  const intl = useIntl();
  const all = intl.formatMessage({ id: 'filter.all', defaultMessage: 'All' });
  return (
    <Field label={intl.formatMessage({ id: 'quote.line.warehouse', defaultMessage: 'Warehouse' })}>
      <Dropdown
        value={props.warehouses.find((w) => w.id === props.value)?.code ?? all}
        selectedOptions={[props.value]}
        onOptionSelect={(_, data) => props.onChange(data.optionValue ?? '')}
      >
        <Option value="">{all}</Option>
        {props.warehouses.map((w) => (
          <Option key={w.id} value={w.id} text={w.code}>
            {`${w.code} · ${w.name}`}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}

/** `/inventory/receipts`, `/inventory/transfers`, `/inventory/adjustments`: newest first. */
export function StockDocumentsPage({ kind }: { kind: StockDocumentKind }) {
  const styles = usePageStyles();
  const intl = useIntl();
  const format = useFormat();
  const navigate = useNavigate();
  const roles = useRoles();
  const warehouses = useWarehouses();
  const [warehouseId, setWarehouseId] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const plural = documentPaths[kind];
  const labels = documentLabels[kind];
  const filters = { warehouseId: warehouseId || undefined, from: from || undefined, to: to || undefined };
  const list = useCursorList<StockDocument>(
    inventoryKeys.documentList(plural, filters),
    `v1/inventory/${plural}`,
    filters,
  );
  const columns = useMemo<GridColumn<StockDocument>[]>(() => {
    const cols: GridColumn<StockDocument>[] = [
      {
        id: 'number',
        header: intl.formatMessage({ id: 'receipt.number', defaultMessage: 'Number' }),
        value: (d) => d.number,
        render: (d) => <Link to={`/inventory/${plural}/${d.id}`}>{d.number}</Link>,
        width: 150,
      },
      {
        id: 'date',
        header: intl.formatMessage({ id: 'receipt.date', defaultMessage: 'Date' }),
        value: (d) => d.date,
        render: (d) => format.date(d.date),
        width: 120,
      },
      {
        id: 'warehouse',
        header:
          kind === 'transfer'
            ? intl.formatMessage({ id: 'transfer.from', defaultMessage: 'From warehouse' })
            : intl.formatMessage({ id: 'quote.line.warehouse', defaultMessage: 'Warehouse' }),
        value: (d) => d.warehouse.code,
        width: 130,
      },
    ];
    if (kind === 'transfer')
      cols.push({
        id: 'to',
        header: intl.formatMessage({ id: 'transfer.to', defaultMessage: 'To warehouse' }),
        value: (d) => d.toWarehouse?.code ?? null,
        width: 130,
      });
    cols.push(
      kind === 'adjustment'
        ? {
            id: 'reason',
            header: intl.formatMessage({ id: 'adjustment.reason', defaultMessage: 'Reason' }),
            value: (d) => d.reason,
            width: 260,
          }
        : {
            id: 'reference',
            header: intl.formatMessage({ id: 'transfer.reference', defaultMessage: 'Reference' }),
            value: (d) => d.reference,
            width: 220,
          },
      {
        id: 'lines',
        header: intl.formatMessage({ id: 'receipt.lineCount', defaultMessage: 'Lines' }),
        value: (d) => d.lines.length,
        numeric: true,
        width: 90,
      },
      {
        id: 'value',
        header: intl.formatMessage({ id: 'receipt.value', defaultMessage: 'Value' }),
        value: (d) => Number(d.totalValue.amount),
        render: (d) => format.money(d.totalValue),
        exportValue: (d) => d.totalValue.amount,
        numeric: true,
        width: 150,
      },
      {
        id: 'createdBy',
        header: intl.formatMessage({ id: 'receipt.createdBy', defaultMessage: 'By' }),
        value: (d) => d.createdBy,
        width: 160,
      },
    );
    return cols;
  }, [intl, format, kind, plural]);

  return (
    <div className={styles.page}>
      <div className={styles.heading}>
        <Title2 as="h1">{intl.formatMessage(labels.title)}</Title2>
        <span className={styles.spacer} />
        {can.manageInventory(roles) && (
          <Button
            appearance="primary"
            icon={<AddRegular />}
            onClick={() => void navigate(`/inventory/${plural}/new`)}
          >
            {intl.formatMessage(labels.new)}
          </Button>
        )}
      </div>
      <ResourceGrid<StockDocument>
        label={intl.formatMessage(labels.title)}
        exportName={plural}
        columns={columns}
        getRowId={(d) => d.id}
        onRowActivate={(d) => void navigate(`/inventory/${plural}/${d.id}`)}
        empty={intl.formatMessage(labels.empty)}
        filters={
          <>
            <WarehouseFilter
              value={warehouseId}
              onChange={setWarehouseId}
              warehouses={warehouses.data?.items ?? []}
            />
            <Field label={intl.formatMessage({ id: 'filter.from', defaultMessage: 'From' })}>
              <Input type="date" value={from} onChange={(_, data) => setFrom(data.value)} />
            </Field>
            <Field label={intl.formatMessage({ id: 'filter.to', defaultMessage: 'To' })}>
              <Input type="date" value={to} onChange={(_, data) => setTo(data.value)} />
            </Field>
          </>
        }
        {...list}
      />
    </div>
  );
}

/** `/inventory/receipts/new` (the form) and `/inventory/receipts/:id` (the posted document). */
export function StockDocumentPage({ kind }: { kind: StockDocumentKind }) {
  const { id } = useParams();
  const api = useApi();
  const warehouses = useWarehouses();
  const tenant = useTenant();
  const document = useQuery({
    queryKey: inventoryKeys.document(documentPaths[kind], id ?? 'new'),
    queryFn: ({ signal }) => api.get<StockDocument>(`v1/inventory/${documentPaths[kind]}/${id}`, { signal }),
    enabled: id !== undefined,
  });
  if (id !== undefined) {
    if (document.isPending) return <Loading />;
    if (document.isError)
      return <ErrorState error={document.error} onRetry={() => void document.refetch()} />;
    return <StockDocumentView document={document.data} />;
  }
  if (warehouses.isPending || tenant.isPending) return <Loading />;
  if (warehouses.isError)
    return <ErrorState error={warehouses.error} onRetry={() => void warehouses.refetch()} />;
  if (tenant.isError) return <ErrorState error={tenant.error} onRetry={() => void tenant.refetch()} />;
  return (
    <StockDocumentForm
      kind={kind}
      warehouses={warehouses.data.items}
      baseCurrency={tenant.data.baseCurrency}
    />
  );
}

const useViewStyles = makeStyles({
  facts: {
    display: 'grid',
    gridTemplateColumns: 'max-content 1fr',
    columnGap: tokens.spacingHorizontalL,
    rowGap: tokens.spacingVerticalXS,
    margin: 0,
  },
  fact: { display: 'contents' },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0 },
  scroller: { overflowX: 'auto' },
  numeric: { textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
});

function StockDocumentView({ document: d }: { document: StockDocument }) {
  const page = usePageStyles();
  const styles = useViewStyles();
  const intl = useIntl();
  const format = useFormat();
  const labels = documentLabels[d.kind];
  const facts: [string, string][] = [
    [intl.formatMessage({ id: 'receipt.date', defaultMessage: 'Date' }), format.date(d.date)],
    [
      d.kind === 'transfer'
        ? intl.formatMessage({ id: 'transfer.from', defaultMessage: 'From warehouse' })
        : intl.formatMessage({ id: 'quote.line.warehouse', defaultMessage: 'Warehouse' }),
      `${d.warehouse.code} · ${d.warehouse.name}`,
    ],
  ];
  if (d.toWarehouse)
    facts.push([
      intl.formatMessage({ id: 'transfer.to', defaultMessage: 'To warehouse' }),
      `${d.toWarehouse.code} · ${d.toWarehouse.name}`,
    ]);
  if (d.reference)
    facts.push([intl.formatMessage({ id: 'transfer.reference', defaultMessage: 'Reference' }), d.reference]);
  if (d.reason)
    facts.push([intl.formatMessage({ id: 'adjustment.reason', defaultMessage: 'Reason' }), d.reason]);
  facts.push(
    [intl.formatMessage({ id: 'receipt.value', defaultMessage: 'Value' }), format.money(d.totalValue)],
    [
      intl.formatMessage({ id: 'receipt.createdBy', defaultMessage: 'By' }),
      `${d.createdBy}, ${format.dateTime(d.createdAt)}`,
    ],
  );
  return (
    <div className={page.page}>
      <div className={page.heading}>
        <Title2 as="h1">{intl.formatMessage(labels.one, { number: d.number })}</Title2>
        <span className={page.spacer} />
        <Link to={`/inventory/${documentPaths[d.kind]}`}>{intl.formatMessage(labels.title)}</Link>
      </div>
      <dl className={styles.facts}>
        {facts.map(([term, value]) => (
          <div key={term} className={styles.fact}>
            <dt className={styles.term}>{term}</dt>
            <dd className={styles.value}>
              <Text>{value}</Text>
            </dd>
          </div>
        ))}
      </dl>
      <div className={styles.scroller}>
        <Table size="small" aria-label={intl.formatMessage({ id: 'receipt.lines', defaultMessage: 'Lines' })}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>
                <FormattedMessage id="stock.sku" defaultMessage="SKU" />
              </TableHeaderCell>
              <TableHeaderCell>
                <FormattedMessage id="quote.line.item" defaultMessage="Item" />
              </TableHeaderCell>
              <TableHeaderCell className={styles.numeric}>
                <FormattedMessage id="quote.line.quantity" defaultMessage="Quantity" />
              </TableHeaderCell>
              <TableHeaderCell className={styles.numeric}>
                <FormattedMessage id="receipt.unitCostLabel" defaultMessage="Unit cost" />
              </TableHeaderCell>
              <TableHeaderCell className={styles.numeric}>
                <FormattedMessage id="receipt.value" defaultMessage="Value" />
              </TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {d.lines.map((line) => (
              <TableRow key={line.lineNo}>
                <TableCell>{line.sku}</TableCell>
                <TableCell>{line.itemName}</TableCell>
                <TableCell
                  className={styles.numeric}
                >{`${format.quantity(line.quantity)} ${line.uom}`}</TableCell>
                <TableCell className={styles.numeric}>{format.money(line.unitCost)}</TableCell>
                <TableCell className={styles.numeric}>{format.money(line.value)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </div>
    </div>
  );
}
