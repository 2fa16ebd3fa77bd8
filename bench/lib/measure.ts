/**
 * One side of a write workload, measured the same way for the product and for its raw-SQL
 * baseline: N clients in closed loops for a fixed time, with the load sampler running, the SQL
 * statements counted, and the rows written per table read from pg_stat_user_tables.
 */
import pg from 'pg';
import { withPreparedStatements } from '../../shared/platform/db/prepared.js';
import type { BenchContext } from './context.js';
import type { DevhostProcess } from './devhost.js';
import {
  LoadSampler,
  statsFlushMs,
  tableWrites,
  writesSince,
  type LoadReport,
  type TableWrites,
} from './sampler.js';
import { cores } from './proc.js';
import { closedLoop, fmt, now, sleep, summarize, type LatencySummary } from './stats.js';

export interface SideResult {
  wallMs: number;
  iterations: number;
  latency: LatencySummary;
  load: LoadReport;
  /** Rows written per iteration, per table (schema-qualified). */
  writes: TableWrites;
  statementsPerIteration: number;
  transactionsPerIteration: number;
  /** Statements the devhost sends per second when it has nothing to do (its polling), measured just before the run. */
  idleStatementsPerSecond: number;
}

const writesNow = (ctx: BenchContext) => tableWrites((text) => ctx.database.query(text));

export async function measureOurs(
  ctx: BenchContext,
  devhost: DevhostProcess,
  seconds: number,
  iteration: (client: number, n: number) => Promise<void>,
): Promise<SideResult> {
  // The warm-up's background work and statistics must not be counted in the run.
  await waitForDevhostIdle(ctx);
  await sleep(statsFlushMs(ctx.options.quick));
  const idleFrom = await devhost.statements();
  const idleStart = now();
  await sleep(3_000);
  const idleStatementsPerSecond = ((await devhost.statements()) - idleFrom) / ((now() - idleStart) / 1000);
  const before = await writesNow(ctx);
  const statements = await devhost.statements();
  const sampler = await LoadSampler.start(ctx.database.url, ctx.database.name, devhost.pid);
  const run = await closedLoop(ctx.options.clients, seconds * 1000, iteration);
  const load = await sampler.stop();
  const statementsAfter = await devhost.statements();
  // What the run left to do in the background (events to relay and consume, flows) is its work too.
  await waitForDevhostIdle(ctx);
  await sleep(statsFlushMs(ctx.options.quick));
  const after = await writesNow(ctx);
  return {
    wallMs: run.wallMs,
    iterations: run.iterations,
    latency: summarize(run.latencies),
    load,
    writes: writesSince(before, after, run.iterations),
    statementsPerIteration: (statementsAfter - statements) / run.iterations,
    transactionsPerIteration: load.dbStats.commits / run.iterations,
    idleStatementsPerSecond,
  };
}

/**
 * A pool whose clients count the statements they send (BEGIN and COMMIT included, as on the devhost).
 * With `prepared`, statements sent again go as named prepared statements, by the product's own
 * mechanism (shared/platform/db/prepared.ts), so that a baseline is spared parsing and planning as
 * the product is.
 */
export async function countingPool(
  url: string,
  size: number,
  options: { prepared?: boolean } = {},
): Promise<{ pool: pg.Pool; statements: () => number }> {
  let statements = 0;
  const pool = new pg.Pool({ connectionString: url, max: size });
  if (options.prepared) withPreparedStatements(pool);
  pool.on('error', () => undefined);
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      statements++;
      return query(...args);
    };
  });
  const clients = await Promise.all(Array.from({ length: size }, () => pool.connect()));
  for (const client of clients) client.release();
  return { pool, statements: () => statements };
}

/**
 * Waits until the devhost has nothing left to do for what was written: every event relayed, every
 * bus message consumed, no durable work pending, and in full mode every event and audit record
 * copied by the minutely archive, so that a raw-SQL run never competes with the product's tail.
 */
