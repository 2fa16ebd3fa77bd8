import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { FunctionHost, RegisteredFunction } from '../host.js';
import {
  handleManagementRequest,
  type ManagementRequest,
  type ManagementResponse,
} from './management-api.js';
import {
  EventType,
  activityFailure,
  fromJsonText,
  toJsonText,
  type HistoryEvent,
  type OrchestratorState,
} from './protocol.js';
import { toStatus, type InstanceStatus, type StatusOptions } from './status.js';
import {
  DurableStore,
  toInstanceState,
  type ActivityRecord,
  type InstanceQuery,
  type InstanceRecord,
} from './store.js';
import {
  MESSAGES_PER_TURN_MAX,
  TERMINAL_STATUSES,
  prepareTurn,
  type FunctionCatalog,
  type HistoryRow,
  type OrchestratorOutcome,
  type RuntimeStatus,
  type TurnCommit,
} from './turn.js';

export interface DurableDriverOptions {
  host: FunctionHost;
  /** Any Kysely over the database that holds the `devhost` schema; the driver types its own tables. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  /** The devhost's origin (`http://127.0.0.1:7071`); the management API lives under it. */
  baseUrl: () => string;
  /** The task hub name the client binding reports; host.json's `durableTask.hubName` by default. */
  taskHub?: string;
  /** How often the driver looks for due work when nothing wakes it (ms); 1000 by default. */
  pollIntervalMs?: number;
  log?: (msg: string) => void;
  /** How long a worker owns a turn or an activity before another may take it over (ms). */
  leaseMs?: number;
  /** host.json's maxConcurrentActivityFunctions: 10 by default. */
  maxConcurrentActivities?: number;
  /** host.json's maxConcurrentOrchestratorFunctions: 10 by default. */
  maxConcurrentOrchestrations?: number;
}

export interface StartOptions {
  instanceId?: string;
  input?: unknown;
  version?: string;
}

export type ManagementOutcome = 'accepted' | 'gone' | 'not-found';

export const MANAGEMENT_PATH = '/runtime/webhooks/durabletask';

const POLL_INTERVAL_MS_DEFAULT = 1_000;
const LEASE_MS_DEFAULT = 60_000;
const CONCURRENCY_DEFAULT = 10;
/** An activity whose worker died this many times is failed instead of being run again. */
const ACTIVITY_DEQUEUES_MAX = 10;
/** Longest sleep of the loop, whatever the next due time: a message from another process still gets seen. */
const SLEEP_MS_MAX = 60_000;

/**
 * The Durable Functions backend of the devhost: it runs the app's unchanged
 * `df.app.orchestration` / `df.app.activity` registrations with the library's own replay engine
 * (history in, actions out), keeps instances, history and work in the database, and serves the
 * extension's management API so `df.getClient(context)` works unchanged.
 *
 * Work is leased, never held in a transaction: a turn loads the history and due messages, invokes
 * the orchestrator, then commits the new history, consumed messages and scheduled work in one
 * short transaction, provided its lease still holds. An activity runs outside any transaction;
 * its work item is deleted in the transaction that queues its completion. A killed process loses
 * nothing: expired leases are taken over, a step recorded as done never runs again.
 */
export class DurableDriver {
  readonly #host: FunctionHost;
  readonly #store: DurableStore;
  readonly #baseUrl: () => string;
  readonly #taskHub: string;
  readonly #pollIntervalMs: number;
  readonly #leaseMs: number;
  readonly #maxActivities: number;
  readonly #maxOrchestrations: number;
  readonly #log: (msg: string) => void;
  /** Faults of the driver itself (not of user code): shown even without a log sink. */
  readonly #logFault: (msg: string) => void;

  #running = false;
  #loop: Promise<void> | undefined;
  #renewal: NodeJS.Timeout | undefined;
  #wakeRequested = false;
  #wakeSleeper: (() => void) | undefined;
  readonly #idleWaiters = new Set<() => void>();
  readonly #inFlight = new Set<Promise<void>>();
  readonly #instanceLeases = new Set<string>();
  readonly #activityLeases = new Set<string>();
  #orchestrationsRunning = 0;
  /** Flow time skipped by `fastForward` (tests), in this process. */
  #fastForwardedMs = 0;
  #activitiesRunning = 0;

