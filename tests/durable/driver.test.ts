import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventType, type HistoryEvent } from '../../devhost/durable/protocol.js';
import type { InstanceStatus } from '../../devhost/durable/status.js';
import { startDurableHarness, type DurableHarness } from './harness.js';
import {
  APPROVAL,
  CATCHER,
  CHAIN,
  CHILD,
  CLIENT,
  FAILING,
  FAN_OUT,
  FLAKY,
  FLAKY_CHILD,
  flakyCalls,
  LOOP,
  MISSING_CALLER,
  NONDETERMINISTIC,
  nondeterminism,
  PARENT,
  RETRY,
  RETRY_FAN_OUT,
  WAITER,
  type ClientOperation,
  type RetryInput,
} from './names.js';

let h: DurableHarness;

beforeAll(async () => {
  h = await startDurableHarness();
});

afterAll(async () => {
  await h?.close();
});

/** Runs a client operation inside a function invoked by the host, through `df.getClient`. */
const client = <T = unknown>(operation: ClientOperation): Promise<T> => h.invoke<T>(CLIENT, operation);

const ofType = (history: HistoryEvent[], type: number): HistoryEvent[] =>
  history.filter((e) => e.EventType === type);

async function waitForStatus(
  instanceId: string,
  predicate: (s: InstanceStatus) => boolean,
  timeoutMs = 10_000,
): Promise<InstanceStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await h.driver.getStatus(instanceId);
    if (status && predicate(status)) return status;
    if (Date.now() > deadline) throw new Error(`status of ${instanceId} is ${JSON.stringify(status)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('through df.getClient in an invoked function', () => {
  it('runs an activity chain and shows its custom status and output', async () => {
    const instanceId = await client<string>({
      op: 'start',
      name: CHAIN,
      input: ['Tokyo', 'Seattle', 'London'],
    });
    await h.driver.waitForCompletion(instanceId);
    const status = await client<InstanceStatus>({ op: 'status', instanceId });
    expect(status).toMatchObject({
      name: CHAIN,
      instanceId,
      runtimeStatus: 'Completed',
      input: ['Tokyo', 'Seattle', 'London'],
      customStatus: { step: 3, of: 3 },
      output: ['Hello Tokyo!', 'Hello Seattle!', 'Hello London!'],
    });
    const history = await h.driver.getHistory(instanceId);
    expect(ofType(history, EventType.TaskScheduled).map((e) => [e.EventId, e.Name, e.Input])).toEqual([
      [0, 'test-hello', '"Tokyo"'],
      [1, 'test-hello', '"Seattle"'],
      [2, 'test-hello', '"London"'],
    ]);
    expect(ofType(history, EventType.TaskCompleted).map((e) => e.TaskScheduledId)).toEqual([0, 1, 2]);
  });

  it('starts through an HTTP function and answers with status links that work', async () => {
    const response = await fetch(`${h.url}/api/test/durable/${CHAIN}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(['Ada']),
    });
    expect(response.status).toBe(202);
    const links = (await response.json()) as {
      id: string;
      statusQueryGetUri: string;
      terminatePostUri: string;
    };
    expect(response.headers.get('location')).toBe(links.statusQueryGetUri);
    expect(
      links.statusQueryGetUri.startsWith(`${h.url}/runtime/webhooks/durabletask/instances/${links.id}?`),
    ).toBe(true);
    await h.driver.waitForCompletion(links.id);
    const status = await fetch(links.statusQueryGetUri);
    expect(status.status).toBe(200);
    expect(await status.json()).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello Ada!'] });
  });

  it('fans out and in with Task.all', async () => {
    const instanceId = await client<string>({ op: 'start', name: FAN_OUT, input: 20 });
    const status = await h.driver.waitForCompletion(instanceId);
    expect(status.output).toBe(380);
    const history = await h.driver.getHistory(instanceId);
    expect(ofType(history, EventType.TaskScheduled).map((e) => e.EventId)).toEqual([...Array(20).keys()]);
  });

  it('terminates an instance; a late event to it changes nothing', async () => {
    const instanceId = await client<string>({ op: 'start', name: WAITER });
    await waitForStatus(instanceId, (s) => s.runtimeStatus === 'Running');
    await client({ op: 'terminate', instanceId, reason: 'no longer needed' });
    const status = await h.driver.waitForCompletion(instanceId);
    expect(status).toMatchObject({
      runtimeStatus: 'Terminated',
      output: 'no longer needed',
      customStatus: 'waiting forever',
    });
    await client({ op: 'raise', instanceId, event: 'Never', data: 1 });
    await h.driver.waitForIdle();
    expect((await h.driver.getStatus(instanceId))?.runtimeStatus).toBe('Terminated');
  });

  it('refuses a second instance with the id of a running one, and replaces a finished one', async () => {
    const instanceId = `single-${randomUUID()}`;
    await client({ op: 'start', name: WAITER, instanceId });
    await expect(client({ op: 'start', name: CHAIN, instanceId, input: ['x'] })).rejects.toThrow(
      /500.*already exists/,
    );
    const all = await client<{ instanceId: string; name: string }[]>({ op: 'list' });
    expect(all.filter((s) => s.instanceId === instanceId).map((s) => s.name)).toEqual([WAITER]);

    await client({ op: 'terminate', instanceId, reason: 'done' });
    await h.driver.waitForCompletion(instanceId);
    await client({ op: 'start', name: CHAIN, instanceId, input: ['again'] });
    const status = await h.driver.waitForCompletion(instanceId);
    expect(status).toMatchObject({ name: CHAIN, runtimeStatus: 'Completed', output: ['Hello again!'] });
  });

  it('answers 404 for an unknown instance and purges a finished one', async () => {
    await expect(client({ op: 'status', instanceId: 'nobody' })).rejects.toThrow(/HTTP 404/);
    const instanceId = await client<string>({ op: 'start', name: CHAIN, input: ['p'] });
    await h.driver.waitForCompletion(instanceId);
    expect(await client({ op: 'purge', instanceId })).toEqual({ instancesDeleted: 1 });
    expect(await h.driver.getStatus(instanceId)).toBeUndefined();
  });

  it('refuses to start a function that is not an orchestrator', async () => {
    await expect(client({ op: 'start', name: 'test-hello' })).rejects.toThrow(/400/);
  });
});

