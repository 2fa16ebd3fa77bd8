import { sql, type Kysely } from 'kysely';
import { resolveAppSettings } from '../bus/app-settings.js';
import type { FunctionHost, RegisteredFunction } from '../host.js';
import { NcrontabSchedule, resolveTimeZone } from '../../shared/platform/ncrontab.js';

/** The timer object a handler receives, as the Node worker builds it from the host's TimerInfo. */
export interface TimerInfo {
  isPastDue: boolean;
  schedule: { adjustForDST: boolean };
  /** The schedule monitor's record; null when the timer is not monitored (sub-minute schedules). */
  scheduleStatus: { last: string; next: string; lastUpdated: string } | null;
}

export interface TimerSchedulerOptions {
  host: FunctionHost;
  /** Where the schedule monitor keeps last/next occurrences; in memory when absent. */
  // The devhost's tables have no type in the app's schema; the scheduler speaks raw SQL.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db?: Kysely<any>;
  /** The clock (tests move it); the real time by default. */
  now?: () => Date;
  log?: (msg: string) => void;
  /** Where `%SETTING%` schedules and WEBSITE_TIME_ZONE are read; process.env by default. */
  env?: NodeJS.ProcessEnv;
}

interface ScheduleStatus {
  last: Date | null;
  next: Date;
  lastUpdated: Date;
}

interface TimerEntry {
  fn: RegisteredFunction;
  schedule: NcrontabSchedule;
  monitor: boolean;
  runOnStartup: boolean;
  status: ScheduleStatus | undefined;
  handle: NodeJS.Timeout | undefined;
  /** Invocations of one timer never overlap (timer functions are singletons in Azure). */
  chain: Promise<void>;
}

/** The host's `DateTime` default, which it reports as `last` before a timer's first occurrence. */
const NEVER = '0001-01-01T00:00:00.000Z';
/** The monitor keeps a status only for schedules at least this far apart, as the host does. */
const MONITOR_INTERVAL_MS_MIN = 60_000;
/** setTimeout's limit (about 24.8 days); a later occurrence is reached in several waits. */
const TIMEOUT_MS_MAX = 2_147_483_647;
const NEXT_COUNT_MAX = 1000;

/**
 * Runs the app's unchanged `app.timer(...)` registrations on their NCRONTAB schedules, as the
 * Functions host does: `%SETTING%` schedules resolved from the app settings, WEBSITE_TIME_ZONE
 * honoured, `runOnStartup`, and a schedule monitor that persists each timer's last and next
 * occurrence so that a timer whose occurrence passed while the devhost was down runs once at start
 * with `isPastDue: true`. As in the host, timers with less than a minute between occurrences are
 * not monitored (their `scheduleStatus` is null), an occurrence missed while the previous run was
 * still going is skipped, and a failed run is logged and the schedule goes on.
 *
 * Within one process a timer never runs twice at once. Several devhosts sharing one database each
 * run every timer (the host's singleton lease across instances is not emulated).
 */
export class TimerScheduler {
  readonly #host: FunctionHost;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly #db: Kysely<any> | undefined;
  readonly #now: () => Date;
  readonly #log: (msg: string) => void;
  readonly #env: NodeJS.ProcessEnv;
  readonly #entries = new Map<string, TimerEntry>();
  readonly #memoryStatus = new Map<string, ScheduleStatus>();
  readonly #startups: Promise<void>[] = [];
  #started = false;

  constructor(options: TimerSchedulerOptions) {
    this.#host = options.host;
    this.#db = options.db;
    this.#now = options.now ?? (() => new Date());
    this.#log = options.log ?? ((msg) => console.log(`[timers] ${msg}`));
    this.#env = options.env ?? process.env;
  }

