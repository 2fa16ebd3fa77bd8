/**
 * Golden histories for the pinned durable-functions 3.5.0: prepared histories go into the
 * registered orchestrators through the host, exact answers (actions, output, custom status,
 * failure) come out. The devhost's driver depends on every detail checked here — the task
 * numbering, the action shapes, where a failure puts its error — so an upgrade that changes the
 * protocol fails this file before it breaks a flow.
 */
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FunctionHost } from '../../devhost/host.js';
import {
  EventType,
  REPLAY_SCHEMA_VERSION,
  activityFailure,
  parseOrchestratorFailure,
  type HistoryEvent,
} from '../../devhost/durable/protocol.js';
import { fixtureHost } from './harness.js';
import {
  APPROVAL,
  CATCHER,
  CHAIN,
  CHILD,
  FAILING,
  FAN_OUT,
  LOOP,
  PARENT,
  RETRY,
  RETRY_FAN_OUT,
} from './names.js';

let host: FunctionHost;

beforeAll(async () => {
  host = await fixtureHost();
});

const at = (ms: number): string => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();

const e = {
  orchestratorStarted: (t: number): HistoryEvent => ({
    EventType: EventType.OrchestratorStarted,
    EventId: -1,
    IsPlayed: false,
    Timestamp: at(t),
  }),
  executionStarted: (t: number, name: string, input: unknown): HistoryEvent => ({
    EventType: EventType.ExecutionStarted,
    EventId: -1,
    IsPlayed: false,
    Timestamp: at(t),
    Name: name,
    Version: '',
    Input: JSON.stringify(input),
    OrchestrationInstance: { InstanceId: 'golden', ExecutionId: 'e1' },
    ParentInstance: null,
    Tags: null,
  }),
  taskScheduled: (t: number, id: number, name: string): HistoryEvent => ({
    EventType: EventType.TaskScheduled,
    EventId: id,
    IsPlayed: false,
    Timestamp: at(t),
    Name: name,
    Version: '',
  }),
  taskCompleted: (t: number, id: number, result: unknown): HistoryEvent => ({
    EventType: EventType.TaskCompleted,
    EventId: -1,
    IsPlayed: false,
    Timestamp: at(t),
    TaskScheduledId: id,
    Result: JSON.stringify(result),
  }),
  taskFailed: (t: number, id: number, reason: string, details: string): HistoryEvent => ({
    EventType: EventType.TaskFailed,
    EventId: -1,
    IsPlayed: false,
    Timestamp: at(t),
    TaskScheduledId: id,
    Reason: reason,
    Details: details,
  }),
  timerCreated: (t: number, id: number, fireAt: number): HistoryEvent => ({
    EventType: EventType.TimerCreated,
    EventId: id,
    IsPlayed: false,
    Timestamp: at(t),
    FireAt: at(fireAt),
  }),
  timerFired: (t: number, id: number, fireAt: number): HistoryEvent => ({
    EventType: EventType.TimerFired,
    EventId: -1,
    IsPlayed: false,
    Timestamp: at(t),
    TimerId: id,
    FireAt: at(fireAt),
  }),
  eventRaised: (t: number, name: string, input: unknown): HistoryEvent => ({
    EventType: EventType.EventRaised,
    EventId: -1,
    IsPlayed: false,
    Timestamp: at(t),
    Name: name,
    Input: JSON.stringify(input),
  }),
  subCreated: (t: number, id: number, name: string, instanceId: string): HistoryEvent => ({
    EventType: EventType.SubOrchestrationInstanceCreated,
    EventId: id,
    IsPlayed: false,
    Timestamp: at(t),
    Name: name,
    InstanceId: instanceId,
  }),
};

/** Replays `history` through the registered orchestrator as the extension would, answer as JSON. */
async function replay(
  name: string,
  input: unknown,
  history: HistoryEvent[],
  options: { schema?: number; parentInstanceId?: string } = {},
): Promise<unknown> {
  const trigger = {
    history: history.map((event) => ({ ...event })),
    input,
    instanceId: 'golden',
    isReplaying: false,
    parentInstanceId: options.parentInstanceId,
    upperSchemaVersion: options.schema ?? REPLAY_SCHEMA_VERSION,
    maximumShortTimerDuration: '6.00:00:00',
    longRunningTimerIntervalDuration: '3.00:00:00',
    defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
  };
  const { result } = await host.invoke(host.get(name), trigger);
  return JSON.parse(JSON.stringify(result)) as unknown;
}

const hello = (name: string): unknown => ({
  functionName: 'test-hello',
  actionType: 0,
  input: JSON.stringify(name),
});
const double = (n: number): unknown => ({ functionName: 'test-double', actionType: 0, input: n });

