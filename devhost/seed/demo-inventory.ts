import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import {
  changeWarehouse,
  createItem,
  createWarehouse,
  MAIN_WAREHOUSE,
  postAdjustment,
  postReceipt,
  postTransfer,
  type ItemCreateInput,
} from '../../shared/modules/inventory/index.js';
import { todayIn } from '../../shared/platform/clock.js';
import type { Db, Tx } from '../../shared/platform/db/database.js';
import { withTenant } from '../../shared/platform/db/tenant.js';

const ACTOR = { objectId: 'system:demo-data', name: 'Demo data' };

const ZAR = (amount: string) => ({ amount, currency: 'ZAR' });
const stock = (
  sku: string,
  name: string,
  uom: string,
  price: string,
  reorderLevel: string,
): ItemCreateInput => ({
  sku,
  name,
  uom,
  kind: 'stock',
  salesPrice: ZAR(price),
  taxCode: 'VAT15',
  reorderLevel,
});
const service = (sku: string, name: string, uom: string, price: string): ItemCreateInput => ({
  sku,
  name,
  uom,
  kind: 'service',
  salesPrice: ZAR(price),
  taxCode: 'VAT15',
});

const ITEMS: ItemCreateInput[] = [
  stock('CEM-425-50', 'Cement CEM II 42.5N, 50 kg bag', 'bag', '119.00', '200'),
  stock('REBAR-Y12-6M', 'Rebar Y12 high-tensile, 6 m length', 'each', '89.00', '150'),
  stock('REBAR-Y16-6M', 'Rebar Y16 high-tensile, 6 m length', 'each', '158.00', '100'),
  stock('BRICK-CLAY-1000', 'Clay stock bricks, per 1000', 'thousand', '2450.00', '10'),
  stock('TIMBER-38X114', 'SA pine 38 × 114 mm, S5 structural, per metre', 'm', '42.00', '300'),
  stock('SAND-RIVER', 'River sand, washed', 'm3', '520.00', '20'),
  stock('PPE-HARDHAT', 'Hard hat, SABS approved', 'each', '85.00', '30'),
  stock('PPE-BOOTS', 'Safety boots, steel toe cap', 'pair', '495.00', '40'),
  stock('PPE-VEST', 'Hi-vis reflective vest', 'each', '45.00', '50'),
  service('HIRE-SCAFF', 'Scaffolding hire, per day', 'day', '350.00'),
  service('HIRE-TLB', 'TLB hire with operator, per day', 'day', '4200.00'),
  service('DELIVERY', 'Delivery by truck, Gauteng', 'trip', '850.00'),
];