  /**
   * Starts every registered timer. Every schedule is checked first: an invalid one throws, naming
   * its function, and nothing starts.
   */
  start(): void {
    if (this.#started) return;
    const entries = this.#host.byTrigger('timerTrigger').map((fn) => this.#createEntry(fn));
    this.#entries.clear();
    for (const entry of entries) this.#entries.set(entry.fn.name, entry);
    this.#started = true;
    for (const entry of entries) {
      this.#startups.push(
        this.#startTimer(entry).catch((error: unknown) =>
          this.#log(`timer ${entry.fn.name} could not start: ${errorText(error)}`),
        ),
      );
    }
  }

  /** Stops the schedules and waits for runs in progress to finish. */
  async stop(): Promise<void> {
    this.#started = false;
    for (const entry of this.#entries.values()) {
      clearTimeout(entry.handle);
      entry.handle = undefined;
    }
    await Promise.allSettled(this.#startups.splice(0));
    await Promise.allSettled([...this.#entries.values()].map((entry) => entry.chain));
  }

  /**
   * Runs a timer function once now, as a manual run from the portal does: the handler gets the
   * timer object with the current schedule status and `isPastDue: false`; the schedule itself is
   * not moved. Rejects with the handler's error. Works whether or not the scheduler is started.
   */
  async fire(name: string): Promise<void> {
    const entry = this.#entry(name);
    await this.#serialize(entry, async () => {
      if (entry.monitor && !entry.status) {
        const now = this.#now();
        entry.status = (await this.#loadStatus(entry)) ?? {
          last: null,
          next: entry.schedule.nextAfter(now),
          lastUpdated: now,
        };
      }
      await this.#invoke(entry, { isPastDue: false, update: false });
    });
  }

  /** The next `count` occurrences of a timer's schedule after now (in its time zone). */
  next(name: string, count = 1): Date[] {
    if (!Number.isInteger(count) || count < 1 || count > NEXT_COUNT_MAX)
      throw new RangeError(`count must be from 1 to ${NEXT_COUNT_MAX}.`);
    return this.#entry(name).schedule.occurrences(this.#now(), count);
  }

  // ---- Entries ------------------------------------------------------------------------------------

  #entry(name: string): TimerEntry {
    const existing = this.#entries.get(name);
    if (existing) return existing;
    const fn = this.#host.get(name);
    if (fn.trigger.type.toLowerCase() !== 'timertrigger')
      throw new Error(`Function "${name}" is not a timer trigger.`);
    const entry = this.#createEntry(fn);
    this.#entries.set(name, entry);
    return entry;
  }

  #createEntry(fn: RegisteredFunction): TimerEntry {
    const raw = fn.trigger.schedule;
    if (typeof raw !== 'string' || raw.trim() === '')
      throw new Error(`Timer function "${fn.name}" has no schedule.`);
    const expression = resolveAppSettings(raw, `Timer function "${fn.name}": schedule`, this.#env).trim();
    const shown = raw === expression ? `"${raw}"` : `"${raw}" (resolved to "${expression}")`;
    if (/^\d+(\.\d+)?:\d{1,2}:\d{1,2}$/.test(expression)) {
      throw new Error(
        `Timer function "${fn.name}" has the TimeSpan schedule ${shown}, which runs only on App Service plans: use an NCRONTAB expression.`,
      );
    }
    let schedule: NcrontabSchedule;
    try {
      schedule = new NcrontabSchedule(expression, resolveTimeZone(this.#env.WEBSITE_TIME_ZONE));
    } catch (error) {
      throw new Error(
        `Timer function "${fn.name}" has an invalid schedule ${shown}: ${error instanceof Error ? error.message : String(error)}.`,
        {
          cause: error,
        },
      );
    }
    const [first, second] = schedule.occurrences(this.#now(), 2) as [Date, Date];
    return {
      fn,
      schedule,
      monitor:
        fn.trigger.useMonitor !== false && second.getTime() - first.getTime() >= MONITOR_INTERVAL_MS_MIN,
      runOnStartup: fn.trigger.runOnStartup === true,
      status: undefined,
      handle: undefined,
      chain: Promise.resolve(),
    };
  }

  // ---- Running ------------------------------------------------------------------------------------

  async #startTimer(entry: TimerEntry): Promise<void> {
    const now = this.#now();
    if (entry.monitor) {
      const { pastDue, status } = await this.#checkPastDue(entry, now);
      entry.status = status;
      if (pastDue) {
        await this.#runLogged(entry, { isPastDue: true, occurrence: status.next, update: true });
      } else if (entry.runOnStartup) {
        await this.#runLogged(entry, { isPastDue: false, update: true });
      }
    } else if (entry.runOnStartup) {
      await this.#runLogged(entry, { isPastDue: false, update: false });
    }
    this.#arm(entry);
  }

  /**
   * Whether an occurrence passed while nothing ran the timer, as the host's schedule monitor
   * decides: the recorded next occurrence (or the one the current schedule gives after the last
   * update, if earlier: the schedule may have changed) is in the past. A timer seen for the first
   * time gets a status and is not past due.
   */
  async #checkPastDue(entry: TimerEntry, now: Date): Promise<{ pastDue: boolean; status: ScheduleStatus }> {
    const recorded = await this.#loadStatus(entry);
    if (!recorded) {
      const status = { last: null, next: entry.schedule.nextAfter(now), lastUpdated: now };
      await this.#saveStatus(entry, status);
      return { pastDue: false, status };
    }
    const expected = entry.schedule.nextAfter(recorded.lastUpdated);
    const next = expected < recorded.next ? expected : recorded.next;
    return { pastDue: now > next, status: { ...recorded, next } };
  }

  #arm(entry: TimerEntry, occurrence?: Date): void {
    if (!this.#started) return;
    const now = this.#now();
    const at = occurrence ?? entry.schedule.nextAfter(now);
    const delay = Math.min(Math.max(0, at.getTime() - now.getTime()), TIMEOUT_MS_MAX);
    entry.handle = setTimeout(() => void this.#onTimer(entry, at), delay);
  }

  async #onTimer(entry: TimerEntry, occurrence: Date): Promise<void> {
    entry.handle = undefined;
    if (!this.#started) return;
    // A timer can wake a little early, and a far occurrence takes several waits.
    if (this.#now() < occurrence) {
      this.#arm(entry, occurrence);
      return;
    }
    await this.#runLogged(entry, { isPastDue: false, occurrence, update: entry.monitor });
    this.#arm(entry);
  }

  async #runLogged(
    entry: TimerEntry,
    run: { isPastDue: boolean; occurrence?: Date; update: boolean },
  ): Promise<void> {
    try {
      await this.#serialize(entry, () => this.#invoke(entry, run));
    } catch (error) {
      this.#log(`timer ${entry.fn.name} failed: ${errorText(error)}`);
    }
  }

  /**
   * Invokes the handler with the status as it stood before this run, then (for scheduled and
   * startup runs of monitored timers) records the run, whether or not the handler succeeded.
   */
  async #invoke(
    entry: TimerEntry,
    run: { isPastDue: boolean; occurrence?: Date; update: boolean },
  ): Promise<void> {
    const status = entry.monitor ? entry.status : undefined;
    const timer: TimerInfo = {
      isPastDue: run.isPastDue,
      schedule: { adjustForDST: true },
      scheduleStatus: status
        ? {
            last: status.last?.toISOString() ?? NEVER,
            next: status.next.toISOString(),
            lastUpdated: status.lastUpdated.toISOString(),
          }
        : null,
    };
    let failure: unknown;
    let failed = false;
    try {
      await this.#host.invoke(entry.fn, timer);
    } catch (error) {
      failed = true;
      failure = error;
    }
    if (run.update && entry.monitor) {
      const now = this.#now();
      entry.status = { last: run.occurrence ?? now, next: entry.schedule.nextAfter(now), lastUpdated: now };
      await this.#saveStatus(entry, entry.status);
    }
    if (failed) throw failure;
  }

  #serialize(entry: TimerEntry, work: () => Promise<void>): Promise<void> {
    const run = entry.chain.then(work);
    entry.chain = run.catch(() => undefined);
    return run;
  }

  // ---- Schedule monitor ------------------------------------------------------------------------------

  async #loadStatus(entry: TimerEntry): Promise<ScheduleStatus | undefined> {
    if (!this.#db) return this.#memoryStatus.get(entry.fn.name);
    const result = await sql<{ last: Date | null; next: Date; last_updated: Date }>`
      select last, next, last_updated from devhost.timer_status where function_name = ${entry.fn.name}`.execute(
      this.#db,
    );
    const row = result.rows[0];
    return row ? { last: row.last, next: row.next, lastUpdated: row.last_updated } : undefined;
  }

  async #saveStatus(entry: TimerEntry, status: ScheduleStatus): Promise<void> {
    if (!this.#db) {
      this.#memoryStatus.set(entry.fn.name, status);
      return;
    }
    await sql`
      insert into devhost.timer_status (function_name, schedule, last, next, last_updated)
      values (${entry.fn.name}, ${entry.schedule.expression}, ${status.last}, ${status.next}, ${status.lastUpdated})
      on conflict (function_name) do update
      set schedule = excluded.schedule, last = excluded.last, next = excluded.next, last_updated = excluded.last_updated`.execute(
      this.#db,
    );
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
