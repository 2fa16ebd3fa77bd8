import { randomUUID } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Role } from '../../platform/auth/roles.js';
import { now } from '../../platform/clock.js';
import type { Tx } from '../../platform/db/database.js';
import { emit } from '../../platform/events/outbox.js';
import { decodeCursor, toPage, type Page } from '../../platform/http/pagination.js';
import { Decimal } from '../../platform/money.js';
import { nextDocumentNumber } from '../../platform/numbers.js';
import { z } from 'zod';
import { approvalErrors as errors } from './errors.js';
import type { Approval, ApprovalListQuery, ApprovalRequestInput, DecisionInput } from './schemas.js';
import type { ApprovalRequestsTable, ApprovalStatus } from './tables.js';
import { recordApprovalLatency } from '../../platform/telemetry/metrics.js';

type Row = Selectable<ApprovalRequestsTable>;

/** Who is looking at or deciding a request. */
export interface Decider extends AuditActor {
  roles: readonly Role[];
}

const MONEY_PLACES = 2;
const amountText = (value: string) => new Decimal(value).toFixed(MONEY_PLACES);

async function baseCurrency(trx: Tx): Promise<string> {
  const row = await trx.selectFrom('tenants').select('base_currency').executeTakeFirstOrThrow();
  return row.base_currency;
}

async function approvalLimitOf(trx: Tx, objectId: string): Promise<InstanceType<typeof Decimal> | null> {
  const row = await trx
    .selectFrom('users')
    .select('approval_limit')
    .where('object_id', '=', objectId)
    .executeTakeFirst();
  return row?.approval_limit != null ? new Decimal(row.approval_limit) : null;
}

/** Why `decider` may not decide `row` now, or undefined when they may. */
function refusal(
  row: Row,
  decider: Decider,
  limit: InstanceType<typeof Decimal> | null,
  decision: 'approve' | 'reject',
  at: Date,
  base: string,
) {
  if (row.status !== 'pending') return errors.alreadyClosed(row.status, row.decided_by_name);
  if (!decider.roles.includes(row.required_role as Role)) return errors.notAllowed(row.required_role);
  if (row.requested_by === decider.objectId) return errors.ownRequest();
  if (row.deadline.getTime() <= at.getTime()) return errors.deadlinePassed();
  if (decision === 'approve' && limit && new Decimal(row.base_amount).greaterThan(limit))
    return errors.overLimit(limit.toFixed(MONEY_PLACES), base);
  return undefined;
}

function toApproval(row: Row, base: string, canDecide: boolean): Approval {
  const decided = row.status === 'approved' || row.status === 'rejected';
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    subject: { type: row.subject_type, id: row.subject_id, number: row.subject_number },
    title: row.title,
    amount: { amount: amountText(row.amount), currency: row.currency },
    baseAmount: { amount: amountText(row.base_amount), currency: base },
    reasons: row.reasons,
    details: (row.details ?? {}) as Record<string, unknown>,
    requiredRole: row.required_role as Role,
    requestedBy: { objectId: row.requested_by, name: row.requested_by_name },
    flowInstanceId: row.flow_instance_id,
    deadline: row.deadline.toISOString(),
    escalatedAt: row.escalated_at?.toISOString() ?? null,
    decision: decided
      ? {
          decision: row.status === 'approved' ? 'approve' : 'reject',
          by: { objectId: row.decided_by ?? '', name: row.decided_by_name ?? '' },
          at: row.decided_at?.toISOString() ?? '',
          comment: row.comment,
        }
      : null,
    closedAt: row.status === 'pending' ? null : (row.decided_at?.toISOString() ?? null),
    canDecide,
    version: row.version,
    createdAt: row.created_at.toISOString(),
  };
}

/**
 * Opens a request for a decision, for a flow. Idempotent by flow and subject: a retried activity
 * gets the request it already opened.
 */
