import { z } from 'zod';
import { roleSchema } from '../../platform/auth/roles.js';
import { pageQuery } from '../../platform/http/pagination.js';
import { moneySchema } from '../../platform/money.js';

export const APPROVAL_STATUSES = ['pending', 'approved', 'rejected', 'expired', 'cancelled'] as const;

const personSchema = z.object({ objectId: z.string(), name: z.string() });

export const approvalSchema = z.object({
  id: z.uuid(),
  number: z.string(),
  status: z.enum(APPROVAL_STATUSES),
  subject: z.object({ type: z.string(), id: z.uuid(), number: z.string().nullable() }),
  title: z.string(),
  amount: moneySchema,
  baseAmount: moneySchema,
  reasons: z.array(z.string()).meta({
    description: 'Why a decision is needed: `over_threshold`, `over_credit_limit`, …',
  }),
  details: z.record(z.string(), z.unknown()),
  requiredRole: roleSchema,
  requestedBy: personSchema,
  flowInstanceId: z.string().nullable(),
  deadline: z.string(),
  escalatedAt: z.string().nullable(),
  decision: z
    .object({
      decision: z.enum(['approve', 'reject']),
      by: personSchema,
      at: z.string(),
      comment: z.string().nullable(),
    })
    .nullable(),
  closedAt: z.string().nullable(),
  canDecide: z.boolean().meta({ description: 'Whether the caller may decide it now' }),
  version: z.number().int(),
  createdAt: z.string(),
});
export type Approval = z.infer<typeof approvalSchema>;

export const decisionBodySchema = z.strictObject({
  decision: z.enum(['approve', 'reject']),
  comment: z.string().trim().min(1).max(1000).optional(),
});
export type DecisionInput = z.infer<typeof decisionBodySchema>;

export const approvalListQuerySchema = z.strictObject({
  ...pageQuery,
  status: z.enum(APPROVAL_STATUSES).optional(),
  view: z.enum(['inbox', 'requested', 'all']).default('inbox').meta({
    description:
      'inbox: what the caller may decide (the default); requested: what the caller asked for; all: every request (Admin, Auditor)',
  }),
  subjectType: z
    .string()
    .regex(/^[a-z]+\.[a-z-]+$/)
    .optional(),
  subjectId: z.uuid().optional(),
});
export type ApprovalListQuery = z.infer<typeof approvalListQuerySchema>;

export const approvalParamsSchema = z.strictObject({ id: z.uuid() });

/** What a flow asks to have decided. */
export interface ApprovalRequestInput {
  subject: { type: string; id: string; number?: string | null };
  title: string;
  amount: { amount: string; currency: string };
  baseAmount: string;
  reasons: string[];
  details?: Record<string, unknown>;
  requiredRole: z.infer<typeof roleSchema>;
  requestedBy: { objectId: string; name: string };
  flowInstanceId: string;
  deadline: string;
}
