/**
 * Measures what limits a run while it runs, so the report says why a figure is what it is:
 * - CPU of the devhost process, of this benchmark process (the HTTP clients), of the database's
 *   backends serving the benchmark's database, and of the whole machine (so other load shows);
 * - the devhost's resident memory (sampled VmRSS, and VmHWM at the end);
 * - what the database's sessions are doing, sampled from pg_stat_activity: on CPU, waiting (and
 *   for what: Lock, LWLock, IO, Client…), idle in a transaction (the app holds a transaction open
 *   while it computes), and which locks they wait for (pg_locks, not granted);
 * - pg_stat_database over the run: transactions, rows written, cache hits, deadlocks.
 */
import pg from 'pg';
import { cores, machineCpuTicks, processCpuSeconds, processMemoryMiB, round1, round2 } from './proc.js';
import { now, sleep } from './stats.js';

export interface DbCounters {
  xact_commit: number;
  xact_rollback: number;
  blks_read: number;
  blks_hit: number;
  tup_inserted: number;
  tup_updated: number;
  tup_deleted: number;
  deadlocks: number;
}

export interface LoadReport {
  wallSeconds: number;
  /** Percent of one core. */
  cpu: {
    devhost: number | null;
    benchClients: number;
    postgres: number;
    machineBusyCores: number;
    otherCores: number;
  };
  devhostMemoryMiB: { rssMax: number; hwm: number } | null;
  db: {
    samples: number;
    /** Mean sessions of the benchmark's database per sample, by what they were doing. */
    sessions: { onCpu: number; waiting: number; idleInTransaction: number; idle: number };
    /** Share of busy (active) session samples per wait event; "CPU" when there was none. */
    activeBy: Record<string, number>;
    /** Samples with at least one session waiting for a heavyweight lock, the mean such sessions, and for what (share of them). */
    lockWaitSamples: number;
    lockWaitSessions: number;
    lockWaitsOn: Record<string, number>;
  };
  dbStats: {
    commitsPerSecond: number;
    commits: number;
    rollbacks: number;
    deadlocks: number;
    cacheHitPercent: number;
    rowsWritten: number;
  };
}

async function counters(client: pg.Client | pg.Pool, dbName: string): Promise<DbCounters> {
  const { rows } = await client.query<Record<keyof DbCounters, string>>(
    `select xact_commit, xact_rollback, blks_read, blks_hit, tup_inserted, tup_updated, tup_deleted, deadlocks
       from pg_stat_database where datname = $1`,
    [dbName],
  );
  const r = rows[0]!;
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])) as unknown as DbCounters;
}

interface ActivityRow {
  pid: number;
  state: string | null;
  wait_event_type: string | null;
  wait_event: string | null;
  waiting_on: string | null;
  query: string | null;
}

