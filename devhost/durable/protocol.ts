/**
 * The out-of-process protocol between the Durable extension and the `durable-functions` library
 * (pinned at 3.5.0): history event and action shapes, as the extension sends and reads them. The
 * golden-history test (tests/durable/golden-history.test.ts) guards these against an upgrade.
 */

/** History event types, numbered as in durable-functions 3.5.0 (`HistoryEventType`). */
export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
  GenericEvent: 17,
  HistoryState: 18,
  ExecutionSuspended: 19,
  ExecutionResumed: 20,
} as const;
export type EventTypeNumber = (typeof EventType)[keyof typeof EventType];

export const eventTypeName: Record<number, string> = Object.fromEntries(
  Object.entries(EventType).map(([name, value]) => [value, name]),
);

/** Action types, numbered as in durable-functions 3.5.0 (`ActionType`). */
export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

export const actionTypeName: Record<number, string> = Object.fromEntries(
  Object.entries(ActionType).map(([name, value]) => [value, name]),
);

/** `OrchestrationStatus` of Durable Task, as recorded in an ExecutionCompleted event. */
export const OrchestrationStatus = {
  Running: 0,
  Completed: 1,
  ContinuedAsNew: 2,
  Failed: 3,
  Canceled: 4,
  Terminated: 5,
  Pending: 6,
  Suspended: 7,
} as const;

/**
 * The replay schema the devhost announces (`upperSchemaVersion`): V2 (value 1).
 *
 * - V2 keeps Task.all / Task.any as compound WhenAll / WhenAny actions; V1 flattens them, losing
 *   the structure a reader of the actions (and the golden test) needs.
 * - V3 makes the library split timers longer than `maximumShortTimerDuration` into chained timers
 *   (`LongTimerTask`), which only exists because Azure Storage queues cannot hide a message for
 *   more than 7 days, and which consumes task ids the host would have to mirror; a database timer
 *   has no such limit. V3 also moves HTTP polling into the library (`callHttp`), which the devhost
 *   does not support.
 * - V4 adds entity locks, and the devhost runs no entities.
 *
 * Orchestrator code behaves the same under V2 and V4 except for `callHttp` and `lock`, which fail
 * the orchestration here with a clear message.
 */
export const REPLAY_SCHEMA_VERSION = 1;

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [field: string]: unknown;
}

/** An action as the library returns it, after JSON serialisation (dates as ISO strings). */
export interface Action {
  actionType: number;
  functionName?: string;
  input?: unknown;
  retryOptions?: RetryOptionsJson;
  instanceId?: string;
  version?: string;
  fireAt?: string;
  isCanceled?: boolean;
  externalEventName?: string;
  reason?: string;
  compoundActions?: Action[];
  [field: string]: unknown;
}

export interface RetryOptionsJson {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

/** The orchestrator's answer (`OrchestratorState`), after JSON serialisation. */
export interface OrchestratorState {
  isDone: boolean;
  actions: Action[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion?: number;
}

/** The JSON the extension hands an orchestrator function as its trigger value. */
export interface OrchestrationTrigger {
  history: HistoryEvent[];
  input: unknown;
  instanceId: string;
  isReplaying: boolean;
  parentInstanceId: string | undefined;
  upperSchemaVersion: number;
  maximumShortTimerDuration: string;
  longRunningTimerIntervalDuration: string;
  defaultHttpAsyncRequestSleepTimeMillseconds: number;
}

const OUT_OF_PROC_DATA_LABEL = '\n\n$OutOfProcData$:';

/**
 * Splits the error an orchestrator throws into its message and the orchestrator state the
 * library appends after `$OutOfProcData$:` (actions so far, custom status). An error without the
 * label (a failure outside the replay engine) has no state.
 */
export function parseOrchestratorFailure(error: unknown): {
  message: string;
  state: OrchestratorState | undefined;
} {
  const text =
    error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
  const at = text.indexOf(OUT_OF_PROC_DATA_LABEL);
  if (at < 0) return { message: text, state: undefined };
  const message = text.slice(0, at);
  try {
    return {
      message,
      state: JSON.parse(text.slice(at + OUT_OF_PROC_DATA_LABEL.length)) as OrchestratorState,
    };
  } catch {
    return { message, state: undefined };
  }
}

/**
 * The leaves of the action tree in scheduling order: the V2 answer is one list whose WhenAll /
 * WhenAny entries nest their children.
 */
export function flattenActions(actions: Action[][]): Action[] {
  const leaves: Action[] = [];
  const visit = (action: Action): void => {
    if (action.actionType === ActionType.WhenAll || action.actionType === ActionType.WhenAny) {
      for (const child of action.compoundActions ?? []) visit(child);
    } else {
      leaves.push(action);
    }
  };
  for (const group of actions) for (const action of group) visit(action);
  return leaves;
}

/** Whether an action takes a task id (a sequence number) when the library schedules it. */
export function takesTaskId(action: Action): boolean {
  switch (action.actionType) {
    case ActionType.CallActivity:
    case ActionType.CallActivityWithRetry:
    case ActionType.CallSubOrchestrator:
    case ActionType.CallSubOrchestratorWithRetry:
    case ActionType.CreateTimer:
      return true;
    default:
      return false;
  }
}

/**
 * The library JSON-encodes a string input of an activity or of continueAsNew a second time
 * (`Utils.processInput`), and the extension decodes it; every other input travels as is.
 */
export function decodeProcessedInput(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input) as unknown;
  } catch {
    return input;
  }
}

