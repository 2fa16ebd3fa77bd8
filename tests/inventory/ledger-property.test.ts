/**
 * Properties of the stock ledger over random sequences of receipts, adjustments, transfers and
 * reserved issues, run through the services on a real database: whatever is accepted or refused,
 * every balance equals the sum of its moves, quantities match a simple model, the valuation at any
 * past date equals the moves up to it, and the Inventory account carries the stock's value.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { setUpBooks } from '../../shared/modules/accounting/index.js';
import { DEMO_TENANTS, seedDemoTenants } from '../../shared/modules/admin/index.js';
import {
  createItem,
  createWarehouse,
  issueReservedStock,
  postAdjustment,
  postReceipt,
  postTransfer,
  releaseReservations,
  reserveStock,
  stockValuation,
} from '../../shared/modules/inventory/index.js';
import type { Tx } from '../../shared/platform/db/database.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { AppError } from '../../shared/platform/errors.js';
import { Decimal, Money } from '../../shared/platform/money.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { ledgerMismatches, systemActor, ZAR } from './helpers.js';

const demo = DEMO_TENANTS[0]!;
const actor = systemActor(demo.id);
const WAREHOUSES = ['P1', 'P2', 'P3'] as const;
let t: TestDatabase;
const warehouseIds = new Map<string, string>();
const inDemo = <T>(work: (trx: Tx) => Promise<T>) => withTenant(t.db, demo.id, work);

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemoTenants(t.db);
  await inDemo(async (trx) => {
    await setUpBooks(trx, demo.id, demo.baseCurrency);
    for (const code of WAREHOUSES)
      warehouseIds.set(code, (await createWarehouse(trx, actor, { code, name: code, kind: 'yard' })).id);
  });
});
afterAll(async () => t?.close());

const quantity = fc.integer({ min: 1, max: 400 }).map((n) => new Decimal(n).dividedBy(4).toFixed());
const price = fc.integer({ min: 100, max: 2_000_000 }).map((n) => new Decimal(n).dividedBy(10_000).toFixed());
const warehouse = fc.constantFrom(...WAREHOUSES);
const day = fc.integer({ min: 1, max: 28 }).map((d) => `2026-10-${String(d).padStart(2, '0')}`);

type Step =
  | { op: 'receive'; warehouse: string; quantity: string; price: string; date: string }
  | { op: 'adjust'; warehouse: string; quantity: string; out: boolean; date: string }
  | { op: 'transfer'; from: string; to: string; quantity: string; date: string }
  | { op: 'issue'; warehouse: string; reserve: string; issue: string; date: string };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('receive' as const), warehouse, quantity, price, date: day }),
  fc.record({ op: fc.constant('adjust' as const), warehouse, quantity, out: fc.boolean(), date: day }),
  fc.record({ op: fc.constant('transfer' as const), from: warehouse, to: warehouse, quantity, date: day }),
  fc
    .record({
      op: fc.constant('issue' as const),
      warehouse,
      reserve: quantity,
      part: fc.double({ min: 0, max: 1, noNaN: true }),
      date: day,
    })
    .map(({ part, ...s }) => ({
      ...s,
      issue: Decimal.max(new Decimal(s.reserve).times(part).toDecimalPlaces(2), '0.01').toFixed(),
    })),
);

/** Runs a step; a refusal for lack of stock is an outcome, anything else a failure. */
async function run(sku: string, s: Step, n: number): Promise<boolean> {
  try {
    await inDemo(async (trx) => {
      if (s.op === 'receive')
        await postReceipt(trx, actor, {
          warehouse: s.warehouse,
          date: s.date,
          lines: [{ item: sku, quantity: s.quantity, unitCost: ZAR(s.price) }],
        });
      else if (s.op === 'adjust')
        await postAdjustment(trx, actor, {
          warehouse: s.warehouse,
          date: s.date,
          reason: 'Stock count',
          lines: [{ item: sku, quantity: s.out ? `-${s.quantity}` : s.quantity }],
        });
      else if (s.op === 'transfer')
        await postTransfer(trx, actor, {
          from: s.from,
          to: s.to,
          date: s.date,
          lines: [{ item: sku, quantity: s.quantity }],
        });
      else {
        const reference = { referenceType: 'test.order', referenceId: `${sku}-${n}` };
        const [reservation] = await reserveStock(trx, actor, {
          ...reference,
          lines: [
            {
              key: '1',
              itemId: await itemId(trx, sku),
              warehouseId: warehouseIds.get(s.warehouse)!,
              quantity: s.reserve,
            },
          ],
        });
        await issueReservedStock(trx, actor, {
          ...reference,
          source: { type: 'test.delivery', id: `${sku}-${n}` },
          date: s.date,
          lines: [{ key: reservation!.key, quantity: s.issue }],
        });
        await releaseReservations(trx, actor, reference.referenceType, reference.referenceId);
      }
    });
    return true;
  } catch (error) {
    if (
      error instanceof AppError &&
      (error.code === 'inventory.insufficient_stock' || error.code === 'inventory.same_warehouse')
    )
      return false;
    throw error;
  }
}

