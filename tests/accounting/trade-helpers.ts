/** Shared steps of the receivables, payables and aging tests: each one a real HTTP call. */
import { sql } from 'kysely';
import { expect } from 'vitest';
import { Decimal } from '../../shared/platform/money.js';
import type { Api, TestDevhost } from '../support/devhost.js';

export interface LineSpec {
  account: string;
  quantity?: string;
  unitPrice: string;
  taxCode: string;
  description?: string;
}

export const line = (l: LineSpec) => ({ description: 'Work done', quantity: '1', ...l });

export async function createParty(
  api: Api,
  kind: 'customers' | 'suppliers',
  code: string,
  extra: Record<string, unknown> = {},
): Promise<{ id: string; version: number; currency: string }> {
  const response = await api.post(`/api/v1/accounting/${kind}`, {
    code,
    name: `${code} Ltd`,
    paymentTermsDays: 30,
    ...extra,
  });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

/** Drafts a document and issues (or posts) it; returns the issued document. */
export async function issuedDocument(
  api: Api,
  plural: 'invoices' | 'credit-notes' | 'bills',
  body: Record<string, unknown>,
): Promise<any> {
  const draft = await api.post(`/api/v1/accounting/${plural}`, body);
  expect(draft.status, draft.text).toBe(201);
  const action = plural === 'bills' ? 'post' : 'issue';
  const issued = await api.post(`/api/v1/accounting/${plural}/${draft.body.id}/${action}`, undefined);
  expect(issued.status, issued.text).toBe(200);
  return issued.body;
}

/** Drafts a receipt or payment and posts it; returns the post response. */
export async function postedSettlement(
  api: Api,
  plural: 'receipts' | 'supplier-payments',
  body: Record<string, unknown>,
) {
  const draft = await api.post(`/api/v1/accounting/${plural}`, body);
  expect(draft.status, draft.text).toBe(201);
  return api.post(`/api/v1/accounting/${plural}/${draft.body.id}/post`, undefined);
}

/** The lines of a journal entry as [account, side, amount, base amount] for exact comparison. */
export async function entryLines(api: Api, entryId: string) {
  const entry = await api.get(`/api/v1/accounting/journal-entries/${entryId}`);
  expect(entry.status, entry.text).toBe(200);
  return {
    currency: entry.body.currency as string,
    source: entry.body.source as { type: string; id: string },
    lines: (entry.body.lines as any[]).map((l) =>
      l.debit
        ? [l.account, 'debit', l.debit.amount, l.baseDebit.amount]
        : [l.account, 'credit', l.credit.amount, l.baseCredit.amount],
    ),
  };
}

/** Row counts of a tenant's tables that a refused request must leave alone (read as the owner). */
export async function counts(devhost: TestDevhost, tenantId: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const table of [
    'parties',
    'trade_documents',
    'trade_document_lines',
    'trade_settlements',
    'trade_allocations',
    'journal_entries',
    'outbox',
  ]) {
    out[table] = (
      await sql<{
        n: string;
      }>`select count(*)::text as n from ${sql.table(table)} where tenant_id = ${tenantId}`.execute(
        devhost.db,
      )
    ).rows[0]!.n;
  }
  return out;
}

/** The payloads of a tenant's events of a type in the outbox (read as the owner). */
export async function eventPayloads(devhost: TestDevhost, tenantId: string, type: string): Promise<any[]> {
  const rows = await sql<{ payload: unknown }>`
    select payload from outbox where tenant_id = ${tenantId} and type = ${type}`.execute(devhost.db);
  return rows.rows.map((r) => (typeof r.payload === 'string' ? JSON.parse(r.payload) : r.payload));
}

/** The base-currency balance (debit − credit) of an account over the entries given, exactly. */
export async function baseBalance(api: Api, entryIds: string[], account: string): Promise<string> {
  let balance = new Decimal(0);
  for (const id of entryIds) {
    const { lines } = await entryLines(api, id);
    for (const [code, side, , base] of lines)
      if (code === account) balance = side === 'debit' ? balance.plus(base) : balance.minus(base);
  }
  return balance.toFixed(2);
}
