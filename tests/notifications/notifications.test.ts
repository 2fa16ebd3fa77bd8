/**
 * Notifications end to end against the devhost: events become in-app notifications and emails to
 * the people they concern (once, however often the event arrives), `notify` is idempotent by key,
 * email is retried through the mail catcher's failures, gives up after its attempts, survives a
 * worker that died holding its claim, and carries attachments read from Blob storage at send time;
 * each user sees, counts and marks read only their own notifications.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devObjectId } from '../../devhost/auth/dev-issuer.js';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { readDocumentBytes, storeDocument } from '../../shared/modules/documents/index.js';
import { closeApproval, escalateApproval, requestApproval } from '../../shared/modules/approvals/index.js';
import {
  claimDueDeliveries,
  configureAttachmentReader,
  deliverDueEmails,
  deliveryDeps,
  emailDeliveryIdle,
  notify,
  type NotifyInput,
} from '../../shared/modules/notifications/index.js';
import { ensureContainer } from '../../shared/platform/blob/storage.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import type { EventKey, EventPayload } from '../../shared/platform/events/catalog.js';
import { emit } from '../../shared/platform/events/outbox.js';
import { startTestDevhost, type Api } from '../support/devhost.js';
import {
  accept,
  createCustomer,
  createItem,
  createQuote,
  createWarehouse,
  receive,
} from '../sales/sales-helpers.js';

const devhost = await startTestDevhost();
afterAll(async () => {
  configureAttachmentReader(readDocumentBytes);
  await devhost.close();
});
const mail = devhost.mail;
const [demo, acme] = DEMO_TENANTS as [(typeof DEMO_TENANTS)[number], (typeof DEMO_TENANTS)[number]];

const users: Record<string, { api: Api; userId: string; objectId: string; email: string }> = {};

/** Adds a user in Tessera with granted roles; the address is the one their sign-in gives. */
async function addUser(tenant: (typeof DEMO_TENANTS)[number], user: string, roles: string[]) {
  const admin = await devhost.as(tenant.slug, 'ada', ['Admin']);
  const objectId = devObjectId(tenant.entraTenantId, user);
  const email = `${user}@${tenant.slug}.example`;
  const created = await admin.post('/api/v1/admin/users', {
    objectId,
    displayName: user.charAt(0).toUpperCase() + user.slice(1),
    email,
    roles,
  });
  expect(created.status, created.text).toBe(201);
  users[`${tenant.slug}:${user}`] = {
    api: await devhost.as(tenant.slug, user, []),
    userId: created.body.id,
    objectId,
    email,
  };
}

const user = (key: string) => users[key]!;

beforeAll(async () => {
  await addUser(demo, 'fiona', ['Finance.Approver']);
  await addUser(demo, 'finn', ['Finance.Approver']);
  await addUser(demo, 'rita', ['Sales.Rep', 'Finance.Approver']);
  await addUser(demo, 'ivan', ['Inventory.Clerk']);
  await addUser(demo, 'bob', []);
  await addUser(acme, 'olga', ['Finance.Approver']);
});

/** Lets the events of what was just committed be consumed and their emails go out. */
async function settled(): Promise<void> {
  await devhost.settle();
  await emailDeliveryIdle();
}

const mailTo = (address: string) => mail.messages(address);

async function inApp(key: string, query = '') {
  const response = await user(key).api.get(`/api/v1/notifications${query}`);
  expect(response.status, response.text).toBe(200);
  return response.body as {
    items: { id: string; title: string; body: string; read: boolean }[];
    nextCursor: string | null;
  };
}

async function unread(key: string): Promise<number> {
  const response = await user(key).api.get('/api/v1/notifications/unread-count');
  expect(response.status, response.text).toBe(200);
  return response.body.count;
}

async function deliveries(key: string) {
  return (
    await sql<{
      recipient: string;
      status: string;
      attempts: number;
      next_attempt_at: Date;
      last_error: string | null;
    }>`select recipient, status, attempts, next_attempt_at, last_error from notification_deliveries
        where key = ${key} order by recipient`.execute(devhost.db)
  ).rows;
}

