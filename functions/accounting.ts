import { app } from '@azure/functions';
import { z } from 'zod';
import {
  accountCreateSchema,
  accountListQuerySchema,
  accountPatchSchema,
  accountSchema,
  addAccount,
  addExchangeRate,
  addTaxCode,
  changeAccount,
  deleteAccount,
  closePeriod,
  describeEntries,
  getAccount,
  ensurePeriod,
  exchangeRateInputSchema,
  exchangeRateListQuerySchema,
  foldAllPeriodDeltas,
  listExchangeRates,
  exchangeRateSchema,
  getEntry,
  idParamsSchema,
  journalEntryInputSchema,
  journalEntrySchema,
  journalListQuerySchema,
  listAccounts,
  listEntries,
  listPeriods,
  listTaxCodes,
  periodListQuerySchema,
  periodSchema,
  postEntry,
  reopenPeriod,
  reverseEntry,
  reverseInputSchema,
  revaluationInputSchema,
  revaluationSchema,
  revalueForeignBalances,
  setUpBooks,
  taxCodeCreateSchema,
  taxCodeSchema,
  tenantBooks,
  accountByCode,
} from '../shared/modules/accounting/index.js';
import { todayIn } from '../shared/platform/clock.js';
import { primaryDb } from '../shared/platform/db/database.js';
import { defineConsumer } from '../shared/platform/events/consumer.js';
import { defineRoute, type Actor } from '../shared/platform/http/route.js';

const READERS = ['Admin', 'Finance.Clerk', 'Finance.Approver', 'Auditor'] as const;
const CLERKS = ['Admin', 'Finance.Clerk'] as const;
const CLOSERS = ['Admin', 'Finance.Approver'] as const;

const pageOf = (item: z.ZodType) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });
const auditActor = (actor: Actor) => ({
  tenantId: actor.tenantId,
  objectId: actor.objectId,
  name: actor.name,
  requestId: actor.requestId,
});

// ---- Chart of accounts ---------------------------------------------------------------------

defineRoute({
  name: 'accounting-accounts-list',
  method: 'GET',
  route: 'v1/accounting/accounts',
  summary: 'The chart of accounts, by code',
  tags: ['accounting'],
  roles: READERS,
  query: accountListQuerySchema,
  response: pageOf(accountSchema),
  handler: async ({ trx, query }) => ({ body: await listAccounts(trx, query) }),
});

defineRoute({
  name: 'accounting-accounts-create',
  method: 'POST',
  route: 'v1/accounting/accounts',
  summary: 'Add an account to the chart',
  tags: ['accounting'],
  roles: CLERKS,
  body: accountCreateSchema,
  response: accountSchema,
  status: 201,
  example: { code: '6760', name: 'Site security', type: 'expense' },
  handler: async ({ trx, actor, body }) => {
    const account = await addAccount(trx, auditActor(actor), body);
    return { body: account, etag: account.version, location: `/api/v1/accounting/accounts/${account.id}` };
  },
});

defineRoute({
  name: 'accounting-accounts-get',
  method: 'GET',
  route: 'v1/accounting/accounts/{id:guid}',
  summary: 'One account',
  tags: ['accounting'],
  roles: READERS,
  params: idParamsSchema,
  response: accountSchema,
  handler: async ({ trx, params }) => {
    const account = await getAccount(trx, params.id);
    return { body: account, etag: account.version };
  },
});

defineRoute({
  name: 'accounting-accounts-update',
  method: 'PATCH',
  route: 'v1/accounting/accounts/{id:guid}',
  summary: 'Rename or (de)activate an account (If-Match required); accounts are never deleted',
  tags: ['accounting'],
  roles: CLERKS,
  params: idParamsSchema,
  body: accountPatchSchema,
  response: accountSchema,
  example: { name: 'Bank: FNB current account' },
  handler: async ({ trx, actor, params, body, ifMatch }) => {
    const account = await changeAccount(trx, auditActor(actor), params.id, ifMatch(), body);
    return { body: account, etag: account.version };
  },
});

