import {
  ActionType,
  EventType,
  OrchestrationStatus,
  REPLAY_SCHEMA_VERSION,
  actionTypeName,
  decodeProcessedInput,
  flattenActions,
  fromJsonText,
  orchestratorFailure,
  parseOrchestratorFailure,
  takesTaskId,
  toJsonText,
  type Action,
  type HistoryEvent,
  type OrchestrationTrigger,
  type OrchestratorState,
  type RetryOptionsJson,
} from './protocol.js';
import { retryDelayMs, retryTimeoutElapsed } from './retry.js';

/**
 * One orchestrator turn, as pure decisions: which inbox messages become history, the trigger the
 * orchestrator replays, and — from its answer — what to record and schedule. The driver loads the
 * inputs, invokes the orchestrator and commits the result in one transaction; nothing here
 * touches the database or user code.
 *
 * Task ids. The library numbers tasks itself, in the order it tracks them, and matches a
 * completion to its task by that number (TaskScheduledId / TimerId); it never reads the
 * scheduling events. So the host must assign each scheduling event the id the library gave the
 * task, as Durable Task does by replaying the same calls. Two things consume ids: a newly
 * scheduled action (in action order), and the library's RetryableTask, which takes one id for
 * the retry timer when an attempt fails and one for the next attempt when that timer fires. A turn
 * therefore delivers a retry-relevant event (a failed attempt, a fired retry timer) only as its
 * first new event: its id (if any) is taken before any action the same turn schedules, and no
 * later event can interleave.
 */

export type RuntimeStatus =
  'Pending' | 'Running' | 'Completed' | 'ContinuedAsNew' | 'Failed' | 'Terminated' | 'Suspended';

export const TERMINAL_STATUSES: readonly RuntimeStatus[] = ['Completed', 'Failed', 'Terminated'];

/** The number of inbox messages one turn takes at most. */
export const MESSAGES_PER_TURN_MAX = 100;
/** History events of one execution at most: replay is O(n) per turn; long loops use continueAsNew. */
export const HISTORY_EVENTS_MAX = 20_000;
/** New actions one turn may schedule at most (a fan-out wider than this fails the orchestration). */
export const NEW_ACTIONS_PER_TURN_MAX = 5_000;

export interface InstanceState {
  instanceId: string;
  name: string;
  version: string;
  executionId: string;
  runtimeStatus: RuntimeStatus;
  input: string | null;
  customStatus: string | null;
  parentInstanceId: string | null;
  parentExecutionId: string | null;
  parentTaskId: number | null;
}

/** The driver's bookkeeping for a history event; never shown to the orchestrator. */
export interface EventMeta {
  /** A scheduling event of an action the orchestrator returned (not a retry's own timer/attempt). */
  root?: boolean;
  /** On the root of a retryable action: what each attempt repeats. */
  retry?: RetryMeta;
  /** On a retry timer or a later attempt: the task id of the root. */
  retryOf?: number;
  /** On an attempt: its number (1 for the root); on a retry timer: the attempt it follows. */
  attempt?: number;
  /** On a retry timer: the retry timeout had elapsed, so the remaining attempts fail at once. */
  giveUp?: boolean;
  /** On an attempt recorded as failed without running (after the retry timeout). */
  synthetic?: boolean;
}

export interface RetryMeta {
  kind: 'activity' | 'orchestrator';
  options: RetryOptionsJson;
  firstAttemptAt: string;
  name: string;
  input: string | null;
  version?: string;
  /** The child instance id the orchestrator chose, if any (reused by every attempt). */
  instanceId?: string;
}

export interface HistoryRow {
  sequence: number;
  event: HistoryEvent;
  meta: EventMeta | null;
}

export interface InboxMessage {
  id: string;
  executionId: string | null;
  event: HistoryEvent;
}

/** What the registry knows about function names (the orchestrator may call only registered ones). */
export interface FunctionCatalog {
  isActivity(name: string): boolean;
  isOrchestrator(name: string): boolean;
}

export interface NewActivity {
  taskId: number;
  name: string;
  input: string | null;
}

export interface NewMessage {
  instanceId: string;
  executionId: string | null;
  event: HistoryEvent;
  visibleAt: Date;
}

export interface NewChild {
  instanceId: string;
  name: string;
  version: string;
  input: string | null;
  executionId: string;
  parentTaskId: number;
  createdAt: Date;
}