export async function waitForDevhostIdle(ctx: BenchContext, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [row] = await ctx.database.query<{ outbox: string; bus: string; durable: string; archive: string }>(
      `select (select count(*) from outbox where published_at is null) as outbox,
              (select count(*) from devhost.bus_messages where state = 'active') as bus,
              (select count(*) from devhost.durable_activities) + (select count(*) from devhost.durable_messages)
                + (select count(*) from devhost.durable_instances where runtime_status in ('Pending', 'Running')) as durable,
              (select count(*) from outbox where archived_at is null and published_at is not null)
                + (select count(*) from audit_log where archived_at is null) as archive`,
    );
    const busy =
      Number(row!.outbox) +
      Number(row!.bus) +
      Number(row!.durable) +
      (ctx.options.quick ? 0 : Number(row!.archive));
    if (busy === 0) return;
    if (Date.now() > deadline) {
      ctx.log(`the devhost still had work after ${timeoutMs / 1000} s: ${JSON.stringify(row)}`);
      return;
    }
    await sleep(250);
  }
}

export async function measureRaw(
  ctx: BenchContext,
  devhostPid: number | undefined,
  seconds: number,
  iteration: (db: pg.PoolClient, client: number, n: number) => Promise<void>,
): Promise<SideResult> {
  await waitForDevhostIdle(ctx);
  const { pool, statements } = await countingPool(ctx.database.url, ctx.options.clients, { prepared: true });
  const before = await writesNow(ctx);
  const sampler = await LoadSampler.start(ctx.database.url, ctx.database.name, devhostPid);
  const start = statements();
  const run = await closedLoop(ctx.options.clients, seconds * 1000, async (client, n) => {
    const db = await pool.connect();
    try {
      await iteration(db, client, n);
    } finally {
      db.release();
    }
  });
  const load = await sampler.stop();
  const sent = statements() - start;
  // Backends report their statistics when they exit.
  await pool.end();
  await sleep(500);
  const after = await writesNow(ctx);
  return {
    wallMs: run.wallMs,
    iterations: run.iterations,
    latency: summarize(run.latencies),
    load,
    writes: writesSince(before, after, run.iterations),
    statementsPerIteration: sent / run.iterations,
    transactionsPerIteration: load.dbStats.commits / run.iterations,
    idleStatementsPerSecond: 0,
  };
}

/** Rows written per iteration: business tables (public) and the devhost's own (durable, bus). */
export function writeTotals(writes: TableWrites): { business: number; devhost: number } {
  let business = 0;
  let devhost = 0;
  for (const [table, w] of Object.entries(writes)) {
    const n = w.ins + w.upd + w.del;
    if (table.startsWith('devhost.')) devhost += n;
    else business += n;
  }
  return { business: Math.round(business * 10) / 10, devhost: Math.round(devhost * 10) / 10 };
}

/**
 * Business tables whose rows per iteration differ between the two sides, for the notes: the
 * baseline must write what the product writes, and where it does not, the report says so.
 */
export function writeDifferences(ours: TableWrites, raw: TableWrites): string[] {
  const tables = new Set([...Object.keys(ours), ...Object.keys(raw)].filter((t) => t.startsWith('public.')));
  const out: string[] = [];
  for (const table of [...tables].sort()) {
    const o = ours[table] ?? { ins: 0, upd: 0, del: 0 };
    const r = raw[table] ?? { ins: 0, upd: 0, del: 0 };
    const parts: string[] = [];
    for (const k of ['ins', 'upd', 'del'] as const)
      if (Math.abs(o[k] - r[k]) >= 0.5) parts.push(`${k} ${o[k]} vs ${r[k]}`);
    if (parts.length) out.push(`${table.slice('public.'.length)} (${parts.join(', ')})`);
  }
  return out;
}

/** A compact account of a side's load, for the notes. */
export function describeLoad(label: string, load: LoadReport): string {
  const active = Object.entries(load.db.activeBy)
    .slice(0, 4)
    .map(([k, v]) => `${k} ${v}%`)
    .join(', ');
  const locks = load.db.lockWaitSamples
    ? `; lock waits in ${load.db.lockWaitSamples}/${load.db.samples} samples, ${load.db.lockWaitSessions} sessions on average, by statement: ${Object.entries(
        load.db.lockWaitsOn,
      )
        .slice(0, 3)
        .map(([k, v]) => `${k} ${v}%`)
        .join(', ')}`
    : '; no lock waits sampled';
  const devhost = load.cpu.devhost === null ? '' : `devhost ${load.cpu.devhost}% of a core, `;
  return (
    `${label}: ${devhost}benchmark clients ${load.cpu.benchClients}%, PostgreSQL backends ${load.cpu.postgres}%, ` +
    `machine busy ${load.cpu.machineBusyCores} of 2 cores (other load ${load.cpu.otherCores}); ` +
    `DB sessions on CPU ${load.db.sessions.onCpu}, waiting ${load.db.sessions.waiting}, idle in transaction ` +
    `${load.db.sessions.idleInTransaction} (mean); active samples: ${active || 'none'}${locks}; ` +
    `${load.dbStats.commitsPerSecond} commits/s, ${load.dbStats.rollbacks} rollbacks, ${load.dbStats.deadlocks} deadlocks`
  );
}