/** As if the back-off had passed: the delivery is due again. */
async function timePasses(key: string): Promise<void> {
  await sql`update notification_deliveries set next_attempt_at = now() - interval '1 second'
    where key = ${key} and status = 'pending'`.execute(devhost.db);
}

const notifyDemo = (input: Omit<NotifyInput, 'tenantId'>) =>
  withTenant(devhost.db, demo.id, (trx) => notify(trx, { tenantId: demo.id, ...input }));

/** An email to an outside address, as the lead's invoice and report code sends. */
const notifyOutside = async (address: string): Promise<string> => {
  const key = `delivery-${randomUUID()}`;
  await notifyDemo({
    key,
    template: 'report.failed',
    data: { reportName: 'Stock valuation', error: 'Timed out.' },
    recipients: [{ email: address }],
    channels: ['email'],
  });
  return key;
};
/** An event of the demo tenant, as the module that owns it emits it. */
const emitDemo = <K extends EventKey>(key: K, payload: EventPayload<K>) =>
  withTenant(devhost.db, demo.id, (trx) => emit(trx, demo.id, key, payload));

/** Rita asks finance to approve, as the quote-to-order flow does for her. */
const ritaAsks = (title: string, amount: string, hoursToDecide: number) =>
  withTenant(devhost.db, demo.id, (trx) =>
    requestApproval(
      trx,
      { tenantId: demo.id, objectId: user('demo:rita').objectId, name: 'Rita' },
      {
        subject: { type: 'sales.quote', id: randomUUID() },
        title,
        amount: { amount, currency: 'ZAR' },
        baseAmount: amount,
        reasons: ['over_threshold'],
        requiredRole: 'Finance.Approver',
        requestedBy: { objectId: user('demo:rita').objectId, name: 'Rita' },
        flowInstanceId: randomUUID(),
        deadline: new Date(Date.now() + hoursToDecide * 3_600_000).toISOString(),
      },
    ),
  );

describe('approvals', () => {
  let approvalId: string;

  it('a request reaches every approver in-app and by email, but not the requester or another tenant', async () => {
    const approval = await ritaAsks('Sales order for <Bob & Sons>', '300000.00', 72);
    approvalId = approval.id;
    await settled();

    for (const approver of ['demo:fiona', 'demo:finn']) {
      const items = (await inApp(approver)).items.filter((n) => n.title.includes(approval.number));
      expect(items, approver).toHaveLength(1);
      expect(items[0]?.body).toContain('Rita asks you to approve Sales order for <Bob & Sons>');
      expect(items[0]?.body.replace(/[\u00a0\u202f]/g, ' ')).toContain('R 300 000,00');
      const emails = mailTo(user(approver).email).filter((m) => m.subject.includes(approval.number));
      expect(emails, approver).toHaveLength(1);
      expect(emails[0]?.html).toContain('Sales order for &lt;Bob &amp; Sons&gt;');
      expect(emails[0]?.text).toContain(`Open the approvals inbox: ${devhost.url}/approvals`);
    }
    expect((await inApp('demo:rita')).items.filter((n) => n.title.includes(approval.number))).toEqual([]);
    expect(mailTo(user('demo:rita').email)).toEqual([]);
    expect((await inApp('acme:olga')).items).toEqual([]);
    expect(mailTo(user('acme:olga').email)).toEqual([]);
  });

  it('an event delivered twice notifies once', async () => {
    const event = (
      await sql<{
        id: string;
        type: string;
        version: number;
        tenant_id: string;
        occurred_at: Date;
        payload: unknown;
      }>`
        select id, type, version, tenant_id, occurred_at, payload from outbox
        where type = 'approvals.ApprovalRequested' and payload->>'approvalId' = ${approvalId}`.execute(
        devhost.db,
      )
    ).rows[0]!;
    const envelope = {
      id: event.id,
      type: event.type,
      version: event.version,
      tenantId: event.tenant_id,
      occurredAt: new Date(event.occurred_at).toISOString(),
      payload: event.payload,
    };
    // Past Service Bus duplicate detection (a new message id): only the inbox stands in the way.
    await devhost.bus.send('erp-events', [
      { messageId: randomUUID(), subject: event.type, body: envelope, contentType: 'application/json' },
    ]);
    await settled();
    await devhost.timers.fire('notifications-email-delivery');

    const rows = await sql<{
      n: string;
    }>`select count(*)::text as n from notifications where key = ${event.id}`.execute(devhost.db);
    expect(rows.rows[0]?.n).toBe('2');
    expect((await deliveries(event.id)).map((d) => [d.recipient, d.status])).toEqual([
      [user('demo:finn').email, 'sent'],
      [user('demo:fiona').email, 'sent'],
    ]);
    const number = (event.payload as { number: string }).number;
    for (const approver of ['demo:fiona', 'demo:finn'])
      expect(mailTo(user(approver).email).filter((m) => m.subject.includes(number))).toHaveLength(1);
    expect(await devhost.bus.deadLetters('erp-events', 'notifications')).toEqual([]);
  });

  it('the decision is told to the requester', async () => {
    const decided = await user('demo:fiona').api.post(`/api/v1/approvals/${approvalId}/decision`, {
      decision: 'reject',
      comment: 'Ask for a deposit first.',
    });
    expect(decided.status, decided.text).toBe(200);
    await settled();
    const told = (await inApp('demo:rita')).items.filter((n) => n.title.includes(decided.body.number));
    expect(told.map((n) => [n.title, n.body])).toEqual([
      [`${decided.body.number} was rejected`, 'Fiona rejected your request Sales order for <Bob & Sons>.'],
    ]);
    const email = mailTo(user('demo:rita').email).find((m) => m.subject.includes(decided.body.number));
    expect(email?.text).toContain('Comment: Ask for a deposit first.');
  });
});

