import { Dropdown, Field, Option, Title2 } from '@fluentui/react-components';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import type { Page } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import { inventoryKeys } from '../../api/keys';
import type { StockBalance, Warehouse } from '../../api/types';
import { useCursorList } from '../../api/useCursorList';
import { ResourceGrid, type GridColumn } from '../../components/ResourceGrid';
import { useFormat } from '../../format/useFormat';
import { usePageStyles } from '../sales/QuotesPage';

/** Stock per item and warehouse: on hand, reserved for orders, available, and its value. */
export function StockPage() {
  const styles = usePageStyles();
  const intl = useIntl();
  const api = useApi();
  const format = useFormat();
  const [warehouseId, setWarehouseId] = useState('');
  const warehouses = useQuery({
    queryKey: inventoryKeys.warehouses(),
    queryFn: ({ signal }) =>
      api.get<Page<Warehouse>>('v1/inventory/warehouses', { query: { limit: 200 }, signal }),
    staleTime: 5 * 60_000,
  });
  const filters = { warehouseId: warehouseId || undefined };
  const list = useCursorList<StockBalance>(inventoryKeys.stockList(filters), 'v1/inventory/stock', filters);
  const quantity = (
    id: string,
    header: string,
    pick: (s: StockBalance) => string,
  ): GridColumn<StockBalance> => ({
    id,
    header,
    value: (s) => Number(pick(s)),
    render: (s) => format.quantity(pick(s)),
    exportValue: pick,
    numeric: true,
    width: 120,
  });
  const columns = useMemo<GridColumn<StockBalance>[]>(
    () => [
      {
        id: 'sku',
        header: intl.formatMessage({ id: 'stock.sku', defaultMessage: 'SKU' }),
        value: (s) => s.sku,
        width: 130,
      },
      {
        id: 'item',
        header: intl.formatMessage({ id: 'quote.line.item', defaultMessage: 'Item' }),
        value: (s) => s.itemName,
        width: 240,
      },
      {
        id: 'warehouse',
        header: intl.formatMessage({ id: 'quote.line.warehouse', defaultMessage: 'Warehouse' }),
        value: (s) => s.warehouseCode,
        width: 120,
      },
      quantity(
        'onHand',
        intl.formatMessage({ id: 'stock.onHand', defaultMessage: 'On hand' }),
        (s) => s.onHand,
      ),
      quantity(
        'reserved',
        intl.formatMessage({ id: 'stock.reserved', defaultMessage: 'Reserved' }),
        (s) => s.reserved,
      ),
      quantity(
        'available',
        intl.formatMessage({ id: 'stock.available', defaultMessage: 'Available' }),
        (s) => s.available,
      ),
      {
        id: 'uom',
        header: intl.formatMessage({ id: 'stock.uom', defaultMessage: 'Unit' }),
        value: (s) => s.uom,
        width: 80,
      },
      {
        id: 'value',
        header: intl.formatMessage({ id: 'stock.value', defaultMessage: 'Value' }),
        value: (s) => Number(s.value.amount),
        render: (s) => format.money(s.value),
        exportValue: (s) => s.value.amount,
        numeric: true,
        width: 150,
      },
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [intl, format],
  );
  return (
    <div className={styles.page}>
      <Title2 as="h1">
        <FormattedMessage id="nav.stock" defaultMessage="Items and stock" />
      </Title2>
      <ResourceGrid<StockBalance>
        label={intl.formatMessage({ id: 'nav.stock', defaultMessage: 'Items and stock' })}
        exportName="stock"
        columns={columns}
        getRowId={(s) => `${s.itemId}/${s.warehouseId}`}
        empty={<FormattedMessage id="stock.empty" defaultMessage="No stock here." />}
        filters={
          <Field label={intl.formatMessage({ id: 'quote.line.warehouse', defaultMessage: 'Warehouse' })}>
            <Dropdown
              value={
                warehouses.data?.items.find((w) => w.id === warehouseId)?.code ??
                intl.formatMessage({ id: 'filter.all', defaultMessage: 'All' })
              }
              selectedOptions={[warehouseId]}
              onOptionSelect={(_, data) => setWarehouseId(data.optionValue ?? '')}
            >
              <Option value="">{intl.formatMessage({ id: 'filter.all', defaultMessage: 'All' })}</Option>
              {(warehouses.data?.items ?? []).map((w) => (
                <Option key={w.id} value={w.id} text={w.code}>
                  {`${w.code} · ${w.name}`}
                </Option>
              ))}
            </Dropdown>
          </Field>
        }
        {...list}
      />
    </div>
  );
}