describe('durable timers and external events', () => {
  it('lets the event win the race and cancels the deadline timer', async () => {
    const instanceId = await h.driver.startNew(APPROVAL, { input: { timeoutMs: 300, afterMs: 500 } });
    await waitForStatus(instanceId, (s) => s.customStatus === 'waiting');
    expect(await h.driver.raiseEvent(instanceId, 'Approval', { by: 'ann' })).toBe('accepted');
    const status = await h.driver.waitForCompletion(instanceId);
    expect(status).toMatchObject({
      runtimeStatus: 'Completed',
      customStatus: 'approved',
      output: { approved: true, decision: { by: 'ann' } },
    });
    const history = await h.driver.getHistory(instanceId);
    // The step after the approval outlasted the deadline: the cancelled timer never fired.
    expect(ofType(history, EventType.TimerCreated)).toHaveLength(1);
    expect(ofType(history, EventType.TimerFired)).toHaveLength(0);
    await h.driver.waitForIdle();
    const pending = await h.database.db
      .selectFrom('devhost.durable_messages' as never)
      .selectAll()
      .where('instance_id' as never, '=', instanceId as never)
      .execute();
    expect(pending).toHaveLength(0);
  });

  it('expires when the deadline comes first', async () => {
    const instanceId = await h.driver.startNew(APPROVAL, { input: { timeoutMs: 200, afterMs: 0 } });
    const status = await h.driver.waitForCompletion(instanceId);
    expect(status).toMatchObject({ customStatus: 'expired', output: { approved: false } });
    const history = await h.driver.getHistory(instanceId);
    const created = ofType(history, EventType.TimerCreated)[0] as HistoryEvent;
    const fired = ofType(history, EventType.TimerFired)[0] as HistoryEvent;
    expect(fired.TimerId).toBe(created.EventId);
    expect(Date.parse(fired.FireAt as string) - Date.parse(created.Timestamp)).toBe(200);
    const started = ofType(history, EventType.OrchestratorStarted).map((e) => Date.parse(e.Timestamp));
    expect(Math.max(...started)).toBeGreaterThanOrEqual(Date.parse(fired.FireAt as string));
  });

  it('keeps an event raised before the wait, across continueAsNew, and loops with fresh history', async () => {
    const instanceId = await h.driver.startNew(LOOP, { input: { n: 0, max: 3 } });
    // Both events may arrive before the first turn; "Ping" is not awaited until the last execution.
    await h.driver.raiseEvent(instanceId, 'Ping', 'pong');
    await h.driver.raiseEvent(instanceId, 'Go', null);
    const status = await h.driver.waitForCompletion(instanceId);
    expect(status).toMatchObject({
      runtimeStatus: 'Completed',
      input: { n: 3, max: 3 },
      customStatus: { n: 3 },
      output: { n: 3, ping: 'pong' },
    });
    const history = await h.driver.getHistory(instanceId);
    const started = ofType(history, EventType.ExecutionStarted);
    expect(started).toHaveLength(1);
    expect(JSON.parse(started[0]?.Input as string)).toEqual({ n: 3, max: 3 });
    expect(ofType(history, EventType.EventRaised).map((e) => e.Name)).toEqual(['Ping']);
    expect(ofType(history, EventType.TaskScheduled)).toHaveLength(1);
  });

  it('buffers events while suspended and resumes', async () => {
    const instanceId = await h.driver.startNew(WAITER);
    await waitForStatus(instanceId, (s) => s.runtimeStatus === 'Running');
    expect(await h.driver.suspend(instanceId, 'hold on')).toBe('accepted');
    await waitForStatus(instanceId, (s) => s.runtimeStatus === 'Suspended');
    await h.driver.raiseEvent(instanceId, 'Never', 'finally');
    await h.driver.waitForIdle();
    expect((await h.driver.getStatus(instanceId))?.runtimeStatus).toBe('Suspended');
    await h.driver.resume(instanceId, 'go on');
    expect(await h.driver.waitForCompletion(instanceId)).toMatchObject({
      runtimeStatus: 'Completed',
      output: 'finally',
    });
  });
});

