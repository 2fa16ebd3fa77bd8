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
