import {
  Avatar,
  Button,
  Menu,
  MenuDivider,
  MenuGroup,
  MenuGroupHeader,
  MenuItem,
  MenuItemRadio,
  MenuList,
  MenuPopover,
  MenuTrigger,
  NavDrawer,
  NavDrawerBody,
  NavItem,
  NavSectionHeader,
  Text,
  Tooltip,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import {
  ArrowTrendingLinesRegular,
  BookOpenRegular,
  BookRegular,
  DocumentTableRegular,
  MoneyRegular,
  PaymentRegular,
  ScalesRegular,
  BoxCheckmarkRegular,
  BoxEditRegular,
  BoxRegular,
  HistoryRegular,
  HomeRegular,
  PeopleTeamRegular,
  SettingsRegular,
  TagRegular,
  VehicleTruckRegular,
  CheckmarkCircleRegular,
  DocumentBulletListRegular,
  NavigationRegular,
  PeopleRegular,
  ReceiptRegular,
  DocumentDataRegular,
} from '@fluentui/react-icons';
import { useQuery } from '@tanstack/react-query';
import { useState, useSyncExternalStore, type ReactElement } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { Outlet, useLocation, useNavigate } from 'react-router';
import { useApi } from '../api/ApiProvider';
import { adminKeys } from '../api/keys';
import type { Tenant } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { can, type Permission } from '../auth/roles';
import { LOCALES, useLocaleChoice, type AppLocale } from '../i18n/LocaleProvider';
import { useThemeChoice } from './theme';
import { NotificationBell } from './NotificationBell';
import { visuallyHidden } from '../components/visuallyHidden';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', height: '100vh' },
  header: {
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalL}`,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  headerButton: { color: tokens.colorNeutralForegroundOnBrand },
  product: { fontWeight: tokens.fontWeightSemibold },
  tenant: { opacity: 0.9 },
  spacer: { flexGrow: 1 },
  visuallyHidden,
  body: { display: 'flex', flexGrow: 1, minHeight: 0 },
  nav: { height: '100%', flexShrink: 0 },
  main: { flexGrow: 1, minWidth: 0, overflow: 'auto', padding: tokens.spacingHorizontalXL },
});

interface NavEntry {
  path: string;
  label: ReactElement;
  icon: ReactElement;
  permission: Permission;
  section: 'home' | 'sales' | 'inventory' | 'accounting' | 'approvals' | 'reports' | 'admin';
}

const NAV: NavEntry[] = [
  {
    path: '/',
    label: <FormattedMessage id="nav.dashboard" defaultMessage="Dashboard" />,
    icon: <HomeRegular />,
    permission: 'seeDashboard',
    section: 'home',
  },
  {
    path: '/sales/quotes',
    label: <FormattedMessage id="nav.quotes" defaultMessage="Quotes" />,
    icon: <DocumentBulletListRegular />,
    permission: 'readSales',
    section: 'sales',
  },
  {
    path: '/sales/orders',
    label: <FormattedMessage id="nav.orders" defaultMessage="Orders" />,
    icon: <ReceiptRegular />,
    permission: 'readSales',
    section: 'sales',
  },
  {
    path: '/sales/customers',
    label: <FormattedMessage id="nav.customers" defaultMessage="Customers" />,
    icon: <PeopleRegular />,
    permission: 'readCustomers',
    section: 'sales',
  },
  {
    path: '/inventory/items',
    label: <FormattedMessage id="nav.items" defaultMessage="Items" />,
    icon: <TagRegular />,
    permission: 'readInventory',
    section: 'inventory',
  },
  {
    path: '/inventory/stock',
    label: <FormattedMessage id="nav.stockOnHand" defaultMessage="Stock on hand" />,
    icon: <BoxRegular />,
    permission: 'readInventory',
    section: 'inventory',
  },
  {
    path: '/inventory/receipts',
    label: <FormattedMessage id="nav.receipts" defaultMessage="Goods receipts" />,
    icon: <BoxCheckmarkRegular />,
    permission: 'readInventory',
    section: 'inventory',
  },
  {
    path: '/inventory/transfers',
    label: <FormattedMessage id="nav.transfers" defaultMessage="Transfers" />,
    icon: <VehicleTruckRegular />,
    permission: 'readInventory',
    section: 'inventory',
  },
  {
    path: '/inventory/adjustments',
    label: <FormattedMessage id="nav.adjustments" defaultMessage="Adjustments" />,
    icon: <BoxEditRegular />,
    permission: 'readInventory',
    section: 'inventory',
  },
  {
    path: '/accounting/accounts',
    label: <FormattedMessage id="nav.accounts" defaultMessage="Chart of accounts" />,
    icon: <BookRegular />,
    permission: 'readLedger',
    section: 'accounting',
  },
  {
    path: '/accounting/journal',
    label: <FormattedMessage id="nav.journal" defaultMessage="Journal" />,
    icon: <BookOpenRegular />,
    permission: 'readLedger',
    section: 'accounting',
  },
  {
    path: '/accounting/trial-balance',
    label: <FormattedMessage id="nav.trialBalance" defaultMessage="Trial balance" />,
    icon: <ScalesRegular />,
    permission: 'readLedger',
    section: 'accounting',
  },
  {
    path: '/accounting/profit-and-loss',
    label: <FormattedMessage id="nav.profitAndLoss" defaultMessage="Profit and loss" />,
    icon: <ArrowTrendingLinesRegular />,
    permission: 'readLedger',
    section: 'accounting',
  },
  {
    path: '/accounting/balance-sheet',
    label: <FormattedMessage id="nav.balanceSheet" defaultMessage="Balance sheet" />,
    icon: <DocumentTableRegular />,
    permission: 'readLedger',
    section: 'accounting',
  },
  {
    path: '/accounting/ar-aging',
    label: <FormattedMessage id="nav.arAging" defaultMessage="Receivables aging" />,
    icon: <MoneyRegular />,
    permission: 'readLedger',
    section: 'accounting',
  },
  {
    path: '/accounting/ap-aging',
    label: <FormattedMessage id="nav.apAging" defaultMessage="Payables aging" />,
    icon: <PaymentRegular />,
    permission: 'readLedger',
    section: 'accounting',
  },
  {
    path: '/approvals',
    label: <FormattedMessage id="nav.approvals" defaultMessage="Approvals" />,
    icon: <CheckmarkCircleRegular />,
    permission: 'useApprovals',
    section: 'approvals',
  },
  {
    path: '/reports',
    label: <FormattedMessage id="nav.reports" defaultMessage="Reports" />,
    icon: <DocumentDataRegular />,
    permission: 'readReports',
    section: 'reports',
  },
  {
    path: '/admin/settings',
    label: <FormattedMessage id="nav.settings" defaultMessage="Tenant settings" />,
    icon: <SettingsRegular />,
    permission: 'readAdmin',
    section: 'admin',
  },
  {
    path: '/admin/users',
    label: <FormattedMessage id="nav.users" defaultMessage="Users and roles" />,
    icon: <PeopleTeamRegular />,
    permission: 'readAdmin',
    section: 'admin',
  },
  {
    path: '/admin/audit',
    label: <FormattedMessage id="nav.audit" defaultMessage="Audit log" />,
    icon: <HistoryRegular />,
    permission: 'readAdmin',
    section: 'admin',
  },
];

const SECTION_TITLES = {
  home: <FormattedMessage id="nav.section.home" defaultMessage="Home" />,
  sales: <FormattedMessage id="nav.section.sales" defaultMessage="Sales" />,
  inventory: <FormattedMessage id="nav.section.inventory" defaultMessage="Inventory" />,
  accounting: <FormattedMessage id="nav.section.accounting" defaultMessage="Accounting" />,
  approvals: <FormattedMessage id="nav.section.approvals" defaultMessage="Approvals" />,
  reports: <FormattedMessage id="nav.section.reports" defaultMessage="Reports" />,
  admin: <FormattedMessage id="nav.section.admin" defaultMessage="Administration" />,
};

const LOCALE_NAMES: Record<AppLocale, string> = {
  'en-ZA': 'English (South Africa)',
  'af-ZA': 'Afrikaans (Suid-Afrika)',
  'en-US': 'English (United States)',
};

const NARROW_QUERY = '(max-width: 1023px)';

/** Whether the window is narrower than a laptop's (a tablet or a phone), following resizes. */
function useNarrowScreen(): boolean {
  return useSyncExternalStore(
    (onChange) => {
      if (typeof window.matchMedia !== 'function') return () => {};
      const query = window.matchMedia(NARROW_QUERY);
      query.addEventListener('change', onChange);
      return () => query.removeEventListener('change', onChange);
    },
    () => typeof window.matchMedia === 'function' && window.matchMedia(NARROW_QUERY).matches,
  );
}

/** The entries of the navigation the user's roles allow. */
export function navEntriesFor(roles: readonly string[]): NavEntry[] {
  return NAV.filter((entry) => can[entry.permission](roles));
}

export function Shell() {
  const styles = useStyles();
  const intl = useIntl();
  const api = useApi();
  const auth = useAuth();
  const { locale, setLocale } = useLocaleChoice();
  const { dark, setDark } = useThemeChoice();
  const navigate = useNavigate();
  const location = useLocation();
  // On a tablet or a phone the navigation opens over the page and closes once a page is chosen.
  const narrow = useNarrowScreen();
  const [navOpen, setNavOpen] = useState(() => !narrow);
  const [wasNarrow, setWasNarrow] = useState(narrow);
  if (wasNarrow !== narrow) {
    setWasNarrow(narrow);
    setNavOpen(!narrow);
  }
  const tenant = useQuery({
    queryKey: adminKeys.tenant(),
    queryFn: ({ signal }) => api.get<Tenant>('v1/admin/tenant', { signal }),
    staleTime: 5 * 60_000,
  });
  const entries = navEntriesFor(auth.user?.roles ?? []);
  const selected = entries.find((e) =>
    e.path === '/' ? location.pathname === '/' : location.pathname.startsWith(e.path),
  )?.path;
  const sections = [...new Set(entries.map((e) => e.section))];

  return (
    <div className={styles.root}>
      <header className={styles.header}>
        <Tooltip
          content={intl.formatMessage({ id: 'shell.toggleNav', defaultMessage: 'Show or hide navigation' })}
          relationship="label"
        >
          <Button
            appearance="transparent"
            className={styles.headerButton}
            icon={<NavigationRegular />}
            onClick={() => setNavOpen((open) => !open)}
            aria-expanded={navOpen}
          />
        </Tooltip>
        <Text className={styles.product}>
          <FormattedMessage id="app.name" defaultMessage="Tessera ERP" />
        </Text>
        <Text className={styles.tenant} aria-live="polite">
          {tenant.data?.name ?? ''}
        </Text>
        <span className={styles.spacer} />
        <NotificationBell className={styles.headerButton} />
        <Menu
          checkedValues={{ locale: [locale], theme: [dark ? 'dark' : 'light'] }}
          onCheckedValueChange={(_, data) => {
            if (data.name === 'locale') setLocale(data.checkedItems[0] as AppLocale);
            if (data.name === 'theme') setDark(data.checkedItems[0] === 'dark');
          }}
        >
          <MenuTrigger disableButtonEnhancement>
            <Button
              appearance="transparent"
              className={styles.headerButton}
              icon={<Avatar name={auth.user?.name} size={28} color="colorful" aria-hidden />}
            >
              {auth.user?.name}
              {/* Named by what it shows, then what it opens, so voice control finds it by the name. */}
              <span className={styles.visuallyHidden}>
                {', '}
                {intl.formatMessage({ id: 'shell.userMenu', defaultMessage: 'Account and settings' })}
              </span>
            </Button>
          </MenuTrigger>
          <MenuPopover>
            <MenuList>
              <MenuGroup>
                <MenuGroupHeader>{auth.user?.username}</MenuGroupHeader>
              </MenuGroup>
              <MenuDivider />
              <MenuGroup>
                <MenuGroupHeader>
                  <FormattedMessage id="shell.language" defaultMessage="Language" />
                </MenuGroupHeader>
                {LOCALES.map((l) => (
                  <MenuItemRadio key={l} name="locale" value={l} lang={l}>
                    {LOCALE_NAMES[l]}
                  </MenuItemRadio>
                ))}
              </MenuGroup>
              <MenuDivider />
              <MenuGroup>
                <MenuGroupHeader>
                  <FormattedMessage id="shell.theme" defaultMessage="Theme" />
                </MenuGroupHeader>
                <MenuItemRadio name="theme" value="light">
                  <FormattedMessage id="shell.theme.light" defaultMessage="Light" />
                </MenuItemRadio>
                <MenuItemRadio name="theme" value="dark">
                  <FormattedMessage id="shell.theme.dark" defaultMessage="Dark" />
                </MenuItemRadio>
              </MenuGroup>
              <MenuDivider />
              <MenuItem onClick={auth.signOut}>
                <FormattedMessage id="shell.signOut" defaultMessage="Sign out" />
              </MenuItem>
            </MenuList>
          </MenuPopover>
        </Menu>
      </header>
      <div className={styles.body}>
        <NavDrawer
          open={navOpen}
          type={narrow ? 'overlay' : 'inline'}
          onOpenChange={(_, data) => setNavOpen(data.open)}
          className={styles.nav}
          // A page outside the navigation (a ledger, a record) selects nothing, still as a value.
          selectedValue={selected ?? ''}
          aria-label={intl.formatMessage({ id: 'shell.navigation', defaultMessage: 'Modules' })}
        >
          <NavDrawerBody>
            {sections.map((section) => (
              <div key={section}>
                <NavSectionHeader>{SECTION_TITLES[section]}</NavSectionHeader>
                {entries
                  .filter((e) => e.section === section)
                  .map((entry) => (
                    <NavItem
                      key={entry.path}
                      value={entry.path}
                      icon={entry.icon}
                      href={entry.path}
                      onClick={(event) => {
                        // A real link (new tab works); a plain click stays in the app.
                        if (event.ctrlKey || event.metaKey || event.shiftKey) return;
                        event.preventDefault();
                        if (narrow) setNavOpen(false);
                        void navigate(entry.path);
                      }}
                    >
                      {entry.label}
                    </NavItem>
                  ))}
              </div>
            ))}
          </NavDrawerBody>
        </NavDrawer>
        <main className={styles.main}>
          <Outlet />
        </main>
      </div>
    </div>
  );
}