/** JSON text of a value, or null for undefined (the extension stores no payload then). */
export function toJsonText(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}

/**
 * The value of a stored payload as the extension hands it to a function: JSON has no undefined,
 * so a missing payload (no input) arrives as null.
 */
export function fromJsonText(text: string | null | undefined): unknown {
  return text === null || text === undefined ? null : (JSON.parse(text) as unknown);
}

/**
 * Reason and Details of a TaskFailed event, formatted as the extension does for an out-of-process
 * activity: the worker reports the error as an RpcException ("Result: Failure\nException:
 * <message>\nStack: <stack>"), the extension keeps the text between "\nException:" and "\nStack:"
 * (with its leading space) as the friendly message, and the orchestrator sees
 * `${Reason} \n ${Details}` as the error message.
 */
export function activityFailure(activityName: string, error: unknown): { Reason: string; Details: string } {
  const message =
    error instanceof Error ? error.message : typeof error === 'string' ? error : JSON.stringify(error);
  const stack = error instanceof Error ? (error.stack ?? '') : '';
  const friendly = ` ${message}`;
  const rpcMessage = `Result: Failure\nException: ${message}\nStack: ${stack}`;
  const details = {
    $type: 'System.Exception, System.Private.CoreLib',
    ClassName: 'System.Exception',
    Message: friendly,
    Data: null,
    InnerException: {
      $type: 'Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException, Microsoft.Azure.WebJobs.Script',
      IsUserException: false,
      RemoteStackTrace: stack,
      RemoteMessage: message,
      RemoteTypeName: null,
      ClassName: 'Microsoft.Azure.WebJobs.Script.Workers.Rpc.RpcException',
      Message: rpcMessage,
      Data: null,
      InnerException: null,
      HelpURL: null,
      StackTraceString: null,
      RemoteStackTraceString: null,
      RemoteStackIndex: 0,
      ExceptionMethod: null,
      HResult: -2146233088,
      Source: null,
      WatsonBuckets: null,
    },
    HelpURL: null,
    StackTraceString: null,
    RemoteStackTraceString: null,
    RemoteStackIndex: 0,
    ExceptionMethod: null,
    HResult: -2146233088,
    Source: null,
    WatsonBuckets: null,
  };
  return {
    Reason: `Activity function '${activityName}' failed: ${friendly}`,
    Details: JSON.stringify(details),
  };
}

/**
 * Reason, Details and status output of a failed orchestration, as the extension's out-of-process
 * shim words them: "Orchestrator function '<name>' failed: <error>".
 */
export function orchestratorFailure(
  orchestratorName: string,
  message: string,
): { Reason: string; Details: string } {
  return {
    Reason: `Orchestrator function '${orchestratorName}' failed: ${message}`,
    Details: `Message: ${message}, StackTrace: `,
  };
}
