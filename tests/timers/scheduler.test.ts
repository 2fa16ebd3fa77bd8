import { app, type InvocationContext } from '@azure/functions';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { setFunctionsCoreSink } from '../../devhost/functions-core.js';
import { FunctionHost } from '../../devhost/host.js';
import {
  TimerScheduler,
  type TimerInfo,
  type TimerSchedulerOptions,
} from '../../devhost/timers/scheduler.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

let t: TestDatabase;
const schedulers: TimerScheduler[] = [];
const logs: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
});
afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((s) => s.stop()));
  logs.length = 0;
});
afterAll(async () => t?.close());

interface Run {
  timer: TimerInfo;
  functionName: string;
}

function newHost(): FunctionHost {
  const host = new FunctionHost(() => undefined);
  setFunctionsCoreSink(host);
  return host;
}

function recordTo(runs: Run[], behaviour: (run: Run) => unknown = () => undefined) {
  return async (timer: unknown, context: InvocationContext): Promise<void> => {
    const run = { timer: timer as TimerInfo, functionName: context.functionName };
    runs.push(run);
    await behaviour(run);
  };
}

function scheduler(options: Omit<TimerSchedulerOptions, 'log'>): TimerScheduler {
  const s = new TimerScheduler({ ...options, log: (msg) => logs.push(msg) });
  schedulers.push(s);
  return s;
}

const at = (text: string) => () => new Date(text);

describe('firing a timer by name', () => {
  it('invokes the handler once with a proper timer object, without moving the schedule', async () => {
    const host = newHost();
    const runs: Run[] = [];
    app.timer('nightly-report', { schedule: '0 0 2 * * *', handler: recordTo(runs) });
    const timers = scheduler({ host, db: t.db, now: at('2026-11-22T10:00:00Z') });

    await timers.fire('nightly-report');

    expect(runs).toEqual([
      {
        functionName: 'nightly-report',
        timer: {
          isPastDue: false,
          schedule: { adjustForDST: true },
          scheduleStatus: {
            last: '0001-01-01T00:00:00.000Z',
            next: '2026-11-23T02:00:00.000Z',
            lastUpdated: '2026-11-22T10:00:00.000Z',
          },
        },
      },
    ]);
    const stored =
      await sql`select 1 from devhost.timer_status where function_name = 'nightly-report'`.execute(t.db);
    expect(stored.rows).toHaveLength(0);
  });

  it("rejects with the handler's error, and refuses names that are not timers", async () => {
    const host = newHost();
    app.timer('failing-timer', {
      schedule: '0 0 2 * * *',
      handler: () => {
        throw new Error('the report store is down');
      },
    });
    app.http('not-a-timer', { route: 'x', handler: () => ({ status: 204 }) });
    const timers = scheduler({ host });
    await expect(timers.fire('failing-timer')).rejects.toThrow('the report store is down');
    await expect(timers.fire('not-a-timer')).rejects.toThrow(/not a timer trigger/);
    await expect(timers.fire('no-such-function')).rejects.toThrow(/No function named/);
  });

  it('lists the next occurrences, with %SETTING% schedules and WEBSITE_TIME_ZONE resolved like the host', () => {
    const host = newHost();
    app.timer('settled-schedule', { schedule: '%CLOSE_SCHEDULE%', handler: () => undefined });
    const timers = scheduler({
      host,
      now: at('2026-11-22T10:00:00Z'),
      env: { CLOSE_SCHEDULE: '0 0 12 * * Mon-Fri', WEBSITE_TIME_ZONE: 'South Africa Standard Time' },
    });
    expect(timers.next('settled-schedule', 2).map((d) => d.toISOString())).toEqual([
      '2026-11-23T10:00:00.000Z',
      '2026-11-24T10:00:00.000Z',
    ]);
  });
});

