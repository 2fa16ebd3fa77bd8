/**
 * The full cycle of an order, N concurrent clients: quote → send → accept → the durable
 * quote-to-order flow makes the order → `POST …/deliveries` (stock issued at moving-average cost,
 * cost of sales posted) → `POST …/invoices` (receivable, revenue and VAT posted). An order line is
 * fully processed when its order is invoiced. Each phase is timed, and the flow's own phases are
 * read from the durable history, to say where the time goes.
 * Raw: the same rows as three transactions per order (order, delivery, invoice: raw-sales.ts).
 */
import type { BenchContext } from '../lib/context.js';
import { FlowWatcher } from '../lib/flow-watcher.js';
import { flowPhases } from '../lib/flow-phases.js';
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
import { fmt, now, perHour, summarize } from '../lib/stats.js';
import { apiDeliver, apiInvoice, apiOrder } from './api-sales.js';
import { rawDelivery, rawInvoice, rawOrder } from './raw-sales.js';

const LINES = 5;
const PHASES = [
  'quote create',
  'quote send',
  'quote accept',
  'flow to order',
  'delivery',
  'invoice',
] as const;

export async function fullCycle(ctx: BenchContext): Promise<void> {
  const devhost = await ctx.devhost();
  const fixture = await salesFixture(ctx);
  const seconds = ctx.options.seconds.fullCycle;
  const watcher = await FlowWatcher.start(ctx.database.url);
  try {
    const cycle = async (client: number) => {
      const api = fixture.users[client]!.api;
      const order = await apiOrder(api, fixture, watcher);
      const delivery = await apiDeliver(api, order.orderId);
      const invoice = await apiInvoice(api, order.orderId);
      return { order, delivery, invoice };
    };
    ctx.log('full cycle: warm-up');
    await Promise.all(fixture.users.slice(0, ctx.options.quick ? 2 : undefined).map((_, i) => cycle(i)));

    ctx.log(`full cycle through the API: ${ctx.options.clients} clients for ${seconds} s`);
    const phases: Record<(typeof PHASES)[number], number[]> = {
      'quote create': [],
      'quote send': [],
      'quote accept': [],
      'flow to order': [],
      delivery: [],
      invoice: [],
    };
    const instances: string[] = [];
    const ours = await measureOurs(ctx, devhost, seconds, async (client) => {
      const { order, delivery, invoice } = await cycle(client);
      phases['quote create'].push(order.steps.create);
      phases['quote send'].push(order.steps.send);
      phases['quote accept'].push(order.steps.accept);
      phases['flow to order'].push(order.steps.flow);
      phases.delivery.push(delivery);
      phases.invoice.push(invoice);
      instances.push(order.instanceId);
    });
    const inFlow = await flowPhases(ctx.database, instances);

    ctx.log(`full cycle as raw SQL: ${ctx.options.clients} clients for ${seconds} s`);
    const rawPhases = { order: [] as number[], delivery: [] as number[], invoice: [] as number[] };
    const raw = await measureRaw(ctx, devhost.pid, seconds, async (db, client) => {
      const user = fixture.users[client]!;
      let t = now();
      const order = await rawOrder(db, fixture, user, randomCustomer(fixture), orderLines(fixture));
      rawPhases.order.push(now() - t);
      t = now();
      await rawDelivery(db, fixture, user, order);
      rawPhases.delivery.push(now() - t);
      t = now();
      await rawInvoice(db, fixture, user, order);
      rawPhases.invoice.push(now() - t);
    });
    const capacity = await commitCapacity(ctx);

    const workload = 'full cycle (quote→order→delivery→invoice)';
    ctx.rows.push(
      {
        workload,
        metric: `fully processed order lines/h, ${ctx.options.clients} clients`,
        ours: perHour(ours.iterations * LINES, ours.wallMs),
        raw: perHour(raw.iterations * LINES, raw.wallMs),
        unit: 'lines/h',
        better: 'higher',
        target: { ratio: 0.2, text: 'ratio ≥ 0.2' },
      },
      {
        workload,
        metric: 'p50 latency per cycle',
        ours: ours.latency.p50,
        raw: raw.latency.p50,
        unit: 'ms',
        better: 'lower',
        digits: 1,
      },
    );
    const summary = Object.fromEntries(PHASES.map((p) => [p, summarize(phases[p])]));
    const rawSummary = Object.fromEntries(Object.entries(rawPhases).map(([k, v]) => [k, summarize(v)]));
    const total = PHASES.reduce((s, p) => s + summary[p]!.mean, 0);
    const oursRows = writeTotals(ours.writes);
    const rawRows = writeTotals(raw.writes);
    ctx.notes.push(
      `Full cycle, where the time goes (mean per cycle, share of ${fmt(total, 0)} ms): ${PHASES.map(
        (p) => `${p} ${fmt(summary[p]!.mean, 1)} ms (${fmt((summary[p]!.mean / total) * 100, 0)}%)`,
      ).join(', ')}. Inside the flow (p50): ${Object.entries(inFlow)
        .map(([k, v]) => `${k} ${fmt(v.p50Ms, 1)} ms`)
        .join(', ')}. Raw SQL per cycle (mean): order ${fmt(rawSummary.order!.mean, 1)} ms, delivery ` +
        `${fmt(rawSummary.delivery!.mean, 1)} ms, invoice ${fmt(rawSummary.invoice!.mean, 1)} ms. Rows written per cycle: ` +
        `ours ${oursRows.business} business + ${oursRows.devhost} durable/bus, raw ${rawRows.business}. ` +
        `${commitBudget('Ours', 'cycle', ours, capacity)}; ${commitBudget('raw', 'cycle', raw, capacity)}.`,
      describeLoad('Full cycle, ours', ours.load),
      describeLoad('Full cycle, raw SQL', raw.load),
    );
    const differences = writeDifferences(ours.writes, raw.writes);
    if (differences.length)
      ctx.notes.push(
        `Full-cycle rows per cycle that differ (ours vs raw): ${differences.join('; ')}. Besides the updates of ` +
          'the order-entry note, the product reacts to its events in the background (the invoice e-mail and its ' +
          'notification, the events consumers record in their inbox): work the baseline does not do.',
      );
    ctx.details.fullCycle = { ours, raw, phases: summary, flowPhases: inFlow, rawPhases: rawSummary };
  } finally {
    await watcher.stop();
  }
}
