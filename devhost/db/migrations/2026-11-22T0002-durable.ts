import { sql, type Kysely } from 'kysely';

/**
 * The devhost's Durable Functions backend.
 *
 * `durable_instances` holds one row per orchestration instance: its current execution, runtime
 * status, input, output and custom status, and the lease of the worker running its next turn.
 * `durable_history` is the history of the current execution, in the order the orchestrator
 * replays it; `meta` is the driver's own bookkeeping for an event (retry chains, roots of actions)
 * and is never shown to the orchestrator. `durable_messages` is each instance's inbox: start,
 * task completions, timers (invisible until due), raised events, terminate, suspend and resume.
 * `durable_activities` is the activity work queue, leased while an activity runs.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table devhost.durable_instances (
      instance_id text primary key,
      name text not null,
      version text not null default '',
      execution_id text not null,
      runtime_status text not null
        check (runtime_status in ('Pending', 'Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Terminated', 'Suspended')),
      input text,
      output text,
      custom_status text,
      parent_instance_id text,
      parent_execution_id text,
      parent_task_id integer,
      created_at timestamptz not null,
      last_updated_at timestamptz not null,
      completed_at timestamptz,
      lock_token uuid,
      locked_until timestamptz,
      check ((lock_token is null) = (locked_until is null)),
      check ((parent_instance_id is null) = (parent_task_id is null))
    )`.execute(db);
  await sql`create index durable_instances_created on devhost.durable_instances (created_at, instance_id)`.execute(
    db,
  );
  await sql`create index durable_instances_status on devhost.durable_instances (runtime_status)`.execute(db);

  await sql`
    create table devhost.durable_history (
      instance_id text not null references devhost.durable_instances (instance_id) on delete cascade,
      sequence integer not null check (sequence >= 0),
      execution_id text not null,
      event jsonb not null,
      meta jsonb,
      primary key (instance_id, sequence)
    )`.execute(db);

  await sql`
    create table devhost.durable_messages (
      id bigserial primary key,
      instance_id text not null references devhost.durable_instances (instance_id) on delete cascade,
      execution_id text,
      event jsonb not null,
      visible_at timestamptz not null,
      created_at timestamptz not null
    )`.execute(db);
  await sql`create index durable_messages_due on devhost.durable_messages (visible_at)`.execute(db);
  await sql`create index durable_messages_instance on devhost.durable_messages (instance_id, id)`.execute(db);

  await sql`
    create table devhost.durable_activities (
      id bigserial primary key,
      instance_id text not null references devhost.durable_instances (instance_id) on delete cascade,
      execution_id text not null,
      task_id integer not null check (task_id >= 0),
      name text not null,
      input text,
      visible_at timestamptz not null,
      lock_token uuid,
      locked_until timestamptz,
      dequeue_count integer not null default 0 check (dequeue_count >= 0),
      created_at timestamptz not null,
      unique (instance_id, execution_id, task_id),
      check ((lock_token is null) = (locked_until is null))
    )`.execute(db);
  await sql`create index durable_activities_due on devhost.durable_activities (visible_at, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists devhost.durable_activities`.execute(db);
  await sql`drop table if exists devhost.durable_messages`.execute(db);
  await sql`drop table if exists devhost.durable_history`.execute(db);
  await sql`drop table if exists devhost.durable_instances`.execute(db);
}
