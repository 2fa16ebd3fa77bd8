/**
 * Order entry: sales orders of 5 lines, no approval, by N concurrent clients for a fixed time.
 *
 * Ours: through the devhost (a child process) over HTTP with auth, validation, Idempotency-Keys,
 * the outbox and the durable quote-to-order flow: quote → send → accept → the flow reserves the
 * stock and makes the order (there is no direct order endpoint; see api-sales.ts). A client's
 * order is done when the flow's order is committed; then it starts the next.
 * Raw: the same rows (raw-sales.ts: rawOrder) as one transaction per order over node-postgres.
 *
 * Also measured here: the devhost's peak resident memory during the run (VmRSS sampled every
 * 100 ms, and VmHWM, the kernel's high-water mark since the process started).
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
import { fmt, perHour, summarize } from '../lib/stats.js';
import { apiOrder, type OrderSteps } from './api-sales.js';
import { rawOrder } from './raw-sales.js';

const LINES = 5;

export async function orderEntry(ctx: BenchContext): Promise<void> {
  const devhost = await ctx.devhost();
  const fixture = await salesFixture(ctx);
  const seconds = ctx.options.seconds.orderEntry;
  const watcher = await FlowWatcher.start(ctx.database.url);
  try {
    // Warm-up: code paths compiled, pools connected, caches filled, on both sides.
    ctx.log('order entry: warm-up');
    await Promise.all(
      fixture.users.slice(0, ctx.options.quick ? 2 : undefined).map((u) => apiOrder(u.api, fixture, watcher)),
    );

    ctx.log(`order entry through the API: ${ctx.options.clients} clients for ${seconds} s`);
    const steps: OrderSteps[] = [];
    const instances: string[] = [];
    const ours = await measureOurs(ctx, devhost, seconds, async (client) => {
      const order = await apiOrder(fixture.users[client]!.api, fixture, watcher);
      steps.push(order.steps);
      instances.push(order.instanceId);
    });
    const phases = await flowPhases(ctx.database, instances);

    ctx.log(`order entry as raw SQL: ${ctx.options.clients} clients for ${seconds} s`);
    const raw = await measureRaw(ctx, devhost.pid, seconds, async (db, client) => {
      const user = fixture.users[client]!;
      await rawOrder(db, fixture, user, randomCustomer(fixture), orderLines(fixture));
    });
    const capacity = await commitCapacity(ctx);

    const workload = 'order entry (quote→accept→flow→order)';
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
    const stepSummary = Object.fromEntries(
      (['create', 'send', 'accept', 'flow'] as const).map((k) => [k, summarize(steps.map((s) => s[k]))]),
    );
    const oursRows = writeTotals(ours.writes);
    const rawRows = writeTotals(raw.writes);
    ctx.notes.push(
      `Order entry: the API has no direct order endpoint; an order is quote (5 lines) → send → accept → the durable ` +
        `quote-to-order flow makes it. Per order, ours: 3 HTTP requests (p50 create ${fmt(stepSummary.create!.p50, 1)} ms, ` +
        `send ${fmt(stepSummary.send!.p50, 1)} ms, accept ${fmt(stepSummary.accept!.p50, 1)} ms) then the flow ` +
        `(p50 ${fmt(stepSummary.flow!.p50, 1)} ms from the 202 to the order: ${Object.entries(phases)
          .map(([k, v]) => `${k} ${fmt(v.p50Ms, 1)}`)
          .join(
            ', ',
          )} ms p50). Rows written per order: ours ${oursRows.business} business + ${oursRows.devhost} ` +
        `durable/bus, raw ${rawRows.business}. ${commitBudget('Ours', 'order', ours, capacity)}; ${commitBudget('raw', 'order', raw, capacity)}.`,
      describeLoad('Order entry, ours', ours.load),
      describeLoad('Order entry, raw SQL', raw.load),
    );
    const differences = writeDifferences(ours.writes, raw.writes);
    if (differences.length)
      ctx.notes.push(
        `Order entry rows per order that differ (ours vs raw): ${differences.join('; ')}. The product updates the ` +
          'quote three times (sent, accepted, ordered) and each idempotency key twice (claimed, answered), and the ' +
          'relay marks outbox rows published; the baseline writes each row once in its final state.',
      );
    ctx.details.orderEntry = {
      ours,
      raw,
      steps: stepSummary,
      flowPhases: phases,
      watcherPolls: watcher.polls,
    };
  } finally {
    await watcher.stop();
  }
}