describe('starting', () => {
  it.each([
    [
      '0 0 25 * * *',
      /Timer function "bad-schedule" has an invalid schedule "0 0 25 \* \* \*": 25 is out of range for the hour field/,
    ],
    [
      '%MISSING_SCHEDULE%',
      /Timer function "bad-schedule": schedule refers to the app setting %MISSING_SCHEDULE%, which is not set/,
    ],
    ['00:05:00', /Timer function "bad-schedule" has the TimeSpan schedule "00:05:00"/],
  ])('refuses the invalid schedule %s, naming the function, and starts nothing', (schedule, message) => {
    const host = newHost();
    const runs: Run[] = [];
    app.timer('good-schedule', { schedule: '* * * * * *', runOnStartup: true, handler: recordTo(runs) });
    app.timer('bad-schedule', { schedule, handler: () => undefined });
    const timers = scheduler({ host, env: {} });
    expect(() => timers.start()).toThrow(message);
    expect(runs).toHaveLength(0);
  });

  it('runs a runOnStartup timer at start', async () => {
    const host = newHost();
    const runs: Run[] = [];
    app.timer('warm-up', { schedule: '0 0 3 * * *', runOnStartup: true, handler: recordTo(runs) });
    const timers = scheduler({ host, db: t.db, now: at('2026-11-22T10:00:00Z') });
    timers.start();
    await vi.waitFor(() => expect(runs).toHaveLength(1), { timeout: 5000, interval: 10 });
    expect(runs[0]?.timer).toMatchObject({
      isPastDue: false,
      scheduleStatus: { next: '2026-11-23T03:00:00.000Z' },
    });
  });

  it('runs a timer whose occurrence passed while the devhost was down once, as past due', async () => {
    const runs: Run[] = [];
    const register = () => app.timer('hourly-close', { schedule: '0 0 * * * *', handler: recordTo(runs) });

    const firstHost = newHost();
    register();
    const first = scheduler({ host: firstHost, db: t.db, now: at('2026-11-22T10:00:30Z') });
    first.start();
    await first.stop();
    expect(runs).toHaveLength(0);

    // Two hours later the 11:00 and 12:00 occurrences have passed: one past-due run catches up.
    const secondHost = newHost();
    register();
    const second = scheduler({ host: secondHost, db: t.db, now: at('2026-11-22T12:00:30Z') });
    second.start();
    await vi.waitFor(() => expect(runs).toHaveLength(1), { timeout: 5000, interval: 10 });
    await second.stop();
    expect(runs[0]?.timer).toEqual({
      isPastDue: true,
      schedule: { adjustForDST: true },
      scheduleStatus: {
        last: '0001-01-01T00:00:00.000Z',
        next: '2026-11-22T11:00:00.000Z',
        lastUpdated: '2026-11-22T10:00:30.000Z',
      },
    });
    const status = await sql<{ last: Date; next: Date; last_updated: Date }>`
      select last, next, last_updated from devhost.timer_status where function_name = 'hourly-close'`.execute(
      t.db,
    );
    expect(status.rows[0]).toEqual({
      last: new Date('2026-11-22T11:00:00Z'),
      next: new Date('2026-11-22T13:00:00Z'),
      last_updated: new Date('2026-11-22T12:00:30Z'),
    });

    // Started again at the same time, nothing is past due any more.
    const thirdHost = newHost();
    register();
    const third = scheduler({ host: thirdHost, db: t.db, now: at('2026-11-22T12:00:40Z') });
    third.start();
    await third.stop();
    expect(runs).toHaveLength(1);
  });

  it('runs a timer on its schedule, goes on after a failed run, and does not monitor sub-minute schedules', async () => {
    const host = newHost();
    const runs: Run[] = [];
    app.timer('every-second', {
      schedule: '* * * * * *',
      handler: recordTo(runs, () => {
        if (runs.length === 1) throw new Error('first run fails');
      }),
    });
    const timers = scheduler({ host, db: t.db });
    timers.start();
    await vi.waitFor(() => expect(runs.length).toBeGreaterThanOrEqual(2), { timeout: 5000, interval: 20 });
    await timers.stop();
    const count = runs.length;
    expect(runs[0]?.timer).toEqual({
      isPastDue: false,
      schedule: { adjustForDST: true },
      scheduleStatus: null,
    });
    expect(
      logs.some((line) => line.includes('timer every-second failed') && line.includes('first run fails')),
    ).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(runs).toHaveLength(count);
  });
});