it('is the pinned library version', () => {
  const require = createRequire(import.meta.url);
  expect((require('durable-functions/package.json') as { version: string }).version).toBe('3.5.0');
});

describe('activity chain', () => {
  const start = [e.orchestratorStarted(0), e.executionStarted(0, CHAIN, ['Tokyo', 'Seattle'])];

  it('schedules the first activity, its string input JSON-encoded once more', async () => {
    expect(await replay(CHAIN, ['Tokyo', 'Seattle'], start)).toStrictEqual({
      isDone: false,
      actions: [[hello('Tokyo')]],
      customStatus: { step: 1, of: 2 },
      schemaVersion: 1,
    });
  });

  it('returns every action since the start on each replay, and the output when done', async () => {
    const history = [
      ...start,
      e.taskScheduled(0, 0, 'test-hello'),
      e.orchestratorStarted(100),
      e.taskCompleted(90, 0, 'Hello Tokyo!'),
      e.taskScheduled(100, 1, 'test-hello'),
      e.orchestratorStarted(200),
      e.taskCompleted(190, 1, 'Hello Seattle!'),
    ];
    expect(await replay(CHAIN, ['Tokyo', 'Seattle'], history)).toStrictEqual({
      isDone: true,
      actions: [[hello('Tokyo'), hello('Seattle')]],
      output: ['Hello Tokyo!', 'Hello Seattle!'],
      customStatus: { step: 2, of: 2 },
      schemaVersion: 1,
    });
  });
});

describe('fan-out with Task.all', () => {
  const start = [e.orchestratorStarted(0), e.executionStarted(0, FAN_OUT, 3)];
  const all = { actionType: 12, compoundActions: [double(0), double(1), double(2)] };

  it('nests the parallel calls in one WhenAll action under replay schema V2', async () => {
    expect(await replay(FAN_OUT, 3, start)).toStrictEqual({
      isDone: false,
      actions: [[all]],
      schemaVersion: 1,
    });
  });

  it('flattens them under schema V1 (why the devhost announces V2)', async () => {
    expect(await replay(FAN_OUT, 3, start, { schema: 0 })).toStrictEqual({
      isDone: false,
      actions: [[double(0), double(1), double(2)]],
      schemaVersion: 0,
    });
  });

  it('matches completions by task id, in any order', async () => {
    const history = [
      ...start,
      e.taskScheduled(0, 0, 'test-double'),
      e.taskScheduled(0, 1, 'test-double'),
      e.taskScheduled(0, 2, 'test-double'),
      e.orchestratorStarted(100),
      e.taskCompleted(50, 2, 4),
      e.taskCompleted(60, 0, 0),
      e.taskCompleted(70, 1, 2),
    ];
    expect(await replay(FAN_OUT, 3, history)).toStrictEqual({
      isDone: true,
      actions: [[all]],
      output: 6,
      schemaVersion: 1,
    });
  });
});

describe('external event against a timer (Task.any)', () => {
  const input = { timeoutMs: 300, afterMs: 500 };
  const start = [e.orchestratorStarted(0), e.executionStarted(0, APPROVAL, input)];
  const any = (canceled: boolean): unknown => ({
    actionType: 11,
    compoundActions: [
      { externalEventName: 'Approval', reason: 'ExternalEvent', actionType: 6 },
      { fireAt: at(300), isCanceled: canceled, actionType: 5 },
    ],
  });

  it('waits for both; the event takes no task id, the timer takes id 0', async () => {
    expect(await replay(APPROVAL, input, start)).toStrictEqual({
      isDone: false,
      actions: [[any(false)]],
      customStatus: 'waiting',
      schemaVersion: 1,
    });
  });

  it('marks the losing timer cancelled when the event wins', async () => {
    const history = [
      ...start,
      e.timerCreated(0, 0, 300),
      e.orchestratorStarted(100),
      e.eventRaised(90, 'Approval', { by: 'ann' }),
    ];
    expect(await replay(APPROVAL, input, history)).toStrictEqual({
      isDone: false,
      actions: [[any(true), { functionName: 'test-sleep', actionType: 0, input: { ms: 500, value: null } }]],
      customStatus: 'approved',
      schemaVersion: 1,
    });
  });

  it('keeps an event raised before anyone waits for it', async () => {
    const history = [
      e.orchestratorStarted(0),
      e.executionStarted(0, LOOP, { n: 0, max: 0 }),
      e.eventRaised(0, 'Ping', 'early'),
      e.eventRaised(0, 'Go', null),
      e.taskScheduled(0, 0, 'test-double'),
      e.orchestratorStarted(100),
      e.taskCompleted(90, 0, 0),
    ];
    expect(await replay(LOOP, { n: 0, max: 0 }, history)).toStrictEqual({
      isDone: true,
      actions: [
        [
          { externalEventName: 'Go', reason: 'ExternalEvent', actionType: 6 },
          double(0),
          { externalEventName: 'Ping', reason: 'ExternalEvent', actionType: 6 },
        ],
      ],
      output: { n: 0, ping: 'early' },
      customStatus: { n: 0 },
      schemaVersion: 1,
    });
  });
});