/** Everything one turn commits, atomically, if the worker still holds the instance's lease. */
export interface TurnCommit {
  deleteMessageIds: string[];
  /** Terminate: the inbox and the activity queue of the instance are emptied. */
  deleteAllWork: boolean;
  /** continueAsNew: the old execution's history and queued activities go. */
  startNewExecution: { executionId: string; input: string | null } | undefined;
  appendHistory: { event: HistoryEvent; meta: EventMeta | null }[];
  cancelTimerIds: number[];
  activities: NewActivity[];
  messages: NewMessage[];
  children: NewChild[];
  status: RuntimeStatus;
  output: string | null | undefined;
  customStatus: string | null | undefined;
  completed: boolean;
  /** A line for the driver's log. */
  summary: string;
}

export type PreparedTurn =
  | { kind: 'commit'; commit: TurnCommit }
  | { kind: 'execute'; trigger: OrchestrationTrigger; finish: (outcome: OrchestratorOutcome) => TurnCommit };

export type OrchestratorOutcome = { ok: true; state: OrchestratorState } | { ok: false; error: unknown };

interface Chain {
  root: number;
  retry: RetryMeta;
  attempts: number[];
  timers: number[];
  lastFailure: { Reason: string; Details: string } | undefined;
}

/** What the current execution's history says: ids taken, roots, retry chains, completions. */
export interface HistoryAnalysis {
  nextTaskId: number;
  roots: HistoryRow[];
  scheduled: Map<number, HistoryRow>;
  completed: Set<number>;
  chains: Map<number, Chain>;
  attemptRoot: Map<number, number>;
  retryTimerRoot: Map<number, number>;
  started: boolean;
  raisedNames: string[];
}

const SCHEDULING_EVENTS: ReadonlySet<number> = new Set([
  EventType.TaskScheduled,
  EventType.SubOrchestrationInstanceCreated,
  EventType.TimerCreated,
  EventType.EventSent,
]);

function completionTaskId(event: HistoryEvent): number | undefined {
  switch (event.EventType) {
    case EventType.TaskCompleted:
    case EventType.TaskFailed:
    case EventType.SubOrchestrationInstanceCompleted:
    case EventType.SubOrchestrationInstanceFailed:
      return event.TaskScheduledId as number;
    case EventType.TimerFired:
      return event.TimerId as number;
    default:
      return undefined;
  }
}

const isFailure = (event: HistoryEvent): boolean =>
  event.EventType === EventType.TaskFailed || event.EventType === EventType.SubOrchestrationInstanceFailed;

export function analyzeHistory(rows: HistoryRow[]): HistoryAnalysis {
  const analysis: HistoryAnalysis = {
    nextTaskId: 0,
    roots: [],
    scheduled: new Map(),
    completed: new Set(),
    chains: new Map(),
    attemptRoot: new Map(),
    retryTimerRoot: new Map(),
    started: false,
    raisedNames: [],
  };
  for (const row of rows) {
    const { event, meta } = row;
    if (event.EventType === EventType.ExecutionStarted) analysis.started = true;
    if (event.EventType === EventType.EventRaised) analysis.raisedNames.push(String(event.Name));
    if (SCHEDULING_EVENTS.has(event.EventType)) {
      analysis.scheduled.set(event.EventId, row);
      analysis.nextTaskId = Math.max(analysis.nextTaskId, event.EventId + 1);
      if (meta?.root) analysis.roots.push(row);
      if (meta?.retry) {
        analysis.chains.set(event.EventId, {
          root: event.EventId,
          retry: meta.retry,
          attempts: [event.EventId],
          timers: [],
          lastFailure: undefined,
        });
        analysis.attemptRoot.set(event.EventId, event.EventId);
      } else if (meta?.retryOf !== undefined) {
        const chain = analysis.chains.get(meta.retryOf);
        if (chain && event.EventType === EventType.TimerCreated) {
          chain.timers.push(event.EventId);
          analysis.retryTimerRoot.set(event.EventId, chain.root);
        } else if (chain) {
          chain.attempts.push(event.EventId);
          analysis.attemptRoot.set(event.EventId, chain.root);
        }
      }
    }
    const taskId = completionTaskId(event);
    if (taskId !== undefined) {
      analysis.completed.add(taskId);
      const root = analysis.attemptRoot.get(taskId);
      if (root !== undefined && isFailure(event)) {
        const chain = analysis.chains.get(root);
        if (chain)
          chain.lastFailure = { Reason: String(event.Reason ?? ''), Details: String(event.Details ?? '') };
      }
    }
  }
  analysis.roots.sort((a, b) => a.event.EventId - b.event.EventId);
  return analysis;
}