describe('reminders, expiry, stock', () => {
  const system = { tenantId: demo.id, objectId: 'system:notification-tests', name: 'Tests' };

  it('an escalation reminds the approvers, and an expiry tells the requester', async () => {
    const approval = await ritaAsks('Order for Kay Builders', '260000.00', 1);
    await settled();
    await withTenant(devhost.db, demo.id, (trx) => escalateApproval(trx, system, approval.id));
    await settled();
    for (const approver of ['demo:fiona', 'demo:finn'])
      expect(
        (await inApp(approver)).items.filter(
          (n) => n.title === `Reminder: ${approval.number} still needs a decision`,
        ),
        approver,
      ).toHaveLength(1);
    await withTenant(devhost.db, demo.id, (trx) => closeApproval(trx, system, approval.id, 'expired'));
    await settled();
    const told = (await inApp('demo:rita')).items.filter((n) => n.title.startsWith(approval.number));
    expect(told.map((n) => n.body)).toEqual([
      'Nobody decided your request Order for Kay Builders before its deadline, so it expired.',
    ]);
    expect(mailTo(user('demo:rita').email).filter((m) => m.subject.startsWith(approval.number))).toHaveLength(
      1,
    );
  });

  it('low stock goes to the inventory clerks', async () => {
    await emitDemo('stockLow', {
      itemId: randomUUID(),
      sku: 'CEM-50KG',
      uom: 'bag',
      available: '12.5',
      reorderLevel: '1000',
    });
    await settled();
    const told = (await inApp('demo:ivan')).items.filter((n) => n.title === 'Low stock: CEM-50KG');
    expect(told.map((n) => n.body.replace(/[\u00a0\u202f]/g, ' '))).toEqual([
      'CEM-50KG has 12,5 bag available, at or below its reorder level of 1 000 bag.',
    ]);
    expect(mailTo(user('demo:ivan').email).map((m) => m.subject)).toContain('Low stock: CEM-50KG');
    expect((await inApp('demo:fiona')).items.some((n) => n.title === 'Low stock: CEM-50KG')).toBe(false);
  });
});