export async function requestApproval(
  trx: Tx,
  actor: AuditActor,
  input: ApprovalRequestInput,
): Promise<Approval> {
  const existing = await trx
    .selectFrom('approval_requests')
    .selectAll()
    .where('flow_instance_id', '=', input.flowInstanceId)
    .where('subject_type', '=', input.subject.type)
    .where('subject_id', '=', input.subject.id)
    .executeTakeFirst();
  const base = await baseCurrency(trx);
  if (existing) return toApproval(existing, base, false);
  const created = now();
  const number = await nextDocumentNumber(trx, actor.tenantId, 'APR', created.toISOString().slice(0, 10));
  const row = await trx
    .insertInto('approval_requests')
    .values({
      tenant_id: actor.tenantId,
      id: randomUUID(),
      number,
      subject_type: input.subject.type,
      subject_id: input.subject.id,
      subject_number: input.subject.number ?? null,
      title: input.title,
      amount: input.amount.amount,
      currency: input.amount.currency,
      base_amount: input.baseAmount,
      reasons: input.reasons,
      details: JSON.stringify(input.details ?? {}),
      required_role: input.requiredRole,
      requested_by: input.requestedBy.objectId,
      requested_by_name: input.requestedBy.name,
      flow_instance_id: input.flowInstanceId,
      deadline: new Date(input.deadline),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(trx, actor, {
    action: 'approval.requested',
    entityType: 'approval',
    entityId: row.id,
    details: { subject: input.subject, reasons: input.reasons, amount: input.amount },
  });
  await emit(trx, actor.tenantId, 'approvalRequested', {
    approvalId: row.id,
    number: row.number,
    subject: { type: row.subject_type, id: row.subject_id, number: row.subject_number },
    title: row.title,
    amount: amountText(row.amount),
    currency: row.currency,
    reasons: row.reasons,
    requiredRole: row.required_role,
    requestedBy: input.requestedBy,
    deadline: row.deadline.toISOString(),
    flowInstanceId: row.flow_instance_id,
  });
  return toApproval(row, base, false);
}

/**
 * Records a decision: once, by a user of the tenant with the required role who did not ask for
 * it, within the limit they may approve, before the deadline. The row is locked first, so two
 * approvers deciding at once cannot both win; the loser is told who decided.
 */
export async function decideApproval(
  trx: Tx,
  decider: Decider,
  id: string,
  input: DecisionInput,
): Promise<Approval> {
  const row = await trx
    .selectFrom('approval_requests')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw errors.notFound();
  const at = now();
  const limit = await approvalLimitOf(trx, decider.objectId);
  const base = await baseCurrency(trx);
  const refused = refusal(row, decider, limit, input.decision, at, base);
  if (refused) throw refused;
  const status: ApprovalStatus = input.decision === 'approve' ? 'approved' : 'rejected';
  const updated = await trx
    .updateTable('approval_requests')
    .set({
      status,
      decided_by: decider.objectId,
      decided_by_name: decider.name,
      decided_at: at,
      comment: input.comment ?? null,
      version: sql<number>`version + 1`,
      updated_at: at,
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  recordApprovalLatency((at.getTime() - row.created_at.getTime()) / 1_000, {
    subject: row.subject_type,
    outcome: status,
  });
  await recordAudit(trx, decider, {
    action: `approval.${status}`,
    entityType: 'approval',
    entityId: id,
    details: { comment: input.comment ?? null, subject: { type: row.subject_type, id: row.subject_id } },
  });
  await emit(trx, decider.tenantId, 'approvalDecided', {
    approvalId: id,
    number: updated.number,
    subject: { type: updated.subject_type, id: updated.subject_id, number: updated.subject_number },
    decision: input.decision,
    decidedBy: { objectId: decider.objectId, name: decider.name },
    decidedAt: at.toISOString(),
    comment: updated.comment,
    flowInstanceId: updated.flow_instance_id,
  });
  return toApproval(updated, base, false);
}

async function lockedForFlow(trx: Tx, id: string): Promise<Row> {
  const row = await trx
    .selectFrom('approval_requests')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw errors.notFound();
  return row;
}

/** Marks a pending request escalated (once) and reminds its approvers. */
export async function escalateApproval(trx: Tx, actor: AuditActor, id: string): Promise<Approval> {
  const row = await lockedForFlow(trx, id);
  const base = await baseCurrency(trx);
  if (row.status !== 'pending' || row.escalated_at) return toApproval(row, base, false);
  const at = now();
  const updated = await trx
    .updateTable('approval_requests')
    .set({ escalated_at: at, version: sql<number>`version + 1`, updated_at: at })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  await recordAudit(trx, actor, { action: 'approval.escalated', entityType: 'approval', entityId: id });
  await emit(trx, actor.tenantId, 'approvalEscalated', {
    approvalId: id,
    number: updated.number,
    requiredRole: updated.required_role,
    deadline: updated.deadline.toISOString(),
  });
  return toApproval(updated, base, false);
}

/**
 * Ends a request that is still pending, as expired (its deadline passed) or cancelled (its flow
 * withdrew it). A request already decided keeps its decision, and the caller gets it: a decision
 * that committed a moment before the deadline fired still counts.
 */
export async function closeApproval(
  trx: Tx,
  actor: AuditActor,
  id: string,
  status: 'expired' | 'cancelled',
): Promise<Approval> {
  const row = await lockedForFlow(trx, id);
  const base = await baseCurrency(trx);
  if (row.status !== 'pending') return toApproval(row, base, false);
  const at = now();
  const updated = await trx
    .updateTable('approval_requests')
    .set({ status, decided_at: at, version: sql<number>`version + 1`, updated_at: at })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  recordApprovalLatency((at.getTime() - row.created_at.getTime()) / 1_000, {
    subject: row.subject_type,
    outcome: status,
  });
  await recordAudit(trx, actor, { action: `approval.${status}`, entityType: 'approval', entityId: id });
  await emit(trx, actor.tenantId, 'approvalClosed', {
    approvalId: id,
    number: updated.number,
    status,
    flowInstanceId: updated.flow_instance_id,
  });
  return toApproval(updated, base, false);
}

export async function getApproval(trx: Tx, viewer: Decider, id: string): Promise<Approval> {
  const row = await trx.selectFrom('approval_requests').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row || !mayView(row, viewer)) throw errors.notFound();
  const limit = await approvalLimitOf(trx, viewer.objectId);
  const base = await baseCurrency(trx);
  return toApproval(row, base, refusal(row, viewer, limit, 'approve', now(), base) === undefined);
}

const OVERSEERS: readonly Role[] = ['Admin', 'Auditor'];

/** Approvers with the role, the requester, and those who oversee everything may see a request. */
function mayView(row: Row, viewer: Decider): boolean {
  return (
    viewer.roles.some((r) => OVERSEERS.includes(r)) ||
    viewer.roles.includes(row.required_role as Role) ||
    row.requested_by === viewer.objectId
  );
}

const cursorSchema = z.tuple([z.string()]);

/**
 * Lists requests. The inbox (the default view) holds what the caller may decide: requests for a
 * role they have that they did not ask for themselves; pending ones oldest first, as a queue.
 */
export async function listApprovals(
  trx: Tx,
  viewer: Decider,
  query: ApprovalListQuery,
): Promise<Page<Approval>> {
  if (query.view === 'all' && !viewer.roles.some((r) => OVERSEERS.includes(r))) throw errors.viewNotAllowed();
  const oldestFirst = query.status === 'pending';
  const after = decodeCursor(query.cursor, cursorSchema);
  let select = trx.selectFrom('approval_requests').selectAll();
  if (query.view === 'inbox') {
    if (viewer.roles.length === 0) return { items: [], nextCursor: null };
    select = select
      .where('required_role', 'in', [...viewer.roles])
      .where('requested_by', '<>', viewer.objectId);
  } else if (query.view === 'requested') {
    select = select.where('requested_by', '=', viewer.objectId);
  }
  if (query.status) select = select.where('status', '=', query.status);
  if (query.subjectType) select = select.where('subject_type', '=', query.subjectType);
  if (query.subjectId) select = select.where('subject_id', '=', query.subjectId);
  // Numbers come from the tenant's series in the order requests are made, so they are the sort key.
  if (after) select = select.where('number', oldestFirst ? '>' : '<', after[0]);
  const rows = await select
    .orderBy('number', oldestFirst ? 'asc' : 'desc')
    .limit(query.limit + 1)
    .execute();
  const base = await baseCurrency(trx);
  const limit = await approvalLimitOf(trx, viewer.objectId);
  const at = now();
  return toPage(
    rows,
    query.limit,
    (row) => toApproval(row, base, refusal(row, viewer, limit, 'approve', at, base) === undefined),
    (row) => [row.number],
  );
}

/** The request a flow opened for a subject, if any (a resumed flow looks before it asks again). */
export async function approvalOfFlow(trx: Tx, flowInstanceId: string): Promise<Approval | undefined> {
  const row = await trx
    .selectFrom('approval_requests')
    .selectAll()
    .where('flow_instance_id', '=', flowInstanceId)
    .executeTakeFirst();
  return row ? toApproval(row, await baseCurrency(trx), false) : undefined;
}
