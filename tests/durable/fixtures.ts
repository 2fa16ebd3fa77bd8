/**
 * Test orchestrations and activities, registered through the real `df.app.*` API. Import this
 * module only after `setFunctionsCoreSink(host)`: the registrations go to that host.
 */
import type { HttpResponse } from '@azure/functions';
import { app, trigger, type HttpRequest, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler, RetryOptions, Task } from 'durable-functions';
import {
  activityRuns,
  APPROVAL,
  CATCHER,
  CHAIN,
  CHILD,
  CLIENT,
  DOUBLE,
  FAIL,
  FAILING,
  FAN_OUT,
  FLAKY,
  FLAKY_CHILD,
  flakyCalls,
  HELLO,
  LOOP,
  MISSING_CALLER,
  NONDETERMINISTIC,
  nondeterminism,
  PARENT,
  RETRY,
  RETRY_FAN_OUT,
  SLEEP,
  WAITER,
  type ApprovalInput,
  type ClientOperation,
  type FlakyInput,
  type LoopInput,
  type ParentInput,
  type RetryInput,
} from './names.js';

export function retryOptions(input: RetryInput): RetryOptions {
  const options = new df.RetryOptions(input.firstRetryIntervalMs, input.maxNumberOfAttempts);
  if (input.backoffCoefficient !== undefined) options.backoffCoefficient = input.backoffCoefficient;
  if (input.maxRetryIntervalMs !== undefined)
    options.maxRetryIntervalInMilliseconds = input.maxRetryIntervalMs;
  if (input.retryTimeoutMs !== undefined) options.retryTimeoutInMilliseconds = input.retryTimeoutMs;
  return options;
}

const counted = (name: string): void => {
  activityRuns.set(name, (activityRuns.get(name) ?? 0) + 1);
};

df.app.activity(HELLO, {
  handler: (name: string) => {
    counted(HELLO);
    return `Hello ${name}!`;
  },
});

df.app.activity(DOUBLE, {
  handler: (n: number) => {
    counted(DOUBLE);
    return n * 2;
  },
});

df.app.activity(FLAKY, {
  handler: (input: FlakyInput) => {
    counted(FLAKY);
    const attempt = (flakyCalls.get(input.key) ?? 0) + 1;
    flakyCalls.set(input.key, attempt);
    if (attempt <= input.failures) throw new Error(`attempt ${attempt} failed`);
    return `ok after ${attempt}`;
  },
});

df.app.activity(FAIL, {
  handler: () => {
    counted(FAIL);
    throw new Error('boom');
  },
});

df.app.activity(SLEEP, {
  handler: async (input: { ms: number; value: unknown }) => {
    counted(SLEEP);
    await new Promise((resolve) => setTimeout(resolve, input.ms));
    return input.value;
  },
});

/** Greets each name in turn, telling the status API which step it is on. */
const chain: OrchestrationHandler = function* (context: OrchestrationContext) {
  const names = context.df.getInput<string[]>();
  const results: string[] = [];
  for (const [i, name] of names.entries()) {
    context.df.setCustomStatus({ step: i + 1, of: names.length });
    results.push((yield context.df.callActivity(HELLO, name)) as string);
  }
  return results;
};
df.app.orchestration(CHAIN, chain);

/** Doubles 0..n−1 in parallel and sums the results. */
df.app.orchestration(FAN_OUT, function* (context: OrchestrationContext) {
  const n = context.df.getInput<number>();
  const tasks: Task[] = [];
  for (let i = 0; i < n; i++) tasks.push(context.df.callActivity(DOUBLE, i));
  const results = (yield context.df.Task.all(tasks)) as number[];
  return results.reduce((sum, value) => sum + value, 0);
});

/** The approval race: an external event against a deadline; the loser timer is cancelled. */
df.app.orchestration(APPROVAL, function* (context: OrchestrationContext) {
  const input = context.df.getInput<ApprovalInput>();
  context.df.setCustomStatus('waiting');
  const decision = context.df.waitForExternalEvent('Approval');
  const deadline = context.df.createTimer(
    new Date(context.df.currentUtcDateTime.getTime() + input.timeoutMs),
  );
  const winner: Task = yield context.df.Task.any([decision, deadline]);
  if (winner === decision) {
    deadline.cancel();
    context.df.setCustomStatus('approved');
    yield context.df.callActivity(SLEEP, { ms: input.afterMs, value: null });
    return { approved: true, decision: decision.result };
  }
  context.df.setCustomStatus('expired');
  return { approved: false };
});

/** Calls the flaky activity with retries; reports the error instead of failing when they run out. */
df.app.orchestration(RETRY, function* (context: OrchestrationContext) {
  const input = context.df.getInput<RetryInput>();
  try {
    const result = (yield context.df.callActivityWithRetry(FLAKY, retryOptions(input), {
      key: input.key,
      failures: input.failures,
    })) as string;
    return { result };
  } catch (error) {
    return { error: (error as Error).message };
  }
});

/**
 * A retried task and a plain one in one Task.all, then one more activity: the retry's timer and
 * second attempt take task ids between the others, which the host must number as the library does.
 */
