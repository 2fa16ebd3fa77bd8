import { randomUUID } from 'node:crypto';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { requestApproval, type Approval } from '../../shared/modules/approvals/index.js';
import type { Db } from '../../shared/platform/db/database.js';
import { withTenant } from '../../shared/platform/db/tenant.js';

/**
 * Opens an approval request in the demo tenant as a flow does (only flows open them), asked for by
 * someone else, so any test user holding Finance.Approver may decide it.
 */
export function openApprovalRequest(db: Db, title: string): Promise<Approval> {
  const tenantId = DEMO_TENANTS[0]!.id;
  return withTenant(db, tenantId, (trx) =>
    requestApproval(
      trx,
      { tenantId, objectId: 'system:tests', name: 'Tests' },
      {
        subject: { type: 'sales.quote', id: randomUUID() },
        title,
        amount: { amount: '1.00', currency: 'ZAR' },
        baseAmount: '1.00',
        reasons: ['over_threshold'],
        requiredRole: 'Finance.Approver',
        requestedBy: { objectId: randomUUID(), name: 'Someone else' },
        flowInstanceId: randomUUID(),
        deadline: new Date(Date.now() + 86_400_000).toISOString(),
      },
    ),
  );
}
