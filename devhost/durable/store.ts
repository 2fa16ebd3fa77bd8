import { randomUUID } from 'node:crypto';
import { sql, type Generated, type Kysely, type Selectable, type Transaction } from 'kysely';
import { EventType, type HistoryEvent } from './protocol.js';
import {
  TERMINAL_STATUSES,
  executionStartedEvent,
  type EventMeta,
  type HistoryRow,
  type InboxMessage,
  type InstanceState,
  type RuntimeStatus,
  type TurnCommit,
} from './turn.js';

/**
 * Every query of the durable driver, against the devhost's own tables (schema `devhost`, no
 * tenant, no row-level security). Transactions are short and never wait on anything but their
 * own statements: PGlite has one connection, and activities use the same pool.
 */

interface DurableTables {
  'devhost.durable_instances': InstanceTable;
  'devhost.durable_history': {
    instance_id: string;
    sequence: number;
    execution_id: string;
    event: unknown;
    meta: unknown;
  };
  'devhost.durable_messages': {
    id: Generated<string>;
    instance_id: string;
    execution_id: string | null;
    event: unknown;
    visible_at: Date;
    created_at: Date;
  };
  'devhost.durable_activities': ActivityTable;
}

interface InstanceTable {
  instance_id: string;
  name: string;
  version: string;
  execution_id: string;
  runtime_status: RuntimeStatus;
  input: string | null;
  output: string | null;
  custom_status: string | null;
  parent_instance_id: string | null;
  parent_execution_id: string | null;
  parent_task_id: number | null;
  created_at: Date;
  last_updated_at: Date;
  completed_at: Date | null;
  lock_token: string | null;
  locked_until: Date | null;
}

interface ActivityTable {
  id: Generated<string>;
  instance_id: string;
  execution_id: string;
  task_id: number;
  name: string;
  input: string | null;
  visible_at: Date;
  lock_token: string | null;
  locked_until: Date | null;
  dequeue_count: Generated<number>;
  created_at: Date;
}

export type InstanceRecord = InstanceTable;
export type ActivityRecord = Selectable<ActivityTable>;

/** Rows one multi-row INSERT carries at most. */
const INSERT_CHUNK_ROWS = 500;
/** Instances one page of a status query returns at most. */
export const INSTANCES_PAGE_MAX = 1_000;

const ACTIVE_STATUSES: readonly RuntimeStatus[] = ['Pending', 'Running', 'Suspended', 'ContinuedAsNew'];

export class LeaseLostError extends Error {
  constructor(what: string) {
    super(`The lease on ${what} expired and another worker took it; this worker's result is discarded.`);
  }
}

export function toInstanceState(row: InstanceRecord): InstanceState {
  return {
    instanceId: row.instance_id,
    name: row.name,
    version: row.version,
    executionId: row.execution_id,
    runtimeStatus: row.runtime_status,
    input: row.input,
    customStatus: row.custom_status,
    parentInstanceId: row.parent_instance_id,
    parentExecutionId: row.parent_execution_id,
    parentTaskId: row.parent_task_id,
  };
}

export interface InstanceQuery {
  runtimeStatus?: RuntimeStatus[];
  createdTimeFrom?: Date;
  createdTimeTo?: Date;
  instanceIdPrefix?: string;
  pageSize?: number;
  /** Keyset of the last row of the previous page. */
  after?: { createdAt: Date; instanceId: string };
}

export class DurableStore {
  readonly #db: Kysely<DurableTables>;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the app's Kysely<DB> knows nothing of these tables.
  constructor(db: Kysely<any>) {
    this.#db = db as Kysely<DurableTables>;
  }

