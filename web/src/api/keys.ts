/**
 * Query keys, one factory per module, so a change invalidates exactly what it affects
 * (`salesKeys.quotes()` covers every quote list and every quote).
 */

type Filters = Record<string, string | undefined>;

export const adminKeys = {
  all: ['admin'] as const,
  tenant: () => [...adminKeys.all, 'tenant'] as const,
  users: () => [...adminKeys.all, 'users'] as const,
  userList: (filters: Filters) => [...adminKeys.users(), 'list', filters] as const,
  audit: (filters: Filters) => [...adminKeys.all, 'audit', filters] as const,
};

export const salesKeys = {
  all: ['sales'] as const,
  quotes: () => [...salesKeys.all, 'quotes'] as const,
  quoteList: (filters: Filters) => [...salesKeys.quotes(), 'list', filters] as const,
  quote: (id: string) => [...salesKeys.quotes(), 'detail', id] as const,
  orders: () => [...salesKeys.all, 'orders'] as const,
  orderList: (filters: Filters) => [...salesKeys.orders(), 'list', filters] as const,
  order: (id: string) => [...salesKeys.orders(), 'detail', id] as const,
};

export const accountingKeys = {
  all: ['accounting'] as const,
  customers: () => [...accountingKeys.all, 'customers'] as const,
  customerList: (filters: Filters) => [...accountingKeys.customers(), 'list', filters] as const,
  customer: (id: string) => [...accountingKeys.customers(), 'detail', id] as const,
  taxCodes: () => [...accountingKeys.all, 'tax-codes'] as const,
  /** Dashboard figures read from the books (aged receivables, revenue to date). */
  figures: (name: string, params: Filters) => [...accountingKeys.all, 'figures', name, params] as const,
};

export const inventoryKeys = {
  all: ['inventory'] as const,
  items: () => [...inventoryKeys.all, 'items'] as const,
  itemList: (filters: Filters) => [...inventoryKeys.items(), 'list', filters] as const,
  item: (id: string) => [...inventoryKeys.items(), 'detail', id] as const,
  warehouses: () => [...inventoryKeys.all, 'warehouses'] as const,
  stock: () => [...inventoryKeys.all, 'stock'] as const,
  stockList: (filters: Filters) => [...inventoryKeys.stock(), 'list', filters] as const,
  /** Stock documents of one kind (`receipts`, `transfers`, `adjustments`). */
  documents: (plural: string) => [...inventoryKeys.all, plural] as const,
  documentList: (plural: string, filters: Filters) =>
    [...inventoryKeys.documents(plural), 'list', filters] as const,
  document: (plural: string, id: string) => [...inventoryKeys.documents(plural), 'detail', id] as const,
  lowStock: () => [...inventoryKeys.all, 'low-stock'] as const,
};

export const approvalsKeys = {
  all: ['approvals'] as const,
  inbox: (filters: Filters) => [...approvalsKeys.all, 'inbox', filters] as const,
};

export const flowKeys = {
  all: ['flows'] as const,
  flow: (instanceId: string) => [...flowKeys.all, instanceId] as const,
};

export const reportKeys = {
  all: ['reports'] as const,
  schedules: () => [...reportKeys.all, 'schedules'] as const,
  scheduleList: (filters: Filters) => [...reportKeys.schedules(), 'list', filters] as const,
  schedule: (id: string) => [...reportKeys.schedules(), 'detail', id] as const,
  runs: () => [...reportKeys.all, 'runs'] as const,
  runList: (filters: Filters) => [...reportKeys.runs(), 'list', filters] as const,
  run: (id: string) => [...reportKeys.runs(), 'detail', id] as const,
};

export const documentKeys = {
  all: ['documents'] as const,
  /** The documents attached to one record, e.g. `documentKeys.forRecord('invoice', id)`. */
  forRecord: (recordType: string, recordId: string) => [...documentKeys.all, recordType, recordId] as const,
};

export const notificationKeys = {
  all: ['notifications'] as const,
  unreadCount: () => [...notificationKeys.all, 'unread-count'] as const,
  list: (filters: Filters) => [...notificationKeys.all, 'list', filters] as const,
};