defineRoute({
  name: 'accounting-accounts-delete',
  method: 'DELETE',
  route: 'v1/accounting/accounts/{id:guid}',
  summary: 'Delete an account that was never posted to (If-Match required); others are deactivated',
  tags: ['accounting'],
  roles: CLERKS,
  params: idParamsSchema,
  status: 204,
  handler: async ({ trx, actor, params, ifMatch }) => {
    await deleteAccount(trx, auditActor(actor), params.id, ifMatch());
    return {};
  },
});

// ---- Journal -------------------------------------------------------------------------------

defineRoute({
  name: 'accounting-journal-entries-create',
  method: 'POST',
  route: 'v1/accounting/journal-entries',
  summary: 'Post a journal entry; it must balance, and it can never change afterwards',
  tags: ['accounting'],
  roles: CLERKS,
  body: journalEntryInputSchema,
  response: journalEntrySchema,
  status: 201,
  example: {
    date: '2026-11-02',
    memo: 'Bank charges for October',
    currency: 'ZAR',
    lines: [
      { account: '6500', debit: '150.00' },
      { account: '1000', credit: '150.00' },
    ],
  },
  handler: async ({ trx, actor, body }) => {
    const entry = await postEntry(trx, auditActor(actor), body);
    return { body: entry, location: `/api/v1/accounting/journal-entries/${entry.id}` };
  },
});

defineRoute({
  name: 'accounting-journal-entries-list',
  method: 'GET',
  route: 'v1/accounting/journal-entries',
  summary: 'Journal entries, newest first, by date range and account',
  tags: ['accounting'],
  roles: READERS,
  query: journalListQuerySchema,
  response: pageOf(journalEntrySchema),
  handler: async ({ trx, query }) => {
    const accountId = query.account ? (await accountByCode(trx, query.account))?.id : undefined;
    if (query.account && !accountId) return { body: { items: [], nextCursor: null } };
    const page = await listEntries(trx, { ...query, accountId });
    return { body: { items: await describeEntries(trx, page.rows), nextCursor: page.nextCursor } };
  },
});

defineRoute({
  name: 'accounting-journal-entries-get',
  method: 'GET',
  route: 'v1/accounting/journal-entries/{id:guid}',
  summary: 'One journal entry with its lines, in its currency and the base currency',
  tags: ['accounting'],
  roles: READERS,
  params: idParamsSchema,
  response: journalEntrySchema,
  handler: async ({ trx, params }) => ({ body: await getEntry(trx, params.id) }),
});

defineRoute({
  name: 'accounting-journal-entries-reverse',
  method: 'POST',
  route: 'v1/accounting/journal-entries/{id:guid}/reverse',
  summary: 'Post the reversing entry of an entry (once)',
  tags: ['accounting'],
  roles: CLERKS,
  params: idParamsSchema,
  body: reverseInputSchema.default({}),
  response: journalEntrySchema,
  status: 201,
  example: { memo: 'Posted to the wrong account' },
  handler: async ({ trx, actor, params, body }) => {
    const entry = await reverseEntry(trx, auditActor(actor), params.id, body);
    return { body: entry, location: `/api/v1/accounting/journal-entries/${entry.id}` };
  },
});

// ---- Periods, rates, tax -------------------------------------------------------------------

defineRoute({
  name: 'accounting-periods-list',
  method: 'GET',
  route: 'v1/accounting/periods',
  summary: 'Accounting periods, oldest first',
  tags: ['accounting'],
  roles: READERS,
  query: periodListQuerySchema,
  response: pageOf(periodSchema),
  handler: async ({ trx, query }) => {
    // The current fiscal year always exists, so a new tenant sees its periods.
    const books = await tenantBooks(trx);
    await ensurePeriod(trx, books, todayIn(books.timeZone));
    return { body: await listPeriods(trx, query) };
  },
});

