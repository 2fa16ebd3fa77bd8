import { z } from 'zod';

/**
 * The parts of a Bot Framework activity the app reads. Teams sends many more fields; they are
 * kept (loose objects) and ignored. Lengths are bounded so a hostile body cannot make rows huge.
 */
const id = z.string().min(1).max(500);

const account = z.looseObject({
  id,
  name: z.string().max(500).optional(),
  aadObjectId: z.uuid().optional(),
});

export const activitySchema = z.looseObject({
  type: z.string().min(1).max(50),
  id: z.string().max(500).optional(),
  name: z.string().max(200).optional(),
  channelId: z.string().max(50),
  serviceUrl: z.url().max(500),
  from: account,
  recipient: account,
  conversation: z.looseObject({
    id,
    conversationType: z.string().max(50).optional(),
    tenantId: z.string().max(100).optional(),
  }),
  channelData: z
    .looseObject({
      tenant: z.looseObject({ id: z.string().max(100) }).optional(),
      team: z.looseObject({ id }).optional(),
      channel: z.looseObject({ id }).optional(),
    })
    .optional(),
  membersAdded: z.array(account).max(500).optional(),
  membersRemoved: z.array(account).max(500).optional(),
  action: z.string().max(50).optional(),
  replyToId: z.string().max(500).optional(),
  value: z.unknown().optional(),
});
export type Activity = z.infer<typeof activitySchema>;

const decisionData = z.looseObject({ approvalId: z.uuid() });

/** The value of an `adaptiveCard/action` invoke (Universal Actions). */
export const cardActionValueSchema = z.looseObject({
  action: z.looseObject({
    type: z.literal('Action.Execute'),
    verb: z.enum(['approve', 'reject', 'refresh']),
    data: decisionData.extend({ comment: z.string().max(1000).optional() }),
  }),
  trigger: z.enum(['manual', 'automatic']).optional(),
});

/** The value of the message an `Action.Submit` fallback sends (clients without Universal Actions). */
export const submitValueSchema = decisionData.extend({
  verb: z.enum(['approve', 'reject']),
  comment: z.string().max(1000).optional(),
});

export type CardVerb = 'approve' | 'reject' | 'refresh';

/** The Entra tenant of the conversation an activity comes from. */
export function conversationTenantOf(activity: Activity): string | undefined {
  return activity.channelData?.tenant?.id ?? activity.conversation.tenantId;
}
