import { EventType, eventTypeName, type HistoryEvent } from './protocol.js';
import type { InstanceRecord } from './store.js';
import type { HistoryRow, RuntimeStatus } from './turn.js';

/** The status JSON of the extension's HTTP API (`StatusResponsePayload`). */
export interface InstanceStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: Record<string, unknown>[];
}

export interface StatusOptions {
  showHistory?: boolean;
  showHistoryOutput?: boolean;
  showInput?: boolean;
}

/** The extension prints times as `DateTime.ToString("s") + "Z"`: seconds, no fraction. */
export function extensionTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

function parseJson(text: string | null): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function toStatus(
  row: InstanceRecord,
  options: StatusOptions = {},
  history?: HistoryRow[],
): InstanceStatus {
  const status: InstanceStatus = {
    name: row.name,
    instanceId: row.instance_id,
    runtimeStatus: row.runtime_status,
    input: options.showInput === false ? null : parseJson(row.input),
    customStatus: parseJson(row.custom_status),
    output: parseJson(row.output),
    createdTime: extensionTime(row.created_at),
    lastUpdatedTime: extensionTime(row.last_updated_at),
  };
  if (options.showHistory && history)
    status.historyEvents = friendlyHistory(history, options.showHistoryOutput === true);
  return status;
}

/**
 * The history as the status API shows it: the extension drops the replay markers and the
 * scheduling events, and names the function on each completion with the time it was scheduled.
 * Payloads (inputs, results) appear only with showHistoryOutput.
 */
export function friendlyHistory(rows: HistoryRow[], showOutput: boolean): Record<string, unknown>[] {
  const scheduled = new Map<number, HistoryEvent>();
  const result: Record<string, unknown>[] = [];
  for (const { event } of rows) {
    const type = event.EventType;
    if (type === EventType.TaskScheduled || type === EventType.SubOrchestrationInstanceCreated) {
      scheduled.set(event.EventId, event);
      continue;
    }
    if (type === EventType.OrchestratorStarted || type === EventType.OrchestratorCompleted) continue;
    const entry: Record<string, unknown> = {
      EventType: eventTypeName[type] ?? String(type),
      Timestamp: event.Timestamp,
    };
    switch (type) {
      case EventType.ExecutionStarted:
        entry.FunctionName = event.Name;
        if (showOutput) entry.Input = parseJson((event.Input as string | null) ?? null);
        break;
      case EventType.TaskCompleted:
      case EventType.TaskFailed:
      case EventType.SubOrchestrationInstanceCompleted:
      case EventType.SubOrchestrationInstanceFailed: {
        const origin = scheduled.get(event.TaskScheduledId as number);
        entry.FunctionName = origin?.Name;
        entry.ScheduledTime = origin?.Timestamp;
        if (origin?.InstanceId) entry.InstanceId = origin.InstanceId;
        if (type === EventType.TaskFailed || type === EventType.SubOrchestrationInstanceFailed) {
          entry.Reason = event.Reason;
          if (showOutput) entry.Details = event.Details;
        } else if (showOutput) {
          entry.Result = parseJson((event.Result as string | null) ?? null);
        }
        break;
      }
      case EventType.TimerCreated:
      case EventType.TimerFired:
        entry.FireAt = event.FireAt;
        break;
      case EventType.EventRaised:
        entry.Name = event.Name;
        if (showOutput) entry.Input = parseJson((event.Input as string | null) ?? null);
        break;
      case EventType.ExecutionCompleted:
        entry.OrchestrationStatus = [
          'Running',
          'Completed',
          'ContinuedAsNew',
          'Failed',
          'Canceled',
          'Terminated',
          'Pending',
          'Suspended',
        ][event.OrchestrationStatus as number];
        if (showOutput) entry.Result = parseJson((event.Result as string | null) ?? null);
        break;
      case EventType.ExecutionTerminated:
        entry.Reason = event.Input;
        break;
      case EventType.ExecutionSuspended:
      case EventType.ExecutionResumed:
        entry.Reason = event.Reason;
        break;
    }
    result.push(entry);
  }
  return result;
}