/** Whether delivering this event makes the library take a task id for a retry. */
function isRetryRelevant(analysis: HistoryAnalysis, event: HistoryEvent): boolean {
  if (isFailure(event)) return analysis.attemptRoot.has(event.TaskScheduledId as number);
  if (event.EventType === EventType.TimerFired) return analysis.retryTimerRoot.has(event.TimerId as number);
  return false;
}

/** The id of a sub-orchestration Durable Task generates when the orchestrator names none. */
export function childInstanceId(executionId: string, taskId: number): string {
  return `${executionId}:${taskId}`;
}

function baseEvent(type: number, eventId: number, timestamp: Date): HistoryEvent {
  return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: timestamp.toISOString() };
}

export function executionStartedEvent(args: {
  instanceId: string;
  executionId: string;
  name: string;
  version: string;
  input: string | null;
  timestamp: Date;
  parent?: { instanceId: string; executionId: string; name: string; taskId: number } | undefined;
}): HistoryEvent {
  return {
    ...baseEvent(EventType.ExecutionStarted, -1, args.timestamp),
    Name: args.name,
    Version: args.version,
    Input: args.input,
    OrchestrationInstance: { InstanceId: args.instanceId, ExecutionId: args.executionId },
    ParentInstance: args.parent
      ? {
          Name: args.parent.name,
          OrchestrationInstance: { InstanceId: args.parent.instanceId, ExecutionId: args.parent.executionId },
          TaskScheduleId: args.parent.taskId,
        }
      : null,
    Tags: null,
  };
}

function emptyCommit(status: RuntimeStatus, summary: string): TurnCommit {
  return {
    deleteMessageIds: [],
    deleteAllWork: false,
    startNewExecution: undefined,
    appendHistory: [],
    cancelTimerIds: [],
    activities: [],
    messages: [],
    children: [],
    status,
    output: undefined,
    customStatus: undefined,
    completed: false,
    summary,
  };
}

export interface PrepareTurnArgs {
  instance: InstanceState;
  history: HistoryRow[];
  /** Due inbox messages in arrival order (at most MESSAGES_PER_TURN_MAX). */
  messages: InboxMessage[];
  now: Date;
  functions: FunctionCatalog;
  /** A fresh execution id for continueAsNew. */
  newExecutionId: () => string;
}

/** Decides what one turn does with the due inbox messages of a leased instance. */
export function prepareTurn(args: PrepareTurnArgs): PreparedTurn | undefined {
  const { instance, history } = args;
  // Arrival order (the store may load start, terminate and resume first, to be sure to see them).
  const messages = [...args.messages].sort((a, b) =>
    BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0,
  );
  const analysis = analyzeHistory(history);
  const status = instance.runtimeStatus;

  // A finished instance keeps its history; whatever still arrives for it (a late completion, an
  // event) is dropped, as the extension discards messages for a completed orchestration.
  if (TERMINAL_STATUSES.includes(status)) {
    if (messages.length === 0) return undefined;
    const commit = emptyCommit(status, `dropped ${messages.length} message(s) for a finished instance`);
    commit.deleteMessageIds = messages.map((m) => m.id);
    return { kind: 'commit', commit };
  }

  const forThisExecution = (m: InboxMessage): boolean =>
    m.executionId === null || m.executionId === instance.executionId;
  const dropped: string[] = [];

  const terminate = messages.find(
    (m) => m.event.EventType === EventType.ExecutionTerminated && forThisExecution(m),
  );
  if (terminate) return { kind: 'commit', commit: terminateCommit(args, analysis, terminate) };

  if (status === 'Suspended') {
    const resume = messages.find((m) => m.event.EventType === EventType.ExecutionResumed);
    if (!resume) return undefined;
    const commit = emptyCommit(analysis.started ? 'Running' : 'Pending', 'resumed');
    // A suspend sent while already suspended is spent by this resume, not applied after it.
    const repeatedSuspends = messages.filter(
      (m) => m.event.EventType === EventType.ExecutionSuspended && BigInt(m.id) < BigInt(resume.id),
    );
    commit.deleteMessageIds = [resume.id, ...repeatedSuspends.map((m) => m.id)];
    commit.appendHistory = [{ event: { ...resume.event }, meta: null }];
    return { kind: 'commit', commit };
  }

  // Before the first turn of an execution, its ExecutionStarted comes first; events carried over
  // by continueAsNew (addressed to the new execution) follow it, then everything else in order.
  let ordered = messages;
  if (!analysis.started) {
    const start = messages.find(
      (m) => m.event.EventType === EventType.ExecutionStarted && forThisExecution(m),
    );
    if (!start) return undefined;
    const carried = messages.filter((m) => m !== start && m.executionId === instance.executionId);
    ordered = [
      start,
      ...carried,
      ...messages.filter((m) => m !== start && m.executionId !== instance.executionId),
    ];
  }

  const batch: InboxMessage[] = [];
  for (const message of ordered) {
    const event = message.event;
    if (!forThisExecution(message)) {
      dropped.push(message.id);
      continue;
    }
    if (event.EventType === EventType.ExecutionSuspended) {
      if (batch.length > 0) break;
      const commit = emptyCommit('Suspended', 'suspended');
      commit.deleteMessageIds = [...dropped, message.id];
      commit.appendHistory = [{ event: { ...event }, meta: null }];
      return { kind: 'commit', commit };
    }
    if (event.EventType === EventType.ExecutionResumed) {
      dropped.push(message.id);
      continue;
    }
    if (event.EventType === EventType.ExecutionStarted) {
      if (analysis.started || batch.length > 0) dropped.push(message.id);
      else batch.push(message);
      continue;
    }
    const taskId = completionTaskId(event);
    if (taskId !== undefined) {
      // A completion of a task this execution never scheduled, or one already delivered.
      if (
        !analysis.scheduled.has(taskId) ||
        analysis.completed.has(taskId) ||
        batch.some((m) => completionTaskId(m.event) === taskId)
      ) {
        dropped.push(message.id);
        continue;
      }
    } else if (event.EventType !== EventType.EventRaised) {
      dropped.push(message.id);
      continue;
    }
    if (isRetryRelevant(analysis, event)) {
      if (batch.length === 0) batch.push(message);
      break;
    }
    batch.push(message);
  }

  if (batch.length === 0) {
    if (dropped.length === 0) return undefined;
    const commit = emptyCommit(status, `dropped ${dropped.length} stale message(s)`);
    commit.deleteMessageIds = dropped;
    return { kind: 'commit', commit };
  }
  return executeTurn(args, analysis, batch, dropped);
}

