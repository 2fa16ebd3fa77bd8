import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devObjectId } from '../../devhost/auth/dev-issuer.js';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { requestApproval, type Approval } from '../../shared/modules/approvals/index.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { eventPayloads } from '../accounting/trade-helpers.js';
import { startTestDevhost, type Api } from '../support/devhost.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
const [demo, acme] = [DEMO_TENANTS[0]!, DEMO_TENANTS[1]!];
const requester = { objectId: devObjectId(demo.entraTenantId, 'rita'), name: 'Rita Rep' };

let approver: Api;
let secondApprover: Api;
let rep: Api;
let ritaAsApprover: Api;
let otherTenantApprover: Api;
beforeAll(async () => {
  approver = await devhost.as('demo', 'fiona', ['Finance.Approver']);
  secondApprover = await devhost.as('demo', 'frank', ['Finance.Approver']);
  rep = await devhost.as('demo', 'sam', ['Sales.Rep']);
  ritaAsApprover = await devhost.as('demo', 'rita', ['Sales.Rep', 'Finance.Approver']);
  otherTenantApprover = await devhost.as('acme', 'anna', ['Finance.Approver']);
});

/** Opens a request the way a flow does. */
async function open(
  options: { amount?: string; deadlineInMs?: number; flow?: string } = {},
): Promise<Approval> {
  const subjectId = randomUUID();
  return withTenant(devhost.db, demo.id, (trx) =>
    requestApproval(
      trx,
      { tenantId: demo.id, objectId: 'system:test-flow', name: 'Quote to order' },
      {
        subject: { type: 'sales.quote', id: subjectId, number: 'QT-2026-000001' },
        title: 'Order for BuildCo over the approval threshold',
        amount: { amount: options.amount ?? '300000.00', currency: 'ZAR' },
        baseAmount: options.amount ?? '300000.00',
        reasons: ['over_threshold'],
        details: { customer: 'BuildCo' },
        requiredRole: 'Finance.Approver',
        requestedBy: requester,
        flowInstanceId: options.flow ?? randomUUID(),
        deadline: new Date(Date.now() + (options.deadlineInMs ?? 3_600_000)).toISOString(),
      },
    ),
  );
}

const decide = (api: Api, id: string, decision: 'approve' | 'reject', comment?: string) =>
  api.post(`/api/v1/approvals/${id}/decision`, { decision, ...(comment ? { comment } : {}) });

async function statusOf(id: string): Promise<string> {
  const row = await withTenant(devhost.db, demo.id, (trx) =>
    trx.selectFrom('approval_requests').select('status').where('id', '=', id).executeTakeFirstOrThrow(),
  );
  return row.status;
}

