import { sql } from 'kysely';
import type { Db, Tx } from '../../platform/db/database.js';
import { withSystem } from '../../platform/db/tenant.js';
import type { DeliveryStatus } from './tables.js';

export interface TenantContext {
  locale: string;
  timeZone: string;
}

export interface RecipientUser {
  id: string;
  name: string;
  email: string | null;
  active: boolean;
}

export interface NotificationRow {
  id: string;
  template: string;
  title: string;
  body: string;
  link: string | null;
  createdAt: Date;
  readAt: Date | null;
}

export interface NewNotification {
  tenantId: string;
  id: string;
  key: string;
  userId: string;
  template: string;
  title: string;
  body: string;
  link: string | null;
}

export interface NewDelivery {
  tenantId: string;
  id: string;
  key: string;
  recipient: string;
  recipientName: string | null;
  userId: string | null;
  locale: string;
  template: string;
  data: Record<string, unknown>;
  link: string | null;
  attachments: { documentId: string }[];
}

/** A delivery a worker has claimed, with what it needs to render and send it. */
export interface ClaimedDelivery {
  tenantId: string;
  id: string;
  key: string;
  recipient: string;
  recipientName: string | null;
  locale: string;
  timeZone: string;
  template: string;
  data: Record<string, unknown>;
  link: string | null;
  attachments: { documentId: string }[];
  attempts: number;
}

export async function tenantContext(trx: Tx): Promise<TenantContext> {
  const row = await trx.selectFrom('tenants').select(['locale', 'time_zone']).executeTakeFirstOrThrow();
  return { locale: row.locale, timeZone: row.time_zone };
}

export async function usersById(trx: Tx, ids: string[]): Promise<RecipientUser[]> {
  if (ids.length === 0) return [];
  const rows = await trx
    .selectFrom('users')
    .select(['id', 'display_name', 'email', 'active'])
    .where('id', 'in', ids)
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.display_name, email: r.email, active: r.active }));
}

/** Users are Entra object ids; flows started by the system name themselves `system:<component>`. */
const OBJECT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The user ids of the active users holding a role granted in Tessera. */
export async function activeUserIdsWithRole(
  trx: Tx,
  role: string,
  exceptObjectId?: string,
): Promise<string[]> {
  let select = trx
    .selectFrom('users')
    .select('id')
    .where('active', '=', true)
    .where(sql<boolean>`${role} = any(roles)`);
  if (exceptObjectId && OBJECT_ID.test(exceptObjectId))
    select = select.where('object_id', '<>', exceptObjectId);
  return (await select.orderBy('id').execute()).map((r) => r.id);
}

/** The user with an object id; none for the system, or for someone not (yet) in the directory. */
export async function userIdByObjectId(trx: Tx, objectId: string): Promise<string | undefined> {
  if (!OBJECT_ID.test(objectId)) return undefined;
  const row = await trx.selectFrom('users').select('id').where('object_id', '=', objectId).executeTakeFirst();
  return row?.id;
}