/**
 * How many commits per second this server takes when nothing else runs on the benchmark's
 * database: `clients` connections each committing one-row inserts (every commit waits for its WAL
 * flush) for a few seconds. Measured once per run, beside the write workloads, as the yardstick for
 * "commits per unit": a side that needs K commits per unit cannot make more than capacity / K.
 */
export async function commitCapacity(ctx: BenchContext): Promise<number> {
  if (ctx.details.commitCapacityPerSecond !== undefined) return ctx.details.commitCapacityPerSecond as number;
  await ctx.database.query(
    'create table if not exists bench_commit_probe (id bigserial primary key, at timestamptz default now())',
  );
  const { pool } = await countingPool(ctx.database.url, ctx.options.clients);
  const run = await closedLoop(ctx.options.clients, ctx.options.quick ? 2_000 : 8_000, async () => {
    await pool.query('insert into bench_commit_probe default values');
  });
  await pool.end();
  await ctx.database.query('drop table bench_commit_probe');
  const perSecond = Math.round(run.iterations / (run.wallMs / 1000));
  ctx.details.commitCapacityPerSecond = perSecond;
  ctx.log(`commit capacity: ${fmt(perSecond)} single-row commits/s with ${ctx.options.clients} connections`);
  ctx.notes.push(
    `Commit capacity of the server during this run: ${fmt(perSecond)} commits/s (one-row inserts committed by ` +
      `${ctx.options.clients} connections, synchronous_commit ${ctx.database.settings.synchronous_commit ?? '?'}): the yardstick ` +
      'for the commits each unit of work needs below.',
  );
  return perSecond;
}

/**
 * The work one unit costs, measured, and the ceilings it implies: SQL statements and commits (the
 * server's commit capacity divided by the commits per unit), and CPU time in the devhost, the
 * PostgreSQL backends and the benchmark's clients (the machine's cores divided by the CPU per unit).
 * The lower ceiling near the rate achieved names the limit; both far above it mean the clients
 * waited (for locks, or for each step of a chain to come round).
 */
export function commitBudget(label: string, unit: string, side: SideResult, capacity: number): string {
  const wall = side.wallMs / 1000;
  const perSecond = side.iterations / wall;
  const idle = (side.idleStatementsPerSecond * wall) / side.iterations;
  const cpuMs = (percent: number | null) => (((percent ?? 0) / 100) * wall * 1000) / side.iterations;
  const devhost = cpuMs(side.load.cpu.devhost);
  const postgres = cpuMs(side.load.cpu.postgres);
  const clients = cpuMs(side.load.cpu.benchClients);
  const cpu = devhost + postgres + clients;
  return (
    `${label}: ${fmt(side.statementsPerIteration, 0)} SQL statements per ${unit}` +
    (idle > 0.5 ? ` (about ${fmt(idle, 0)} of them the devhost's idle polling)` : '') +
    ` in ${fmt(side.transactionsPerIteration, 1)} commits, and ${fmt(cpu, 1)} ms of CPU (` +
    (side.load.cpu.devhost !== null && devhost >= 0.05 ? `devhost ${fmt(devhost, 1)}, ` : '') +
    `PostgreSQL ${fmt(postgres, 1)}, clients ${fmt(clients, 1)}); ceilings: ${fmt(capacity / side.transactionsPerIteration, 1)}/s ` +
    `by the server's commit capacity, ${fmt((cores() * 1000) / cpu, 1)}/s by ${cores()} cores of CPU; made ${fmt(perSecond, 1)}/s`
  );
}
