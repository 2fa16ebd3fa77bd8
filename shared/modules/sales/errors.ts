import { AppError } from '../../platform/errors.js';

const field = (path: string, message: string) => ({ errors: [{ path, message }] });

/** Failures of sales, each with its stable code and, where there is one, the field it is about. */
export const salesErrors = {
  quoteNotFound: () => new AppError('not_found', 'sales.quote_not_found', 'The quote does not exist.'),
  orderNotFound: () => new AppError('not_found', 'sales.order_not_found', 'The sales order does not exist.'),
  unknownCustomer: (path = 'customerId') =>
    new AppError(
      'business_rule',
      'sales.unknown_customer',
      'There is no such customer.',
      field(path, 'Unknown customer'),
    ),
  inactiveCustomer: (path = 'customerId') =>
    new AppError(
      'business_rule',
      'sales.inactive_customer',
      'The customer is deactivated.',
      field(path, 'Inactive customer'),
    ),
  unknownItem: (path: string) =>
    new AppError(
      'business_rule',
      'sales.unknown_item',
      'There is no such item.',
      field(path, 'Unknown item'),
    ),
  inactiveItem: (path: string, sku: string) =>
    new AppError(
      'business_rule',
      'sales.inactive_item',
      `Item ${sku} is deactivated.`,
      field(path, 'Inactive item'),
    ),
  warehouseRequired: (path: string, sku: string) =>
    new AppError(
      'business_rule',
      'sales.warehouse_required',
      `Item ${sku} is kept in stock: name the warehouse it comes from.`,
      field(path, 'Required for a stock item'),
    ),
  warehouseNotForService: (path: string, sku: string) =>
    new AppError(
      'business_rule',
      'sales.warehouse_not_for_service',
      `Item ${sku} is a service and comes from no warehouse.`,
      field(path, 'Not for a service'),
    ),
  unknownWarehouse: (path: string) =>
    new AppError(
      'business_rule',
      'sales.unknown_warehouse',
      'There is no such active warehouse.',
      field(path, 'Unknown or inactive warehouse'),
    ),
  unknownTaxCode: (path: string, code: string) =>
    new AppError(
      'business_rule',
      'sales.unknown_tax_code',
      `There is no active tax code ${code}.`,
      field(path, 'Unknown tax code'),
    ),
  priceRequired: (path: string, sku: string) =>
    new AppError(
      'business_rule',
      'sales.price_required',
      `Item ${sku} has no sales price: give the unit price.`,
      field(path, 'Required'),
    ),
  noRate: (path: string, currency: string, base: string, date: string) =>
    new AppError(
      'business_rule',
      'sales.no_exchange_rate',
      `There is no ${currency}/${base} exchange rate on or before ${date} to convert the item's price: give the unit price or add the rate.`,
      field(path, 'Required'),
    ),
  amountScale: (path: string, currency: string, places: number) =>
    new AppError(
      'validation',
      'sales.amount_scale',
      `${currency} amounts have at most ${places} decimal places.`,
      field(path, `At most ${places} decimal places`),
    ),
  validity: () =>
    new AppError(
      'business_rule',
      'sales.validity',
      'A quote cannot be valid until before its date.',
      field('validUntil', 'Before the quote date'),
    ),
  quoteNotDraft: (status: string) =>
    new AppError('conflict', 'sales.quote_not_draft', `The quote is ${status}; only a draft can be changed.`),
  quoteStatus: (action: string, status: string) =>
    new AppError('conflict', 'sales.quote_status', `A ${status} quote cannot be ${action}.`),
  quoteExpired: (validUntil: string) =>
    new AppError('business_rule', 'sales.quote_expired', `The quote was valid until ${validUntil}.`),
  orderStatus: (action: string, status: string) =>
    new AppError(
      'conflict',
      'sales.order_status',
      `A ${status.replace('_', ' ')} order cannot be ${action}.`,
    ),
  unknownLine: (path: string, lineNo: number) =>
    new AppError(
      'business_rule',
      'sales.unknown_line',
      `The order has no line ${lineNo}.`,
      field(path, 'Unknown line'),
    ),
  overDelivery: (path: string, lineNo: number, outstanding: string) =>
    new AppError(
      'conflict',
      'sales.over_delivery',
      `Line ${lineNo} has ${outstanding} left to deliver.`,
      field(path, `At most ${outstanding}`),
    ),
  nothingToDeliver: () =>
    new AppError(
      'conflict',
      'sales.nothing_to_deliver',
      'Everything on the order is delivered or cancelled.',
    ),
  nothingToInvoice: () =>
    new AppError(
      'conflict',
      'sales.nothing_to_invoice',
      'Nothing delivered on the order is waiting to be invoiced.',
    ),
  revenueAccount: (cause: string) =>
    new AppError(
      'business_rule',
      'sales.revenue_account',
      `Sales revenue goes to accounts 4000 (goods) and 4200 (services) of the chart: ${cause}`,
    ),
  noRateToValue: (currency: string, base: string, date: string) =>
    new AppError(
      'business_rule',
      'sales.no_exchange_rate',
      `There is no ${currency}/${base} exchange rate for ${date} to value the order in the base currency: add the rate.`,
      field('currency', 'No exchange rate today'),
    ),
};