function terminateCommit(
  args: PrepareTurnArgs,
  analysis: HistoryAnalysis,
  message: InboxMessage,
): TurnCommit {
  const reason = (message.event.Input as string | null | undefined) ?? null;
  const commit = emptyCommit('Terminated', `terminated${reason ? `: ${reason}` : ''}`);
  commit.deleteAllWork = true;
  commit.appendHistory = [
    { event: baseEvent(EventType.OrchestratorStarted, -1, args.now), meta: null },
    { event: { ...message.event }, meta: null },
    {
      event: {
        ...baseEvent(EventType.ExecutionCompleted, analysis.nextTaskId, args.now),
        OrchestrationStatus: OrchestrationStatus.Terminated,
        Result: reason,
      },
      meta: null,
    },
  ];
  commit.output = JSON.stringify(reason);
  commit.completed = true;
  // Durable Task reports only a completed or failed sub-orchestration to its parent; a terminated
  // one leaves the parent waiting, in Azure as here.
  return commit;
}

interface ScheduledEvent {
  event: HistoryEvent;
  meta: EventMeta | null;
}

function executeTurn(
  args: PrepareTurnArgs,
  analysis: HistoryAnalysis,
  batch: InboxMessage[],
  dropped: string[],
): PreparedTurn {
  const { instance, history, now } = args;
  const newEvents: HistoryEvent[] = [
    baseEvent(EventType.OrchestratorStarted, -1, now),
    ...batch.map((m) => ({ ...m.event })),
  ];
  let nextTaskId = analysis.nextTaskId;

  // The retry bookkeeping the library does when it processes the first event (see the module
  // comment): decided now, because the ids it takes precede the ids of new actions.
  const retryScheduling: ScheduledEvent[] = [];
  const retryActivities: NewActivity[] = [];
  const retryMessages: NewMessage[] = [];
  const retryChildren: NewChild[] = [];
  const first = batch[0]?.event;
  if (first && isRetryRelevant(analysis, first)) {
    if (isFailure(first)) {
      const root = analysis.attemptRoot.get(first.TaskScheduledId as number) as number;
      const chain = analysis.chains.get(root) as Chain;
      const failedAttempts = chain.attempts.length;
      const previousTimer =
        chain.timers.length > 0
          ? analysis.scheduled.get(chain.timers[chain.timers.length - 1] as number)
          : undefined;
      const giveUp =
        previousTimer?.meta?.giveUp === true ||
        retryTimeoutElapsed(chain.retry.options, new Date(chain.retry.firstAttemptAt), now);
      const fireAt = new Date(
        now.getTime() + (giveUp ? 0 : retryDelayMs(chain.retry.options, failedAttempts)),
      );
      const timerId = nextTaskId++;
      retryScheduling.push({
        event: { ...baseEvent(EventType.TimerCreated, timerId, now), FireAt: fireAt.toISOString() },
        meta: { retryOf: root, attempt: failedAttempts, ...(giveUp ? { giveUp: true } : {}) },
      });
      retryMessages.push({
        instanceId: instance.instanceId,
        executionId: instance.executionId,
        event: {
          ...baseEvent(EventType.TimerFired, -1, fireAt),
          TimerId: timerId,
          FireAt: fireAt.toISOString(),
        },
        visibleAt: fireAt,
      });
    } else {
      const timerId = first.TimerId as number;
      const root = analysis.retryTimerRoot.get(timerId) as number;
      const chain = analysis.chains.get(root) as Chain;
      const timerRow = analysis.scheduled.get(timerId);
      // The library fails the task when the attempts are used up; otherwise it waits for one more.
      if (chain.attempts.length < chain.retry.options.maxNumberOfAttempts) {
        const attemptId = nextTaskId++;
        const attempt = chain.attempts.length + 1;
        const synthetic = timerRow?.meta?.giveUp === true;
        const meta: EventMeta = { retryOf: root, attempt, ...(synthetic ? { synthetic: true } : {}) };
        const scheduled = scheduleAttempt(instance, chain.retry, attemptId, now, args.newExecutionId());
        retryScheduling.push({ event: scheduled.event, meta });
        if (synthetic) {
          // The retry timeout has elapsed: the attempt is recorded as failed without running, with
          // the last real failure, so the library ends the task after its remaining attempts.
          const failure = chain.lastFailure ?? { Reason: 'The retry timeout elapsed.', Details: '' };
          const type =
            chain.retry.kind === 'activity' ? EventType.TaskFailed : EventType.SubOrchestrationInstanceFailed;
          retryMessages.push({
            instanceId: instance.instanceId,
            executionId: instance.executionId,
            event: {
              ...baseEvent(type, -1, now),
              TaskScheduledId: attemptId,
              Reason: failure.Reason,
              Details: failure.Details,
            },
            visibleAt: now,
          });
        } else if (scheduled.activity) {
          retryActivities.push(scheduled.activity);
        } else if (scheduled.child) {
          retryChildren.push(scheduled.child);
        }
      }
    }
  }

  const trigger: OrchestrationTrigger = {
    history: [
      ...history.map((row) => ({ ...row.event, IsPlayed: true })),
      ...newEvents.map((e) => ({ ...e, IsPlayed: false })),
    ],
    input: fromJsonText(instance.input),
    instanceId: instance.instanceId,
    isReplaying: history.length > 0,
    parentInstanceId: instance.parentInstanceId ?? undefined,
    upperSchemaVersion: REPLAY_SCHEMA_VERSION,
    maximumShortTimerDuration: '6.00:00:00',
    longRunningTimerIntervalDuration: '3.00:00:00',
    defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
  };

  const finish = (outcome: OrchestratorOutcome): TurnCommit => {
    const commit = emptyCommit('Running', '');
    commit.deleteMessageIds = [...dropped, ...batch.map((m) => m.id)];
    const appended: ScheduledEvent[] = newEvents.map((event) => ({ event, meta: null }));

    const fail = (message: string, customStatus: unknown): TurnCommit => {
      const failure = orchestratorFailure(instance.name, message);
      appended.push({
        event: {
          ...baseEvent(EventType.ExecutionCompleted, nextTaskId, now),
          OrchestrationStatus: OrchestrationStatus.Failed,
          Result: failure.Details,
          FailureDetails: null,
        },
        meta: null,
      });
      appended.push({ event: baseEvent(EventType.OrchestratorCompleted, -1, now), meta: null });
      commit.appendHistory = appended;
      commit.status = 'Failed';
      commit.completed = true;
      commit.output = JSON.stringify(failure.Reason);
      commit.customStatus = toJsonText(customStatus) ?? instance.customStatus;
      if (instance.parentInstanceId && instance.parentTaskId !== null) {
        commit.messages.push({
          instanceId: instance.parentInstanceId,
          executionId: instance.parentExecutionId,
          event: {
            ...baseEvent(EventType.SubOrchestrationInstanceFailed, -1, now),
            TaskScheduledId: instance.parentTaskId,
            Reason: failure.Reason,
            Details: failure.Details,
          },
          visibleAt: now,
        });
      }
      commit.summary = `failed: ${message.split('\n')[0]}`;
      return commit;
    };

    if (history.length + appended.length + retryScheduling.length > HISTORY_EVENTS_MAX) {
      return fail(
        `The history of this execution exceeds ${HISTORY_EVENTS_MAX} events; use continueAsNew for long-running loops.`,
        undefined,
      );
    }
    if (!outcome.ok) {
      // The library's failure message starts with whether the orchestrator returned (a boolean);
      // the extension reports the state's `error`, as it does here.
      const parsed = parseOrchestratorFailure(outcome.error);
      return fail(parsed.state?.error ?? parsed.message, parsed.state?.customStatus);
    }
    const state = outcome.state;
    const leaves = flattenActions(state.actions ?? []);
    const unsupported = leaves.find((a) => !SUPPORTED_ACTIONS.has(a.actionType));
    if (unsupported) {
      return fail(
        `The devhost's durable driver does not support the ${actionTypeName[unsupported.actionType] ?? `type ${unsupported.actionType}`} action (entities and callHttp run only in Azure).`,
        state.customStatus,
      );
    }

    // Replay check: the actions that take ids must begin with the ones already recorded, in order.
    const idLeaves = leaves.filter(takesTaskId);
    const roots = analysis.roots;
    for (let i = 0; i < roots.length; i++) {
      const recorded = roots[i] as HistoryRow;
      const action = idLeaves[i];
      const mismatch = action
        ? describeMismatch(action, recorded)
        : `the orchestrator no longer schedules ${describeRecorded(recorded)}`;
      if (mismatch) return fail(`Non-Deterministic workflow detected: ${mismatch}`, state.customStatus);
      if (action?.actionType === ActionType.CreateTimer && action.isCanceled)
        commit.cancelTimerIds.push(recorded.event.EventId);
    }
    const newActions = idLeaves.slice(roots.length);
    if (newActions.length > NEW_ACTIONS_PER_TURN_MAX) {
      return fail(
        `One turn scheduled ${newActions.length} tasks; the devhost allows ${NEW_ACTIONS_PER_TURN_MAX}.`,
        state.customStatus,
      );
    }

    const scheduling: ScheduledEvent[] = [...retryScheduling];
    commit.activities.push(...retryActivities);
    commit.messages.push(...retryMessages);
    commit.children.push(...retryChildren);
    for (const action of newActions) {
      const taskId = nextTaskId++;
      const name = action.functionName ?? '';
      switch (action.actionType) {
        case ActionType.CallActivity:
        case ActionType.CallActivityWithRetry: {
          if (!args.functions.isActivity(name)) {
            return fail(
              `The function '${name}' doesn't exist, is disabled, or is not an activity function.`,
              state.customStatus,
            );
          }
          const input = toJsonText(decodeProcessedInput(action.input));
          const retry: RetryMeta | undefined =
            action.actionType === ActionType.CallActivityWithRetry && action.retryOptions
              ? {
                  kind: 'activity',
                  options: action.retryOptions,
                  firstAttemptAt: now.toISOString(),
                  name,
                  input,
                }
              : undefined;
          scheduling.push({
            event: {
              ...baseEvent(EventType.TaskScheduled, taskId, now),
              Name: name,
              Version: '',
              Input: input,
            },
            meta: { root: true, ...(retry ? { retry, attempt: 1 } : {}) },
          });
          commit.activities.push({ taskId, name, input });
          break;
        }
        case ActionType.CallSubOrchestrator:
        case ActionType.CallSubOrchestratorWithRetry: {
          if (!args.functions.isOrchestrator(name)) {
            return fail(
              `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`,
              state.customStatus,
            );
          }
          if (
            action.instanceId &&
            (action.instanceId === instance.instanceId || action.instanceId === instance.parentInstanceId)
          ) {
            return fail(
              `A sub-orchestration cannot use the instance ID '${action.instanceId}' of its parent or of itself.`,
              state.customStatus,
            );
          }
          const input = toJsonText(action.input);
          const retry: RetryMeta | undefined =
            action.actionType === ActionType.CallSubOrchestratorWithRetry && action.retryOptions
              ? {
                  kind: 'orchestrator',
                  options: action.retryOptions,
                  firstAttemptAt: now.toISOString(),
                  name,
                  input,
                  version: action.version ?? '',
                  ...(action.instanceId ? { instanceId: action.instanceId } : {}),
                }
              : undefined;
          const child = newChild(
            instance,
            taskId,
            name,
            action.version ?? '',
            input,
            action.instanceId,
            now,
            args.newExecutionId(),
          );
          scheduling.push({
            event: {
              ...baseEvent(EventType.SubOrchestrationInstanceCreated, taskId, now),
              Name: name,
              Version: child.version,
              InstanceId: child.instanceId,
              Input: input,
            },
            meta: { root: true, ...(retry ? { retry, attempt: 1 } : {}) },
          });
          commit.children.push(child);
          break;
        }
        case ActionType.CreateTimer: {
          const fireAt = new Date(action.fireAt as string);
          if (Number.isNaN(fireAt.getTime()))
            return fail(`A timer has no valid fire time (${String(action.fireAt)}).`, state.customStatus);
          scheduling.push({
            event: { ...baseEvent(EventType.TimerCreated, taskId, now), FireAt: fireAt.toISOString() },
            meta: { root: true },
          });
          if (!action.isCanceled) {
            commit.messages.push({
              instanceId: instance.instanceId,
              executionId: instance.executionId,
              event: {
                ...baseEvent(EventType.TimerFired, -1, fireAt),
                TimerId: taskId,
                FireAt: fireAt.toISOString(),
              },
              visibleAt: fireAt,
            });
          }
          break;
        }
      }
    }
    scheduling.sort((a, b) => a.event.EventId - b.event.EventId);
    appended.push(...scheduling);
    commit.customStatus = toJsonText(state.customStatus);

    if (state.isDone) {
      const continueAsNew = leaves.find((a) => a.actionType === ActionType.ContinueAsNew);
      if (continueAsNew) return continueAsNewCommit(args, batch, commit, leaves, continueAsNew);
      appended.push({
        event: {
          ...baseEvent(EventType.ExecutionCompleted, nextTaskId, now),
          OrchestrationStatus: OrchestrationStatus.Completed,
          Result: toJsonText(state.output),
        },
        meta: null,
      });
      appended.push({ event: baseEvent(EventType.OrchestratorCompleted, -1, now), meta: null });
      commit.appendHistory = appended;
      commit.status = 'Completed';
      commit.completed = true;
      commit.output = toJsonText(state.output);
      if (instance.parentInstanceId && instance.parentTaskId !== null) {
        commit.messages.push({
          instanceId: instance.parentInstanceId,
          executionId: instance.parentExecutionId,
          event: {
            ...baseEvent(EventType.SubOrchestrationInstanceCompleted, -1, now),
            TaskScheduledId: instance.parentTaskId,
            Result: toJsonText(state.output),
          },
          visibleAt: now,
        });
      }
      commit.summary = 'completed';
      return commit;
    }
    appended.push({ event: baseEvent(EventType.OrchestratorCompleted, -1, now), meta: null });
    commit.appendHistory = appended;
    commit.status = 'Running';
    commit.summary = `${batch.length} event(s), ${scheduling.length} scheduled`;
    return commit;
  };

  return { kind: 'execute', trigger, finish };
}

