/**
 * The inventory module's public surface: warehouses and items, stock documents (goods receipts,
 * adjustments, transfers), stock reports, and the reservation API other modules (sales) call in
 * their own tenant transaction.
 */
import './tables.js';

export {
  listWarehouses,
  getWarehouse,
  getWarehousesByIds,
  createWarehouse,
  changeWarehouse,
  deleteWarehouse,
  listItems,
  getItem,
  getItemsByIds,
  createItem,
  changeItem,
} from './master-data.js';
export {
  postReceipt,
  postAdjustment,
  postTransfer,
  getStockDocument,
  listStockDocuments,
} from './stock-documents.js';
export {
  reserveStock,
  releaseReservations,
  issueReservedStock,
  type KnownStockPlaces,
} from './reservations.js';
export { listStock, stockValuation, valuationCsv, lowStock, lowStockCsv } from './reports.js';
export { inventoryErrors } from './errors.js';
export { MAIN_WAREHOUSE } from './repository.js';
export * from './schemas.js';
export type { WarehouseKind, ItemKind } from './tables.js';