/** A day in the month `monthsBack` months before `today`, never after today. */
function dayIn(today: string, monthsBack: number, day: number): string {
  const index = Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7)) - 1 - monthsBack;
  const date = `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  return date > today ? today : date;
}

type Line = [sku: string, quantity: string, unitCost: string];

/**
 * The demo company's stock (ZAR): the Johannesburg main yard, the Cape Town yard and the Sandton
 * office tower site, building materials, PPE and hire services; goods received over recent months
 * at their purchase cost, one transfer to site, one breakage. Safety boots are below their reorder
 * level. Everything goes through the inventory services (so the ledger gets its entries), in one
 * transaction, once: a tenant that has stock documents already is left alone. It needs the demo
 * books set up first (the demo ledger seed does that).
 */
export async function seedDemoInventory(db: Db): Promise<number> {
  const tenant = DEMO_TENANTS.find((t) => t.slug === 'demo');
  if (!tenant) return 0;
  const actor = { ...ACTOR, tenantId: tenant.id };
  return withTenant(db, tenant.id, async (trx) => {
    const started = await trx.selectFrom('stock_documents').select('id').limit(1).executeTakeFirst();
    if (started) return 0;
    const books = await trx
      .selectFrom('accounts')
      .select('id')
      .where('role', '=', 'inventory')
      .executeTakeFirst();
    if (!books) throw new Error('The demo tenant has no chart of accounts yet: seed the demo ledger first.');
    const today = todayIn(tenant.timeZone);
    await warehouses(trx, actor);
    for (const item of ITEMS) await createItem(trx, actor, item);

    let posted = 0;
    const receipt = async (warehouse: string, date: string, reference: string, lines: Line[]) => {
      await postReceipt(trx, actor, {
        warehouse,
        date,
        reference,
        lines: lines.map(([item, quantity, unitCost]) => ({ item, quantity, unitCost: ZAR(unitCost) })),
      });
      posted++;
    };
    await receipt(MAIN_WAREHOUSE.code, dayIn(today, 4, 6), 'PPC delivery note 48811', [
      ['CEM-425-50', '1200', '92.50'],
    ]);
    await receipt(MAIN_WAREHOUSE.code, dayIn(today, 4, 12), 'AMSteel invoice AS-20417', [
      ['REBAR-Y12-6M', '600', '68.40'],
      ['REBAR-Y16-6M', '300', '121.80'],
    ]);
    await receipt(MAIN_WAREHOUSE.code, dayIn(today, 4, 19), 'Corobrik delivery 771203', [
      ['BRICK-CLAY-1000', '40', '1850.00'],
      ['SAND-RIVER', '60', '385.00'],
    ]);
    await receipt(MAIN_WAREHOUSE.code, dayIn(today, 3, 3), 'PG Bison timber TB-5521', [
      ['TIMBER-38X114', '1500', '31.20'],
    ]);
    await receipt(MAIN_WAREHOUSE.code, dayIn(today, 3, 10), 'SafetyWorx INV 10932', [
      ['PPE-HARDHAT', '120', '58.00'],
      ['PPE-BOOTS', '36', '365.00'],
      ['PPE-VEST', '200', '28.50'],
    ]);
    await receipt('CPT', dayIn(today, 3, 17), 'AfriSam delivery note C-30018', [
      ['CEM-425-50', '600', '94.10'],
      ['REBAR-Y12-6M', '300', '69.90'],
    ]);
    await receipt(MAIN_WAREHOUSE.code, dayIn(today, 2, 5), 'PPC delivery note 49377', [
      ['CEM-425-50', '800', '96.80'],
      ['BRICK-CLAY-1000', '30', '1895.00'],
    ]);
    await receipt(MAIN_WAREHOUSE.code, dayIn(today, 2, 11), 'AMSteel invoice AS-21088', [
      ['REBAR-Y12-6M', '400', '71.25'],
      ['TIMBER-38X114', '800', '32.60'],
    ]);
    await postTransfer(trx, actor, {
      from: MAIN_WAREHOUSE.code,
      to: 'SANDTON',
      date: dayIn(today, 1, 8),
      reference: 'Truck GP 44-17 BX, slab pour level 3',
      lines: [
        { item: 'CEM-425-50', quantity: '300' },
        { item: 'REBAR-Y12-6M', quantity: '250' },
        { item: 'REBAR-Y16-6M', quantity: '120' },
        { item: 'BRICK-CLAY-1000', quantity: '12' },
        { item: 'PPE-HARDHAT', quantity: '25' },
      ],
    });
    await postAdjustment(trx, actor, {
      warehouse: 'SANDTON',
      date: dayIn(today, 1, 9),
      reason: 'Breakage: bricks broken while offloading at the tower site',
      lines: [{ item: 'BRICK-CLAY-1000', quantity: '-0.6' }],
    });
    posted += 2;
    await receipt('CPT', dayIn(today, 0, 2), 'Cape Sand & Stone 66410', [['SAND-RIVER', '30', '410.00']]);
    return posted;
  });
}

async function warehouses(trx: Tx, actor: { tenantId: string; objectId: string; name: string }) {
  const address = (line1: string, city: string, postalCode: string) => ({
    line1,
    city,
    postalCode,
    country: 'ZA',
  });
  await createWarehouse(trx, actor, {
    code: 'CPT',
    name: 'Cape Town yard',
    kind: 'yard',
    address: address('9 Montague Drive, Montague Gardens', 'Cape Town', '7441'),
  });
  await createWarehouse(trx, actor, {
    code: 'SANDTON',
    name: 'Sandton office tower site',
    kind: 'site',
    address: address('140 Rivonia Road', 'Sandton', '2196'),
  });
  // The main warehouse every tenant has is the company's Johannesburg yard.
  const main = await trx
    .selectFrom('warehouses')
    .select(['id', 'version'])
    .where('code', '=', MAIN_WAREHOUSE.code)
    .executeTakeFirstOrThrow();
  await changeWarehouse(trx, actor, main.id, main.version, {
    name: 'Johannesburg main yard',
    kind: 'yard',
    address: address('23 Heidelberg Road, Village Main', 'Johannesburg', '2001'),
  });
}