  /**
   * Creates an instance and its ExecutionStarted message. An instance with the same id that is
   * still active is left alone (the result names its status); a finished one is replaced, its
   * history purged, as the extension does.
   */
  async createInstance(args: {
    instanceId: string;
    name: string;
    version: string;
    input: string | null;
    now: Date;
  }): Promise<{ created: true; executionId: string } | { created: false; status: RuntimeStatus }> {
    return this.#db.transaction().execute(async (trx) => {
      const existing = await trx
        .selectFrom('devhost.durable_instances')
        .select('runtime_status')
        .where('instance_id', '=', args.instanceId)
        .forUpdate()
        .executeTakeFirst();
      if (existing && ACTIVE_STATUSES.includes(existing.runtime_status))
        return { created: false as const, status: existing.runtime_status };
      if (existing)
        await trx
          .deleteFrom('devhost.durable_instances')
          .where('instance_id', '=', args.instanceId)
          .execute();
      const executionId = randomUUID();
      await insertInstance(trx, { ...args, executionId, parent: undefined });
      return { created: true as const, executionId };
    });
  }

  async getInstance(instanceId: string): Promise<InstanceRecord | undefined> {
    return this.#db
      .selectFrom('devhost.durable_instances')
      .selectAll()
      .where('instance_id', '=', instanceId)
      .executeTakeFirst();
  }

  async listInstances(query: InstanceQuery): Promise<InstanceRecord[]> {
    let q = this.#db.selectFrom('devhost.durable_instances').selectAll();
    if (query.runtimeStatus && query.runtimeStatus.length > 0)
      q = q.where('runtime_status', 'in', query.runtimeStatus);
    if (query.createdTimeFrom) q = q.where('created_at', '>=', query.createdTimeFrom);
    if (query.createdTimeTo) q = q.where('created_at', '<=', query.createdTimeTo);
    if (query.instanceIdPrefix)
      q = q.where(sql<boolean>`starts_with(instance_id, ${query.instanceIdPrefix})`);
    if (query.after) {
      const after = query.after;
      q = q.where(
        sql<boolean>`(created_at, instance_id) > (${after.createdAt}::timestamptz, ${after.instanceId}::text)`,
      );
    }
    const limit = Math.min(Math.max(1, query.pageSize ?? 100), INSTANCES_PAGE_MAX);
    return q.orderBy('created_at').orderBy('instance_id').limit(limit).execute();
  }

  async loadHistory(instanceId: string): Promise<HistoryRow[]> {
    const rows = await this.#db
      .selectFrom('devhost.durable_history')
      .select(['sequence', 'event', 'meta'])
      .where('instance_id', '=', instanceId)
      .orderBy('sequence')
      .execute();
    return rows.map((r) => ({
      sequence: r.sequence,
      event: r.event as HistoryEvent,
      meta: (r.meta ?? null) as EventMeta | null,
    }));
  }

  async loadDueMessages(instanceId: string, now: Date, limit: number): Promise<InboxMessage[]> {
    const rows = await this.#db
      .selectFrom('devhost.durable_messages')
      .select(['id', 'execution_id', 'event'])
      .where('instance_id', '=', instanceId)
      .where('visible_at', '<=', now)
      // Start, terminate and resume come first even behind a long backlog of events: a turn must
      // see them to make progress (a suspended instance is only taken for a resume or terminate).
      .orderBy(
        sql`(event->>'EventType')::int in (${EventType.ExecutionStarted}, ${EventType.ExecutionTerminated}, ${EventType.ExecutionResumed})`,
        'desc',
      )
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: String(r.id),
      executionId: r.execution_id,
      event: r.event as HistoryEvent,
    }));
  }

  /**
   * Leases up to `limit` instances that have due messages and no live lease. A suspended instance
   * is only taken for a resume or a terminate. On a server, two workers racing for one instance
   * are serialised by the row lock, and the re-checked condition lets only the first win.
   */
  async claimInstances(now: Date, leaseUntil: Date, limit: number): Promise<InstanceRecord[]> {
    const result = await sql<InstanceRecord>`
      with candidates as (
        select m.instance_id, min(m.id) as first_id
        from devhost.durable_messages m
        join devhost.durable_instances i on i.instance_id = m.instance_id
        where m.visible_at <= ${now}
          and (i.locked_until is null or i.locked_until < ${now})
          and (i.runtime_status <> 'Suspended' or (m.event->>'EventType')::int in (${EventType.ExecutionTerminated}, ${EventType.ExecutionResumed}))
        group by m.instance_id
        order by first_id
        limit ${limit}
      )
      update devhost.durable_instances i
      set lock_token = gen_random_uuid(), locked_until = ${leaseUntil}
      from candidates c
      where i.instance_id = c.instance_id and (i.locked_until is null or i.locked_until < ${now})
      returning i.*`.execute(this.#db);
    return result.rows;
  }

  async releaseInstance(instanceId: string, lockToken: string): Promise<void> {
    await this.#db
      .updateTable('devhost.durable_instances')
      .set({ lock_token: null, locked_until: null })
      .where('instance_id', '=', instanceId)
      .where('lock_token', '=', lockToken)
      .execute();
  }

  /**
   * Commits a turn atomically if the worker still holds the instance's lease: consumed messages
   * leave the inbox in the same transaction that appends them to the history and schedules what
   * the orchestrator asked for. Returns false when the lease was lost (nothing is written).
   */
  async commitTurn(
    instance: InstanceRecord,
    lockToken: string,
    commit: TurnCommit,
    now: Date,
  ): Promise<boolean> {
    try {
      await this.#db.transaction().execute(async (trx) => {
        const held = await trx
          .updateTable('devhost.durable_instances')
          .set({ last_updated_at: now })
          .where('instance_id', '=', instance.instance_id)
          .where('lock_token', '=', lockToken)
          .where('execution_id', '=', instance.execution_id)
          .returning('instance_id')
          .executeTakeFirst();
        if (!held) throw new LeaseLostError(`instance ${instance.instance_id}`);
        const id = instance.instance_id;
        const oldExecution = instance.execution_id;
        const execution = commit.startNewExecution?.executionId ?? oldExecution;

        if (commit.deleteAllWork) {
          await trx.deleteFrom('devhost.durable_messages').where('instance_id', '=', id).execute();
          await trx.deleteFrom('devhost.durable_activities').where('instance_id', '=', id).execute();
        } else if (commit.deleteMessageIds.length > 0) {
          for (const ids of chunks(commit.deleteMessageIds, INSERT_CHUNK_ROWS)) {
            await trx.deleteFrom('devhost.durable_messages').where('id', 'in', ids).execute();
          }
        }
        if (commit.startNewExecution) {
          await trx.deleteFrom('devhost.durable_history').where('instance_id', '=', id).execute();
          await trx
            .deleteFrom('devhost.durable_messages')
            .where('instance_id', '=', id)
            .where('execution_id', '=', oldExecution)
            .execute();
          await trx
            .deleteFrom('devhost.durable_activities')
            .where('instance_id', '=', id)
            .where('execution_id', '=', oldExecution)
            .execute();
        }
        if (commit.cancelTimerIds.length > 0) {
          await sql`
            delete from devhost.durable_messages
            where instance_id = ${id} and execution_id = ${execution}
              and (event->>'EventType')::int = ${EventType.TimerFired}
              and (event->>'TimerId')::int = any(${commit.cancelTimerIds}::int[])`.execute(trx);
        }
        if (commit.appendHistory.length > 0) {
          const last = await trx
            .selectFrom('devhost.durable_history')
            .select(sql<number>`coalesce(max(sequence), -1)`.as('last'))
            .where('instance_id', '=', id)
            .executeTakeFirstOrThrow();
          let sequence = Number(last.last) + 1;
          const rows = commit.appendHistory.map((h) => ({
            instance_id: id,
            sequence: sequence++,
            execution_id: execution,
            event: JSON.stringify(h.event),
            meta: h.meta ? JSON.stringify(h.meta) : null,
          }));
          for (const chunk of chunks(rows, INSERT_CHUNK_ROWS))
            await trx.insertInto('devhost.durable_history').values(chunk).execute();
        }
        if (commit.activities.length > 0) {
          const rows = commit.activities.map((a) => ({
            instance_id: id,
            execution_id: execution,
            task_id: a.taskId,
            name: a.name,
            input: a.input,
            visible_at: now,
            created_at: now,
          }));
          for (const chunk of chunks(rows, INSERT_CHUNK_ROWS))
            await trx.insertInto('devhost.durable_activities').values(chunk).execute();
        }
        for (const child of commit.children) {
          const existing = await trx
            .selectFrom('devhost.durable_instances')
            .select('runtime_status')
            .where('instance_id', '=', child.instanceId)
            .forUpdate()
            .executeTakeFirst();
          if (existing && ACTIVE_STATUSES.includes(existing.runtime_status)) {
            // Durable Task refuses to start a sub-orchestration over a running instance: the
            // parent's task fails.
            await insertMessages(trx, [
              {
                instanceId: id,
                executionId: execution,
                event: {
                  EventType: EventType.SubOrchestrationInstanceFailed,
                  EventId: -1,
                  IsPlayed: false,
                  Timestamp: now.toISOString(),
                  TaskScheduledId: child.parentTaskId,
                  Reason: `An orchestration instance with the ID '${child.instanceId}' already exists and is ${existing.runtime_status}.`,
                  Details: '',
                },
                visibleAt: now,
              },
            ]);
            continue;
          }
          if (existing)
            await trx
              .deleteFrom('devhost.durable_instances')
              .where('instance_id', '=', child.instanceId)
              .execute();
          await insertInstance(trx, {
            instanceId: child.instanceId,
            name: child.name,
            version: child.version,
            input: child.input,
            now,
            executionId: child.executionId,
            parent: {
              instanceId: id,
              executionId: execution,
              name: instance.name,
              taskId: child.parentTaskId,
            },
          });
        }
        const own = commit.messages.filter((m) => m.instanceId === id);
        const others = commit.messages.filter((m) => m.instanceId !== id);
        await insertMessages(trx, own);
        for (const message of others) {
          // The parent may have been purged meanwhile: then the notification has no one to go to.
          await sql`
            insert into devhost.durable_messages (instance_id, execution_id, event, visible_at, created_at)
            select ${message.instanceId}, ${message.executionId}, ${JSON.stringify(message.event)}::jsonb, ${message.visibleAt}, ${now}
            where exists (select 1 from devhost.durable_instances where instance_id = ${message.instanceId})`.execute(
            trx,
          );
        }

        await trx
          .updateTable('devhost.durable_instances')
          .set({
            runtime_status: commit.status,
            last_updated_at: now,
            lock_token: null,
            locked_until: null,
            ...(commit.output !== undefined ? { output: commit.output } : {}),
            ...(commit.customStatus !== undefined ? { custom_status: commit.customStatus } : {}),
            ...(commit.completed ? { completed_at: now } : {}),
            ...(commit.startNewExecution
              ? { execution_id: commit.startNewExecution.executionId, input: commit.startNewExecution.input }
              : {}),
          })
          .where('instance_id', '=', id)
          .execute();
      });
      return true;
    } catch (error) {
      if (error instanceof LeaseLostError) return false;
      throw error;
    }
  }

  /** Leases up to `limit` due activity work items; an item whose lease expired is taken again. */
  async claimActivities(now: Date, leaseUntil: Date, limit: number): Promise<ActivityRecord[]> {
    const result = await sql<ActivityRecord>`
      update devhost.durable_activities a
      set lock_token = gen_random_uuid(), locked_until = ${leaseUntil}, dequeue_count = a.dequeue_count + 1
      where a.id in (
        select id from devhost.durable_activities
        where visible_at <= ${now} and (locked_until is null or locked_until < ${now})
        order by id
        limit ${limit}
        for update skip locked)
        and (a.locked_until is null or a.locked_until < ${now})
      returning a.*`.execute(this.#db);
    return result.rows;
  }

  /**
   * Records an activity's outcome: the work item is removed and its completion is queued to the
   * orchestrator in one transaction, so after a crash the activity is either still queued (and
   * runs again) or done (and never runs again). Returns false when the lease was lost.
   */
  async completeActivity(
    activity: ActivityRecord,
    lockToken: string,
    event: HistoryEvent,
    now: Date,
  ): Promise<boolean> {
    return this.#db.transaction().execute(async (trx) => {
      const removed = await trx
        .deleteFrom('devhost.durable_activities')
        .where('id', '=', activity.id)
        .where('lock_token', '=', lockToken)
        .returning(['instance_id', 'execution_id'])
        .executeTakeFirst();
      if (!removed) return false;
      await insertMessages(trx, [
        { instanceId: removed.instance_id, executionId: removed.execution_id, event, visibleAt: now },
      ]);
      return true;
    });
  }

  async renewLeases(instanceTokens: string[], activityTokens: string[], leaseUntil: Date): Promise<void> {
    if (instanceTokens.length > 0) {
      await sql`update devhost.durable_instances set locked_until = ${leaseUntil} where lock_token = any(${instanceTokens}::uuid[])`.execute(
        this.#db,
      );
    }
    if (activityTokens.length > 0) {
      await sql`update devhost.durable_activities set locked_until = ${leaseUntil} where lock_token = any(${activityTokens}::uuid[])`.execute(
        this.#db,
      );
    }
  }

  /** Adds a message to an instance's inbox (raise, terminate, suspend, resume). */
  async enqueue(instanceId: string, event: HistoryEvent, now: Date): Promise<void> {
    await insertMessages(this.#db, [{ instanceId, executionId: null, event, visibleAt: now }]);
  }

  async purge(instanceId: string): Promise<number> {
    const result = await this.#db
      .deleteFrom('devhost.durable_instances')
      .where('instance_id', '=', instanceId)
      .where('runtime_status', 'in', TERMINAL_STATUSES as RuntimeStatus[])
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async purgeWhere(query: {
    createdTimeFrom: Date;
    createdTimeTo: Date;
    runtimeStatus?: RuntimeStatus[];
  }): Promise<number> {
    const statuses = (
      query.runtimeStatus && query.runtimeStatus.length > 0 ? query.runtimeStatus : TERMINAL_STATUSES
    ).filter((s) => TERMINAL_STATUSES.includes(s));
    if (statuses.length === 0) return 0;
    const result = await this.#db
      .deleteFrom('devhost.durable_instances')
      .where('created_at', '>=', query.createdTimeFrom)
      .where('created_at', '<=', query.createdTimeTo)
      .where('runtime_status', 'in', statuses)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Makes every message due later than `now` (durable timers, delayed retries) due `ms` sooner, as
   * if that much time had passed; returns how many moved.
   */
  async bringForward(now: Date, ms: number): Promise<number> {
    const result = await sql`
      update devhost.durable_messages
      set visible_at = visible_at - make_interval(secs => ${ms / 1000})
      where visible_at > ${now}`.execute(this.#db);
    return Number(result.numAffectedRows ?? 0);
  }

  /**
   * What is left to do now: due messages an instance can take, queued activities (leased or
   * not), and when the next future message or activity becomes due.
   */
  async pendingWork(
    now: Date,
  ): Promise<{ messages: number; activities: number; nextDueAt: Date | undefined }> {
    const result = await sql<{ messages: string; activities: string; next_due_at: Date | null }>`
      select
        (select count(*) from devhost.durable_messages m
           join devhost.durable_instances i on i.instance_id = m.instance_id
           where m.visible_at <= ${now}
             and (i.runtime_status <> 'Suspended' or (m.event->>'EventType')::int in (${EventType.ExecutionTerminated}, ${EventType.ExecutionResumed})))::text as messages,
        (select count(*) from devhost.durable_activities where visible_at <= ${now})::text as activities,
        least(
          (select min(visible_at) from devhost.durable_messages where visible_at > ${now}),
          (select min(visible_at) from devhost.durable_activities where visible_at > ${now})
        ) as next_due_at`.execute(this.#db);
    const row = result.rows[0];
    return {
      messages: Number(row?.messages ?? 0),
      activities: Number(row?.activities ?? 0),
      nextDueAt: row?.next_due_at ? new Date(row.next_due_at) : undefined,
    };
  }
}

interface MessageInsert {
  instanceId: string;
  executionId: string | null;
  event: HistoryEvent;
  visibleAt: Date;
}

async function insertMessages(
  db: Kysely<DurableTables> | Transaction<DurableTables>,
  messages: MessageInsert[],
): Promise<void> {
  const rows = messages.map((m) => ({
    instance_id: m.instanceId,
    execution_id: m.executionId,
    event: JSON.stringify(m.event),
    visible_at: m.visibleAt,
    created_at: new Date(),
  }));
  for (const chunk of chunks(rows, INSERT_CHUNK_ROWS))
    await db.insertInto('devhost.durable_messages').values(chunk).execute();
}

async function insertInstance(
  trx: Transaction<DurableTables>,
  args: {
    instanceId: string;
    name: string;
    version: string;
    input: string | null;
    now: Date;
    executionId: string;
    parent: { instanceId: string; executionId: string; name: string; taskId: number } | undefined;
  },
): Promise<void> {
  await trx
    .insertInto('devhost.durable_instances')
    .values({
      instance_id: args.instanceId,
      name: args.name,
      version: args.version,
      execution_id: args.executionId,
      runtime_status: 'Pending',
      input: args.input,
      output: null,
      custom_status: null,
      parent_instance_id: args.parent?.instanceId ?? null,
      parent_execution_id: args.parent?.executionId ?? null,
      parent_task_id: args.parent?.taskId ?? null,
      created_at: args.now,
      last_updated_at: args.now,
      completed_at: null,
      lock_token: null,
      locked_until: null,
    })
    .execute();
  await insertMessages(trx, [
    {
      instanceId: args.instanceId,
      executionId: args.executionId,
      event: executionStartedEvent({
        instanceId: args.instanceId,
        executionId: args.executionId,
        name: args.name,
        version: args.version,
        input: args.input,
        timestamp: args.now,
        parent: args.parent,
      }),
      visibleAt: args.now,
    },
  ]);
}

function chunks<T>(items: T[], size: number): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += size) result.push(items.slice(i, i + size));
  return result;
}
