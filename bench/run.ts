/**
 * `npm run bench`: Tessera's performance against raw SQL on a real PostgreSQL, in one run.
 *
 *   npm run bench                         every workload, full volumes (about half an hour)
 *   npm run bench -- --quick              small volumes and short runs (under 2 minutes, CI smoke)
 *   npm run bench -- --only=order-entry,journal
 *
 * See bench/README.md for the workloads, the environment variables and the last full run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseOptions, WORKLOADS, type BenchContext, type WorkloadName } from './lib/context.js';
import { connectAdmin, createBenchDatabase, redact, type BenchDatabase } from './lib/db.js';
import { DevhostProcess } from './lib/devhost.js';
import { loadAverage } from './lib/proc.js';
import { formatTable, metOf, rowsForJson, type Row } from './lib/report.js';
import { fullCycle } from './workloads/full-cycle.js';
import { journalPosting } from './workloads/journal.js';
import { orderEntry } from './workloads/order-entry.js';
import { startup } from './workloads/startup.js';
import { stockReports } from './workloads/stock.js';
import { trialBalance } from './workloads/trial-balance.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const options = parseOptions(process.argv.slice(2), process.env);
const startedAt = new Date();
const t0 = Date.now();
const loadAtStart = loadAverage();
const elapsed = () => `${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s`;
const log = (message: string) => console.log(`[${elapsed()}] ${message}`);

console.log(
  `Tessera ERP benchmark (${options.quick ? 'quick' : 'full'}): ${[...options.only].join(', ')}\n` +
    `  PostgreSQL ${redact(options.serverUrl)}, ${options.clients} clients, ${os.cpus().length} cores, ` +
    `load average at start ${loadAtStart['1m']} / ${loadAtStart['5m']} / ${loadAtStart['15m']} (1/5/15 min)`,
);

const admin = await connectAdmin(options.serverUrl);
let database: BenchDatabase | undefined;
let devhost: DevhostProcess | undefined;
let starting: Promise<DevhostProcess> | undefined;
let cleaning: Promise<void> | undefined;

async function cleanUp(): Promise<void> {
  cleaning ??= (async () => {
    await devhost?.stop().catch(() => undefined);
    if (database) {
      if (options.keep) console.log(`BENCH_KEEP=1: the database ${database.name} stays.`);
      else
        await database.drop().catch((error: unknown) => console.error(`dropping ${database?.name}:`, error));
    }
    await admin.end().catch(() => undefined);
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the devhost and dropping the benchmark database…`);
    void cleanUp().finally(() => process.exit(130));
  });

const rows: Row[] = [];
const notes: string[] = [];
const details: Record<string, unknown> = {};
const timings: Record<string, number> = {};
let failure: unknown;

try {
  log('creating and migrating the benchmark database');
  database = await createBenchDatabase(admin, options.serverUrl);
  const db = database;
  const ctx: BenchContext = {
    options,
    admin,
    database: db,
    devhost: () => {
      starting ??= DevhostProcess.start(db.url).then((started) => {
        devhost = started;
        log(`devhost started (pid ${started.pid}) in ${started.coldStartMs.toFixed(0)} ms`);
        return started;
      });
      return starting;
    },
    rows,
    details,
    notes,
    log,
  };
  const run: Record<WorkloadName, (ctx: BenchContext) => Promise<void>> = {
    startup: async (c) => {
      const kept = await startup(c);
      devhost = kept;
      starting = Promise.resolve(kept);
    },
    'order-entry': orderEntry,
    'full-cycle': fullCycle,
    journal: journalPosting,
    stock: stockReports,
    'trial-balance': trialBalance,
  };
  for (const name of WORKLOADS) {
    if (!options.only.has(name)) continue;
    const started = Date.now();
    log(`— ${name}`);
    await run[name](ctx);
    timings[name] = Math.round((Date.now() - started) / 100) / 10;
  }
} catch (error) {
  failure = error;
  console.error('\nThe benchmark failed:', error);
  if (devhost) console.error(`devhost's last stderr lines:\n${devhost.recentErrors().join('\n')}`);
} finally {
  await cleanUp();
}

const loadAtEnd = loadAverage();
const durationSeconds = Math.round((Date.now() - t0) / 1000);
const table = formatTable(rows);
console.log(`\n${table}\n`);
console.log(
  'ratio: higher is better, 1.00 = as fast as raw SQL (throughput: ours / raw; latency: raw / ours).\n' +
    `Load average at start ${loadAtStart['1m']}, at end ${loadAtEnd['1m']} on ${os.cpus().length} cores ` +
    '(other work on this machine depresses the figures).',
);
if (notes.length) console.log(`\nNotes:\n${notes.map((n) => `- ${n}`).join('\n')}`);
const missed = rows.filter((r) => metOf(r) === false);
if (missed.length)
  console.log(`\nTargets missed: ${missed.map((r) => `${r.workload}: ${r.metric}`).join('; ')}`);
console.log(`\nFinished in ${durationSeconds} s${failure ? ' (FAILED)' : ''}.`);

const results = {
  startedAt: startedAt.toISOString(),
  durationSeconds,
  mode: options.quick ? 'quick' : 'full',
  workloads: [...options.only],
  timingsSeconds: timings,
  failed: failure ? String(failure instanceof Error ? (failure.stack ?? failure.message) : failure) : null,
  machine: {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart: loadAtStart,
    loadAverageAtEnd: loadAtEnd,
  },
  postgres: database ? { version: database.serverVersion, settings: database.settings } : null,
  options: { ...options, only: [...options.only], serverUrl: redact(options.serverUrl) },
  rows: rowsForJson(rows),
  table,
  notes,
  details,
};
const dir = path.join(here, 'results');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, `${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(path.join(dir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
console.log(`Results: ${path.relative(process.cwd(), file)}`);
process.exit(failure ? 1 : 0);
