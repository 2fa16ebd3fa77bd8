/**
 * The ledger's API shapes and query keys: chart of accounts, journal entries and the financial
 * statements. Amounts are decimal strings in the tenant's base currency unless a line says otherwise.
 */
import { useQuery } from '@tanstack/react-query';
import type { Page } from '../../api/client';
import { useApi } from '../../api/ApiProvider';
import type { Money } from '../../api/types';

type Filters = Record<string, string | undefined>;

export const ledgerKeys = {
  all: ['ledger'] as const,
  accounts: () => [...ledgerKeys.all, 'accounts'] as const,
  accountList: (filters: Filters) => [...ledgerKeys.accounts(), 'list', filters] as const,
  allAccounts: () => [...ledgerKeys.accounts(), 'all'] as const,
  journal: () => [...ledgerKeys.all, 'journal'] as const,
  journalList: (filters: Filters) => [...ledgerKeys.journal(), 'list', filters] as const,
  entry: (id: string) => [...ledgerKeys.journal(), 'detail', id] as const,
  reports: () => [...ledgerKeys.all, 'reports'] as const,
  report: (name: string, params: Filters) => [...ledgerKeys.reports(), name, params] as const,
  ledgerLines: (params: Filters) => [...ledgerKeys.reports(), 'general-ledger', params] as const,
};

export const ACCOUNT_TYPES = ['asset', 'liability', 'equity', 'revenue', 'expense'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export interface Account {
  id: string;
  code: string;
  name: string;
  type: AccountType;
  /** Set on control accounts (receivable, payable, VAT…), which take no manual postings. */
  role: string | null;
  manualPosting: boolean;
  active: boolean;
  version: number;
}

export interface JournalLine {
  lineNo: number;
  account: string;
  accountName: string;
  debit: Money | null;
  credit: Money | null;
  baseDebit: Money | null;
  baseCredit: Money | null;
  memo: string | null;
}

export interface JournalEntry {
  id: string;
  number: string;
  date: string;
  memo: string;
  currency: string;
  baseCurrency: string;
  exchangeRate: string;
  source: { type: string; id: string } | null;
  reversesEntryId: string | null;
  reversedByEntryId: string | null;
  postedBy: string;
  postedAt: string;
  lines: JournalLine[];
}

export interface JournalEntryInput {
  date: string;
  memo: string;
  currency: string;
  lines: { account: string; debit?: string; credit?: string; memo?: string }[];
}

export interface TrialBalance {
  from: string;
  to: string;
  currency: string;
  rows: {
    account: string;
    name: string;
    type: AccountType;
    debit: string;
    credit: string;
    balance: string;
  }[];
  totals: { debit: string; credit: string };
}

export interface GeneralLedger {
  account: { code: string; name: string; type: AccountType };
  from: string;
  to: string;
  currency: string;
  openingBalance: string;
  pageOpeningBalance: string;
  totals: { debit: string; credit: string };
  closingBalance: string;
  items: {
    date: string;
    entryId: string;
    entryNumber: string;
    lineNo: number;
    memo: string;
    debit: string | null;
    credit: string | null;
    balance: string;
  }[];
  nextCursor: string | null;
}

export interface StatementLine {
  account: string;
  name: string;
  amount: string;
  comparativeAmount: string;
}

export interface StatementSection<T extends string> {
  type: T;
  title: string;
  lines: StatementLine[];
  total: string;
  comparativeTotal: string;
}

export interface ProfitAndLoss {
  from: string;
  to: string;
  comparison: { from: string; to: string };
  currency: string;
  sections: [StatementSection<'revenue'>, StatementSection<'expense'>];
  netResult: string;
  comparativeNetResult: string;
}

export interface BalanceSheet {
  date: string;
  comparisonDate: string;
  currency: string;
  sections: [StatementSection<'asset'>, StatementSection<'liability'>, StatementSection<'equity'>];
  currentResult: string;
  comparativeCurrentResult: string;
  totals: {
    assets: string;
    comparativeAssets: string;
    liabilitiesAndEquity: string;
    comparativeLiabilitiesAndEquity: string;
  };
}

export interface AgingBuckets {
  current: string;
  days1To30: string;
  days31To60: string;
  days61To90: string;
  over90: string;
  total: string;
}

export interface AgingReport {
  asOf: string;
  baseCurrency: string;
  parties: {
    partyId: string;
    code: string;
    name: string;
    byCurrency: (AgingBuckets & { currency: string })[];
    base: AgingBuckets;
  }[];
  totals: { byCurrency: (AgingBuckets & { currency: string })[]; base: AgingBuckets };
}

/**
 * Every account of the chart, for pickers and drill-downs: a chart has a few hundred accounts at
 * most, so it is read whole, a page of 200 at a time, and kept for a few minutes.
 */
export function useAllAccounts() {
  const api = useApi();
  return useQuery({
    queryKey: ledgerKeys.allAccounts(),
    queryFn: async ({ signal }) => {
      const accounts: Account[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.get<Page<Account>>('v1/accounting/accounts', {
          query: { limit: 200, cursor },
          signal,
        });
        accounts.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      return accounts;
    },
    staleTime: 5 * 60_000,
  });
}

/**
 * Today's date, 'YYYY-MM-DD': in `timeZone` (the tenant's, see `useTenantToday`) when given, else in
 * the browser's.
 */
export function today(timeZone?: string): string {
  const now = new Date();
  if (timeZone) {
    try {
      // The tenant's day, as the server dates documents and defaults reports (not the browser's).
      const parts = new Intl.DateTimeFormat('en-US', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      }).formatToParts(now);
      const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
      return `${part('year')}-${part('month')}-${part('day')}`;
    } catch {
      // An unknown zone: the browser's day.
    }
  }
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The first day of the year of a date. */
export function startOfYear(date: string): string {
  return `${date.slice(0, 4)}-01-01`;
}
