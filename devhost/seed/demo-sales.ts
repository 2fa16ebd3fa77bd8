import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { addDays } from '../../shared/modules/accounting/index.js';
import {
  acceptQuote,
  createQuote,
  expireQuotes,
  rejectQuote,
  sendQuote,
  type QuoteLineInput,
} from '../../shared/modules/sales/index.js';
import { todayIn } from '../../shared/platform/clock.js';
import type { Db, Tx } from '../../shared/platform/db/database.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { devObjectId } from '../auth/dev-issuer.js';

type Line = [sku: string, quantity: string, warehouse?: string, discountPercent?: string];

interface PlannedQuote {
  customer: string;
  daysAgo: number;
  validDays?: number;
  reference?: string;
  lines: Line[];
  /** Where the quote ends up; accepted quotes go through the quote-to-order flow once the devhost runs. */
  outcome: 'draft' | 'sent' | 'accepted' | 'rejected' | 'expired';
}

/**
 * The demo company's quotes, one or more in every state: a draft being priced, quotes sent and
 * waiting, quotes the customer accepted (their flows reserve stock and make orders; the largest
 * waits for a finance approver), one the customer turned down, one that lapsed, and one in US
 * dollars. Needs the demo customers, items and stock (the trade and inventory seeds). Made once:
 * a tenant that has quotes is left alone.
 */
const QUOTES: PlannedQuote[] = [
  {
    customer: 'SRPD',
    daysAgo: 1,
    reference: 'Tower B, level 4 slab',
    lines: [
      ['CEM-425-50', '240', 'JHB'],
      ['REBAR-Y12-6M', '180', 'JHB', '2.5'],
      ['DELIVERY', '3'],
    ],
    outcome: 'draft',
  },
  {
    customer: 'MAGALIES',
    daysAgo: 6,
    validDays: 45,
    reference: 'Tender MLM-2026-118 community hall',
    lines: [
      ['BRICK-CLAY-1000', '8', 'JHB'],
      ['SAND-RIVER', '12', 'JHB'],
      ['HIRE-TLB', '4'],
    ],
    outcome: 'sent',
  },
  {
    customer: 'KOPANO',
    daysAgo: 4,
    reference: 'PPE for shaft 3 contractors',
    lines: [
      ['PPE-HARDHAT', '20', 'JHB'],
      ['PPE-VEST', '40', 'JHB', '5'],
      ['PPE-BOOTS', '6', 'JHB'],
    ],
    outcome: 'accepted',
  },
  {
    customer: 'FRESHB',
    daysAgo: 3,
    reference: 'Store 41 shopfitting',
    lines: [
      ['TIMBER-38X114', '260', 'JHB'],
      ['HIRE-SCAFF', '14'],
    ],
    outcome: 'accepted',
  },
  {
    customer: 'SRPD',
    daysAgo: 2,
    reference: 'Earthworks and scaffolding, phase 2',
    lines: [
      ['HIRE-TLB', '42'],
      ['HIRE-SCAFF', '180'],
    ],
    // Over the R 250 000 approval threshold: waits in the approvals inbox.
    outcome: 'accepted',
  },
  {
    customer: 'FRESHB',
    daysAgo: 20,
    reference: 'Store 38 refurbishment',
    lines: [['TIMBER-38X114', '400', 'JHB']],
    outcome: 'rejected',
  },
  {
    customer: 'GREENSIDE',
    daysAgo: 50,
    validDays: 30,
    reference: 'Sports pavilion repairs',
    lines: [
      ['BRICK-CLAY-1000', '3', 'JHB'],
      ['CEM-425-50', '60', 'JHB'],
    ],
    outcome: 'expired',
  },
  {
    customer: 'SAVANNA',
    daysAgo: 5,
    reference: 'Chobe lodge deck',
    lines: [
      ['TIMBER-38X114', '900', 'JHB'],
      ['DELIVERY', '6'],
    ],
    outcome: 'sent',
  },
];

/** The warehouse codes of the plan, as the inventory seed names them. */
const WAREHOUSES: Record<string, string> = { JHB: 'MAIN' };

async function idsByCode(trx: Tx) {
  const customers = await trx
    .selectFrom('parties')
    .select(['id', 'code'])
    .where('kind', '=', 'customer')
    .execute();
  const items = await trx.selectFrom('items').select(['id', 'sku']).execute();
  const warehouses = await trx.selectFrom('warehouses').select(['id', 'code']).execute();
  return {
    customer: new Map(customers.map((c) => [c.code, c.id])),
    item: new Map(items.map((i) => [i.sku, i.id])),
    warehouse: new Map(warehouses.map((w) => [w.code, w.id])),
  };
}

export async function seedDemoSales(db: Db): Promise<number> {
  const tenant = DEMO_TENANTS.find((t) => t.slug === 'demo');
  if (!tenant) return 0;
  const rep = {
    tenantId: tenant.id,
    objectId: devObjectId(tenant.entraTenantId, 'sipho'),
    name: 'Sipho Ndlovu',
    requestId: 'demo-data',
  };
  return withTenant(db, tenant.id, async (trx) => {
    if (await trx.selectFrom('sales_quotes').select('id').limit(1).executeTakeFirst()) return 0;
    const ids = await idsByCode(trx);
    // Without the demo customers and items there is nothing to quote.
    if (!ids.customer.has('SRPD') || !ids.item.has('CEM-425-50')) return 0;
    const today = todayIn(tenant.timeZone);
    let made = 0;
    for (const planned of QUOTES) {
      const customerId = ids.customer.get(planned.customer);
      if (!customerId) continue;
      const quoteDate = addDays(today, -planned.daysAgo);
      const lines: QuoteLineInput[] = planned.lines.map(([sku, quantity, warehouse, discountPercent]) => ({
        itemId: ids.item.get(sku)!,
        ...(warehouse ? { warehouseId: ids.warehouse.get(WAREHOUSES[warehouse] ?? warehouse)! } : {}),
        quantity,
        ...(discountPercent ? { discountPercent } : {}),
      }));
      const quote = await createQuote(trx, rep, {
        customerId,
        quoteDate,
        validUntil: addDays(quoteDate, planned.validDays ?? 30),
        reference: planned.reference,
        lines,
      });
      made++;
      if (planned.outcome === 'draft') continue;
      if (planned.outcome === 'accepted') {
        await acceptQuote(trx, rep, quote.id, quote.version);
        continue;
      }
      const sent = await sendQuote(trx, rep, quote.id, quote.version);
      if (planned.outcome === 'rejected')
        await rejectQuote(trx, rep, quote.id, sent.version, 'Went with a supplier nearer the store');
    }
    await expireQuotes(trx, { tenantId: tenant.id, objectId: 'system:quote-expiry', name: 'Quote expiry' });
    return made;
  });
}
