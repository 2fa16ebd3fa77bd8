import { z } from 'zod';
import { pageQuery } from '../../platform/http/pagination.js';

export const notificationSchema = z.object({
  id: z.uuid(),
  /** Which template wrote it (`approval.requested`), for an icon or a filter. */
  template: z.string(),
  title: z.string(),
  body: z.string(),
  /** A path in the web app or an absolute URL; null when there is nothing to open. */
  link: z.string().nullable(),
  read: z.boolean(),
  readAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Notification = z.infer<typeof notificationSchema>;

export const notificationListQuerySchema = z.strictObject({
  ...pageQuery,
  /** `true`: only unread notifications. */
  unread: z
    .enum(['true', 'false'])
    .transform((v) => v === 'true')
    .optional(),
});
export type NotificationListQuery = z.infer<typeof notificationListQuerySchema>;

export const notificationParamsSchema = z.strictObject({ id: z.uuid() });

export const unreadCountSchema = z.object({ count: z.number().int().min(0) });
