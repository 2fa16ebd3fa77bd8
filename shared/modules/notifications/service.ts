/**
 * Notifications: one service that tells people things, by template, in their locale, in the web
 * app (the bell) and by email. `notify` writes in the caller's tenant transaction, so a
 * notification exists exactly when the change it announces does; email goes out afterwards, from
 * `notification_deliveries`, retried until sent (see delivery.ts).
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Db, Tx } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import { decodeCursor, toPage, type Page } from '../../platform/http/pagination.js';
import { logger } from '../../platform/telemetry/logger.js';
import {
  countUnread,
  deleteExpired,
  insertDelivery,
  insertNotification,
  listForUser,
  markAllRead as markAllReadRows,
  markRead as markReadRow,
  tenantContext,
  usersById,
  type NotificationRow,
} from './repository.js';
import type { Notification, NotificationListQuery } from './schemas.js';
import { isTemplateName, renderTemplate, TEMPLATE_NAMES, templateLocale } from './templates.js';

export type NotificationChannel = 'email' | 'inApp';
export type NotificationRecipient =
  | { userId: string } // a user of the tenant (users.id); in-app and/or email to users.email
  | { email: string; name?: string }; // an outside address (a customer); email only

export interface NotifyInput {
  tenantId: string;
  /** Idempotency: the same key (with the same recipient and channel) never creates a second notification. Usually `${eventId}` or `${eventId}:${purpose}`. */
  key: string;
  template: string; // e.g. 'invoice.issued', 'report.ready', 'approval.requested'
  /** Template variables; money as { amount: string, currency: string }, dates as ISO strings: the template formats them in the locale. */
  data: Record<string, unknown>;
  recipients: NotificationRecipient[];
  channels: NotificationChannel[];
  /** Optional locale; default: the recipient user's tenant locale (tenants.locale). */
  locale?: string;
  /** A link in the web app (path like '/sales/orders/…') or an absolute URL (a SAS link). */
  link?: string;
  /** Email attachments, read from the documents blob at send time (never stored in the DB). */
  attachments?: Array<{ documentId: string }>;
}

/** A notification has at most this many recipients: a bigger audience is a mailing, not this. */
const RECIPIENTS_MAX = 500;
const ATTACHMENTS_MAX = 10;
/** Template data is a few names and figures; a file belongs in an attachment. */
const DATA_BYTES_MAX = 64 * 1024;

const notifyInputSchema = z.strictObject({
  tenantId: z.uuid(),
  key: z.string().min(1).max(300),
  template: z.enum(TEMPLATE_NAMES),
  data: z
    .record(z.string(), z.unknown())
    .refine((d) => Buffer.byteLength(JSON.stringify(d)) <= DATA_BYTES_MAX, {
      message: `At most ${DATA_BYTES_MAX} bytes of template data`,
    }),
  recipients: z
    .array(
      z.union([
        z.strictObject({ userId: z.uuid() }),
        z.strictObject({ email: z.email().max(320), name: z.string().max(200).optional() }),
      ]),
    )
    .max(RECIPIENTS_MAX),
  channels: z.array(z.enum(['email', 'inApp'])).min(1),
  locale: z.string().min(2).max(35).optional(),
  link: z
    .string()
    .max(4000)
    .refine(
      (l) => l.startsWith('/') || /^https:\/\//i.test(l) || /^http:\/\/(localhost|127\.0\.0\.1)[:/]/i.test(l),
      {
        message: 'A path in the web app or an https URL',
      },
    )
    .optional(),
  attachments: z
    .array(z.strictObject({ documentId: z.uuid() }))
    .max(ATTACHMENTS_MAX)
    .optional(),
});

/**
 * Writes the notifications and their pending deliveries in the caller's tenant transaction.
 * Returns how many email deliveries it wrote: none means there is nothing for the sender to do.
 */