describe('suspend and resume in quick succession', () => {
  it('applies them in the order they were sent', async () => {
    const instanceId = await h.driver.startNew(WAITER);
    await waitForStatus(instanceId, (s) => s.runtimeStatus === 'Running');
    await h.driver.suspend(instanceId, 'one');
    await h.driver.suspend(instanceId, 'two');
    await h.driver.resume(instanceId, 'back');
    await h.driver.waitForIdle();
    expect((await h.driver.getStatus(instanceId))?.runtimeStatus).toBe('Running');
    await h.driver.raiseEvent(instanceId, 'Never', 'ok');
    expect(await h.driver.waitForCompletion(instanceId)).toMatchObject({
      runtimeStatus: 'Completed',
      output: 'ok',
    });
  });
});

describe('retries', () => {
  const retryHistory = async (
    input: RetryInput,
  ): Promise<{ status: InstanceStatus; history: HistoryEvent[] }> => {
    const instanceId = await h.driver.startNew(RETRY, { input });
    const status = await h.driver.waitForCompletion(instanceId);
    return { status, history: await h.driver.getHistory(instanceId) };
  };

  it('retries with backoff, capped at the maximum interval, until the activity succeeds', async () => {
    const key = randomUUID();
    const { status, history } = await retryHistory({
      key,
      failures: 3,
      firstRetryIntervalMs: 100,
      maxNumberOfAttempts: 5,
      backoffCoefficient: 2,
      maxRetryIntervalMs: 150,
    });
    expect(status.output).toEqual({ result: 'ok after 4' });
    expect(flakyCalls.get(key)).toBe(4);
    // Attempt, failure, retry timer, attempt …: the ids are the library's task numbers.
    expect(ofType(history, EventType.TaskScheduled).map((e) => e.EventId)).toEqual([0, 2, 4, 6]);
    expect(ofType(history, EventType.TaskFailed).map((e) => e.TaskScheduledId)).toEqual([0, 2, 4]);
    const timers = ofType(history, EventType.TimerCreated);
    expect(timers.map((e) => e.EventId)).toEqual([1, 3, 5]);
    expect(timers.map((e) => Date.parse(e.FireAt as string) - Date.parse(e.Timestamp))).toEqual([
      100, 150, 150,
    ]);
    expect(ofType(history, EventType.TaskCompleted).map((e) => e.TaskScheduledId)).toEqual([6]);
  });

  it('gives the orchestrator the last failure when the attempts run out', async () => {
    const key = randomUUID();
    const { status, history } = await retryHistory({
      key,
      failures: 99,
      firstRetryIntervalMs: 30,
      maxNumberOfAttempts: 3,
    });
    expect(flakyCalls.get(key)).toBe(3);
    const error = (status.output as { error: string }).error;
    expect(error.startsWith("Activity function 'test-flaky' failed:  attempt 3 failed \n {")).toBe(true);
    // The library waits for a timer after the last failure too, then gives up (as Durable Task does).
    expect(ofType(history, EventType.TimerFired)).toHaveLength(3);
  });

  it('stops running attempts once the retry timeout has elapsed', async () => {
    const key = randomUUID();
    const { status, history } = await retryHistory({
      key,
      failures: 99,
      firstRetryIntervalMs: 300,
      maxNumberOfAttempts: 10,
      retryTimeoutMs: 1_000,
    });
    const calls = flakyCalls.get(key) ?? 0;
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(calls).toBeLessThan(10);
    expect((status.output as { error: string }).error).toMatch(
      /^Activity function 'test-flaky' failed: {2}attempt \d failed/,
    );
    // The attempts after the timeout are recorded as failed without running.
    expect(ofType(history, EventType.TaskScheduled)).toHaveLength(10);
  });

  it('numbers a retry inside Task.all the way the library does', async () => {
    const key = randomUUID();
    const instanceId = await h.driver.startNew(RETRY_FAN_OUT, { input: key });
    const status = await h.driver.waitForCompletion(instanceId);
    expect(status.output).toEqual({ flaky: 'ok after 2', doubled: 42, greeting: 'Hello after!' });
    const history = await h.driver.getHistory(instanceId);
    expect(ofType(history, EventType.TaskScheduled).map((e) => [e.EventId, e.Name])).toEqual([
      [0, FLAKY],
      [1, 'test-double'],
      [3, FLAKY],
      [4, 'test-hello'],
    ]);
    expect(ofType(history, EventType.TimerCreated).map((e) => e.EventId)).toEqual([2]);
  });
});

