/**
 * Notifications: the signed-in user's notifications in the web app (the bell), the consumer that
 * notifies people of the events that concern them, and the email delivery timer.
 */
import { app } from '@azure/functions';
import { z } from 'zod';
import { readDocumentBytes } from '../shared/modules/documents/index.js';
import {
  configureAttachmentReader,
  deliverDueEmails,
  listNotifications,
  markAllNotificationsRead,
  markNotificationRead,
  mayNotify,
  notificationListQuerySchema,
  notificationParamsSchema,
  notificationSchema,
  notifyForEvent,
  NOTIFIED_EVENT_TYPES,
  nudgeEmailDelivery,
  purgeExpiredNotifications,
  unreadCountSchema,
  unreadNotificationCount,
} from '../shared/modules/notifications/index.js';
import { primaryDb } from '../shared/platform/db/database.js';
import { withTenant } from '../shared/platform/db/tenant.js';
import { defineConsumer } from '../shared/platform/events/consumer.js';
import { firstDelivery } from '../shared/platform/events/inbox.js';
import { defineRoute } from '../shared/platform/http/route.js';

// Email attachments are documents, read from their blob when the email is sent.
configureAttachmentReader(readDocumentBytes);

defineRoute({
  name: 'notifications-list',
  method: 'GET',
  route: 'v1/notifications',
  summary: "The signed-in user's notifications, newest first (`?unread=true` for the unread ones)",
  tags: ['notifications'],
  roles: 'any',
  query: notificationListQuerySchema,
  response: z.object({ items: z.array(notificationSchema), nextCursor: z.string().nullable() }),
  handler: async ({ trx, actor, query }) => ({ body: await listNotifications(trx, actor.userId, query) }),
});

defineRoute({
  name: 'notifications-unread-count',
  method: 'GET',
  route: 'v1/notifications/unread-count',
  summary: "How many of the signed-in user's notifications are unread (the bell's badge)",
  tags: ['notifications'],
  roles: 'any',
  response: unreadCountSchema,
  handler: async ({ trx, actor }) => ({ body: await unreadNotificationCount(trx, actor.userId) }),
});

defineRoute({
  name: 'notifications-read',
  method: 'POST',
  route: 'v1/notifications/{id:guid}/read',
  summary: "Marks one of the signed-in user's notifications read (again: no change)",
  tags: ['notifications'],
  roles: 'any',
  params: notificationParamsSchema,
  response: notificationSchema,
  handler: async ({ trx, actor, params }) => ({
    body: await markNotificationRead(trx, actor.userId, params.id),
  }),
});

defineRoute({
  name: 'notifications-read-all',
  method: 'POST',
  route: 'v1/notifications/read-all',
  summary: 'Marks every unread notification of the signed-in user read; answers how many were',
  tags: ['notifications'],
  roles: 'any',
  response: unreadCountSchema,
  handler: async ({ trx, actor }) => ({ body: await markAllNotificationsRead(trx, actor.userId) }),
});

const CONSUMER = 'notifications-from-events';

/**
 * Tells people about the events that concern them. The event id goes into the inbox in the same
 * transaction as the notifications, so a redelivered event notifies no one twice; after the
 * commit, the email worker is nudged to send at once when emails were queued. An event that
 * concerns nobody (an order confirmed in front of the one who entered it) opens no transaction.
 */
defineConsumer({
  name: CONSUMER,
  subscription: 'notifications',
  eventTypes: NOTIFIED_EVENT_TYPES,
  handleOutsideTransaction: async (event) => {
    if (!mayNotify(event)) return;
    const emails = await withTenant(primaryDb(), event.tenantId, async (trx) => {
      if (!(await firstDelivery(trx, event.tenantId, CONSUMER, event.id))) return 0;
      return notifyForEvent(trx, event);
    });
    if (emails > 0) nudgeEmailDelivery();
  },
});

/** Sends the emails a nudge missed, and retries the ones whose back-off has passed. */
app.timer('notifications-email-delivery', {
  schedule: '*/30 * * * * *',
  handler: async (_timer, context) => {
    const run = await deliverDueEmails();
    if (run.sent + run.retrying + run.failed > 0)
      context.log(`email delivery: ${run.sent} sent, ${run.retrying} to retry, ${run.failed} failed`);
  },
});

/** Old read notifications and the records of emails long sent go, daily, in bounded batches. */
app.timer('notifications-cleanup', {
  schedule: '0 41 3 * * *',
  handler: async (_timer, context) => {
    const deleted = await purgeExpiredNotifications(primaryDb());
    if (deleted > 0) context.log(`deleted ${deleted} expired notifications and email records`);
  },
});