describe('retries', () => {
  const input = { key: 'k', failures: 9, firstRetryIntervalMs: 1000, maxNumberOfAttempts: 2 };
  const action = {
    functionName: 'test-flaky',
    actionType: 1,
    retryOptions: { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 2 },
    input: { key: 'k', failures: 9 },
  };
  const start = [
    e.orchestratorStarted(0),
    e.executionStarted(0, RETRY, input),
    e.taskScheduled(0, 0, 'test-flaky'),
  ];

  it('returns one CallActivityWithRetry action and leaves the retrying to the host', async () => {
    const history = [
      ...start,
      e.orchestratorStarted(100),
      e.taskFailed(90, 0, 'R1', 'D1'),
      e.timerCreated(100, 1, 1100),
    ];
    expect(await replay(RETRY, input, history)).toStrictEqual({
      isDone: false,
      actions: [[action]],
      schemaVersion: 1,
    });
  });

  it('takes the retry timer and the next attempt as task ids 1 and 2, and fails after the last timer', async () => {
    const history = [
      ...start,
      e.orchestratorStarted(100),
      e.taskFailed(90, 0, 'R1', 'D1'),
      e.timerCreated(100, 1, 1100),
      e.orchestratorStarted(1100),
      e.timerFired(1100, 1, 1100),
      e.taskScheduled(1100, 2, 'test-flaky'),
      e.orchestratorStarted(1200),
      e.taskFailed(
        1190,
        2,
        "Activity function 'test-flaky' failed:  attempt 2 failed",
        '{"Message":" attempt 2 failed"}',
      ),
      e.timerCreated(1200, 3, 2200),
    ];
    // Until the timer after the last attempt fires, the task is still running.
    expect(await replay(RETRY, input, history)).toMatchObject({ isDone: false });
    const done = await replay(RETRY, input, [
      ...history,
      e.orchestratorStarted(2200),
      e.timerFired(2200, 3, 2200),
    ]);
    expect(done).toStrictEqual({
      isDone: true,
      actions: [[action]],
      output: {
        error: `Activity function 'test-flaky' failed:  attempt 2 failed \n {"Message":" attempt 2 failed"}`,
      },
      schemaVersion: 1,
    });
  });

  it("numbers a retry's timer and attempt between the other tasks of the orchestration", async () => {
    const all = {
      actionType: 12,
      compoundActions: [
        {
          functionName: 'test-flaky',
          actionType: 1,
          retryOptions: { firstRetryIntervalInMilliseconds: 50, maxNumberOfAttempts: 3 },
          input: { key: 'k', failures: 1 },
        },
        { functionName: 'test-double', actionType: 0, input: 21 },
      ],
    };
    const history = [
      e.orchestratorStarted(0),
      e.executionStarted(0, RETRY_FAN_OUT, 'k'),
      e.taskScheduled(0, 0, 'test-flaky'),
      e.taskScheduled(0, 1, 'test-double'),
      e.orchestratorStarted(100),
      e.taskFailed(90, 0, 'R', 'D'),
      e.timerCreated(100, 2, 150),
      e.orchestratorStarted(110),
      e.taskCompleted(105, 1, 42),
      e.orchestratorStarted(150),
      e.timerFired(150, 2, 150),
      e.taskScheduled(150, 3, 'test-flaky'),
      e.orchestratorStarted(200),
      e.taskCompleted(190, 3, 'ok after 2'),
    ];
    expect(await replay(RETRY_FAN_OUT, 'k', history)).toStrictEqual({
      isDone: false,
      actions: [[all, hello('after')]],
      schemaVersion: 1,
    });
    // The next activity is task 4: a completion numbered 2 (the timer's id) would not reach it.
    const wrong = await replay(RETRY_FAN_OUT, 'k', [
      ...history,
      e.taskScheduled(200, 4, 'test-hello'),
      e.orchestratorStarted(300),
      e.taskCompleted(290, 2, 'x'),
    ]);
    expect(wrong).toMatchObject({ isDone: false });
    const right = await replay(RETRY_FAN_OUT, 'k', [
      ...history,
      e.taskScheduled(200, 4, 'test-hello'),
      e.orchestratorStarted(300),
      e.taskCompleted(290, 4, 'Hello after!'),
    ]);
    expect(right).toStrictEqual({
      isDone: true,
      actions: [[all, hello('after')]],
      output: { flaky: 'ok after 2', doubled: 42, greeting: 'Hello after!' },
      schemaVersion: 1,
    });
  });
});