describe('sales', () => {
  it('the rep who accepted a quote is told when it becomes an order', async () => {
    await addUser(demo, 'sam', ['Sales.Rep']);
    const clerk = await devhost.as('demo', 'ivan', ['Inventory.Clerk', 'Finance.Clerk']);
    const warehouse = await createWarehouse(clerk);
    const bricks = await createItem(clerk, { price: '2.40', uom: 'brick' });
    await receive(clerk, warehouse.code, bricks.sku, '1000', '1.20');
    const customer = await createCustomer(clerk, { creditLimit: { amount: '100000.00', currency: 'ZAR' } });
    const rep = user('demo:sam').api;
    const quote = await createQuote(rep, {
      customerId: customer.id,
      lines: [{ itemId: bricks.id, warehouseId: warehouse.id, quantity: '100' }],
    });
    const instanceId = await accept(rep, quote.id);
    await settled();
    const told = (await inApp('demo:sam')).items;
    expect(told).toHaveLength(1);
    expect(told[0]?.title).toMatch(/^Order .+ confirmed$/);
    expect(told[0]?.body).toContain(`Quote ${quote.number} for ${quote.customer.name} is now order`);
    expect(mailTo(user('demo:sam').email)).toHaveLength(1);

    // The same rep is told, through the flow they started, when a quote does not become an order.
    await emitDemo('quoteOrderFailed', {
      quoteId: quote.id,
      number: quote.number,
      reason: 'Bricks: 20 short in the yard.',
      outcome: 'stock_short',
      flowInstanceId: instanceId,
    });
    await settled();
    const failed = (await inApp('demo:sam')).items.find((n) => n.title.includes('did not become an order'));
    expect(failed?.body).toBe('There is not enough stock for it. Bricks: 20 short in the yard.');
  });
});

describe('orders entered directly', () => {
  it('tell no one and open no transaction: the one who entered the order saw it confirmed', async () => {
    await addUser(demo, 'dora', ['Sales.Rep']);
    const clerk = await devhost.as('demo', 'ivan', ['Inventory.Clerk', 'Finance.Clerk']);
    const warehouse = await createWarehouse(clerk);
    const sand = await createItem(clerk, { price: '3.10', uom: 'kg' });
    await receive(clerk, warehouse.code, sand.sku, '500', '1.00');
    const customer = await createCustomer(clerk, { creditLimit: { amount: '100000.00', currency: 'ZAR' } });
    const placed = await user('demo:dora').api.post('/api/v1/sales/orders', {
      customerId: customer.id,
      lines: [{ itemId: sand.id, warehouseId: warehouse.id, quantity: '40' }],
    });
    expect(placed.status, placed.text).toBe(201);
    await settled();
    const event = await sql<{ id: string }>`select id from outbox
      where type = 'sales.SalesOrderConfirmed' and payload->>'orderId' = ${placed.body.id}`.execute(
      devhost.db,
    );
    expect(event.rows).toHaveLength(1);
    // Delivered to the notifications subscription, and let go without an inbox row or a notification.
    const inbox = await sql`select 1 from inbox where event_id = ${event.rows[0]!.id}`.execute(devhost.db);
    expect(inbox.rows).toEqual([]);
    expect((await inApp('demo:dora')).items).toEqual([]);
    expect(mailTo(user('demo:dora').email)).toEqual([]);
    expect(await devhost.bus.deadLetters('erp-events', 'notifications')).toEqual([]);
  });
});