export async function insertNotification(trx: Tx, n: NewNotification): Promise<boolean> {
  const inserted = await trx
    .insertInto('notifications')
    .values({
      tenant_id: n.tenantId,
      id: n.id,
      key: n.key,
      user_id: n.userId,
      template: n.template,
      title: n.title,
      body: n.body,
      link: n.link,
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'key', 'user_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function insertDelivery(trx: Tx, d: NewDelivery): Promise<boolean> {
  const inserted = await trx
    .insertInto('notification_deliveries')
    .values({
      tenant_id: d.tenantId,
      id: d.id,
      key: d.key,
      recipient: d.recipient,
      recipient_name: d.recipientName,
      user_id: d.userId,
      locale: d.locale,
      template: d.template,
      data: JSON.stringify(d.data),
      link: d.link,
      attachments: JSON.stringify(d.attachments),
    })
    .onConflict((oc) => oc.columns(['tenant_id', 'key', 'recipient']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

const notificationColumns = ['id', 'template', 'title', 'body', 'link', 'created_at', 'read_at'] as const;

function toRow(r: {
  id: string;
  template: string;
  title: string;
  body: string;
  link: string | null;
  created_at: Date;
  read_at: Date | null;
}): NotificationRow {
  return {
    id: r.id,
    template: r.template,
    title: r.title,
    body: r.body,
    link: r.link,
    createdAt: r.created_at,
    readAt: r.read_at,
  };
}

/** A user's notifications, newest first, after the (created_at, id) of the cursor; `limit + 1` rows. */
export async function listForUser(
  trx: Tx,
  userId: string,
  options: { unread: boolean; limit: number; after?: { createdAt: string; id: string } },
): Promise<NotificationRow[]> {
  let select = trx.selectFrom('notifications').select(notificationColumns).where('user_id', '=', userId);
  if (options.unread) select = select.where('read_at', 'is', null);
  const after = options.after;
  if (after)
    select = select.where((eb) =>
      eb.or([
        eb('created_at', '<', new Date(after.createdAt)),
        eb.and([eb('created_at', '=', new Date(after.createdAt)), eb('id', '<', after.id)]),
      ]),
    );
  const rows = await select
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
    .execute();
  return rows.map(toRow);
}

export async function countUnread(trx: Tx, userId: string): Promise<number> {
  const row = await trx
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Marks one of the user's notifications read (once: a second call keeps the first time). */
export async function markRead(trx: Tx, userId: string, id: string): Promise<NotificationRow | undefined> {
  await trx
    .updateTable('notifications')
    .set({ read_at: new Date() })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .execute();
  const row = await trx
    .selectFrom('notifications')
    .select(notificationColumns)
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row && toRow(row);
}

export async function markAllRead(trx: Tx, userId: string): Promise<number> {
  const result = await trx
    .updateTable('notifications')
    .set({ read_at: new Date() })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

interface ClaimedRow {
  tenant_id: string;
  id: string;
  key: string;
  recipient: string;
  recipient_name: string | null;
  locale: string;
  time_zone: string;
  template: string;
  data: Record<string, unknown>;
  link: string | null;
  attachments: { documentId: string }[];
  attempts: number;
}

/**
 * Claims up to `limit` due email deliveries across tenants for `leaseSeconds`: pending ones whose
 * next attempt is due, and ones being sent by a worker whose lease lapsed (it crashed). Each claim
 * counts as an attempt. SKIP LOCKED lets several workers claim at once without taking the same.
 */
export async function claimDueDeliveries(
  db: Db,
  options: { limit: number; leaseSeconds: number; attemptsMax: number },
): Promise<ClaimedDelivery[]> {
  const rows = await withSystem(db, async (trx) => {
    const result = await sql<ClaimedRow>`
      with claimed as (
        update notification_deliveries d
        set status = 'sending', attempts = d.attempts + 1, updated_at = now(),
          lease_until = now() + make_interval(secs => ${options.leaseSeconds})
        where (d.tenant_id, d.id) in (
          select tenant_id, id from notification_deliveries
          where (status = 'pending' and next_attempt_at <= now())
             or (status = 'sending' and lease_until < now() and attempts < ${options.attemptsMax})
          order by next_attempt_at
          limit ${options.limit}
          for update skip locked)
        returning d.tenant_id, d.id, d.key, d.recipient, d.recipient_name, d.locale, d.template, d.data,
          d.link, d.attachments, d.attempts)
      select c.*, t.time_zone from claimed c join tenants t on t.id = c.tenant_id`.execute(trx);
    return result.rows;
  });
  return rows.map((r) => ({
    tenantId: r.tenant_id,
    id: r.id,
    key: r.key,
    recipient: r.recipient,
    recipientName: r.recipient_name,
    locale: r.locale,
    timeZone: r.time_zone,
    template: r.template,
    data: r.data,
    link: r.link,
    attachments: r.attachments,
    attempts: r.attempts,
  }));
}

/**
 * A delivery whose worker crashed on its last allowed attempt is not retaken: it fails, saying so.
 */
export async function failAbandonedDeliveries(db: Db, attemptsMax: number): Promise<string[]> {
  return withSystem(db, async (trx) => {
    const result = await sql<{ id: string }>`
      update notification_deliveries
      set status = 'failed', lease_until = null, updated_at = now(),
        last_error = coalesce(last_error || '; ', '') || 'the worker sending it stopped on its last attempt'
      where status = 'sending' and lease_until < now() and attempts >= ${attemptsMax}
      returning id`.execute(trx);
    return result.rows.map((r) => r.id);
  });
}

/** Records the outcome of a claimed delivery, if the claim is still this worker's. */
export async function recordOutcome(
  db: Db,
  delivery: { tenantId: string; id: string; attempts: number },
  outcome:
    | { status: 'sent'; providerMessageId: string }
    | { status: Exclude<DeliveryStatus, 'sent' | 'sending'>; error: string; nextAttemptAt?: Date },
): Promise<void> {
  await withSystem(db, async (trx) => {
    const update = trx
      .updateTable('notification_deliveries')
      .where('tenant_id', '=', delivery.tenantId)
      .where('id', '=', delivery.id)
      .where('status', '=', 'sending')
      .where('attempts', '=', delivery.attempts);
    if (outcome.status === 'sent') {
      await update
        .set({
          status: 'sent',
          provider_message_id: outcome.providerMessageId.slice(0, 500),
          sent_at: new Date(),
          lease_until: null,
          last_error: null,
          updated_at: new Date(),
        })
        .execute();
    } else {
      await update
        .set({
          status: outcome.status,
          last_error: outcome.error.slice(0, 2000),
          lease_until: null,
          next_attempt_at: outcome.nextAttemptAt ?? new Date(),
          updated_at: new Date(),
        })
        .execute();
    }
  });
}

/** How long what the app no longer needs is kept. */
export interface Retention {
  readNotificationDays: number;
  notificationDays: number;
  finishedDeliveryDays: number;
}

/**
 * Deletes, across tenants and in bounded batches, notifications read long ago or older than any
 * one would scroll back to, and deliveries sent or failed long ago. Returns how many went.
 */
export async function deleteExpired(db: Db, retention: Retention, batchSize: number): Promise<number> {
  return withSystem(db, async (trx) => {
    const notifications = await sql`
      delete from notifications where ctid in (
        select ctid from notifications
        where (read_at < now() - make_interval(days => ${retention.readNotificationDays}))
           or created_at < now() - make_interval(days => ${retention.notificationDays})
        limit ${batchSize})`.execute(trx);
    const deliveries = await sql`
      delete from notification_deliveries where ctid in (
        select ctid from notification_deliveries
        where status in ('sent', 'failed')
          and updated_at < now() - make_interval(days => ${retention.finishedDeliveryDays})
        limit ${batchSize})`.execute(trx);
    return Number(notifications.numAffectedRows ?? 0) + Number(deliveries.numAffectedRows ?? 0);
  });
}