const SUPPORTED_ACTIONS: ReadonlySet<number> = new Set([
  ActionType.CallActivity,
  ActionType.CallActivityWithRetry,
  ActionType.CallSubOrchestrator,
  ActionType.CallSubOrchestratorWithRetry,
  ActionType.CreateTimer,
  ActionType.WaitForExternalEvent,
  ActionType.ContinueAsNew,
]);

function scheduleAttempt(
  instance: InstanceState,
  retry: RetryMeta,
  taskId: number,
  now: Date,
  executionId: string,
): { event: HistoryEvent; activity?: NewActivity; child?: NewChild } {
  if (retry.kind === 'activity') {
    return {
      event: {
        ...baseEvent(EventType.TaskScheduled, taskId, now),
        Name: retry.name,
        Version: '',
        Input: retry.input,
      },
      activity: { taskId, name: retry.name, input: retry.input },
    };
  }
  const child = newChild(
    instance,
    taskId,
    retry.name,
    retry.version ?? '',
    retry.input,
    retry.instanceId,
    now,
    executionId,
  );
  return {
    event: {
      ...baseEvent(EventType.SubOrchestrationInstanceCreated, taskId, now),
      Name: retry.name,
      Version: child.version,
      InstanceId: child.instanceId,
      Input: retry.input,
    },
    child,
  };
}