describe('notify', () => {
  it('twice with the same key makes one in-app notification and one email', async () => {
    const key = `report-failed-${randomUUID()}`;
    const input = {
      key,
      template: 'report.failed',
      data: { reportName: 'Aged receivables', error: 'The replica was unavailable.' },
      recipients: [
        { userId: user('demo:bob').userId },
        { email: 'Outside@Customer.example', name: 'Outside' },
      ],
      channels: ['inApp', 'email'] as const,
    };
    // It says how many emails it queued: two the first time (bob and the outside address), none again.
    expect(await notifyDemo({ ...input, channels: [...input.channels] })).toBe(2);
    expect(await notifyDemo({ ...input, channels: [...input.channels] })).toBe(0);
    expect(await notifyDemo({ ...input, key: `${key}-bell`, channels: ['inApp'] })).toBe(0);
    await deliverDueEmails();

    const bell = (await inApp('demo:bob')).items.filter((n) => n.title === 'Report failed: Aged receivables');
    expect(bell).toHaveLength(2);
    expect(bell[0]?.body).toBe('Aged receivables could not be produced: The replica was unavailable.');
    expect(
      mailTo('bob@demo.example').filter((m) => m.subject === 'Report failed: Aged receivables'),
    ).toHaveLength(1);
    expect(mailTo('outside@customer.example')).toHaveLength(1);
    expect((await deliveries(key)).map((d) => d.status)).toEqual(['sent', 'sent']);
  });

  it('writes in the locale asked for', async () => {
    await notifyDemo({
      key: `af-${randomUUID()}`,
      template: 'report.failed',
      data: { reportName: 'Proefbalans', error: 'Geen data.' },
      recipients: [{ email: 'afrikaans@customer.example' }],
      channels: ['email'],
      locale: 'af-ZA',
    });
    await deliverDueEmails();
    expect(mailTo('afrikaans@customer.example').map((m) => m.subject)).toEqual([
      'Verslag het misluk: Proefbalans',
    ]);
  });

  it('attaches a stored document, read through the documents module when the email is sent', async () => {
    const invoiceId = randomUUID();
    const pdf = Buffer.from('%PDF-1.7\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n');
    const stored = await storeDocument(devhost.db, {
      tenantId: demo.id,
      recordType: 'invoice',
      recordId: invoiceId,
      fileName: 'INV-2026-000101.pdf',
      contentType: 'application/pdf',
      bytes: pdf,
      actor: { tenantId: demo.id, objectId: 'system:notification-tests', name: 'Notification tests' },
      idempotencyKey: `notification-tests-${invoiceId}`,
    });
    await notifyDemo({
      key: `invoice-${invoiceId}`,
      template: 'invoice.issued',
      data: {
        invoiceNumber: 'INV-2026-000101',
        customerName: 'Bob & Sons',
        total: { amount: '575.00', currency: 'ZAR' },
        dueDate: '2026-12-31',
        sellerName: 'Demo Construction',
      },
      recipients: [{ email: 'payables@bob.example' }],
      channels: ['email'],
      attachments: [{ documentId: stored.id }],
    });
    await deliverDueEmails();
    const [email] = mailTo('payables@bob.example');
    expect(email?.attachments.map((a) => [a.name, a.contentType])).toEqual([
      ['INV-2026-000101.pdf', 'application/pdf'],
    ]);
    expect(Buffer.from(email!.attachments[0]!.contentBase64, 'base64').equals(pdf)).toBe(true);
  });

  it('fails at once, without sending, when an attachment no longer exists', async () => {
    const key = `gone-${randomUUID()}`;
    await notifyDemo({
      key,
      template: 'invoice.issued',
      data: { invoiceNumber: 'INV-GONE', customerName: 'C', total: { amount: '1.00', currency: 'ZAR' } },
      recipients: [{ email: 'gone@customer.example' }],
      channels: ['email'],
      attachments: [{ documentId: randomUUID() }],
    });
    expect(await deliverDueEmails()).toEqual({ sent: 0, retrying: 0, failed: 1 });
    expect((await deliveries(key))[0]?.last_error).toMatch(/no longer exists/);
    expect(mailTo('gone@customer.example')).toEqual([]);
  });

  it('sends the attachments read from Blob storage at send time, with a link to the web app', async () => {
    const container = await ensureContainer('notification-tests');
    const documentId = randomUUID();
    const pdf = Buffer.from('%PDF-1.7\n% a test invoice\n%%EOF\n');
    await container.getBlockBlobClient(`${demo.id}/${documentId}`).uploadData(pdf, {
      blobHTTPHeaders: { blobContentType: 'application/pdf' },
    });
    configureAttachmentReader(async (_db, tenantId, id) => {
      const bytes = await container.getBlockBlobClient(`${tenantId}/${id}`).downloadToBuffer();
      return { fileName: `${id}.pdf`, contentType: 'application/pdf', bytes };
    });
    const key = `invoice-${randomUUID()}`;
    await notifyDemo({
      key,
      template: 'invoice.issued',
      data: {
        invoiceNumber: 'INV-2026-000100',
        customerName: 'Bob & Sons',
        total: { amount: '1150.00', currency: 'ZAR' },
        dueDate: '2026-12-31',
        sellerName: 'Demo Construction',
      },
      recipients: [{ email: 'accounts@bob.example', name: 'Bob & Sons accounts' }],
      channels: ['email'],
      link: '/sales/invoices/100',
      attachments: [{ documentId }],
    });
    // Nothing of the file is kept with the delivery: only which document to read.
    const stored = await sql<{
      attachments: unknown;
    }>`select attachments from notification_deliveries where key = ${key}`.execute(devhost.db);
    expect(stored.rows[0]?.attachments).toEqual([{ documentId }]);
    await deliverDueEmails();

    const [email] = mailTo('accounts@bob.example');
    expect(email?.to).toEqual([{ address: 'accounts@bob.example', name: 'Bob & Sons accounts' }]);
    expect(email?.subject).toBe('Invoice INV-2026-000100 from Demo Construction');
    expect(email?.attachments.map((a) => [a.name, a.contentType, a.sizeBytes])).toEqual([
      [`${documentId}.pdf`, 'application/pdf', pdf.byteLength],
    ]);
    expect(email?.html).toContain(`<a href="${devhost.url}/sales/invoices/100">View the invoice</a>`);

    // The catcher's page lists it, shows it, and serves the attachment's bytes.
    const page = await (await fetch(`${devhost.url}/dev/mail`)).text();
    expect(page).toContain(`/dev/mail/${email?.id}`);
    const one = await (await fetch(`${devhost.url}/dev/mail/${email?.id}`)).text();
    expect(one).toContain(`<iframe sandbox src="/dev/mail/${email?.id}/html"`);
    const file = await fetch(`${devhost.url}/dev/mail/${email?.id}/attachments/0`);
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await file.arrayBuffer()).equals(pdf)).toBe(true);
    configureAttachmentReader(readDocumentBytes);
    const listed = (await (await fetch(`${devhost.url}/api/dev/mail?to=accounts@bob.example`)).json()) as {
      items: { id: string }[];
    };
    expect(listed.items.map((m) => m.id)).toEqual([email?.id]);
  });
});

