/**
 * The app roles (the `roles` claim of the access token) and what each screen needs. The API
 * enforces the same rules; the app only hides what the user could not use.
 */
export const ROLES = [
  'Admin',
  'Finance.Approver',
  'Finance.Clerk',
  'Sales.Manager',
  'Sales.Rep',
  'Inventory.Clerk',
  'Purchasing.Officer',
  'HR.Manager',
  'Employee',
  'SiteManager',
  'Auditor',
  'Platform.Operator',
] as const;

export type Role = (typeof ROLES)[number];

const anyOf =
  (...allowed: Role[]) =>
  (roles: readonly string[]) =>
    roles.some((role) => (allowed as string[]).includes(role));

export const can = {
  readSales: anyOf(
    'Admin',
    'Sales.Manager',
    'Sales.Rep',
    'Finance.Clerk',
    'Finance.Approver',
    'Inventory.Clerk',
    'Auditor',
  ),
  sell: anyOf('Admin', 'Sales.Manager', 'Sales.Rep'),
  deliver: anyOf('Admin', 'Sales.Manager', 'Inventory.Clerk'),
  invoice: anyOf('Admin', 'Sales.Manager', 'Finance.Clerk'),
  cancelOrder: anyOf('Admin', 'Sales.Manager'),
  readCustomers: anyOf('Admin', 'Finance.Clerk', 'Finance.Approver', 'Auditor', 'Sales.Manager', 'Sales.Rep'),
  readInventory: anyOf(
    'Admin',
    'Inventory.Clerk',
    'Sales.Rep',
    'Sales.Manager',
    'Finance.Clerk',
    'Finance.Approver',
    'Auditor',
    'SiteManager',
  ),
  readLedger: anyOf('Admin', 'Finance.Clerk', 'Finance.Approver', 'Auditor'),
  postJournal: anyOf('Admin', 'Finance.Clerk'),
  /** Finance clerks keep invoices, bills, receipts, payments and journal entries (and their files). */
  keepFinanceRecords: anyOf('Admin', 'Finance.Clerk'),
  readSuppliers: anyOf('Admin', 'Finance.Clerk', 'Finance.Approver', 'Auditor', 'Purchasing.Officer'),
  /** Every user of a tenant has an inbox; operators of the service read no tenant's business data. */
  useApprovals: (roles: readonly string[]) => roles.some((role) => role !== 'Platform.Operator'),
  /** Sales adds customers and keeps their details; finance alone grants them credit. */
  manageCustomers: anyOf('Admin', 'Finance.Clerk', 'Sales.Manager', 'Sales.Rep'),
  grantCredit: anyOf('Admin', 'Finance.Clerk'),
  manageInventory: anyOf('Admin', 'Inventory.Clerk'),
  /** The dashboard opens for whoever can read at least one of its business figures. */
  seeDashboard: (roles: readonly string[]): boolean =>
    can.readSales(roles) || can.readInventory(roles) || can.readLedger(roles),
  /** Whoever may read at least one report (each report is checked on its own by the API). */
  readReports: anyOf(
    'Admin',
    'Finance.Clerk',
    'Finance.Approver',
    'Auditor',
    'Sales.Manager',
    'Sales.Rep',
    'Inventory.Clerk',
    'SiteManager',
  ),
  readAdmin: anyOf('Admin', 'Auditor'),
  administer: anyOf('Admin'),
} satisfies Record<string, (roles: readonly string[]) => boolean>;

export type Permission = keyof typeof can;

/**
 * The records documents attach to, and who may list and download (`read`) or attach and delete
 * (`change`) their files: the readers and writers each type is registered with in the API's
 * `functions/documents.ts`, which are those of the record itself.
 */
export const DOCUMENT_ACCESS = {
  quote: { read: 'readSales', change: 'sell' },
  sales_order: { read: 'readSales', change: 'sell' },
  delivery: { read: 'readSales', change: 'deliver' },
  invoice: { read: 'readLedger', change: 'keepFinanceRecords' },
  credit_note: { read: 'readLedger', change: 'keepFinanceRecords' },
  supplier_bill: { read: 'readLedger', change: 'keepFinanceRecords' },
  customer_receipt: { read: 'readLedger', change: 'keepFinanceRecords' },
  supplier_payment: { read: 'readLedger', change: 'keepFinanceRecords' },
  journal_entry: { read: 'readLedger', change: 'keepFinanceRecords' },
  customer: { read: 'readCustomers', change: 'manageCustomers' },
  supplier: { read: 'readSuppliers', change: 'keepFinanceRecords' },
  item: { read: 'readInventory', change: 'manageInventory' },
  warehouse: { read: 'readInventory', change: 'manageInventory' },
  goods_receipt: { read: 'readInventory', change: 'manageInventory' },
  stock_adjustment: { read: 'readInventory', change: 'manageInventory' },
  stock_transfer: { read: 'readInventory', change: 'manageInventory' },
  // The company's own papers: read by finance and auditors, kept by administrators.
  company: { read: 'readLedger', change: 'administer' },
} as const satisfies Record<string, { read: Permission; change: Permission }>;

export type DocumentRecordType = keyof typeof DOCUMENT_ACCESS;

/** Whether the roles may read or change the documents of a kind of record. */
export function mayDocuments(
  action: 'read' | 'change',
  recordType: DocumentRecordType,
  roles: readonly string[],
): boolean {
  return can[DOCUMENT_ACCESS[recordType][action]](roles);
}