describe('approval requests', () => {
  it('are idempotent per flow and subject, numbered, and announced', async () => {
    const flow = randomUUID();
    const first = await open({ flow });
    const again = await withTenant(devhost.db, demo.id, (trx) =>
      requestApproval(
        trx,
        { tenantId: demo.id, objectId: 'system:test-flow', name: 'Quote to order' },
        {
          subject: first.subject,
          title: first.title,
          amount: first.amount,
          baseAmount: first.baseAmount.amount,
          reasons: first.reasons,
          requiredRole: 'Finance.Approver',
          requestedBy: requester,
          flowInstanceId: flow,
          deadline: first.deadline,
        },
      ),
    );
    expect(again.id).toBe(first.id);
    expect(first.number).toMatch(/^APR-\d{4}-\d{6}$/);
    const events = await eventPayloads(devhost, demo.id, 'approvals.ApprovalRequested');
    expect(events.filter((e) => e.approvalId === first.id)).toHaveLength(1);
  });

  it('appear in the inbox of those who may decide them, not of the requester or other roles', async () => {
    const request = await open();
    const inbox = await approver.get('/api/v1/approvals?status=pending&limit=200');
    expect(inbox.status).toBe(200);
    const mine = inbox.body.items.find((a: Approval) => a.id === request.id);
    expect(mine).toMatchObject({ status: 'pending', canDecide: true, requestedBy: requester });
    const ritas = await ritaAsApprover.get('/api/v1/approvals?status=pending&limit=200');
    expect(ritas.body.items.map((a: Approval) => a.id)).not.toContain(request.id);
    const requested = await ritaAsApprover.get('/api/v1/approvals?view=requested&limit=200');
    expect(requested.body.items.map((a: Approval) => a.id)).toContain(request.id);
    const reps = await rep.get('/api/v1/approvals?status=pending');
    expect(reps.body.items).toEqual([]);
    expect((await rep.get('/api/v1/approvals?view=all')).status).toBe(403);
    expect((await rep.get(`/api/v1/approvals/${request.id}`)).status).toBe(404);
  });

  it('are decided once, by an approver who did not ask, and the decision is announced', async () => {
    const request = await open();
    const approved = await decide(approver, request.id, 'approve', 'Good customer');
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({
      status: 'approved',
      decision: { decision: 'approve', comment: 'Good customer', by: { name: expect.any(String) } },
    });
    const second = await decide(secondApprover, request.id, 'reject');
    expect(second.status).toBe(409);
    expect(second.body.type).toContain('approvals/already_closed');
    const again = await decide(approver, request.id, 'reject');
    expect(again.status).toBe(409);
    expect(await statusOf(request.id)).toBe('approved');
    const decided = await eventPayloads(devhost, demo.id, 'approvals.ApprovalDecided');
    expect(decided.filter((e) => e.approvalId === request.id)).toEqual([
      expect.objectContaining({ decision: 'approve', flowInstanceId: request.flowInstanceId }),
    ]);
  });

  it('refuse a Sales.Rep, the requester, another tenant, a passed deadline, and an approver over their limit', async () => {
    const request = await open();
    const byRep = await decide(rep, request.id, 'approve');
    expect(byRep.status).toBe(403);
    expect(byRep.body.type).toContain('approvals/not_allowed');
    const byRequester = await decide(ritaAsApprover, request.id, 'approve');
    expect(byRequester.status).toBe(403);
    expect(byRequester.body.type).toContain('approvals/own_request');
    const byOtherTenant = await decide(otherTenantApprover, request.id, 'approve');
    expect(byOtherTenant.status).toBe(404);
    expect(acme.id).not.toBe(demo.id);

    const late = await open({ deadlineInMs: -1_000 });
    const tooLate = await decide(approver, late.id, 'approve');
    expect(tooLate.status).toBe(409);
    expect(tooLate.body.type).toContain('approvals/deadline_passed');

    // An approver limited to R 100 000 may reject a R 300 000 request but not approve it.
    const admin = await devhost.as('demo', 'ada', ['Admin']);
    const users = await admin.get('/api/v1/admin/users?limit=200');
    const frank = users.body.items.find(
      (u: { objectId: string }) => u.objectId === devObjectId(demo.entraTenantId, 'frank'),
    );
    const limited = await admin.patch(
      `/api/v1/admin/users/${frank.id}`,
      { approvalLimit: '100000.00' },
      { 'if-match': `"${frank.version}"` },
    );
    expect(limited.status, limited.text).toBe(200);
    expect(limited.body.approvalLimit).toBe('100000.00');
    const overLimit = await decide(secondApprover, request.id, 'approve');
    expect(overLimit.status).toBe(403);
    expect(overLimit.body.detail).toContain('ZAR 100000.00');
    expect(await statusOf(request.id)).toBe('pending');
    const rejected = await decide(secondApprover, request.id, 'reject', 'Too large for this customer');
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('rejected');
  });

  it('validate the decision body', async () => {
    const request = await open();
    const bad = await approver.post(`/api/v1/approvals/${request.id}/decision`, { decision: 'maybe' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('decision');
    const extra = await approver.post(`/api/v1/approvals/${request.id}/decision`, {
      decision: 'approve',
      status: 'approved',
    });
    expect(extra.status).toBe(400);
    expect(await statusOf(request.id)).toBe('pending');
  });
});
