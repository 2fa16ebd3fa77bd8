/** What every workload gets: the options, the database, the devhost, and where its rows go. */
import type pg from 'pg';
import type { BenchDatabase } from './db.js';
import type { DevhostProcess } from './devhost.js';
import type { Row } from './report.js';

export const WORKLOADS = [
  'startup',
  'order-entry',
  'full-cycle',
  'journal',
  'trial-balance',
  'stock',
] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export interface Options {
  quick: boolean;
  only: Set<WorkloadName>;
  keep: boolean;
  serverUrl: string;
  /** Concurrent clients of the write workloads (both sides). */
  clients: number;
  /** Seconds each side of an HTTP write workload runs. */
  seconds: { orderEntry: number; fullCycle: number; journal: number };
  /** Journal lines of each measured trial-balance tenant (one tenant per size), and the tenants in all. */
  tbLines: number[];
  tbTenants: number;
  tbLinesPerOtherTenant: number;
  stockMoves: number;
  /** Timed runs of each report (after warm-up). */
  reportRuns: number;
}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): Options {
  const quick = argv.includes('--quick');
  const onlyArg = argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  const aliases: Record<string, WorkloadName> = {
    memory: 'order-entry',
    'cold-start': 'startup',
    web: 'startup',
    'order-entry': 'order-entry',
    orders: 'order-entry',
    journal: 'journal',
    'journal-posting': 'journal',
    'trial-balance': 'trial-balance',
    tb: 'trial-balance',
    stock: 'stock',
    'stock-valuation': 'stock',
    'full-cycle': 'full-cycle',
    startup: 'startup',
  };
  const only = new Set<WorkloadName>();
  if (onlyArg) {
    for (const name of onlyArg
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const workload = aliases[name];
      if (!workload) {
        console.error(
          `Unknown workload "${name}"; choose from ${WORKLOADS.join(', ')} (or memory, cold-start).`,
        );
        process.exit(2);
      }
      only.add(workload);
    }
  } else for (const w of WORKLOADS) only.add(w);
  const unknown = argv.filter((a) => a.startsWith('--') && a !== '--quick' && !a.startsWith('--only='));
  if (unknown.length > 0) {
    console.error(`Unknown option ${unknown.join(' ')}. Usage: npm run bench [-- --quick] [-- --only=a,b]`);
    process.exit(2);
  }
  const number = (name: string, fallback: number) => {
    const value = env[name];
    if (value === undefined || value === '') return fallback;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) {
      console.error(`${name} must be a positive number, not "${value}".`);
      process.exit(2);
    }
    return n;
  };
  const seconds = env.BENCH_SECONDS ? number('BENCH_SECONDS', 60) : undefined;
  const tbLines = (env.BENCH_TB_LINES ?? (quick ? '100000' : '1000000,10000000'))
    .split(',')
    .map((s) => Number(s.replace(/_/g, '')))
    .filter((n) => Number.isFinite(n) && n > 0);
  if (tbLines.length === 0) {
    console.error('BENCH_TB_LINES must be a comma-separated list of line counts, such as 1000000,10000000.');
    process.exit(2);
  }
  return {
    quick,
    only,
    keep: env.BENCH_KEEP === '1',
    serverUrl: env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/postgres',
    clients: Math.round(number('BENCH_CLIENTS', 8)),
    seconds: {
      orderEntry: seconds ?? (quick ? 5 : 60),
      fullCycle: seconds ?? (quick ? 5 : 60),
      journal: seconds ?? (quick ? 4 : 45),
    },
    tbLines,
    tbTenants: Math.round(number('BENCH_TB_TENANTS', quick ? 5 : 100)),
    tbLinesPerOtherTenant: Math.round(number('BENCH_TB_OTHER_LINES', quick ? 2_000 : 20_000)),
    stockMoves: Math.round(number('BENCH_STOCK_MOVES', quick ? 50_000 : 1_000_000)),
    reportRuns: quick ? 6 : 30,
  };
}

export interface BenchContext {
  options: Options;
  admin: pg.Client;
  database: BenchDatabase;
  /** The devhost child process, started on first use (its first start seeds the demo tenants). */
  devhost(): Promise<DevhostProcess>;
  /** Rows for the results table. */
  rows: Row[];
  /** Everything else a workload measured, for the JSON results. */
  details: Record<string, unknown>;
  /** Notes printed under the table: limits measured, targets missed and why. */
  notes: string[];
  log(message: string): void;
}