function newChild(
  instance: InstanceState,
  taskId: number,
  name: string,
  version: string,
  input: string | null,
  instanceId: string | undefined,
  now: Date,
  executionId: string,
): NewChild {
  return {
    instanceId: instanceId || childInstanceId(instance.executionId, taskId),
    name,
    version,
    input,
    executionId,
    parentTaskId: taskId,
    createdAt: now,
  };
}

function describeRecorded(row: HistoryRow): string {
  const e = row.event;
  const what = e.EventType === EventType.TimerCreated ? 'a timer' : `'${String(e.Name)}'`;
  return `${what} (task ${e.EventId}, ${eventLabel(e.EventType)})`;
}

function eventLabel(type: number): string {
  switch (type) {
    case EventType.TaskScheduled:
      return 'TaskScheduled';
    case EventType.SubOrchestrationInstanceCreated:
      return 'SubOrchestrationInstanceCreated';
    case EventType.TimerCreated:
      return 'TimerCreated';
    default:
      return String(type);
  }
}

function describeMismatch(action: Action, row: HistoryRow): string | undefined {
  const e = row.event;
  const retryable = row.meta?.retry !== undefined;
  const label = `${actionTypeName[action.actionType]} '${action.functionName ?? ''}' does not match ${describeRecorded(row)} in the history`;
  switch (action.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry:
      if (e.EventType !== EventType.TaskScheduled || e.Name !== action.functionName) return label;
      if (retryable !== (action.actionType === ActionType.CallActivityWithRetry)) return label;
      return undefined;
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry:
      if (e.EventType !== EventType.SubOrchestrationInstanceCreated || e.Name !== action.functionName)
        return label;
      if (retryable !== (action.actionType === ActionType.CallSubOrchestratorWithRetry)) return label;
      return undefined;
    case ActionType.CreateTimer:
      return e.EventType === EventType.TimerCreated
        ? undefined
        : `a timer does not match ${describeRecorded(row)} in the history`;
    default:
      return label;
  }
}

