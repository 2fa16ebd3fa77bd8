import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { Suspense, lazy, useEffect, useMemo, type ReactElement } from 'react';
import { FormattedMessage } from 'react-intl';
import { Navigate, RouterProvider, createBrowserRouter } from 'react-router';
import { ApiError } from './api/client';
import { ApiProvider } from './api/ApiProvider';
import { AuthProvider, useAuth } from './auth/AuthProvider';
import { can, type Permission } from './auth/roles';
import { SignInPage } from './auth/SignInPage';
import { Empty, ErrorState, Loading } from './components/States';
import { LocaleProvider } from './i18n/LocaleProvider';
import { Shell, navEntriesFor } from './shell/Shell';
import { ThemeProvider } from './shell/theme';

// Each page is its own chunk: the first page downloads only the shell and itself.
const QuotesPage = lazy(() => import('./pages/sales/QuotesPage').then((m) => ({ default: m.QuotesPage })));
const QuoteEditorPage = lazy(() =>
  import('./pages/sales/QuoteEditorPage').then((m) => ({ default: m.QuoteEditorPage })),
);
const OrdersPage = lazy(() => import('./pages/sales/OrdersPage').then((m) => ({ default: m.OrdersPage })));
const OrderPage = lazy(() => import('./pages/sales/OrderPage').then((m) => ({ default: m.OrderPage })));
const CustomersPage = lazy(() =>
  import('./pages/sales/CustomersPage').then((m) => ({ default: m.CustomersPage })),
);
const CustomerPage = lazy(() =>
  import('./pages/sales/CustomerPage').then((m) => ({ default: m.CustomerPage })),
);
const StockPage = lazy(() => import('./pages/inventory/StockPage').then((m) => ({ default: m.StockPage })));
const ItemsPage = lazy(() => import('./pages/inventory/ItemPages').then((m) => ({ default: m.ItemsPage })));
const ItemPage = lazy(() => import('./pages/inventory/ItemPages').then((m) => ({ default: m.ItemPage })));
const stockDocuments = () => import('./pages/inventory/StockDocumentPages');
const StockDocumentsPage = lazy(() => stockDocuments().then((m) => ({ default: m.StockDocumentsPage })));
const StockDocumentPage = lazy(() => stockDocuments().then((m) => ({ default: m.StockDocumentPage })));
const TenantSettingsPage = lazy(() =>
  import('./pages/admin/TenantSettingsPage').then((m) => ({ default: m.TenantSettingsPage })),
);
const UsersPage = lazy(() => import('./pages/admin/UsersPage').then((m) => ({ default: m.UsersPage })));
const AuditPage = lazy(() => import('./pages/admin/AuditPage').then((m) => ({ default: m.AuditPage })));
const DashboardPage = lazy(() =>
  import('./pages/dashboard/DashboardPage').then((m) => ({ default: m.DashboardPage })),
);
const ApprovalsPage = lazy(() =>
  import('./pages/approvals/ApprovalsPage').then((m) => ({ default: m.ApprovalsPage })),
);

const accounting = () => import('./pages/accounting/pages');
const AccountsPage = lazy(() => accounting().then((m) => ({ default: m.AccountsPage })));
const JournalListPage = lazy(() => accounting().then((m) => ({ default: m.JournalListPage })));
const NewJournalEntryPage = lazy(() => accounting().then((m) => ({ default: m.NewJournalEntryPage })));
const JournalEntryPage = lazy(() => accounting().then((m) => ({ default: m.JournalEntryPage })));
const LedgerPage = lazy(() => accounting().then((m) => ({ default: m.LedgerPage })));
const TrialBalancePage = lazy(() => accounting().then((m) => ({ default: m.TrialBalancePage })));
const ProfitAndLossPage = lazy(() => accounting().then((m) => ({ default: m.ProfitAndLossPage })));
const BalanceSheetPage = lazy(() => accounting().then((m) => ({ default: m.BalanceSheetPage })));
const AgingPage = lazy(() => accounting().then((m) => ({ default: m.AgingPage })));
const NotificationsPage = lazy(() =>
  import('./pages/notifications/NotificationsPage').then((m) => ({ default: m.NotificationsPage })),
);
const reports = () => import('./pages/reports/ReportsPage');
const ReportsPage = lazy(() => reports().then((m) => ({ default: m.ReportsPage })));
const ReportRunPage = lazy(() =>
  import('./pages/reports/ReportRunPage').then((m) => ({ default: m.ReportRunPage })),
);

const page = (element: ReactElement, permission?: Permission) => (
  <Suspense fallback={<Loading />}>
    {permission ? <Allowed permission={permission}>{element}</Allowed> : element}
  </Suspense>
);

/** A page the user's roles do not open says so instead of asking the API for what it would refuse. */
function Allowed({ permission, children }: { permission: Permission; children: ReactElement }) {
  const { user } = useAuth();
  if (can[permission](user?.roles ?? [])) return children;
  return (
    <Empty>
      <FormattedMessage
        id="page.forbidden"
        defaultMessage="Your roles do not open this page. Ask an administrator if you need it."
      />
    </Empty>
  );
}

