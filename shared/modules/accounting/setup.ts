import { randomUUID } from 'node:crypto';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { staleVersion } from '../../platform/errors.js';
import { decodeCursor, toPage, type Page } from '../../platform/http/pagination.js';
import { z } from 'zod';
import { sql } from 'kysely';
import { SME_CHART, taxCodeTemplate } from './chart-template.js';
import { accountingErrors as errors } from './errors.js';
import * as repo from './repository.js';
import type { Account } from './schemas.js';
import type { AccountType } from './tables.js';

/**
 * Gives a tenant its books: the chart of accounts and tax codes from the templates. Idempotent:
 * what exists is left alone, so it can run again after a redelivered onboarding event.
 */
export async function setUpBooks(trx: Tx, tenantId: string, baseCurrency: string): Promise<void> {
  await trx
    .insertInto('accounts')
    .values(
      SME_CHART.map((a) => ({
        tenant_id: tenantId,
        id: randomUUID(),
        code: a.code,
        name: a.name,
        type: a.type,
        role: a.role ?? null,
        manual_posting: a.manualPosting ?? true,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
  await trx
    .insertInto('tax_codes')
    .values(taxCodeTemplate(baseCurrency).map((t) => ({ tenant_id: tenantId, ...t })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

export function listAccounts(
  trx: Tx,
  query: Parameters<typeof repo.listAccounts>[1],
): Promise<Page<Account>> {
  return repo.listAccounts(trx, query);
}

export async function getAccount(trx: Tx, id: string): Promise<Account> {
  const row = await trx.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw errors.accountNotFound();
  return repo.toAccount(row);
}

export async function addAccount(
  trx: Tx,
  actor: AuditActor,
  input: { code: string; name: string; type: AccountType },
): Promise<Account> {
  const row = await trx
    .insertInto('accounts')
    .values({
      tenant_id: actor.tenantId,
      id: randomUUID(),
      code: input.code,
      name: input.name,
      type: input.type,
      role: null,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'code']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw errors.accountExists();
  await recordAudit(trx, actor, {
    action: 'account.added',
    entityType: 'account',
    entityId: row.id,
    details: input,
  });
  return repo.toAccount(row);
}

export async function changeAccount(
  trx: Tx,
  actor: AuditActor,
  id: string,
  version: number,
  patch: { name?: string; active?: boolean },
): Promise<Account> {
  const current = await getAccount(trx, id);
  const row = await trx
    .updateTable('accounts')
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.active !== undefined && { active: patch.active }),
      version: sql<number>`version + 1`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', current.id)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw staleVersion('account');
  await recordAudit(trx, actor, {
    action: 'account.changed',
    entityType: 'account',
    entityId: row.id,
    details: { before: { name: current.name, active: current.active }, patch },
  });
  return repo.toAccount(row);
}

/**
 * Deletes an account that was never used. Accounts with postings stay (deactivate them), and so
 * do the accounts the ledger itself relies on (control, VAT, retained earnings, FX).
 */
export async function deleteAccount(trx: Tx, actor: AuditActor, id: string, version: number): Promise<void> {
  const account = await getAccount(trx, id);
  if (account.version !== version) throw staleVersion('account');
  if (account.role && account.role !== 'bank') throw errors.accountHasRole();
  if (await repo.accountHasPostings(trx, id)) throw errors.accountInUse();
  await trx.deleteFrom('accounts').where('id', '=', id).execute();
  await recordAudit(trx, actor, {
    action: 'account.deleted',
    entityType: 'account',
    entityId: id,
    details: { code: account.code, name: account.name },
  });
}

export async function addExchangeRate(
  trx: Tx,
  actor: AuditActor,
  input: { currency: string; date: string; rate: string },
) {
  const books = await repo.tenantBooks(trx);
  if (input.currency === books.baseCurrency) throw errors.baseCurrencyRate();
  const row = await trx
    .insertInto('exchange_rates')
    .values({
      tenant_id: books.id,
      currency: input.currency,
      rate_date: input.date,
      rate: input.rate,
      created_by: actor.name,
    })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw errors.rateExists();
  await recordAudit(trx, actor, {
    action: 'exchange_rate.added',
    entityType: 'exchange_rate',
    entityId: `${input.currency}:${input.date}`,
    details: input,
  });
  return { currency: row.currency, date: row.rate_date, rate: row.rate, baseCurrency: books.baseCurrency };
}

const rateCursor = z.tuple([z.iso.date(), z.string()]);

/** Recorded rates, newest first. */
export async function listExchangeRates(
  trx: Tx,
  query: { limit: number; cursor?: string; currency?: string; from?: string; to?: string },
) {
  const books = await repo.tenantBooks(trx);
  const after = decodeCursor(query.cursor, rateCursor);
  let q = trx.selectFrom('exchange_rates').selectAll();
  if (query.currency) q = q.where('currency', '=', query.currency);
  if (query.from) q = q.where('rate_date', '>=', query.from);
  if (query.to) q = q.where('rate_date', '<=', query.to);
  if (after)
    q = q.where((eb) =>
      eb.or([
        eb('rate_date', '<', after[0]),
        eb.and([eb('rate_date', '=', after[0]), eb('currency', '>', after[1])]),
      ]),
    );
  const rows = await q
    .orderBy('rate_date', 'desc')
    .orderBy('currency')
    .limit(query.limit + 1)
    .execute();
  return toPage(
    rows,
    query.limit,
    (r) => ({ currency: r.currency, date: r.rate_date, rate: r.rate, baseCurrency: books.baseCurrency }),
    (r) => [r.rate_date, r.currency],
  );
}

export async function listTaxCodes(trx: Tx) {
  const rows = await trx.selectFrom('tax_codes').selectAll().orderBy('code').execute();
  return rows.map((r) => ({ code: r.code, name: r.name, kind: r.kind, rate: r.rate, active: r.active }));
}

export async function addTaxCode(
  trx: Tx,
  actor: AuditActor,
  input: { code: string; name: string; kind: 'standard' | 'zero' | 'exempt'; rate: string },
) {
  const row = await trx
    .insertInto('tax_codes')
    .values({ tenant_id: actor.tenantId, ...input })
    .onConflict((oc) => oc.doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw errors.taxCodeExists();
  await recordAudit(trx, actor, {
    action: 'tax_code.added',
    entityType: 'tax_code',
    entityId: row.code,
    details: input,
  });
  return { code: row.code, name: row.name, kind: row.kind, rate: row.rate, active: row.active };
}