  constructor(options: DurableDriverOptions) {
    this.#host = options.host;
    this.#store = new DurableStore(options.db);
    this.#baseUrl = options.baseUrl;
    this.#taskHub = options.taskHub ?? hubNameFromHostJson() ?? 'TestHubName';
    this.#pollIntervalMs = options.pollIntervalMs ?? POLL_INTERVAL_MS_DEFAULT;
    this.#leaseMs = options.leaseMs ?? LEASE_MS_DEFAULT;
    this.#maxActivities = options.maxConcurrentActivities ?? CONCURRENCY_DEFAULT;
    this.#maxOrchestrations = options.maxConcurrentOrchestrations ?? CONCURRENCY_DEFAULT;
    this.#log = options.log ?? (() => undefined);
    this.#logFault = options.log ?? ((message) => console.error(message));
    this.#host.provideInput('durableClient', () => this.clientBinding());
  }

  get taskHub(): string {
    return this.#taskHub;
  }

  /**
   * The durable client binding's value, as the extension hands it to `df.getClient`. The library
   * rewrites the webhook URLs to `localhost:7071` when WEBSITE_HOSTNAME is unset, but it calls
   * `rpcBaseUrl` as given, so every client call reaches this devhost on whatever port it serves.
   */
  clientBinding(): Record<string, unknown> {
    const base = `${this.#baseUrl()}${MANAGEMENT_PATH}`;
    const hub = encodeURIComponent(this.#taskHub);
    const query = `taskHub=${hub}&connection=Storage`;
    const instance = `${base}/instances/INSTANCEID`;
    return {
      taskHubName: this.#taskHub,
      creationUrls: {
        createNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]`,
        createAndWaitOnNewInstancePostUri: `${base}/orchestrators/{functionName}[/{instanceId}]?timeout={timeoutInSeconds}&pollingInterval={intervalInSeconds}`,
      },
      managementUrls: {
        id: 'INSTANCEID',
        statusQueryGetUri: `${instance}?${query}`,
        sendEventPostUri: `${instance}/raiseEvent/{eventName}?${query}`,
        terminatePostUri: `${instance}/terminate?reason={text}&${query}`,
        rewindPostUri: `${instance}/rewind?reason={text}&${query}`,
        purgeHistoryDeleteUri: `${instance}?${query}`,
        restartPostUri: `${instance}/restart?${query}`,
        suspendPostUri: `${instance}/suspend?reason={text}&${query}`,
        resumePostUri: `${instance}/resume?reason={text}&${query}`,
      },
      baseUrl: base,
      requiredQueryStringParameters: '',
      rpcBaseUrl: `${base}/`,
      httpBaseUrl: base,
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    const renewEveryMs = Math.max(50, Math.floor(this.#leaseMs / 3));
    this.#renewal = setInterval(() => void this.#renewLeases(), renewEveryMs);
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#wake();
    await this.#loop;
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
    clearInterval(this.#renewal);
    this.#renewal = undefined;
  }

  /**
   * Resolves when no runnable work remains: no due message an instance can take, no queued
   * activity, nothing running. Timers due later do not count.
   */
  async waitForIdle(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.#inFlight.size === 0) {
        const pending = await this.#store.pendingWork(new Date());
        if (pending.messages === 0 && pending.activities === 0 && this.#inFlight.size === 0) return;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Durable work was still pending after ${timeoutMs} ms.`);
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.#idleWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, 50));
        this.#idleWaiters.add(done);
      });
    }
  }

  /** Waits until the instance reaches a final status (Completed, Failed, Terminated). */
  async waitForCompletion(instanceId: string, timeoutMs = 30_000): Promise<InstanceStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.getStatus(instanceId);
      if (status && TERMINAL_STATUSES.includes(status.runtimeStatus)) return status;
      if (Date.now() > deadline)
        throw new Error(
          `Instance ${instanceId} is still ${status?.runtimeStatus ?? 'unknown'} after ${timeoutMs} ms.`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  // ---- Client operations (the management API and tests use these) -------------------------

  /**
   * Starts an orchestration. An id that belongs to an instance still pending or running is
   * refused (no second instance), like the extension with `overridableExistingInstanceStates:
   * NonRunningStates`; a finished instance with that id is replaced.
   */
  async startNew(name: string, options: StartOptions = {}): Promise<string> {
    const fn = this.#findFunction(name, 'orchestrationTrigger');
    if (!fn) throw new UnknownFunctionError(name);
    const instanceId = options.instanceId ?? randomUUID().replace(/-/g, '');
    const result = await this.#store.createInstance({
      instanceId,
      name: fn.name,
      version: options.version ?? '',
      input: toJsonText(options.input),
      now: new Date(),
    });
    if (!result.created) throw new InstanceExistsError(instanceId, result.status);
    this.#log(`durable: started ${fn.name} ${instanceId}`);
    this.#wake();
    return instanceId;
  }

  async getStatus(instanceId: string, options: StatusOptions = {}): Promise<InstanceStatus | undefined> {
    const row = await this.#store.getInstance(instanceId);
    if (!row) return undefined;
    const history = options.showHistory ? await this.#store.loadHistory(instanceId) : undefined;
    return toStatus(row, options, history);
  }

  /** The raw history of the instance's current execution, as the orchestrator replays it. */
  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    return (await this.#store.loadHistory(instanceId)).map((row) => row.event);
  }

  async listInstances(
    query: InstanceQuery = {},
    options: StatusOptions = {},
  ): Promise<{ items: InstanceStatus[]; next: InstanceRecord | undefined }> {
    const pageSize = query.pageSize ?? 100;
    const rows = await this.#store.listInstances({ ...query, pageSize: pageSize + 1 });
    const page = rows.slice(0, pageSize);
    return {
      items: page.map((row) => toStatus(row, options)),
      next: rows.length > pageSize ? page[page.length - 1] : undefined,
    };
  }

  /**
   * Lets `ms` of flow time pass at once (tests: a 72-hour approval deadline without the wait).
   * Timers and delayed retries due within it fire now, and from then on orchestrators' clock
   * (`currentUtcDateTime`) runs that far ahead of the wall clock, in this process.
   */
  async fastForward(ms: number): Promise<number> {
    this.#fastForwardedMs += ms;
    const moved = await this.#store.bringForward(new Date(), ms);
    this.#wake();
    return moved;
  }

  /** A turn ran on the flow's clock: its messages come due on the wall clock. */
  #broughtForward(commit: TurnCommit, now: Date): TurnCommit {
    return {
      ...commit,
      messages: commit.messages.map((m) => ({
        ...m,
        visibleAt: new Date(Math.max(now.getTime(), m.visibleAt.getTime() - this.#fastForwardedMs)),
      })),
    };
  }

  async raiseEvent(instanceId: string, eventName: string, data: unknown): Promise<ManagementOutcome> {
    const row = await this.#store.getInstance(instanceId);
    if (!row) return 'not-found';
    if (TERMINAL_STATUSES.includes(row.runtime_status)) return 'gone';
    const now = new Date();
    await this.#store.enqueue(
      instanceId,
      { ...event(EventType.EventRaised, now), Name: eventName, Input: toJsonText(data) },
      now,
    );
    this.#wake();
    return 'accepted';
  }

  async terminate(instanceId: string, reason?: string): Promise<ManagementOutcome> {
    return this.#control(instanceId, (now) => ({
      ...event(EventType.ExecutionTerminated, now),
      Input: reason ?? null,
    }));
  }

  async suspend(instanceId: string, reason?: string): Promise<ManagementOutcome> {
    return this.#control(instanceId, (now) => ({
      ...event(EventType.ExecutionSuspended, now),
      Reason: reason ?? null,
    }));
  }

  async resume(instanceId: string, reason?: string): Promise<ManagementOutcome> {
    return this.#control(instanceId, (now) => ({
      ...event(EventType.ExecutionResumed, now),
      Reason: reason ?? null,
    }));
  }

  /** Deletes a finished instance and its history; returns how many instances went (0 or 1). */
  async purge(instanceId: string): Promise<number> {
    return this.#store.purge(instanceId);
  }

  async purgeWhere(query: {
    createdTimeFrom: Date;
    createdTimeTo: Date;
    runtimeStatus?: RuntimeStatus[];
  }): Promise<number> {
    return this.#store.purgeWhere(query);
  }

  async handleHttp(req: ManagementRequest): Promise<ManagementResponse | undefined> {
    if (req.path !== MANAGEMENT_PATH && !req.path.startsWith(`${MANAGEMENT_PATH}/`)) return undefined;
    return handleManagementRequest(this, req.path.slice(MANAGEMENT_PATH.length), req);
  }

  async #control(instanceId: string, build: (now: Date) => HistoryEvent): Promise<ManagementOutcome> {
    const row = await this.#store.getInstance(instanceId);
    if (!row) return 'not-found';
    if (TERMINAL_STATUSES.includes(row.runtime_status)) return 'gone';
    const now = new Date();
    await this.#store.enqueue(instanceId, build(now), now);
    this.#wake();
    return 'accepted';
  }

  // ---- The work loop ------------------------------------------------------------------------

  #wake(): void {
    this.#wakeRequested = true;
    this.#wakeSleeper?.();
    for (const waiter of [...this.#idleWaiters]) waiter();
  }

  async #sleep(ms: number): Promise<void> {
    if (this.#wakeRequested) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wakeSleeper = done;
    });
    this.#wakeSleeper = undefined;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      this.#wakeRequested = false;
      let delayMs = this.#pollIntervalMs;
      try {
        const now = new Date();
        const leaseUntil = new Date(now.getTime() + this.#leaseMs);
        const turnSlots = this.#maxOrchestrations - this.#orchestrationsRunning;
        if (turnSlots > 0) {
          for (const instance of await this.#store.claimInstances(now, leaseUntil, turnSlots))
            this.#track(this.#runTurn(instance), 'orchestration');
        }
        const activitySlots = this.#maxActivities - this.#activitiesRunning;
        if (activitySlots > 0) {
          for (const activity of await this.#store.claimActivities(now, leaseUntil, activitySlots))
            this.#track(this.#runActivity(activity), 'activity');
        }
        const pending = await this.#store.pendingWork(new Date());
        if (pending.nextDueAt)
          delayMs = Math.min(delayMs, Math.max(0, pending.nextDueAt.getTime() - Date.now()));
      } catch (error) {
        this.#logFault(`durable: the work loop failed: ${describe(error)}`);
      }
      if (!this.#running) break;
      await this.#sleep(Math.min(delayMs, SLEEP_MS_MAX));
    }
  }

  #track(work: Promise<void>, kind: 'orchestration' | 'activity'): void {
    if (kind === 'orchestration') this.#orchestrationsRunning++;
    else this.#activitiesRunning++;
    const tracked = work
      .catch((error: unknown) => this.#logFault(`durable: ${kind} work failed: ${describe(error)}`))
      .finally(() => {
        if (kind === 'orchestration') this.#orchestrationsRunning--;
        else this.#activitiesRunning--;
        this.#inFlight.delete(tracked);
        this.#wake();
      });
    this.#inFlight.add(tracked);
  }

  async #renewLeases(): Promise<void> {
    if (this.#instanceLeases.size === 0 && this.#activityLeases.size === 0) return;
    try {
      await this.#store.renewLeases(
        [...this.#instanceLeases],
        [...this.#activityLeases],
        new Date(Date.now() + this.#leaseMs),
      );
    } catch (error) {
      this.#logFault(`durable: renewing leases failed: ${describe(error)}`);
    }
  }

  readonly #catalog: FunctionCatalog = {
    isActivity: (name) => this.#findFunction(name, 'activityTrigger') !== undefined,
    isOrchestrator: (name) => this.#findFunction(name, 'orchestrationTrigger') !== undefined,
  };

  /** Function names are case-insensitive in Azure Functions. */
  #findFunction(name: string, triggerType: string): RegisteredFunction | undefined {
    const wanted = triggerType.toLowerCase();
    const exact = this.#host.functions.get(name);
    if (exact && exact.trigger.type.toLowerCase() === wanted) return exact;
    const lower = name.toLowerCase();
    return this.#host.byTrigger(triggerType).find((fn) => fn.name.toLowerCase() === lower);
  }

  async #runTurn(instance: InstanceRecord): Promise<void> {
    const token = instance.lock_token as string;
    this.#instanceLeases.add(token);
    try {
      const now = new Date();
      const history: HistoryRow[] = await this.#store.loadHistory(instance.instance_id);
      const messages = await this.#store.loadDueMessages(instance.instance_id, now, MESSAGES_PER_TURN_MAX);
      const prepared = prepareTurn({
        instance: toInstanceState(instance),
        history,
        messages,
        // The flow's clock: the wall clock plus whatever time a test skipped.
        now: new Date(now.getTime() + this.#fastForwardedMs),
        functions: this.#catalog,
        newExecutionId: () => randomUUID(),
      });
      if (!prepared) {
        if (messages.length > 0)
          this.#logFault(
            `durable: ${instance.instance_id} has ${messages.length} message(s) it cannot take yet`,
          );
        await this.#store.releaseInstance(instance.instance_id, token);
        return;
      }
      let commit: TurnCommit;
      if (prepared.kind === 'commit') {
        commit = prepared.commit;
      } else {
        commit = prepared.finish(await this.#invokeOrchestrator(instance.name, prepared.trigger));
      }
      if (this.#fastForwardedMs > 0) commit = this.#broughtForward(commit, now);
      const committed = await this.#store.commitTurn(instance, token, commit, now);
      if (committed) this.#log(`durable: ${instance.name} ${instance.instance_id}: ${commit.summary}`);
      else
        this.#log(
          `durable: ${instance.name} ${instance.instance_id}: the lease expired during the turn; it will run again`,
        );
    } catch (error) {
      // The lease is kept and left to expire, so a turn that keeps failing (a database outage)
      // is retried after the lease time rather than in a tight loop.
      this.#logFault(`durable: turn of ${instance.instance_id} failed: ${describe(error)}`);
    } finally {
      this.#instanceLeases.delete(token);
    }
  }

  async #invokeOrchestrator(name: string, trigger: unknown): Promise<OrchestratorOutcome> {
    const fn = this.#findFunction(name, 'orchestrationTrigger');
    if (!fn)
      return {
        ok: false,
        error: new Error(
          `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`,
        ),
      };
    try {
      // The library turns timestamps into dates inside the trigger it gets: hand it a copy.
      const { result } = await this.#host.invoke(fn, structuredClone(trigger));
      // The worker sends the answer to the host as JSON; do the same (dates become strings).
      const state = JSON.parse(JSON.stringify(result ?? null)) as OrchestratorState | null;
      if (!state || !Array.isArray(state.actions))
        return { ok: false, error: new Error('The orchestrator function returned no orchestrator state.') };
      return { ok: true, state };
    } catch (error) {
      return { ok: false, error };
    }
  }

  async #runActivity(activity: ActivityRecord): Promise<void> {
    const token = activity.lock_token as string;
    this.#activityLeases.add(token);
    try {
      const outcome = await this.#executeActivity(activity);
      const committed = await this.#store.completeActivity(activity, token, outcome, new Date());
      const what = `durable: activity ${activity.name} of ${activity.instance_id} (task ${activity.task_id})`;
      if (committed)
        this.#log(`${what}: ${outcome.EventType === EventType.TaskCompleted ? 'completed' : 'failed'}`);
      else this.#log(`${what}: the lease expired; its result is discarded`);
    } finally {
      this.#activityLeases.delete(token);
    }
  }

  async #executeActivity(activity: ActivityRecord): Promise<HistoryEvent> {
    const now = (): Date => new Date();
    const failed = (failure: { Reason: string; Details: string }): HistoryEvent => ({
      ...event(EventType.TaskFailed, now()),
      TaskScheduledId: activity.task_id,
      Reason: failure.Reason,
      Details: failure.Details,
    });
    const fn = this.#findFunction(activity.name, 'activityTrigger');
    if (!fn)
      return failed(
        activityFailure(
          activity.name,
          new Error(
            `The function '${activity.name}' doesn't exist, is disabled, or is not an activity function.`,
          ),
        ),
      );
    if (activity.dequeue_count > ACTIVITY_DEQUEUES_MAX) {
      return failed(
        activityFailure(
          activity.name,
          new Error(
            `The activity was abandoned ${ACTIVITY_DEQUEUES_MAX} times (its worker stopped) and is not run again.`,
          ),
        ),
      );
    }
    try {
      const { result } = await this.#host.invoke(fn, fromJsonText(activity.input), {
        triggerMetadata: { instanceId: activity.instance_id },
      });
      return {
        ...event(EventType.TaskCompleted, now()),
        TaskScheduledId: activity.task_id,
        Result: toJsonText(result),
      };
    } catch (error) {
      return failed(activityFailure(activity.name, error));
    }
  }
}

export class UnknownFunctionError extends Error {
  constructor(readonly functionName: string) {
    super(`The function '${functionName}' doesn't exist, is disabled, or is not an orchestrator function.`);
  }
}

export class InstanceExistsError extends Error {
  constructor(
    readonly instanceId: string,
    readonly status: RuntimeStatus,
  ) {
    super(`An Orchestration instance with the status ${status} already exists.`);
  }
}

function event(type: number, timestamp: Date): HistoryEvent {
  return { EventType: type, EventId: -1, IsPlayed: false, Timestamp: timestamp.toISOString() };
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

function hubNameFromHostJson(): string | undefined {
  try {
    const hostJson = JSON.parse(readFileSync(path.join(process.cwd(), 'host.json'), 'utf8')) as {
      extensions?: { durableTask?: { hubName?: string } };
    };
    return hostJson.extensions?.durableTask?.hubName;
  } catch {
    return undefined;
  }
}
