import { sql, type Kysely } from 'kysely';

/**
 * Approvals: the one mechanism every flow that needs a person's decision uses (a large sales order,
 * a purchase order, leave). A request names what is to be decided, who may decide it (a role, and
 * the decider's own approval limit) and by when; it is decided once.
 *
 * What must never happen, and who stops it:
 * - a second decision, or a change after the decision: a trigger refuses every update of a
 *   request that is no longer pending;
 * - a decision without a decider, or a pending request with one: CHECK;
 * - one flow asking twice for the same thing (a retried activity): UNIQUE on flow and subject.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table approval_requests (
      tenant_id uuid not null references tenants(id),
      id uuid not null,
      number text not null,
      subject_type text not null check (subject_type ~ '^[a-z]+\\.[a-z-]+$'),
      subject_id uuid not null,
      subject_number text check (length(subject_number) between 1 and 60),
      title text not null check (length(title) between 1 and 200),
      amount numeric(19,4) not null check (amount >= 0),
      currency char(3) not null check (currency ~ '^[A-Z]{3}$'),
      base_amount numeric(19,4) not null check (base_amount >= 0),
      reasons text[] not null check (cardinality(reasons) between 1 and 10),
      details jsonb not null default '{}',
      required_role text not null,
      requested_by uuid not null,
      requested_by_name text not null,
      flow_instance_id text check (length(flow_instance_id) between 1 and 100),
      status text not null default 'pending'
        check (status in ('pending', 'approved', 'rejected', 'expired', 'cancelled')),
      deadline timestamptz not null,
      escalated_at timestamptz,
      decided_by uuid,
      decided_by_name text,
      decided_at timestamptz,
      comment text check (length(comment) <= 1000),
      version integer not null default 1,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      primary key (tenant_id, id),
      unique (tenant_id, number),
      unique (tenant_id, flow_instance_id, subject_type, subject_id),
      check ((status in ('approved', 'rejected')) = (decided_by is not null and decided_at is not null)),
      check (status = 'pending' or decided_at is not null)
    )`.execute(db);
  // Lists sort by number (the series allocates them in order of request; the unique key serves the
  // rest); the inbox reads the pending requests of the caller's roles.
  await sql`create index approval_requests_pending on approval_requests (tenant_id, required_role, number)
    where status = 'pending'`.execute(db);
  await sql`create index approval_requests_by_subject on approval_requests (tenant_id, subject_type, subject_id)`.execute(
    db,
  );
  await sql`
    create function approval_request_final() returns trigger language plpgsql as $$
    begin
      if old.status <> 'pending' then
        raise exception 'approval % is % and cannot change', old.number, old.status using errcode = '42501';
      end if;
      return new;
    end $$`.execute(db);
  await sql`create trigger approval_requests_final before update on approval_requests
    for each row execute function approval_request_final()`.execute(db);

  await sql`alter table approval_requests enable row level security`.execute(db);
  await sql`alter table approval_requests force row level security`.execute(db);
  await sql`create policy tenant_isolation on approval_requests to tessera_app
    using (tenant_id = app_current_tenant()) with check (tenant_id = app_current_tenant())`.execute(db);
  await sql`grant select, insert on approval_requests to tessera_app`.execute(db);
  await sql`grant update (status, escalated_at, decided_by, decided_by_name, decided_at, comment, version, updated_at)
    on approval_requests to tessera_app`.execute(db);

  // How much one approver may approve, in the tenant's base currency; none means no limit.
  await sql`alter table users add column approval_limit numeric(19,4) check (approval_limit >= 0)`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table users drop column if exists approval_limit`.execute(db);
  await sql`drop table if exists approval_requests`.execute(db);
  await sql`drop function if exists approval_request_final()`.execute(db);
}
