import { Title2 } from '@fluentui/react-components';
import { useMemo, useState } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { inventoryKeys } from '../../api/keys';
import type { StockBalance } from '../../api/types';
import { useCursorList } from '../../api/useCursorList';
import { ResourceGrid, type GridColumn } from '../../components/ResourceGrid';
import { useFormat } from '../../format/useFormat';
import { usePageStyles } from '../sales/QuotesPage';
import { WarehouseFilter, useWarehouses } from './StockDocumentPages';

/** Stock per item and warehouse: on hand, reserved for orders, available, and its value. */
export function StockPage() {
  const styles = usePageStyles();
  return (
    <div className={styles.page}>
      <Title2 as="h1">
        <FormattedMessage id="nav.stockOnHand" defaultMessage="Stock on hand" />
      </Title2>
      <StockGrid />
    </div>
  );
}

/** The stock grid, of every item or of one (`itemId`), filtered by warehouse. */
export function StockGrid({ itemId }: { itemId?: string }) {
  const intl = useIntl();
  const format = useFormat();
  const warehouses = useWarehouses();
  const [warehouseId, setWarehouseId] = useState('');
  const filters = { warehouseId: warehouseId || undefined, itemId };
  const list = useCursorList<StockBalance>(inventoryKeys.stockList(filters), 'v1/inventory/stock', filters);
  const columns = useMemo<GridColumn<StockBalance>[]>(() => {
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
    const item: GridColumn<StockBalance>[] = itemId
      ? []
      : [
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
        ];
    return [
      ...item,
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
        id: 'averageCost',
        header: intl.formatMessage({ id: 'stock.averageCost', defaultMessage: 'Average cost' }),
        value: (s) => Number(s.averageCost.amount),
        render: (s) => format.money(s.averageCost),
        exportValue: (s) => s.averageCost.amount,
        numeric: true,
        width: 140,
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
    ];
  }, [intl, format, itemId]);
  return (
    <ResourceGrid<StockBalance>
      label={intl.formatMessage({ id: 'stock.grid', defaultMessage: 'Stock per warehouse' })}
      exportName="stock"
      columns={columns}
      getRowId={(s) => `${s.itemId}/${s.warehouseId}`}
      empty={<FormattedMessage id="stock.empty" defaultMessage="No stock here." />}
      filters={
        <WarehouseFilter
          value={warehouseId}
          onChange={setWarehouseId}
          warehouses={warehouses.data?.items ?? []}
        />
      }
      {...list}
    />
  );
}
