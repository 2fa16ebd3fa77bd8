/**
 * Order entry: sales orders of 5 lines, no approval, by N concurrent clients for a fixed time.
 *
 * Ours: `POST /api/v1/sales/orders` through the devhost (a child process) over HTTP with auth,
 * validation, an Idempotency-Key, pricing, stock reservation and the outbox; a client's order is
 * done when the 201 arrives (the order is committed); then it starts the next.
 * Raw: the same rows (raw-sales.ts: rawDirectOrder) as one transaction per order over node-postgres.
 * Orders from a quote through the durable flow are measured by the full cycle.
 *
 * Also measured here: the devhost's peak resident memory during the run (VmRSS sampled every
 * 100 ms, and VmHWM, the kernel's high-water mark since the process started).
 */
import type { BenchContext } from '../lib/context.js';
import {
  commitBudget,
  commitCapacity,
  describeLoad,
  measureOurs,
  measureRaw,
  writeDifferences,
  writeTotals,
} from '../lib/measure.js';
import { orderLines, randomCustomer, salesFixture } from '../lib/sales-fixture.js';
import { perHour } from '../lib/stats.js';
import { apiDirectOrder } from './api-sales.js';
import { rawDirectOrder } from './raw-sales.js';

const LINES = 5;

export async function orderEntry(ctx: BenchContext): Promise<void> {
  const devhost = await ctx.devhost();
  const fixture = await salesFixture(ctx);
  const seconds = ctx.options.seconds.orderEntry;
  // Warm-up: code paths compiled, pools connected, caches filled, on both sides.
  ctx.log('order entry: warm-up');
  await Promise.all(
    fixture.users.slice(0, ctx.options.quick ? 2 : undefined).map((u) => apiDirectOrder(u.api, fixture)),
  );

  ctx.log(`order entry through the API: ${ctx.options.clients} clients for ${seconds} s`);
  const ours = await measureOurs(ctx, devhost, seconds, async (client) => {
    await apiDirectOrder(fixture.users[client]!.api, fixture);
  });

  ctx.log(`order entry as raw SQL: ${ctx.options.clients} clients for ${seconds} s`);
  const raw = await measureRaw(ctx, devhost.pid, seconds, async (db, client) => {
    const user = fixture.users[client]!;
    await rawDirectOrder(db, fixture, user, randomCustomer(fixture), orderLines(fixture));
  });
  const capacity = await commitCapacity(ctx);

  const workload = 'order entry (POST /sales/orders)';
  ctx.rows.push(
    {
      workload,
      metric: `order lines/h, ${ctx.options.clients} clients`,
      ours: perHour(ours.iterations * LINES, ours.wallMs),
      raw: perHour(raw.iterations * LINES, raw.wallMs),
      unit: 'lines/h',
      better: 'higher',
      target: { ratio: 0.5, text: 'ratio ≥ 0.5' },
    },
    {
      workload,
      metric: 'p50 latency per order',
      ours: ours.latency.p50,
      raw: raw.latency.p50,
      unit: 'ms',
      better: 'lower',
      digits: 1,
    },
    {
      workload,
      metric: 'p99 latency per order',
      ours: ours.latency.p99,
      raw: raw.latency.p99,
      unit: 'ms',
      better: 'lower',
      digits: 1,
    },
    {
      workload: 'memory',
      metric: 'devhost peak RSS during order entry',
      ours: ours.load.devhostMemoryMiB?.rssMax ?? null,
      raw: null,
      unit: 'MiB',
      better: null,
      digits: 0,
      target: { max: 512, text: '≤ 512 MiB' },
    },
    {
      workload: 'memory',
      metric: 'devhost VmHWM (since its start)',
      ours: ours.load.devhostMemoryMiB?.hwm ?? null,
      raw: null,
      unit: 'MiB',
      better: null,
      digits: 0,
      target: { max: 512, text: '≤ 512 MiB' },
    },
  );
  const oursRows = writeTotals(ours.writes);
  const rawRows = writeTotals(raw.writes);
  ctx.notes.push(
    `Order entry: one POST /api/v1/sales/orders per order (5 lines, confirmed in its transaction). Rows written ` +
      `per order: ours ${oursRows.business} business + ${oursRows.devhost} durable/bus, raw ${rawRows.business}. ` +
      `${commitBudget('Ours', 'order', ours, capacity)}; ${commitBudget('raw', 'order', raw, capacity)}.`,
    describeLoad('Order entry, ours', ours.load),
    describeLoad('Order entry, raw SQL', raw.load),
  );
  const differences = writeDifferences(ours.writes, raw.writes);
  if (differences.length)
    ctx.notes.push(
      `Order entry rows per order that differ (ours vs raw): ${differences.join('; ')}. The product writes each ` +
        'idempotency key twice (claimed, answered) and the relay marks outbox rows published; the baseline writes ' +
        'each row once in its final state.',
    );
  ctx.details.orderEntry = { ours, raw };
}
