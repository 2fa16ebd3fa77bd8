import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Tx } from '../../platform/db/database.js';
import { staleVersion } from '../../platform/errors.js';
import type { Page } from '../../platform/http/pagination.js';
import { arApErrors as errors } from './ar-ap-errors.js';
import * as repo from './ar-ap-repository.js';
import type { Party, PartyCreateInput, PartyPatchInput } from './ar-ap-schemas.js';
import type { PartyKind } from './ar-ap-tables.js';
import { tenantBooks } from './repository.js';

/**
 * Customers and suppliers. One record per party and kind, kept here so that sales, purchasing and
 * accounting all refer to the same customer: other modules read it through `getParty` and the
 * accounting module's index, never the table.
 */
export async function createParty(
  trx: Tx,
  actor: AuditActor,
  kind: PartyKind,
  input: PartyCreateInput,
  options: { withoutCredit?: boolean } = {},
): Promise<Party> {
  const books = await tenantBooks(trx);
  const currency = input.currency ?? books.baseCurrency;
  if (input.creditLimit && input.creditLimit.currency !== currency) throw errors.creditLimitCurrency();
  const row = await trx
    .insertInto('parties')
    .values({
      tenant_id: books.id,
      id: randomUUID(),
      kind,
      code: input.code,
      name: input.name,
      tax_number: input.taxNumber ?? null,
      currency,
      payment_terms_days: input.paymentTermsDays,
      credit_limit:
        kind !== 'customer' ? null : options.withoutCredit ? '0' : (input.creditLimit?.amount ?? null),
      email: input.email ?? null,
      billing_address: input.billingAddress ? JSON.stringify(input.billingAddress) : null,
      phone: input.phone ?? null,
      delivery_address: input.deliveryAddress ? JSON.stringify(input.deliveryAddress) : null,
      contacts: JSON.stringify(input.contacts ?? []),
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'kind', 'code']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) throw errors.partyExists(kind);
  await recordAudit(trx, actor, {
    action: `${kind}.created`,
    entityType: kind,
    entityId: row.id,
    details: { code: row.code, name: row.name },
  });
  return repo.toParty(row);
}

export async function getParty(trx: Tx, kind: PartyKind, id: string): Promise<Party> {
  const row = await repo.partyById(trx, kind, id);
  if (!row) throw errors.partyNotFound(kind);
  return repo.toParty(row);
}

export function listParties(
  trx: Tx,
  kind: PartyKind,
  query: Parameters<typeof repo.listParties>[2],
): Promise<Page<Party>> {
  return repo.listParties(trx, kind, query);
}

export async function changeParty(
  trx: Tx,
  actor: AuditActor,
  kind: PartyKind,
  id: string,
  version: number,
  patch: PartyPatchInput,
): Promise<Party> {
  const current = await repo.partyById(trx, kind, id);
  if (!current) throw errors.partyNotFound(kind);
  const currency = patch.currency ?? current.currency;
  // A limit is a sum in the customer's currency: changing the currency restates it or drops it.
  if (patch.creditLimit && patch.creditLimit.currency !== currency) throw errors.creditLimitCurrency();
  if (patch.creditLimit === undefined && currency !== current.currency && current.credit_limit !== null)
    throw errors.creditLimitCurrency();
  const row = await trx
    .updateTable('parties')
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.taxNumber !== undefined && { tax_number: patch.taxNumber }),
      ...(patch.currency !== undefined && { currency: patch.currency }),
      ...(patch.paymentTermsDays !== undefined && { payment_terms_days: patch.paymentTermsDays }),
      ...(patch.creditLimit !== undefined && { credit_limit: patch.creditLimit?.amount ?? null }),
      ...(patch.email !== undefined && { email: patch.email }),
      ...(patch.phone !== undefined && { phone: patch.phone }),
      ...(patch.deliveryAddress !== undefined && {
        delivery_address: patch.deliveryAddress ? JSON.stringify(patch.deliveryAddress) : null,
      }),
      ...(patch.contacts !== undefined && { contacts: JSON.stringify(patch.contacts) }),
      ...(patch.billingAddress !== undefined && {
        billing_address: patch.billingAddress ? JSON.stringify(patch.billingAddress) : null,
      }),
      ...(patch.active !== undefined && { active: patch.active }),
      version: sql<number>`version + 1`,
      updated_at: sql<Date>`now()`,
    })
    .where('id', '=', id)
    .where('kind', '=', kind)
    .where('version', '=', version)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw staleVersion(kind);
  await recordAudit(trx, actor, {
    action: `${kind}.changed`,
    entityType: kind,
    entityId: id,
    details: { patch },
  });
  return repo.toParty(row);
}