function Home() {
  const { user } = useAuth();
  if (can.seeDashboard(user?.roles ?? [])) return page(<DashboardPage />);
  const first = navEntriesFor(user?.roles ?? [])[0];
  if (!first)
    return (
      <Empty>
        <FormattedMessage
          id="home.noRoles"
          defaultMessage="Your account has no role that opens a part of the ERP yet. Ask an administrator for one."
        />
      </Empty>
    );
  return <Navigate to={first.path} replace />;
}

function NotFound() {
  return (
    <Empty>
      <FormattedMessage id="page.notFound" defaultMessage="There is no page here." />
    </Empty>
  );
}

function SignedInApp() {
  const router = useMemo(
    () =>
      createBrowserRouter([
        {
          path: '/',
          element: <Shell />,
          children: [
            { index: true, element: <Home /> },
            { path: 'sales/quotes', element: page(<QuotesPage />, 'readSales') },
            { path: 'sales/quotes/new', element: page(<QuoteEditorPage />, 'sell') },
            { path: 'sales/quotes/:id', element: page(<QuoteEditorPage />, 'readSales') },
            { path: 'sales/orders', element: page(<OrdersPage />, 'readSales') },
            { path: 'sales/orders/new', element: page(<QuoteEditorPage mode="order" />, 'sell') },
            { path: 'sales/orders/:id', element: page(<OrderPage />, 'readSales') },
            { path: 'sales/customers', element: page(<CustomersPage />, 'readCustomers') },
            { path: 'sales/customers/new', element: page(<CustomerPage />, 'manageCustomers') },
            { path: 'sales/customers/:id', element: page(<CustomerPage />, 'readCustomers') },
            { path: 'inventory/stock', element: page(<StockPage />, 'readInventory') },
            { path: 'inventory/items', element: page(<ItemsPage />, 'readInventory') },
            { path: 'inventory/items/new', element: page(<ItemPage />, 'manageInventory') },
            { path: 'inventory/items/:id', element: page(<ItemPage />, 'readInventory') },
            ...(['receipt', 'transfer', 'adjustment'] as const).flatMap((kind) => [
              {
                path: `inventory/${kind}s`,
                element: page(<StockDocumentsPage key={kind} kind={kind} />, 'readInventory'),
              },
              {
                path: `inventory/${kind}s/new`,
                element: page(<StockDocumentPage key={kind} kind={kind} />, 'manageInventory'),
              },
              {
                path: `inventory/${kind}s/:id`,
                element: page(<StockDocumentPage key={kind} kind={kind} />, 'readInventory'),
              },
            ]),
            { path: 'accounting/accounts', element: page(<AccountsPage />, 'readLedger') },
            { path: 'accounting/journal', element: page(<JournalListPage />, 'readLedger') },
            { path: 'accounting/journal/new', element: page(<NewJournalEntryPage />, 'postJournal') },
            { path: 'accounting/journal/:id', element: page(<JournalEntryPage />, 'readLedger') },
            { path: 'accounting/ledger/:code', element: page(<LedgerPage />, 'readLedger') },
            { path: 'accounting/trial-balance', element: page(<TrialBalancePage />, 'readLedger') },
            { path: 'accounting/profit-and-loss', element: page(<ProfitAndLossPage />, 'readLedger') },
            { path: 'accounting/balance-sheet', element: page(<BalanceSheetPage />, 'readLedger') },
            { path: 'accounting/ar-aging', element: page(<AgingPage kind="receivables" />, 'readLedger') },
            { path: 'accounting/ap-aging', element: page(<AgingPage kind="payables" />, 'readLedger') },
            { path: 'approvals', element: page(<ApprovalsPage />, 'useApprovals') },
            { path: 'notifications', element: page(<NotificationsPage />, 'useApprovals') },
            { path: 'reports', element: page(<ReportsPage />, 'readReports') },
            { path: 'reports/runs/:id', element: page(<ReportRunPage />, 'readReports') },
            { path: 'admin/settings', element: page(<TenantSettingsPage />, 'readAdmin') },
            { path: 'admin/users', element: page(<UsersPage />, 'readAdmin') },
            { path: 'admin/audit', element: page(<AuditPage />, 'readAdmin') },
            { path: '*', element: <NotFound /> },
          ],
        },
      ]),
    [],
  );
  return <RouterProvider router={router} />;
}

function Gate({ queryClient }: { queryClient: QueryClient }) {
  const auth = useAuth();
  useEffect(() => {
    // Nothing one user loaded may be shown to the next.
    if (auth.status === 'signed-out') queryClient.clear();
  }, [auth.status, queryClient]);
  if (auth.status === 'starting') return <Loading />;
  if (auth.status === 'failed')
    return <ErrorState error={new Error(auth.failure)} onRetry={() => window.location.reload()} />;
  if (auth.status === 'signed-out') return <SignInPage />;
  return (
    <ApiProvider>
      <SignedInApp />
    </ApiProvider>
  );
}

export function App() {
  const queryClient = useMemo(
    () =>
      new QueryClient({
        defaultOptions: {
          queries: {
            staleTime: 15_000,
            // A refusal will not change by asking again; a lost connection may.
            retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
            refetchOnWindowFocus: false,
          },
        },
      }),
    [],
  );
  return (
    <ThemeProvider>
      <LocaleProvider>
        <QueryClientProvider client={queryClient}>
          <AuthProvider>
            <Gate queryClient={queryClient} />
          </AuthProvider>
        </QueryClientProvider>
      </LocaleProvider>
    </ThemeProvider>
  );
}
