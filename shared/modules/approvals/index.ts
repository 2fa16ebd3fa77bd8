/** Approvals: requests for a person's decision that flows open and wait on, decided once. */
import './tables.js';

/** The external event a flow waiting for a decision receives; its payload is the `ApprovalDecided` event's. */
export const APPROVAL_DECIDED_EVENT = 'ApprovalDecided';

export {
  requestApproval,
  decideApproval,
  escalateApproval,
  closeApproval,
  getApproval,
  listApprovals,
  approvalOfFlow,
} from './service.js';
export type { Decider } from './service.js';
export { approvalErrors } from './errors.js';
export * from './schemas.js';
export type { ApprovalStatus } from './tables.js';