describe('sub-orchestrations', () => {
  it('runs named, generated-id, retried and failing children', async () => {
    const childId = `child-${randomUUID()}`;
    const flakyKey = randomUUID();
    const instanceId = await h.driver.startNew(PARENT, { input: { childId, value: 5, flakyKey } });
    const status = await h.driver.waitForCompletion(instanceId, 15_000);
    expect(status.runtimeStatus).toBe('Completed');
    const output = status.output as {
      named: { doubled: number; parent: string; self: string };
      unnamed: { self: string };
      retried: string;
      failure: string;
    };
    expect(output.named).toEqual({ doubled: 10, parent: instanceId, self: childId });
    expect(output.retried).toBe('ok after 2');
    expect(output.failure.startsWith("Orchestrator function 'test-failing' failed: kaboom \n ")).toBe(true);

    const history = await h.driver.getHistory(instanceId);
    const created = ofType(history, EventType.SubOrchestrationInstanceCreated);
    const executionId = (history[1]?.OrchestrationInstance as { ExecutionId: string }).ExecutionId;
    expect(created.map((e) => [e.EventId, e.Name, e.InstanceId])).toEqual([
      [0, CHILD, childId],
      [1, CHILD, `${executionId}:1`],
      [2, FLAKY_CHILD, `${executionId}:2`],
      [4, FLAKY_CHILD, `${executionId}:4`],
      [5, FAILING, `${executionId}:5`],
    ]);
    expect(output.unnamed.self).toBe(`${executionId}:1`);
    expect((await h.driver.getStatus(`${executionId}:2`))?.runtimeStatus).toBe('Failed');
    expect((await h.driver.getStatus(`${executionId}:4`))?.runtimeStatus).toBe('Completed');
    expect((await h.driver.getStatus(childId))?.output).toEqual({
      doubled: 10,
      parent: instanceId,
      self: childId,
    });
  });
});