/** "update stock_balances", "insert into number_counters": what a waiting statement does, to what. */
export function statementTarget(query: string | null): string {
  const text = (query ?? '').replace(/\s+/g, ' ').replace(/"/g, '').trim().toLowerCase();
  const write = /(insert into|update|delete from) ([a-z_.]+)/;
  if (text.startsWith('with ')) {
    // A data-modifying CTE: name its first write (in the baselines, the document-number counter).
    const first = write.exec(text);
    return first ? `with … ${first[1]} ${first[2]} …` : 'with …';
  }
  const match = new RegExp(`^${write.source}`).exec(text);
  if (match) return `${match[1]} ${match[2]}`;
  const locking = /^select .*? from ([a-z_.]+).*for (update|share|no key update|key share)/.exec(text);
  if (locking) return `select … for ${locking[2]} ${locking[1]}`;
  return text.split(' ').slice(0, 3).join(' ') || '?';
}

export class LoadSampler {
  readonly #client: pg.Client;
  readonly #dbName: string;
  readonly #devhostPid: number | undefined;
  readonly #intervalMs: number;
  #running = false;
  #loop: Promise<void> | undefined;
  #start = 0;
  #startCounters: DbCounters | undefined;
  #startMachine = machineCpuTicks();
  #startBench = process.cpuUsage();
  #startDevhost: number | undefined;
  #rssMax = 0;
  /** Per backend pid: CPU seconds at first sight (0 for backends born during the run) and last. */
  readonly #backends = new Map<number, { first: number; last: number }>();
  #samples = 0;
  readonly #sessions = { onCpu: 0, waiting: 0, idleInTransaction: 0, idle: 0 };
  readonly #active = new Map<string, number>();
  #activeTotal = 0;
  #lockWaitSamples = 0;
  #lockWaitSessions = 0;
  readonly #lockWaitsOn = new Map<string, number>();

  private constructor(client: pg.Client, dbName: string, devhostPid: number | undefined, intervalMs: number) {
    this.#client = client;
    this.#dbName = dbName;
    this.#devhostPid = devhostPid;
    this.#intervalMs = intervalMs;
  }

  /** Opens its own connection to the benchmark's database (so lock targets resolve to table names). */
  static async start(
    url: string,
    dbName: string,
    devhostPid: number | undefined,
    intervalMs = 100,
  ): Promise<LoadSampler> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const sampler = new LoadSampler(client, dbName, devhostPid, intervalMs);
    await sampler.#begin();
    return sampler;
  }

  async #begin(): Promise<void> {
    this.#startCounters = await counters(this.#client, this.#dbName);
    this.#start = now();
    this.#startMachine = machineCpuTicks();
    this.#startBench = process.cpuUsage();
    this.#startDevhost = this.#devhostPid ? processCpuSeconds(this.#devhostPid) : undefined;
    this.#running = true;
    await this.#sample(true);
    this.#loop = this.#run();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      await sleep(this.#intervalMs);
      if (!this.#running) break;
      await this.#sample(false).catch(() => undefined);
    }
  }

  async #sample(first: boolean): Promise<void> {
    const { rows } = await this.#client.query<ActivityRow>(
      `select a.pid, a.state, a.wait_event_type, a.wait_event, left(a.query, 300) as query,
              (select string_agg(distinct coalesce(l.relation::regclass::text, l.locktype), ',')
                 from pg_locks l where l.pid = a.pid and not l.granted) as waiting_on
         from pg_stat_activity a
        where a.datname = $1 and a.pid <> pg_backend_pid()`,
      [this.#dbName],
    );
    this.#samples++;
    let lockWait = false;
    for (const row of rows) {
      const cpu = processCpuSeconds(row.pid);
      if (cpu !== undefined) {
        const seen = this.#backends.get(row.pid);
        if (seen) seen.last = cpu;
        else this.#backends.set(row.pid, { first: first ? cpu : 0, last: cpu });
      }
      if (row.state === 'active') {
        const key = row.wait_event_type ? `${row.wait_event_type}:${row.wait_event}` : 'CPU';
        this.#active.set(key, (this.#active.get(key) ?? 0) + 1);
        this.#activeTotal++;
        if (row.wait_event_type) this.#sessions.waiting++;
        else this.#sessions.onCpu++;
        if (row.wait_event_type === 'Lock') {
          lockWait = true;
          this.#lockWaitSessions++;
          // The statement that waits names the rows' table; a row lock (transactionid) names no relation.
          const on = `${statementTarget(row.query)} (${row.wait_event}${
            row.waiting_on && row.waiting_on !== row.wait_event ? ` ${row.waiting_on}` : ''
          })`;
          this.#lockWaitsOn.set(on, (this.#lockWaitsOn.get(on) ?? 0) + 1);
        }
      } else if (row.state?.startsWith('idle in transaction')) this.#sessions.idleInTransaction++;
      else this.#sessions.idle++;
    }
    if (lockWait) this.#lockWaitSamples++;
    if (this.#devhostPid) {
      const memory = processMemoryMiB(this.#devhostPid);
      if (memory) this.#rssMax = Math.max(this.#rssMax, memory.rss);
    }
  }

  async stop(): Promise<LoadReport> {
    this.#running = false;
    await this.#loop;
    await this.#sample(false).catch(() => undefined);
    const wallSeconds = (now() - this.#start) / 1000;
    const machine = machineCpuTicks();
    const bench = process.cpuUsage(this.#startBench);
    const devhostEnd = this.#devhostPid ? processCpuSeconds(this.#devhostPid) : undefined;
    const end = await counters(this.#client, this.#dbName);
    await this.#client.end();
    const start = this.#startCounters!;
    const delta = (k: keyof DbCounters) => end[k] - start[k];
    const pct = (seconds: number) => round1((seconds / wallSeconds) * 100);
    let postgres = 0;
    for (const b of this.#backends.values()) postgres += Math.max(0, b.last - b.first);
    const machineBusyCores =
      ((machine.busy - this.#startMachine.busy) / Math.max(1, machine.total - this.#startMachine.total)) *
      cores();
    const devhostSeconds =
      devhostEnd !== undefined && this.#startDevhost !== undefined ? devhostEnd - this.#startDevhost : null;
    const benchSeconds = (bench.user + bench.system) / 1e6;
    const ours = (devhostSeconds ?? 0) + benchSeconds + postgres;
    const memory = this.#devhostPid ? processMemoryMiB(this.#devhostPid) : undefined;
    const share = (map: Map<string, number>, total: number) =>
      Object.fromEntries(
        [...map]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 8)
          .map(([k, v]) => [k, round1((v / Math.max(1, total)) * 100)]),
      );
    const samples = Math.max(1, this.#samples);
    const reads = delta('blks_read');
    const hits = delta('blks_hit');
    return {
      wallSeconds: round2(wallSeconds),
      cpu: {
        devhost: devhostSeconds === null ? null : pct(devhostSeconds),
        benchClients: pct(benchSeconds),
        postgres: pct(postgres),
        machineBusyCores: round2(machineBusyCores),
        otherCores: round2(Math.max(0, machineBusyCores - ours / wallSeconds)),
      },
      devhostMemoryMiB: memory
        ? { rssMax: round1(Math.max(this.#rssMax, memory.rss)), hwm: round1(memory.hwm) }
        : null,
      db: {
        samples: this.#samples,
        sessions: {
          onCpu: round2(this.#sessions.onCpu / samples),
          waiting: round2(this.#sessions.waiting / samples),
          idleInTransaction: round2(this.#sessions.idleInTransaction / samples),
          idle: round2(this.#sessions.idle / samples),
        },
        activeBy: share(this.#active, this.#activeTotal),
        lockWaitSamples: this.#lockWaitSamples,
        lockWaitSessions: round2(this.#lockWaitSessions / samples),
        lockWaitsOn: share(this.#lockWaitsOn, this.#lockWaitSessions),
      },
      dbStats: {
        commits: delta('xact_commit'),
        commitsPerSecond: Math.round(delta('xact_commit') / wallSeconds),
        rollbacks: delta('xact_rollback'),
        deadlocks: delta('deadlocks'),
        cacheHitPercent: round1((hits / Math.max(1, hits + reads)) * 100),
        rowsWritten: delta('tup_inserted') + delta('tup_updated') + delta('tup_deleted'),
      },
    };
  }
}

/** Rows inserted, updated and deleted per table since a snapshot (pg_stat_user_tables). */
export type TableWrites = Record<string, { ins: number; upd: number; del: number }>;

export async function tableWrites(query: <T>(text: string) => Promise<T[]>): Promise<TableWrites> {
  const rows = await query<{ name: string; ins: string; upd: string; del: string }>(
    `select schemaname || '.' || relname as name, n_tup_ins as ins, n_tup_upd as upd, n_tup_del as del
       from pg_stat_user_tables`,
  );
  return Object.fromEntries(
    rows.map((r) => [r.name, { ins: Number(r.ins), upd: Number(r.upd), del: Number(r.del) }]),
  );
}

export function writesSince(before: TableWrites, after: TableWrites, per = 1): TableWrites {
  const out: TableWrites = {};
  for (const [name, a] of Object.entries(after)) {
    const b = before[name] ?? { ins: 0, upd: 0, del: 0 };
    const d = { ins: (a.ins - b.ins) / per, upd: (a.upd - b.upd) / per, del: (a.del - b.del) / per };
    if (d.ins || d.upd || d.del) out[name] = { ins: round2(d.ins), upd: round2(d.upd), del: round2(d.del) };
  }
  return out;
}

/** pg_stat_* counters reach shared memory when a backend next goes idle (at most ~1 s late while busy, up to 10 s when idle). */
export const statsFlushMs = (quick: boolean) => (quick ? 1_200 : 11_000);
