import { AppError, type FieldError } from '../../platform/errors.js';

const field = (path: string, message: string) => ({ errors: [{ path, message }] });

/** The inventory module's failures, each with its stable code and the field it is about. */
export const inventoryErrors = {
  warehouseNotFound: () =>
    new AppError('not_found', 'inventory.warehouse_not_found', 'The warehouse does not exist.'),
  itemNotFound: () => new AppError('not_found', 'inventory.item_not_found', 'The item does not exist.'),
  documentNotFound: (what: string) =>
    new AppError('not_found', `inventory.${what}_not_found`, `The stock ${what} does not exist.`),
  warehouseExists: () =>
    new AppError(
      'conflict',
      'inventory.warehouse_exists',
      'A warehouse with this code already exists.',
      field('code', 'Already used'),
    ),
  skuExists: () =>
    new AppError(
      'conflict',
      'inventory.sku_exists',
      'An item with this SKU already exists.',
      field('sku', 'Already used'),
    ),
  warehouseInUse: () =>
    new AppError(
      'conflict',
      'inventory.warehouse_in_use',
      'The warehouse has stock history or reservations: deactivate it instead of deleting it.',
    ),
  mainWarehouse: () =>
    new AppError(
      'business_rule',
      'inventory.main_warehouse',
      'The main warehouse (MAIN) stays; rename or deactivate it instead.',
    ),
  warehouseHasStock: (code: string) =>
    new AppError(
      'business_rule',
      'inventory.warehouse_has_stock',
      `Warehouse ${code} still holds stock: transfer or adjust it out before deactivating it.`,
      field('active', 'Stock on hand'),
    ),
  uomInUse: () =>
    new AppError(
      'business_rule',
      'inventory.uom_in_use',
      'The item has stock history in its unit of measure; create a new item for another unit.',
      field('uom', 'Item has stock moves'),
    ),
  serviceReorderLevel: () =>
    new AppError(
      'business_rule',
      'inventory.service_reorder_level',
      'Service items hold no stock and have no reorder level.',
      field('reorderLevel', 'Service item'),
    ),
  unknownTaxCode: (path: string, code: string) =>
    new AppError(
      'business_rule',
      'inventory.unknown_tax_code',
      `There is no active tax code ${code}.`,
      field(path, `Unknown tax code ${code}`),
    ),
  notBaseCurrency: (path: string, base: string) =>
    new AppError(
      'business_rule',
      'inventory.not_base_currency',
      `Prices and costs are kept in the base currency, ${base}.`,
      field(path, `Not ${base}`),
    ),
  unknownItem: (path: string, ref: string) =>
    new AppError(
      'business_rule',
      'inventory.unknown_item',
      `There is no item ${ref}.`,
      field(path, `Unknown item ${ref}`),
    ),
  inactiveItem: (path: string, sku: string) =>
    new AppError(
      'business_rule',
      'inventory.inactive_item',
      `Item ${sku} is deactivated.`,
      field(path, `Item ${sku} is inactive`),
    ),
  serviceItem: (path: string, sku: string) =>
    new AppError(
      'business_rule',
      'inventory.service_item',
      `Item ${sku} is a service: it holds no stock.`,
      field(path, `Item ${sku} is a service`),
    ),
  unknownWarehouse: (path: string, ref: string) =>
    new AppError(
      'business_rule',
      'inventory.unknown_warehouse',
      `There is no warehouse ${ref}.`,
      field(path, `Unknown warehouse ${ref}`),
    ),
  inactiveWarehouse: (path: string, code: string) =>
    new AppError(
      'business_rule',
      'inventory.inactive_warehouse',
      `Warehouse ${code} is deactivated.`,
      field(path, `Warehouse ${code} is inactive`),
    ),
  receiptWithoutValue: () =>
    new AppError(
      'business_rule',
      'inventory.receipt_without_value',
      'The goods received are worth nothing at 4 decimal places; check the quantities and unit costs.',
      field('lines', 'No value'),
    ),
  sameWarehouse: () =>
    new AppError(
      'business_rule',
      'inventory.same_warehouse',
      'A transfer goes from one warehouse to another.',
      field('to', 'Same as from'),
    ),
  /** Stock short on one or more lines; `errors` names each of them. */
  insufficientStock: (errors: FieldError[]) =>
    new AppError('conflict', 'inventory.insufficient_stock', 'There is not enough stock available.', {
      errors,
    }),
  duplicateKey: (path: string) =>
    new AppError(
      'validation',
      'inventory.duplicate_key',
      'Each line needs a key of its own.',
      field(path, 'Used twice'),
    ),
  unknownReservation: (path: string, key: string) =>
    new AppError(
      'business_rule',
      'inventory.unknown_reservation',
      `Nothing is reserved under ${key} for this reference.`,
      field(path, `No active reservation ${key}`),
    ),
  overIssue: (errors: FieldError[]) =>
    new AppError('conflict', 'inventory.over_issue', 'More is issued than is reserved and not yet issued.', {
      errors,
    }),
  dateRange: () =>
    new AppError(
      'validation',
      'inventory.date_range',
      'The range ends before it starts.',
      field('query.to', 'Before from'),
    ),
} as const;
