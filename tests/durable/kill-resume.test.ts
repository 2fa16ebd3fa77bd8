import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'kysely';
import { afterAll, afterEach, expect, it } from 'vitest';
import { EventType } from '../../devhost/durable/protocol.js';
import { DurableStore } from '../../devhost/durable/store.js';
import { createDb, type Db } from '../../shared/platform/db/database.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';
import { pglitePool } from '../support/pg.js';

/** What tests/durable/kill-resume-worker.ts runs: 11 steps (tasks 0–9, a timer as task 10, step 10 as task 11). */
const INSTANCE_ID = 'kill-resume-1';
const STEPS = 11;
const stepOfTask = (taskId: number): number => (taskId <= 9 ? taskId : taskId - 1);

interface Fact {
  effect?: number;
  run?: number;
  log?: string;
  ready?: number;
  status?: { runtimeStatus: string; output: unknown };
}

interface Worker {
  child: ChildProcess;
  facts: Fact[];
  waitFor(predicate: (fact: Fact) => boolean, timeoutMs: number): Promise<Fact>;
  exited: Promise<number | null>;
}

const workers = new Set<ChildProcess>();
let dataDir: string | undefined;
let database: TestDatabase | undefined;

afterEach(() => {
  // No worker outlives its test, whatever happened in it.
  for (const child of workers) child.kill('SIGKILL');
  workers.clear();
});

afterAll(async () => {
  await database?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function startWorker(run: number, env: NodeJS.ProcessEnv): Worker {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tests/durable/kill-resume-worker.ts', dataDir ?? ''],
    {
      env: { ...process.env, ...env, KILL_RUN: String(run) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  workers.add(child);
  const facts: Fact[] = [];
  const listeners = new Set<() => void>();
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    try {
      facts.push(JSON.parse(line) as Fact);
    } catch {
      return;
    }
    for (const listener of [...listeners]) listener();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (predicate: (fact: Fact) => boolean, timeoutMs: number): Promise<Fact> =>
    new Promise((resolve, reject) => {
      const check = (): boolean => {
        const fact = facts.find(predicate);
        if (!fact) return false;
        cleanup();
        resolve(fact);
        return true;
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(
            `worker ${run} did not report in ${timeoutMs} ms; saw ${JSON.stringify(facts.slice(-5))}`,
          ),
        );
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        listeners.delete(listener);
      };
      const listener = (): void => void check();
      listeners.add(listener);
      void exited.then(() => {
        if (!check()) {
          cleanup();
          reject(new Error(`worker ${run} exited before reporting; saw ${JSON.stringify(facts.slice(-5))}`));
        }
      });
      check();
    });
  return { child, facts, waitFor, exited };
}

async function kill(worker: Worker): Promise<void> {
  worker.child.kill('SIGKILL');
  await worker.exited;
  workers.delete(worker.child);
}

/** Steps whose completion the worker committed (its driver logs after the commit). */
function committedSteps(worker: Worker): number[] {
  return worker.facts
    .map((fact) => /activity kill-step of .* \(task (\d+)\): completed/.exec(fact.log ?? '')?.[1])
    .filter((id): id is string => id !== undefined)
    .map((id) => stepOfTask(Number(id)));
}

it('resumes a flow killed twice mid-way; no completed step runs again', async () => {
  const env: NodeJS.ProcessEnv = {};
  if (process.env.DATABASE_URL) {
    database = await createTestDatabase();
    env.KILL_DATABASE_URL = database.url;
  } else {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'tessera-durable-kill-'));
  }

  // Run 1 starts the flow and dies while the third step (a chain step) is running.
  const first = startWorker(1, { ...env, KILL_START: '1' });
  await first.waitFor((fact) => fact.effect === 2, 30_000);
  await kill(first);

  // Run 2 takes over after the lease expires, and dies inside the parallel steps.
  const second = startWorker(2, env);
  await second.waitFor((fact) => fact.effect !== undefined && fact.effect >= 6, 30_000);
  await kill(second);

  // Run 3 finishes the flow, timer included.
  const third = startWorker(3, env);
  const final = await third.waitFor((fact) => fact.status !== undefined, 45_000);
  expect(await third.exited).toBe(0);
  workers.delete(third.child);
  expect(final.status).toMatchObject({
    runtimeStatus: 'Completed',
    output: [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
  });

  const effects = await readEffects(async (db) => {
    const rows = await sql<{
      step: number;
      run: number;
    }>`select step, run from public.durable_kill_effects order by id`.execute(db);
    const history = await new DurableStore(db).loadHistory(INSTANCE_ID);
    return { rows: rows.rows, history: history.map((h) => h.event) };
  });

  const runsOf = (step: number): number[] => effects.rows.filter((r) => r.step === step).map((r) => r.run);
  for (let step = 0; step < STEPS; step++)
    expect(runsOf(step).length, `step ${step}`).toBeGreaterThanOrEqual(1);
  // A step whose completion a run committed never ran again in a later run.
  const committed = [
    ...committedSteps(first).map((step) => [step, 1]),
    ...committedSteps(second).map((step) => [step, 2]),
  ];
  expect(committed.map(([step]) => step)).toEqual(expect.arrayContaining([0, 1]));
  for (const [step, run] of committed)
    expect(
      runsOf(step as number).filter((r) => r > (run as number)),
      `step ${step}`,
    ).toEqual([]);
  // The step that was running when run 1 died ran again later (activities are at least once).
  expect(runsOf(2)).toEqual([1, expect.any(Number)]);
  expect(runsOf(2)[1]).toBeGreaterThan(1);
  // At most the activities in flight at each kill ran twice (one chain step, four parallel ones).
  expect(effects.rows.length).toBeLessThanOrEqual(STEPS + 5);

  // The history holds each task's completion exactly once.
  const scheduled = effects.history
    .filter((e) => e.EventType === EventType.TaskScheduled)
    .map((e) => e.EventId);
  const completed = effects.history
    .filter((e) => e.EventType === EventType.TaskCompleted)
    .map((e) => e.TaskScheduledId);
  expect(scheduled).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11]);
  expect([...completed].sort((a, b) => Number(a) - Number(b))).toEqual(scheduled);
  expect(effects.history.filter((e) => e.EventType === EventType.TimerFired)).toHaveLength(1);
}, 120_000);

/** Reads the flow's database once the workers are gone (PGlite allows one process per data dir). */
async function readEffects<T>(read: (db: Db) => Promise<T>): Promise<T> {
  if (database) return read(database.db);
  const pglite = new PGlite(dataDir as string);
  await pglite.waitReady;
  const db = createDb(pglitePool(pglite));
  try {
    return await read(db);
  } finally {
    await db.destroy();
    await pglite.close();
  }
}