for (const [action, roles, run] of [
  ['close', CLOSERS, closePeriod],
  ['reopen', ['Admin'] as const, reopenPeriod],
] as const) {
  defineRoute({
    name: `accounting-periods-${action}`,
    method: 'POST',
    route: `v1/accounting/periods/{id:guid}/${action}`,
    summary:
      action === 'close'
        ? 'Close a period for posting (If-Match required)'
        : 'Reopen a closed period (If-Match required)',
    tags: ['accounting'],
    roles,
    params: idParamsSchema,
    response: periodSchema,
    idempotent: false,
    handler: async ({ trx, actor, params, ifMatch }) => {
      const period = await run(trx, auditActor(actor), params.id, ifMatch());
      const year = await trx
        .selectFrom('fiscal_years')
        .select('name')
        .where('id', '=', period.fiscal_year_id)
        .executeTakeFirstOrThrow();
      return {
        body: {
          id: period.id,
          fiscalYear: year.name,
          number: period.number,
          startDate: period.start_date,
          endDate: period.end_date,
          status: period.status,
          version: period.version,
        },
        etag: period.version,
      };
    },
  });
}

defineRoute({
  name: 'accounting-exchange-rates-create',
  method: 'POST',
  route: 'v1/accounting/exchange-rates',
  summary: 'Record the rate of a currency against the base currency on a date',
  tags: ['accounting'],
  roles: CLERKS,
  body: exchangeRateInputSchema,
  response: exchangeRateSchema,
  status: 201,
  example: { currency: 'EUR', date: '2026-11-02', rate: '19.85' },
  handler: async ({ trx, actor, body }) => ({ body: await addExchangeRate(trx, auditActor(actor), body) }),
});

defineRoute({
  name: 'accounting-exchange-rates-list',
  method: 'GET',
  route: 'v1/accounting/exchange-rates',
  summary: 'Recorded exchange rates against the base currency, newest first',
  tags: ['accounting'],
  roles: READERS,
  query: exchangeRateListQuerySchema,
  response: pageOf(exchangeRateSchema),
  handler: async ({ trx, query }) => ({ body: await listExchangeRates(trx, query) }),
});

defineRoute({
  name: 'accounting-tax-codes-list',
  method: 'GET',
  route: 'v1/accounting/tax-codes',
  summary: "The tenant's tax codes",
  tags: ['accounting'],
  roles: 'any',
  response: z.object({ items: z.array(taxCodeSchema), nextCursor: z.null() }),
  handler: async ({ trx }) => ({ body: { items: await listTaxCodes(trx), nextCursor: null } }),
});

defineRoute({
  name: 'accounting-tax-codes-create',
  method: 'POST',
  route: 'v1/accounting/tax-codes',
  summary: 'Add a tax code',
  tags: ['accounting'],
  roles: ['Admin'],
  body: taxCodeCreateSchema,
  response: taxCodeSchema,
  status: 201,
  example: { code: 'VAT_CAPITAL', name: 'VAT on capital goods', kind: 'standard', rate: '15' },
  handler: async ({ trx, actor, body }) => ({ body: await addTaxCode(trx, auditActor(actor), body) }),
});

// ---- Events --------------------------------------------------------------------------------

/** A new tenant gets its chart of accounts and tax codes. */
defineConsumer({
  name: 'accounting-books-setup',
  subscription: 'accounting',
  eventTypes: ['admin.TenantOnboarded'],
  handle: async (event, { trx }) => {
    const payload = event.payload as { tenantId: string; baseCurrency: string };
    await setUpBooks(trx, payload.tenantId, payload.baseCurrency);
  },
});

defineRoute({
  name: 'accounting-fx-revaluations-create',
  method: 'POST',
  route: 'v1/accounting/fx-revaluations',
  summary:
    'Revalue open foreign-currency receivables and payables at a date (unrealised FX, reversed the next day)',
  tags: ['accounting'],
  roles: CLERKS,
  body: revaluationInputSchema,
  response: revaluationSchema,
  status: 201,
  example: { date: '2026-11-30' },
  handler: async ({ trx, actor, body }) => ({
    body: await revalueForeignBalances(trx, auditActor(actor), body.date),
  }),
});

// ---- Period totals -------------------------------------------------------------------------

/**
 * Every minute: fold each tenant's period deltas into its rollups, so that reports (which fold a
 * long tail themselves only where they may write) read few rows.
 */
app.timer('accounting-period-totals', {
  schedule: '0 * * * * *',
  handler: async (_timer, context) => {
    const { tenants, folded } = await foldAllPeriodDeltas(primaryDb());
    if (folded > 0) context.log(`folded ${folded} period deltas of ${tenants} tenants`);
  },
});