async function itemId(trx: Tx, sku: string): Promise<string> {
  return (await trx.selectFrom('items').select('id').where('sku', '=', sku).executeTakeFirstOrThrow()).id;
}

let runs = 0;

it('keeps balances, moves, the model, past valuations and the ledger in agreement', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 10 }), async (steps) => {
      const sku = `PROP-${++runs}`;
      await inDemo((trx) =>
        createItem(trx, actor, {
          sku,
          name: sku,
          uom: 'each',
          kind: 'stock',
          salesPrice: ZAR('1'),
          taxCode: 'VAT15',
        }),
      );
      const model = new Map<string, InstanceType<typeof Decimal>>(WAREHOUSES.map((w) => [w, new Decimal(0)]));
      for (const [n, s] of steps.entries()) {
        const accepted = await run(sku, s, n);
        const at = (w: string) => model.get(w)!;
        if (s.op === 'receive') model.set(s.warehouse, at(s.warehouse).plus(s.quantity));
        else if (s.op === 'adjust') {
          const fits = !s.out || at(s.warehouse).greaterThanOrEqualTo(s.quantity);
          expect(accepted).toBe(fits);
          if (fits)
            model.set(
              s.warehouse,
              s.out ? at(s.warehouse).minus(s.quantity) : at(s.warehouse).plus(s.quantity),
            );
        } else if (s.op === 'transfer') {
          const fits = s.from !== s.to && at(s.from).greaterThanOrEqualTo(s.quantity);
          expect(accepted).toBe(fits);
          if (fits) {
            model.set(s.from, at(s.from).minus(s.quantity));
            model.set(s.to, at(s.to).plus(s.quantity));
          }
        } else {
          const fits = at(s.warehouse).greaterThanOrEqualTo(s.reserve);
          expect(accepted).toBe(fits);
          if (fits) model.set(s.warehouse, at(s.warehouse).minus(s.issue));
        }
      }
      expect(await ledgerMismatches(t.db)).toEqual([]);
      const balances = await sql<{ code: string; on_hand: string; reserved: string }>`
        select w.code, b.on_hand, b.reserved from stock_balances b
        join warehouses w on w.tenant_id = b.tenant_id and w.id = b.warehouse_id
        join items i on i.tenant_id = b.tenant_id and i.id = b.item_id
        where i.sku = ${sku}`.execute(t.db);
      for (const b of balances.rows) {
        expect(new Decimal(b.on_hand).equals(model.get(b.code)!), `${sku} ${b.code}`).toBe(true);
        expect(b.reserved).toBe('0.0000');
      }
      // Every past valuation equals the moves up to that day.
      for (const asOf of new Set(steps.map((s) => s.date))) {
        const report = await inDemo((trx) => stockValuation(trx, { asOf }));
        const expected = await sql<{ sku: string; code: string; quantity: string; value: string }>`
          select i.sku, w.code, sum(m.quantity)::text as quantity, sum(m.value)::text as value
          from stock_moves m
          join items i on i.tenant_id = m.tenant_id and i.id = m.item_id
          join warehouses w on w.tenant_id = m.tenant_id and w.id = m.warehouse_id
          where m.tenant_id = ${demo.id} and m.move_date <= ${asOf}
          group by i.sku, w.code having sum(m.quantity) <> 0 or sum(m.value) <> 0
          order by i.sku, w.code`.execute(t.db);
        expect(report.rows.map((r) => [r.sku, r.warehouseCode, r.quantity, r.value])).toEqual(
          expected.rows.map((r) => [
            r.sku,
            r.code,
            new Decimal(r.quantity).toFixed(),
            Money.of(r.value, 'ZAR').toAmountString(),
          ]),
        );
      }
      // The Inventory account holds the value of the stock.
      const ledger = await sql<{ stock: string; account: string }>`
        select (select coalesce(sum(value), 0) from stock_balances where tenant_id = ${demo.id})::text as stock,
          (select coalesce(sum(l.base_debit - l.base_credit), 0) from journal_lines l
             join accounts a on a.tenant_id = l.tenant_id and a.id = l.account_id
            where l.tenant_id = ${demo.id} and a.role = 'inventory')::text as account`.execute(t.db);
      expect(new Decimal(ledger.rows[0]!.stock).equals(ledger.rows[0]!.account)).toBe(true);
    }),
    { numRuns: 15 },
  );
});