describe('failures', () => {
  it('hands the orchestrator "<Reason> \\n <Details>" of a failed activity', async () => {
    const history = [
      e.orchestratorStarted(0),
      e.executionStarted(0, CATCHER, null),
      e.taskScheduled(0, 0, 'test-fail'),
      e.orchestratorStarted(100),
      e.taskFailed(90, 0, 'the reason', 'the details'),
    ];
    expect(await replay(CATCHER, null, history)).toStrictEqual({
      isDone: true,
      actions: [[{ functionName: 'test-fail', actionType: 0, input: '"x"' }]],
      output: 'the reason \n the details',
      schemaVersion: 1,
    });
  });

  it('words an activity failure as the extension does', () => {
    const error = new Error('boom');
    error.stack = 'Error: boom\n    at here';
    const failure = activityFailure('test-fail', error);
    expect(failure.Reason).toBe("Activity function 'test-fail' failed:  boom");
    expect(JSON.parse(failure.Details)).toMatchObject({
      ClassName: 'System.Exception',
      Message: ' boom',
      InnerException: {
        Message: 'Result: Failure\nException: boom\nStack: Error: boom\n    at here',
        RemoteMessage: 'boom',
      },
    });
  });

  it('throws an orchestrator failure with its state after $OutOfProcData$, the error in the state', async () => {
    const history = [
      e.orchestratorStarted(0),
      e.executionStarted(0, FAILING, null),
      e.taskScheduled(0, 0, 'test-hello'),
      e.orchestratorStarted(100),
      e.taskCompleted(90, 0, 'Hello doomed!'),
    ];
    const thrown = await replay(FAILING, null, history).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(thrown).toBeInstanceOf(Error);
    expect((thrown as Error).message.startsWith('false\n\n$OutOfProcData$:{')).toBe(true);
    const parsed = parseOrchestratorFailure(thrown);
    expect(parsed.message).toBe('false');
    expect(parsed.state).toStrictEqual({
      isDone: false,
      actions: [[hello('doomed')]],
      error: 'kaboom',
      customStatus: 'about to fail',
      schemaVersion: 1,
    });
  });
});

describe('continueAsNew and sub-orchestrations', () => {
  it('ends the execution with a ContinueAsNew action carrying the new input', async () => {
    const history = [
      e.orchestratorStarted(0),
      e.executionStarted(0, LOOP, { n: 1, max: 2 }),
      e.taskScheduled(0, 0, 'test-double'),
      e.orchestratorStarted(100),
      e.taskCompleted(90, 0, 2),
    ];
    expect(await replay(LOOP, { n: 1, max: 2 }, history)).toStrictEqual({
      isDone: true,
      actions: [[double(1), { actionType: 4, input: { n: 2, max: 2 } }]],
      customStatus: { n: 1 },
      schemaVersion: 1,
    });
  });

  it('calls a sub-orchestrator with its instance id and raw input, and gets its result', async () => {
    const input = { childId: 'c1', value: 5, flakyKey: 'f' };
    const start = [e.orchestratorStarted(0), e.executionStarted(0, PARENT, input)];
    expect(await replay(PARENT, input, start)).toStrictEqual({
      isDone: false,
      actions: [[{ functionName: 'test-child', instanceId: 'c1', actionType: 2, input: 5 }]],
      schemaVersion: 1,
    });
    const completed = {
      EventType: EventType.SubOrchestrationInstanceCompleted,
      EventId: -1,
      IsPlayed: false,
      Timestamp: at(90),
      TaskScheduledId: 0,
      Result: '{"doubled":10}',
    };
    expect(
      await replay(PARENT, input, [
        ...start,
        e.subCreated(0, 0, CHILD, 'c1'),
        e.orchestratorStarted(100),
        completed,
      ]),
    ).toStrictEqual({
      isDone: false,
      actions: [
        [
          { functionName: 'test-child', instanceId: 'c1', actionType: 2, input: 5 },
          { functionName: 'test-child', actionType: 2, input: 6 },
        ],
      ],
      schemaVersion: 1,
    });
  });

  it('tells a child its parent', async () => {
    const history = [
      e.orchestratorStarted(0),
      e.executionStarted(0, CHILD, 5),
      e.taskScheduled(0, 0, 'test-double'),
      e.orchestratorStarted(100),
      e.taskCompleted(90, 0, 10),
    ];
    expect(await replay(CHILD, 5, history, { parentInstanceId: 'p1' })).toStrictEqual({
      isDone: true,
      actions: [[double(5)]],
      output: { doubled: 10, parent: 'p1', self: 'golden' },
      schemaVersion: 1,
    });
  });
});