export async function notify(trx: Tx, input: NotifyInput): Promise<number> {
  const parsed = notifyInputSchema.safeParse(input);
  if (!parsed.success) throw new Error(`notify(): ${z.prettifyError(parsed.error)}`, { cause: parsed.error });
  const n = parsed.data;
  if (!isTemplateName(n.template)) throw new Error(`notify(): no template ${n.template}.`);
  if (n.recipients.length === 0) return 0;
  const tenant = await tenantContext(trx);
  const locale = templateLocale(n.locale ?? tenant.locale);
  const inApp = n.channels.includes('inApp');
  const email = n.channels.includes('email');
  const link = n.link ?? null;
  const attachments = n.attachments ?? [];
  let emails = 0;

  const userIds = [...new Set(n.recipients.flatMap((r) => ('userId' in r ? [r.userId] : [])))];
  const users = await usersById(trx, userIds);
  const missing = userIds.filter((id) => !users.some((u) => u.id === id));
  if (missing.length > 0) logger().warn('notify(): recipients are not users of the tenant', { missing });

  // The in-app text is written once, in the tenant's (or the asked) locale: it is what the bell shows.
  const rendered = inApp
    ? renderTemplate(n.template, n.data, { locale, timeZone: tenant.timeZone, link })
    : undefined;
  for (const user of users) {
    if (!user.active) continue;
    if (rendered)
      await insertNotification(trx, {
        tenantId: n.tenantId,
        id: randomUUID(),
        key: n.key,
        userId: user.id,
        template: n.template,
        title: rendered.title.slice(0, 500),
        body: rendered.body.slice(0, 4000),
        link,
      });
    if (email && user.email)
      emails += Number(
        await insertDelivery(trx, {
          tenantId: n.tenantId,
          id: randomUUID(),
          key: n.key,
          recipient: user.email.toLowerCase(),
          recipientName: user.name,
          userId: user.id,
          locale,
          template: n.template,
          data: n.data,
          link,
          attachments,
        }),
      );
  }
  if (email) {
    for (const recipient of n.recipients) {
      if (!('email' in recipient)) continue;
      emails += Number(
        await insertDelivery(trx, {
          tenantId: n.tenantId,
          id: randomUUID(),
          key: n.key,
          recipient: recipient.email.toLowerCase(),
          recipientName: recipient.name ?? null,
          userId: null,
          locale,
          template: n.template,
          data: n.data,
          link,
          attachments,
        }),
      );
    }
  }
  return emails;
}

const notFound = () =>
  new AppError('not_found', 'notifications.not_found', 'The notification does not exist.');

function toNotification(row: NotificationRow): Notification {
  return {
    id: row.id,
    template: row.template,
    title: row.title,
    body: row.body,
    link: row.link,
    read: row.readAt !== null,
    readAt: row.readAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

const cursorSchema = z.tuple([z.string(), z.uuid()]);

/** The signed-in user's notifications, newest first. */
export async function listNotifications(
  trx: Tx,
  userId: string,
  query: NotificationListQuery,
): Promise<Page<Notification>> {
  const after = decodeCursor(query.cursor, cursorSchema);
  const rows = await listForUser(trx, userId, {
    unread: query.unread === true,
    limit: query.limit,
    after: after && { createdAt: after[0], id: after[1] },
  });
  return toPage(rows, query.limit, toNotification, (row) => [row.createdAt.toISOString(), row.id]);
}

export async function unreadNotificationCount(trx: Tx, userId: string): Promise<{ count: number }> {
  return { count: await countUnread(trx, userId) };
}

/** Marks one of the user's notifications read; another's (or another tenant's) is not found. */
export async function markNotificationRead(trx: Tx, userId: string, id: string): Promise<Notification> {
  const row = await markReadRow(trx, userId, id);
  if (!row) throw notFound();
  return toNotification(row);
}

export async function markAllNotificationsRead(trx: Tx, userId: string): Promise<{ count: number }> {
  return { count: await markAllReadRows(trx, userId) };
}

/** Read notifications go after 90 days, any after a year; finished emails' records after 90 days. */
export const NOTIFICATION_RETENTION = {
  readNotificationDays: 90,
  notificationDays: 365,
  finishedDeliveryDays: 90,
} as const;
const PURGE_BATCH_SIZE = 5000;
const PURGE_BATCHES_MAX = 20;

/** Deletes what is past keeping, across tenants; returns how many rows went. */
export async function purgeExpiredNotifications(db: Db): Promise<number> {
  let total = 0;
  for (let batch = 0; batch < PURGE_BATCHES_MAX; batch++) {
    const deleted = await deleteExpired(db, NOTIFICATION_RETENTION, PURGE_BATCH_SIZE);
    total += deleted;
    if (deleted === 0) break;
  }
  return total;
}
