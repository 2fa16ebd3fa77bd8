/**
 * Where a quote-to-order flow's time goes, read from the durable history the devhost keeps
 * (devhost.durable_history: every event with its timestamp):
 * - "outbox → flow start": from the accepting transaction (the flow's row) to ExecutionStarted:
 *   the outbox relay, the Service Bus emulation and the flow starter's consumer;
 * - each activity, from TaskScheduled to TaskCompleted: waiting for a worker slot, the activity's
 *   own transaction, and recording its completion;
 * - "orchestrator turns": the rest between start and the last completion: waking the orchestrator,
 *   loading its history, replaying it and committing the next step.
 */
import type { BenchDatabase } from './db.js';
import { summarize } from './stats.js';

interface HistoryRow {
  instance_id: string;
  type: number;
  name: string | null;
  event_id: number | null;
  scheduled_id: number | null;
  ts: string;
}

const EXECUTION_STARTED = 0;
const TASK_SCHEDULED = 4;
const TASK_COMPLETED = 5;

export type FlowPhases = Record<string, { meanMs: number; p50Ms: number }>;

export async function flowPhases(database: BenchDatabase, instanceIds: string[]): Promise<FlowPhases> {
  if (instanceIds.length === 0) return {};
  const history = await database.query<HistoryRow>(
    `select h.instance_id, (h.event->>'EventType')::int as type, h.event->>'Name' as name,
            (h.event->>'EventId')::int as event_id, (h.event->>'TaskScheduledId')::int as scheduled_id,
            h.event->>'Timestamp' as ts
       from devhost.durable_history h
      where h.instance_id = any($1) and (h.event->>'EventType')::int in (0, 4, 5)
      order by h.instance_id, h.sequence`,
    [instanceIds],
  );
  const flows = await database.query<{ instance_id: string; created_at: Date }>(
    `select instance_id, created_at from flows where instance_id = any($1)`,
    [instanceIds],
  );
  const requested = new Map(flows.map((f) => [f.instance_id, f.created_at.getTime()]));
  const byInstance = new Map<string, HistoryRow[]>();
  for (const row of history) {
    const list = byInstance.get(row.instance_id) ?? [];
    list.push(row);
    byInstance.set(row.instance_id, list);
  }
  const phases = new Map<string, number[]>();
  const add = (name: string, ms: number) => {
    const list = phases.get(name) ?? [];
    list.push(ms);
    phases.set(name, list);
  };
  for (const [instanceId, rows] of byInstance) {
    const started = rows.find((r) => r.type === EXECUTION_STARTED);
    const at = requested.get(instanceId);
    if (!started || at === undefined) continue;
    const startMs = Date.parse(started.ts);
    add('outbox → flow start', startMs - at);
    const scheduled = new Map<number, HistoryRow>();
    let activities = 0;
    let lastDone = startMs;
    for (const row of rows) {
      if (row.type === TASK_SCHEDULED && row.event_id !== null) scheduled.set(row.event_id, row);
      if (row.type === TASK_COMPLETED && row.scheduled_id !== null) {
        const origin = scheduled.get(row.scheduled_id);
        if (!origin) continue;
        const ms = Date.parse(row.ts) - Date.parse(origin.ts);
        activities += ms;
        add(`activity ${String(origin.name).replace(/^quote-to-order-/, '')}`, ms);
        lastDone = Math.max(lastDone, Date.parse(row.ts));
      }
    }
    add('orchestrator turns', lastDone - startMs - activities);
  }
  const out: FlowPhases = {};
  for (const [name, values] of phases) {
    const s = summarize(values);
    out[name] = { meanMs: Math.round(s.mean * 10) / 10, p50Ms: Math.round(s.p50 * 10) / 10 };
  }
  return out;
}