/**
 * continueAsNew: the execution ends and a new one starts with the new input and an empty
 * history. Raised events the ending execution did not consume are carried over to the new one
 * (Durable Task's preserveUnprocessedEvents), so an event sent "between" executions is not lost.
 * The library matches events to waits by name and consumes the earliest first, and every wait
 * it tracked in this execution is among the actions it returned, so the unconsumed events of a
 * name are its last (count − waits).
 */
function continueAsNewCommit(
  args: PrepareTurnArgs,
  batch: InboxMessage[],
  commit: TurnCommit,
  leaves: Action[],
  action: Action,
): TurnCommit {
  const { instance, history, now } = args;
  const executionId = args.newExecutionId();
  const input = toJsonText(decodeProcessedInput(action.input));
  const waits = new Map<string, number>();
  for (const wait of leaves) {
    if (wait.actionType !== ActionType.WaitForExternalEvent) continue;
    const name = String(wait.externalEventName);
    waits.set(name, (waits.get(name) ?? 0) + 1);
  }
  const byName = new Map<string, HistoryEvent[]>();
  const raised = [...history.map((r) => r.event), ...batch.map((m) => m.event)].filter(
    (e) => e.EventType === EventType.EventRaised,
  );
  for (const event of raised) {
    const list = byName.get(String(event.Name)) ?? [];
    list.push(event);
    byName.set(String(event.Name), list);
  }
  const carried: HistoryEvent[] = [];
  for (const [name, events] of byName)
    carried.push(...events.slice(Math.min(events.length, waits.get(name) ?? 0)));
  carried.sort((a, b) => String(a.Timestamp).localeCompare(String(b.Timestamp)));

  // Work the old execution scheduled but had not finished is dropped with it (the store deletes
  // its queued activities and inbox messages); child orchestrations keep running on their own.
  commit.activities = [];
  commit.children = [];
  commit.cancelTimerIds = [];
  commit.messages = [
    {
      instanceId: instance.instanceId,
      executionId,
      event: executionStartedEvent({
        instanceId: instance.instanceId,
        executionId,
        name: instance.name,
        version: instance.version,
        input,
        timestamp: now,
        parent:
          instance.parentInstanceId && instance.parentExecutionId && instance.parentTaskId !== null
            ? {
                instanceId: instance.parentInstanceId,
                executionId: instance.parentExecutionId,
                name: '',
                taskId: instance.parentTaskId,
              }
            : undefined,
      }),
      visibleAt: now,
    },
    ...carried.map((event) => ({
      instanceId: instance.instanceId,
      executionId,
      event: { ...event, IsPlayed: false },
      visibleAt: now,
    })),
  ];
  commit.startNewExecution = { executionId, input };
  commit.appendHistory = [];
  commit.status = 'ContinuedAsNew';
  commit.output = null;
  commit.summary = `continued as new (${carried.length} event(s) carried over)`;
  return commit;
}
