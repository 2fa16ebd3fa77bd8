/**
 * Journal posting: entries of 4 lines (two expense debits, two bank credits), N concurrent clients.
 * Ours: `POST /api/v1/accounting/journal-entries` through the devhost (auth, validation, the
 * Idempotency-Key, accounts and period checked, base amounts, number, outbox, audit, the answer
 * read back). Raw: the same rows in one transaction (raw-sales.ts: rawJournalEntry): JE number,
 * entry, 4 lines, outbox event, audit record, idempotency key; the database's own checks (balance,
 * open period) fire alike.
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
import { salesFixture, type SalesFixture } from '../lib/sales-fixture.js';
import { perHour, randomInt } from '../lib/stats.js';
import { rawJournalEntry } from './raw-sales.js';

const LINES = 4;

function amounts(): [string, string] {
  return [`${10 + randomInt(5000)}.${String(randomInt(100)).padStart(2, '0')}`, `${1 + randomInt(900)}.50`];
}

function entryBody(fixture: SalesFixture) {
  const [a, b] = amounts();
  const [d1, d2, c1, c2] = fixture.journalAccounts as [string, string, string, string];
  return {
    date: fixture.today,
    memo: 'Bench journal entry',
    currency: 'ZAR',
    lines: [
      { account: d1, debit: a },
      { account: d2, debit: b },
      { account: c1, credit: a },
      { account: c2, credit: b },
    ],
  };
}

export async function journalPosting(ctx: BenchContext): Promise<void> {
  const devhost = await ctx.devhost();
  const fixture = await salesFixture(ctx);
  if (fixture.journalAccounts.length !== 4)
    throw new Error('The chart of accounts lacks the journal workload accounts.');
  const seconds = ctx.options.seconds.journal;

  ctx.log('journal posting: warm-up');
  await Promise.all(
    fixture.users
      .slice(0, ctx.options.quick ? 2 : undefined)
      .map((u) => u.api.post('/api/v1/accounting/journal-entries', entryBody(fixture))),
  );

  ctx.log(`journal posting through the API: ${ctx.options.clients} clients for ${seconds} s`);
  const ours = await measureOurs(ctx, devhost, seconds, async (client) => {
    await fixture.users[client]!.api.post('/api/v1/accounting/journal-entries', entryBody(fixture));
  });

  ctx.log(`journal posting as raw SQL: ${ctx.options.clients} clients for ${seconds} s`);
  const raw = await measureRaw(ctx, devhost.pid, seconds, async (db, client) => {
    await rawJournalEntry(db, fixture, fixture.users[client]!, entryBody(fixture));
  });
  const capacity = await commitCapacity(ctx);

  const workload = 'journal posting (4 lines)';
  ctx.rows.push(
    {
      workload,
      metric: `entries/h, ${ctx.options.clients} clients`,
      ours: perHour(ours.iterations, ours.wallMs),
      raw: perHour(raw.iterations, raw.wallMs),
      unit: 'entries/h',
      better: 'higher',
      target: { ratio: 0.5, text: 'ratio ≥ 0.5' },
    },
    {
      workload,
      metric: 'journal lines/h',
      ours: perHour(ours.iterations * LINES, ours.wallMs),
      raw: perHour(raw.iterations * LINES, raw.wallMs),
      unit: 'lines/h',
      better: 'higher',
    },
    {
      workload,
      metric: 'p50 latency per entry',
      ours: ours.latency.p50,
      raw: raw.latency.p50,
      unit: 'ms',
      better: 'lower',
      digits: 1,
    },
    {
      workload,
      metric: 'p99 latency per entry',
      ours: ours.latency.p99,
      raw: raw.latency.p99,
      unit: 'ms',
      better: 'lower',
      digits: 1,
    },
  );
  const oursRows = writeTotals(ours.writes);
  const rawRows = writeTotals(raw.writes);
  ctx.notes.push(
    `Journal posting: rows written per entry: ours ${oursRows.business} business + ${oursRows.devhost} bus, raw ` +
      `${rawRows.business}. ${commitBudget('Ours', 'entry', ours, capacity)}; ${commitBudget('raw', 'entry', raw, capacity)}.`,
    describeLoad('Journal posting, ours', ours.load),
    describeLoad('Journal posting, raw SQL', raw.load),
  );
  const differences = writeDifferences(ours.writes, raw.writes);
  if (differences.length)
    ctx.notes.push(`Journal rows per entry that differ (ours vs raw): ${differences.join('; ')}.`);
  ctx.details.journal = { ours, raw };
}