df.app.orchestration(RETRY_FAN_OUT, function* (context: OrchestrationContext) {
  const key = context.df.getInput<string>();
  const options = new df.RetryOptions(50, 3);
  const [flaky, doubled] = (yield context.df.Task.all([
    context.df.callActivityWithRetry(FLAKY, options, { key, failures: 1 }),
    context.df.callActivity(DOUBLE, 21),
  ])) as [string, number];
  const greeting = (yield context.df.callActivity(HELLO, 'after')) as string;
  return { flaky, doubled, greeting };
});

/** Sub-orchestrations: one with an instance id, one without, one retried until it succeeds. */
df.app.orchestration(PARENT, function* (context: OrchestrationContext) {
  const input = context.df.getInput<ParentInput>();
  const named = (yield context.df.callSubOrchestrator(CHILD, input.value, input.childId)) as number;
  const unnamed = (yield context.df.callSubOrchestrator(CHILD, input.value + 1)) as number;
  const retried = (yield context.df.callSubOrchestratorWithRetry(FLAKY_CHILD, new df.RetryOptions(50, 3), {
    key: input.flakyKey,
    failures: 1,
  })) as string;
  let failure: string | undefined;
  try {
    yield context.df.callSubOrchestrator(FAILING, null);
  } catch (error) {
    failure = (error as Error).message;
  }
  return { named, unnamed, retried, failure };
});

df.app.orchestration(CHILD, function* (context: OrchestrationContext) {
  const value = context.df.getInput<number>();
  const doubled = (yield context.df.callActivity(DOUBLE, value)) as number;
  return { doubled, parent: context.df.parentInstanceId, self: context.df.instanceId };
});

df.app.orchestration(FLAKY_CHILD, function* (context: OrchestrationContext) {
  const input = context.df.getInput<FlakyInput>();
  return (yield context.df.callActivity(FLAKY, input)) as string;
});

/**
 * An eternal-orchestration loop with continueAsNew. The first execution waits for "Go"; a "Ping"
 * raised before "Go" is not consumed there and must reach the last execution, which waits for it.
 */
df.app.orchestration(LOOP, function* (context: OrchestrationContext) {
  const input = context.df.getInput<LoopInput>();
  context.df.setCustomStatus({ n: input.n });
  if (input.n === 0) yield context.df.waitForExternalEvent('Go');
  yield context.df.callActivity(DOUBLE, input.n);
  if (input.n < input.max) {
    context.df.continueAsNew({ n: input.n + 1, max: input.max });
    return undefined;
  }
  const ping: unknown = yield context.df.waitForExternalEvent('Ping');
  return { n: input.n, ping };
});

/** Fails after one step, with a custom status set. */
df.app.orchestration(FAILING, function* (context: OrchestrationContext) {
  yield context.df.callActivity(HELLO, 'doomed');
  context.df.setCustomStatus('about to fail');
  throw new Error('kaboom');
});

/** Waits for an event that never comes (terminate, suspend and duplicate-start tests). */
df.app.orchestration(WAITER, function* (context: OrchestrationContext) {
  context.df.setCustomStatus('waiting forever');
  return (yield context.df.waitForExternalEvent('Never')) as unknown;
});

/** Calls the failing activity and returns the error message it sees. */
df.app.orchestration(CATCHER, function* (context: OrchestrationContext) {
  try {
    yield context.df.callActivity(FAIL, 'x');
    return 'unexpected';
  } catch (error) {
    return (error as Error).message;
  }
});

/** Reads module state during replay: a test changes it between turns to provoke a replay mismatch. */
df.app.orchestration(NONDETERMINISTIC, function* (context: OrchestrationContext) {
  yield context.df.callActivity(nondeterminism.activity, 1);
  yield context.df.waitForExternalEvent('Next');
  return 'done';
});

/** Calls an activity nobody registered. */
df.app.orchestration(MISSING_CALLER, function* (context: OrchestrationContext) {
  yield context.df.callActivity('test-missing', null);
  return 'unreachable';
});

/** A function that uses `df.getClient(context)` unchanged, as app code does. */
app.generic(CLIENT, {
  trigger: trigger.generic({ type: 'testClientTrigger' }),
  extraInputs: [df.input.durableClient()],
  handler: async (operation: unknown, context: InvocationContext) => {
    const client = df.getClient(context);
    const o = operation as ClientOperation;
    switch (o.op) {
      case 'start':
        return client.startNew(o.name, { instanceId: o.instanceId, input: o.input });
      case 'status':
        return client.getStatus(o.instanceId);
      case 'raise':
        return client.raiseEvent(o.instanceId, o.event, o.data);
      case 'terminate':
        return client.terminate(o.instanceId, o.reason);
      case 'list':
        return client.getStatusAll();
      case 'purge':
        return client.purgeInstanceHistory(o.instanceId);
    }
  },
});

/** An HTTP starter, as the Durable templates write it: start, then answer 202 with the status links. */
app.http('test-durable-start', {
  route: 'test/durable/{name}',
  methods: ['POST'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: async (request: HttpRequest, context: InvocationContext): Promise<HttpResponse> => {
    const client = df.getClient(context);
    const instanceId = await client.startNew(request.params.name as string, { input: await request.json() });
    return client.createCheckStatusResponse(request, instanceId);
  },
});