describe('failures', () => {
  it('records an orchestrator failure with its error and custom status', async () => {
    const instanceId = await h.driver.startNew(FAILING);
    const status = await h.driver.waitForCompletion(instanceId);
    expect(status).toMatchObject({
      runtimeStatus: 'Failed',
      customStatus: 'about to fail',
      output: "Orchestrator function 'test-failing' failed: kaboom",
    });
    const history = await h.driver.getHistory(instanceId);
    expect(ofType(history, EventType.ExecutionCompleted)[0]).toMatchObject({ OrchestrationStatus: 3 });
  });

  it('hands the orchestrator an activity failure worded as the extension words it', async () => {
    const instanceId = await h.driver.startNew(CATCHER);
    const message = (await h.driver.waitForCompletion(instanceId)).output as string;
    expect(message.startsWith("Activity function 'test-fail' failed:  boom \n ")).toBe(true);
    const details = JSON.parse(message.slice(message.indexOf(' \n ') + 3)) as {
      Message: string;
      InnerException: { RemoteMessage: string };
    };
    expect(details.Message).toBe(' boom');
    expect(details.InnerException.RemoteMessage).toBe('boom');
  });

  it('fails an orchestration that calls an activity nobody registered', async () => {
    const instanceId = await h.driver.startNew(MISSING_CALLER);
    const status = await h.driver.waitForCompletion(instanceId);
    expect(status.output).toBe(
      "Orchestrator function 'test-missing-caller' failed: The function 'test-missing' doesn't exist, is disabled, or is not an activity function.",
    );
  });

  it('detects an orchestrator that replays differently', async () => {
    nondeterminism.activity = 'test-hello';
    const instanceId = await h.driver.startNew(NONDETERMINISTIC);
    await h.driver.waitForIdle();
    nondeterminism.activity = 'test-double';
    await h.driver.raiseEvent(instanceId, 'Next', null);
    const status = await h.driver.waitForCompletion(instanceId);
    expect(status.runtimeStatus).toBe('Failed');
    expect(status.output).toMatch(
      /Non-Deterministic workflow detected: CallActivity 'test-double' does not match 'test-hello'/,
    );
  });
});

describe('the management API over HTTP', () => {
  const api = (path: string, init?: RequestInit): Promise<Response> =>
    fetch(`${h.url}/runtime/webhooks/durabletask/${path}`, init);

  it('shows history on request and pages through instances', async () => {
    const prefix = `page-${randomUUID()}-`;
    for (let i = 0; i < 3; i++)
      await h.driver.startNew(CHAIN, { instanceId: `${prefix}${i}`, input: [`n${i}`] });
    for (let i = 0; i < 3; i++) await h.driver.waitForCompletion(`${prefix}${i}`);

    const response = await api(
      `instances/${prefix}0?showHistory=true&showHistoryOutput=true&showInput=false`,
    );
    const status = (await response.json()) as InstanceStatus;
    expect(status.input).toBeNull();
    expect(status.historyEvents?.map((e) => e.EventType)).toEqual([
      'ExecutionStarted',
      'TaskCompleted',
      'ExecutionCompleted',
    ]);
    expect(status.historyEvents?.[1]).toMatchObject({ FunctionName: 'test-hello', Result: 'Hello n0!' });

    const first = await api(`instances/?instanceIdPrefix=${prefix}&top=2`);
    const token = first.headers.get('x-ms-continuation-token');
    expect(((await first.json()) as InstanceStatus[]).map((s) => s.instanceId)).toEqual([
      `${prefix}0`,
      `${prefix}1`,
    ]);
    expect(token).toBeTruthy();
    const second = await api(`instances/?instanceIdPrefix=${prefix}&top=2`, {
      headers: { 'x-ms-continuation-token': token as string },
    });
    expect(((await second.json()) as InstanceStatus[]).map((s) => s.instanceId)).toEqual([`${prefix}2`]);
    expect(second.headers.get('x-ms-continuation-token')).toBeNull();
  });

  it('answers a running instance with 202 and a finished one with 200', async () => {
    const instanceId = await h.driver.startNew(WAITER);
    await waitForStatus(instanceId, (s) => s.runtimeStatus === 'Running');
    const running = await api(`instances/${instanceId}`);
    expect(running.status).toBe(202);
    expect(running.headers.get('retry-after')).toBe('5');
    const raise = await api(`instances/${instanceId}/raiseEvent/Never`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '"done"',
    });
    expect(raise.status).toBe(202);
    await h.driver.waitForCompletion(instanceId);
    const done = await api(`instances/${instanceId}`);
    expect(done.status).toBe(200);
    expect(((await done.json()) as InstanceStatus).output).toBe('done');
    expect((await api(`instances/${instanceId}/terminate?reason=late`, { method: 'POST' })).status).toBe(410);
    expect((await api(`instances/nobody/terminate?reason=x`, { method: 'POST' })).status).toBe(404);
  });
});