describe('email delivery', () => {
  it('retries with back-off while the provider fails, and the email arrives once', async () => {
    // Told over the catcher's dev endpoint, as a developer would.
    const failing = await fetch(`${devhost.url}/api/dev/mail/fail`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ count: 2 }),
    });
    expect(await failing.json()).toEqual({ failing: 2 });
    const key = await notifyOutside('retry@customer.example');
    await deliverDueEmails();
    const [first] = await deliveries(key);
    expect(first).toMatchObject({ status: 'pending', attempts: 1 });
    expect(first?.last_error).toMatch(/503/);
    // The first retry waits between half and all of the 30-second base.
    const waitSeconds = (first!.next_attempt_at.getTime() - Date.now()) / 1000;
    expect(waitSeconds).toBeGreaterThan(10);
    expect(waitSeconds).toBeLessThanOrEqual(30);
    await deliverDueEmails();
    expect((await deliveries(key))[0]).toMatchObject({ status: 'pending', attempts: 1 });

    await timePasses(key);
    await devhost.timers.fire('notifications-email-delivery');
    expect((await deliveries(key))[0]).toMatchObject({ status: 'pending', attempts: 2 });
    await timePasses(key);
    await devhost.timers.fire('notifications-email-delivery');
    expect((await deliveries(key))[0]).toMatchObject({ status: 'sent', attempts: 3, last_error: null });
    expect(mailTo('retry@customer.example')).toHaveLength(1);
  });

  it('fails after the last attempt, saying why, and sends nothing', async () => {
    mail.failNext(2);
    const key = await notifyOutside('never@customer.example');
    const deps = { ...deliveryDeps(), attemptsMax: 2 };
    expect(await deliverDueEmails(deps)).toEqual({ sent: 0, retrying: 1, failed: 0 });
    await timePasses(key);
    expect(await deliverDueEmails(deps)).toEqual({ sent: 0, retrying: 0, failed: 1 });
    const [row] = await deliveries(key);
    expect(row).toMatchObject({ status: 'failed', attempts: 2 });
    expect(row?.last_error).toMatch(/503/);
    await timePasses(key);
    expect(await deliverDueEmails()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(mailTo('never@customer.example')).toEqual([]);
  });

  it('fails at once when the provider refuses the message for good', async () => {
    mail.failNext(1, 400);
    const key = await notifyOutside('refused@customer.example');
    expect(await deliverDueEmails()).toEqual({ sent: 0, retrying: 0, failed: 1 });
    expect((await deliveries(key))[0]).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('fails clearly when no email provider is configured', async () => {
    const key = await notifyOutside('nowhere@customer.example');
    expect(await deliverDueEmails({ ...deliveryDeps(), sender: undefined })).toEqual({
      sent: 0,
      retrying: 0,
      failed: 1,
    });
    expect((await deliveries(key))[0]).toMatchObject({
      status: 'failed',
      last_error: 'no email provider configured',
    });
  });

  it('two workers sending at once send each email once', async () => {
    const keys = [];
    for (let i = 0; i < 30; i++) keys.push(await notifyOutside(`many-${i}@customer.example`));
    const runs = await Promise.all([deliverDueEmails(), deliverDueEmails(), deliverDueEmails()]);
    expect(runs.reduce((sum, run) => sum + run.sent, 0)).toBe(30);
    for (let i = 0; i < 30; i++) expect(mailTo(`many-${i}@customer.example`)).toHaveLength(1);
    const rows = await sql<{ attempts: number }>`select attempts from notification_deliveries
      where key = any(${keys})`.execute(devhost.db);
    expect(rows.rows.map((r) => r.attempts)).toEqual(Array(30).fill(1));
  });

  it('a worker that died between claiming and sending loses its claim when the lease lapses; the email goes once', async () => {
    const key = await notifyOutside('lease@customer.example');
    // A worker claims the delivery, then dies before sending it.
    const claimed = await claimDueDeliveries(devhost.db, { limit: 20, leaseSeconds: 180, attemptsMax: 8 });
    expect(claimed.map((c) => c.key)).toEqual([key]);
    expect((await deliveries(key))[0]).toMatchObject({ status: 'sending', attempts: 1 });
    // While the lease holds, no other worker takes it.
    expect(await deliverDueEmails()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(mailTo('lease@customer.example')).toEqual([]);

    await sql`update notification_deliveries set lease_until = now() - interval '1 second' where key = ${key}`.execute(
      devhost.db,
    );
    expect(await deliverDueEmails()).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(await deliverDueEmails()).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect((await deliveries(key))[0]).toMatchObject({ status: 'sent', attempts: 2 });
    expect(mailTo('lease@customer.example')).toHaveLength(1);
  });
});

describe('the bell', () => {
  beforeAll(async () => {
    for (let i = 1; i <= 3; i++) {
      // Apart by a few milliseconds, so that "newest first" has one answer.
      await new Promise((resolve) => setTimeout(resolve, 5));
      await notifyDemo({
        key: `bell-${i}-${randomUUID()}`,
        template: 'report.failed',
        data: { reportName: `Report ${i}`, error: 'E' },
        recipients: [{ userId: user('demo:finn').userId }],
        channels: ['inApp'],
      });
    }
  });

  it("shows a user only their own notifications; another's id, or another tenant's, is not found", async () => {
    const fionas = (await inApp('demo:fiona')).items;
    const finns = (await inApp('demo:finn')).items;
    expect(fionas.length).toBeGreaterThan(0);
    expect(finns.some((n) => fionas.some((f) => f.id === n.id))).toBe(false);
    const fionasId = fionas[0]!.id;
    for (const other of ['demo:finn', 'acme:olga']) {
      const response = await user(other).api.post(`/api/v1/notifications/${fionasId}/read`, undefined);
      expect(response.status, other).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    }
    expect((await inApp('demo:fiona')).items.find((n) => n.id === fionasId)?.read).toBe(false);
    expect((await inApp('acme:olga')).items).toEqual([]);
  });

  it('counts the unread, marks one read (again: no change) and then all', async () => {
    const all = (await inApp('demo:finn')).items;
    const before = await unread('demo:finn');
    expect(before).toBe(all.filter((n) => !n.read).length);
    expect(before).toBeGreaterThanOrEqual(4);

    const first = await user('demo:finn').api.post(`/api/v1/notifications/${all[0]!.id}/read`, undefined);
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ id: all[0]!.id, read: true });
    const again = await user('demo:finn').api.post(`/api/v1/notifications/${all[0]!.id}/read`, undefined);
    expect(again.body.readAt).toBe(first.body.readAt);
    expect(await unread('demo:finn')).toBe(before - 1);
    expect((await inApp('demo:finn', '?unread=true')).items.map((n) => n.id)).not.toContain(all[0]!.id);

    const readAll = await user('demo:finn').api.post('/api/v1/notifications/read-all', undefined);
    expect(readAll.status, readAll.text).toBe(200);
    expect(readAll.body).toEqual({ count: before - 1 });
    expect(await unread('demo:finn')).toBe(0);
    expect((await inApp('demo:finn', '?unread=true')).items).toEqual([]);
    expect(await unread('demo:fiona')).toBeGreaterThan(0);
  });

  it('pages newest first with a cursor', async () => {
    const all = (await inApp('demo:finn')).items;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await inApp(
        'demo:finn',
        `?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((n) => n.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((n) => n.id));
    expect(all[0]?.title).toBe('Report failed: Report 3');
  });
});

describe('keeping', () => {
  it('deletes read notifications and finished emails past keeping, and nothing else', async () => {
    const key = `old-${randomUUID()}`;
    await notifyDemo({
      key,
      template: 'report.failed',
      data: { reportName: 'Old report', error: 'E' },
      recipients: [{ userId: user('demo:bob').userId }, { userId: user('demo:ivan').userId }],
      channels: ['inApp', 'email'],
    });
    await deliverDueEmails();
    // Bob read his long ago; Ivan never read his. Both emails were sent long ago.
    await sql`update notifications set created_at = now() - interval '200 days',
      read_at = case when user_id = ${user('demo:bob').userId}::uuid then now() - interval '100 days' end
      where key = ${key}`.execute(devhost.db);
    await sql`update notification_deliveries set updated_at = now() - interval '100 days' where key = ${key}`.execute(
      devhost.db,
    );
    const pending = await notifyOutside('kept@customer.example');
    await sql`update notification_deliveries set updated_at = now() - interval '100 days',
      next_attempt_at = now() + interval '1 hour' where key = ${pending}`.execute(devhost.db);

    await devhost.timers.fire('notifications-cleanup');
    const left = await sql<{ user_id: string }>`select user_id from notifications where key = ${key}`.execute(
      devhost.db,
    );
    expect(left.rows.map((r) => r.user_id)).toEqual([user('demo:ivan').userId]);
    expect(await deliveries(key)).toEqual([]);
    expect((await deliveries(pending)).map((d) => d.status)).toEqual(['pending']);
  });
});

describe('flows the system started', () => {
  it('tell no one, and do not fail, when no user started the flow', async () => {
    const instanceId = randomUUID();
    await sql`insert into flows (tenant_id, instance_id, name, started_by)
      values (${demo.id}, ${instanceId}, 'quote-to-order', 'system:scheduler')`.execute(devhost.db);
    const before = await sql<{ n: string }>`select count(*)::text as n from notifications`.execute(
      devhost.db,
    );
    await emitDemo('quoteOrderFailed', {
      quoteId: randomUUID(),
      number: 'Q-SYSTEM-1',
      reason: 'Expired.',
      outcome: 'expired',
      flowInstanceId: instanceId,
    });
    await settled();
    const after = await sql<{ n: string }>`select count(*)::text as n from notifications`.execute(devhost.db);
    expect(after.rows[0]?.n).toBe(before.rows[0]?.n);
    expect(await devhost.bus.deadLetters('erp-events', 'notifications')).toEqual([]);
  });
});

describe('the mail catcher', () => {
  it('is cleared by DELETE /api/dev/mail', async () => {
    expect(mail.messages().length).toBeGreaterThan(0);
    const cleared = await fetch(`${devhost.url}/api/dev/mail`, { method: 'DELETE' });
    expect(cleared.status).toBe(204);
    const listed = (await (await fetch(`${devhost.url}/api/dev/mail`)).json()) as { items: unknown[] };
    expect(listed.items).toEqual([]);
    expect(await (await fetch(`${devhost.url}/dev/mail`)).text()).toContain('No mail yet.');
  });
});
