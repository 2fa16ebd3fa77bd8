/**
 * Messages: at-least-once delivery, a relay that dies mid-way, and transactions that roll back,
 * against the whole app in an in-process devhost on its own database.
 *
 * One business day is driven over HTTP, the same way each time: users and a Teams install, a
 * stock item with a reorder level, a customer with an email address, three invoices issued, six
 * quotes accepted (four small ones become orders and take the item below its reorder level; two
 * large ones wait for finance, who approves one and rejects the other), one order delivered and
 * invoiced. Its events have consumers with effects: the flow starter, tax invoice PDFs filed as
 * documents and emailed, in-app and email notifications, Teams approval cards, decisions handed to
 * waiting flows. The day runs three times, each on a fresh database:
 *
 * 1. Baseline: the devhost's Service Bus emulation delivers each message once, in order. Every
 *    consumer gets each message of its subscription exactly once, nothing is dead-lettered, and
 *    the effects are what the day calls for (one PDF and one email per invoice, one order per
 *    approved or small quote, one low-stock notice...).
 * 2. Twice, shuffled: every message the relay publishes is captured instead and handed to each
 *    registered Service Bus trigger of every subscription that accepts it twice, as the same
 *    message (same message id): the first copies in a seeded random order among everything
 *    captured so far, the second copies up to three delivery rounds later (often after later
 *    events, across the test's steps), two deliveries running at a time (so the two copies of a
 *    message are sometimes handled at once); a handler that throws gets the message again later,
 *    as an abandoned message would. Asserted: every message reached each of its consumers at least
 *    twice, deliveries went against publishing order and second copies came after later messages,
 *    nothing failed for good, and the effects are exactly the baseline's: the row counts of every
 *    table of the app, events by type, audit records by action, notifications and emails by
 *    template and status, documents, approvals, orders and quotes by status, journal entries by
 *    source, flows by outcome, the emails in the mail catcher per recipient, the Teams cards posted
 *    and the updates that changed one (an update that repeats the card it replaces changes nothing
 *    anyone sees: two copies handled at once may both send it).
 * 3. The relay dies after publishing and before marking the rows sent: a publisher that puts the
 *    batch on the bus and then throws, at random (seeded), for every relay pass, the devhost's own
 *    included. The crashed passes' leases lapse and the relay runs again; every other time the bus
 *    has also forgotten the message ids (the duplicate-detection window passed), so the copies
 *    reach the consumers. Asserted: relays did crash after publishing and rows were published more
 *    than once; every outbox row ends published and every event reached every consumer whose
 *    subscription takes it (none lost); some republished messages were dropped by duplicate
 *    detection and some reached a consumer twice; the effects are exactly the baseline's.
 *
 * And, on a fourth database, a transaction that rolls back never publishes:
 * - a journal entry posted over HTTP while finance closes its period: the posting read the period
 *   open, waited for the number series (held by a concurrent transaction), wrote its entry and its
 *   outbox row, and was refused at COMMIT by the database's deferred check (the period had closed
 *   meanwhile). Its outbox row was written (the outbox identity moved past it) and is gone; no
 *   message with an id other than a committed event's ever reached the bus, no consumer saw one;
 * - a posting in a transaction that the caller rolls back after the relay ran beside it: its event
 *   is visible inside the transaction only; afterwards there is no outbox row and no message.
 *
 * `RELIABILITY_SEED=<n>` replays the delivery order and the crashes.
 */
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, expect, it } from 'vitest';
import { resolveAppSettings } from '../../devhost/bus/app-settings.js';
import { devObjectId } from '../../devhost/auth/dev-issuer.js';
import type { RegisteredFunction } from '../../devhost/host.js';
import { random as seededRandom } from '../../devhost/seed/demo-ledger.js';
import { postEntry } from '../../shared/modules/accounting/index.js';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { emailDeliveryIdle } from '../../shared/modules/notifications/index.js';
import { settings } from '../../shared/platform/config.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { forgetUserAccess } from '../../shared/platform/identity/users.js';
import {
  configureEventPublisher,
  type EventPublisher,
  type OutgoingMessage,
} from '../../shared/platform/events/publisher.js';
import { outboxRelayIdle } from '../../shared/platform/events/relay-trigger.js';
import { relayOutbox } from '../../shared/platform/events/relay.js';
import {
  messagingTopology,
  subscriptionAccepts,
  subscriptionSettings,
} from '../../shared/platform/events/topology.js';
import { createParty, issuedDocument, line } from '../accounting/trade-helpers.js';
import { startTestDevhost, type Api, type TestDevhost } from '../support/devhost.js';

const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 2_147_483_647);
console.info(`messages: RELIABILITY_SEED=${SEED}`);

const demo = DEMO_TENANTS[0]!;
const MAX_DELIVERY_COUNT = 10;
/** How many delivery rounds a second copy may come after the first. */
const DUPLICATE_LAG_ROUNDS = 4;
/** Deliveries running at once, as a Functions instance runs several per subscription. */
const CONCURRENT_DELIVERIES = 2;
/** The share of relay passes that die after publishing. */
const CRASH_SHARE = 0.5;
/** The consumers a business day sets to work (each subscription takes only what they handle). */
const DAY_CONSUMERS = [
  'approvals-decision-to-flow',
  'invoicing-tax-invoice',
  'notifications-from-events',
  'platform-flow-starter',
  'teams-approval-cards',
];

const open = new Set<TestDevhost>();
afterAll(async () => {
  for (const devhost of open) await devhost.close();
});

async function startDevhost(): Promise<TestDevhost> {
  // Each run has a database of its own: what this process remembers about the users from an
  // earlier run (their directory entry, cached for a while) does not hold for it.
  for (const user of Object.keys(USERS)) forgetUserAccess(demo.id, devObjectId(demo.entraTenantId, user));
  const devhost = await startTestDevhost();
  open.add(devhost);
  return devhost;
}

async function closeDevhost(devhost: TestDevhost): Promise<void> {
  open.delete(devhost);
  await devhost.close();
}

async function rows<T>(devhost: TestDevhost, query: ReturnType<typeof sql<T>>): Promise<T[]> {
  return (await query.execute(devhost.db)).rows;
}

async function unpublished(devhost: TestDevhost): Promise<number> {
  const [row] = await rows<{ n: number }>(
    devhost,
    sql`select count(*)::int as n from outbox where published_at is null`,
  );
  return row?.n ?? 0;
}

// ---- Who consumes what ------------------------------------------------------------------------

interface Consumer {
  fn: RegisteredFunction;
  subscription: string;
}

/** The registered Service Bus triggers on the events topic, with the subscription each reads. */
function consumersOf(devhost: TestDevhost): Consumer[] {
  const topic = settings().SERVICEBUS_TOPIC.toLowerCase();
  return devhost.host
    .byTrigger('serviceBusTrigger')
    .filter(
      (fn) => resolveAppSettings(String(fn.trigger.topicName ?? ''), 'topicName').toLowerCase() === topic,
    )
    .map((fn) => ({
      fn,
      subscription: resolveAppSettings(String(fn.trigger.subscriptionName), 'subscriptionName'),
    }));
}

/** The consumers a message with this subject reaches: one function per accepting subscription. */
function recipientsOf(consumers: Consumer[], subject: string): Consumer[] {
  const topology = messagingTopology(settings().SERVICEBUS_TOPIC);
  const bySubscription = new Map<string, Consumer>();
  for (const consumer of consumers) {
    const accepts = subscriptionAccepts(
      subscriptionSettings(topology, settings().SERVICEBUS_TOPIC, consumer.subscription),
      subject,
    );
    // Functions sharing a subscription compete for its messages: one of them gets each.
    if (accepts && !bySubscription.has(consumer.subscription))
      bySubscription.set(consumer.subscription, consumer);
  }
  return [...bySubscription.values()];
}

/** Every invocation of a Service Bus trigger, by function and message id (all delivery paths). */
class InvocationLog {
  readonly counts = new Map<string, number>();
  /** The events that were there before the log started (the demo tenants' onboarding). */
  before: string[] = [];
  readonly #dispose: () => void;

  static async start(devhost: TestDevhost): Promise<InvocationLog> {
    const log = new InvocationLog(devhost);
    log.before = (await rows<{ id: string }>(devhost, sql`select id::text as id from outbox`)).map(
      (r) => r.id,
    );
    return log;
  }

  private constructor(devhost: TestDevhost) {
    const hook = devhost.host.registerHook('preInvocation', (context) => {
      const invocation = context.invocationContext as {
        functionName: string;
        triggerMetadata?: Record<string, unknown>;
        options: { trigger: { type: string } };
      };
      if (invocation.options.trigger.type.toLowerCase() !== 'servicebustrigger') return;
      const key = `${invocation.functionName} ${String(invocation.triggerMetadata?.messageId)}`;
      this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    });
    this.#dispose = () => hook.dispose();
  }

  of(functionName: string, messageId: string): number {
    return this.counts.get(`${functionName} ${messageId}`) ?? 0;
  }

  messageIds(): Set<string> {
    return new Set([...this.counts.keys()].map((key) => key.split(' ')[1]!));
  }

  close(): void {
    this.#dispose();
  }
}

// ---- The three ways of delivering ---------------------------------------------------------------

interface Delivery {
  /** Lets what was committed be published and consumed (what a test step waits for). */
  pump(): Promise<void>;
  /** Everything still owed delivered, until nothing moves. */
  drain(): Promise<void>;
}

/** The devhost as it is: the relay publishes to the emulated bus, which delivers once, in order. */
function inOrderOnce(devhost: TestDevhost): Delivery {
  const settle = async () => {
    await devhost.settle(60_000);
    await emailDeliveryIdle();
  };
  return { pump: settle, drain: settle };
}

interface Copy {
  message: OutgoingMessage;
  consumer: Consumer;
  /** The delivery round it is due in. */
  due: number;
}

/**
 * Captures what the relay publishes and hands each message to its consumers twice, as the same
 * message: the first copies shuffled among everything due, the second copies a few rounds later.
 */
class TwiceShuffled implements Delivery {
  readonly captured: OutgoingMessage[] = [];
  readonly deadLettered: string[] = [];
  readonly failures: string[] = [];
  /** Per function and message id: how many deliveries it got from here. */
  readonly delivered = new Map<string, number>();
  readonly expected = new Map<string, { fn: string; messageId: string }>();
  /** Each delivery in the order made: the consumer, and the message's place in publishing order. */
  readonly order: { fn: string; published: number; copy: number }[] = [];
  readonly #publishedAt = new Map<string, number>();
  #pending: Copy[] = [];
  #round = 0;
  readonly #consumers: Consumer[];
  readonly publisher: EventPublisher = {
    publish: async (_topic, messages) => {
      // What Service Bus would hold: a copy, not the relay's objects.
      this.captured.push(...(JSON.parse(JSON.stringify(messages)) as OutgoingMessage[]));
    },
  };

  constructor(
    private readonly devhost: TestDevhost,
    private readonly random: () => number,
  ) {
    this.#consumers = consumersOf(devhost);
    configureEventPublisher(this.publisher);
  }

  /** Relays the outbox to the capture and lets flows and email run until nothing moves. */
  async #producersIdle(): Promise<void> {
    for (let pass = 0; ; pass++) {
      if (pass > 200) throw new Error('The producers never came to rest.');
      await outboxRelayIdle();
      const relayed = await relayOutbox(this.devhost.db, this.publisher);
      await this.devhost.durable.waitForIdle(60_000);
      await emailDeliveryIdle();
      if (relayed === 0 && (await unpublished(this.devhost)) === 0) return;
    }
  }

  #schedule(): void {
    for (const message of this.captured.splice(0)) {
      if (!this.#publishedAt.has(message.messageId))
        this.#publishedAt.set(message.messageId, this.#publishedAt.size);
      for (const consumer of recipientsOf(this.#consumers, message.subject)) {
        this.expected.set(`${consumer.fn.name} ${message.messageId}`, {
          fn: consumer.fn.name,
          messageId: message.messageId,
        });
        const lag = Math.floor(this.random() * DUPLICATE_LAG_ROUNDS);
        this.#pending.push({ message, consumer, due: this.#round });
        this.#pending.push({ message, consumer, due: this.#round + lag });
      }
    }
  }

  async #deliver(copy: Copy): Promise<void> {
    const key = `${copy.consumer.fn.name} ${copy.message.messageId}`;
    const deliveryCount = (this.delivered.get(key) ?? 0) + 1;
    this.delivered.set(key, deliveryCount);
    this.order.push({
      fn: copy.consumer.fn.name,
      published: this.#publishedAt.get(copy.message.messageId)!,
      copy: deliveryCount,
    });
    const now = new Date();
    try {
      await this.devhost.host.invoke(copy.consumer.fn, JSON.parse(JSON.stringify(copy.message.body)), {
        triggerMetadata: {
          messageId: copy.message.messageId,
          deliveryCount,
          subject: copy.message.subject,
          contentType: copy.message.contentType,
          applicationProperties: copy.message.applicationProperties,
          userProperties: copy.message.applicationProperties,
          enqueuedTimeUtc: now.toISOString(),
        },
        traceContext:
          typeof copy.message.applicationProperties.traceparent === 'string'
            ? { traceParent: copy.message.applicationProperties.traceparent }
            : undefined,
      });
    } catch (error) {
      const text = `${key} (delivery ${deliveryCount}): ${error instanceof Error ? error.message : String(error)}`;
      this.failures.push(text);
      // Abandoned: delivered again later, until the subscription's delivery limit.
      if (deliveryCount >= MAX_DELIVERY_COUNT) this.deadLettered.push(text);
      else this.#pending.push({ ...copy, due: this.#round + 1 });
    }
  }

  async #run(drain: boolean): Promise<void> {
    for (;;) {
      await this.#producersIdle();
      this.#schedule();
      const due = this.#pending.filter((copy) => copy.due <= this.#round);
      if (due.length === 0) {
        if (!drain || this.#pending.length === 0) return;
        this.#round++;
        continue;
      }
      this.#pending = this.#pending.filter((copy) => copy.due > this.#round);
      shuffle(due, this.random);
      // A few at a time: a copy can be handled while the other copy of the same message is.
      await Promise.all(
        Array.from({ length: CONCURRENT_DELIVERIES }, async (_, lane) => {
          for (let i = lane; i < due.length; i += CONCURRENT_DELIVERIES) await this.#deliver(due[i]!);
        }),
      );
      this.#round++;
    }
  }

  /**
   * How out of order the deliveries were, per consumer: pairs of messages delivered in the
   * opposite order to their publishing, and second copies that came after a later message's first.
   */
  disorder(): { inversions: number; lateDuplicates: number } {
    let inversions = 0;
    let lateDuplicates = 0;
    this.order.forEach((a, i) => {
      for (const b of this.order.slice(i + 1)) {
        if (a.fn !== b.fn) continue;
        if (a.published > b.published && a.copy === 1 && b.copy === 1) inversions++;
        if (b.copy === 2 && a.copy === 1 && a.published > b.published) lateDuplicates++;
      }
    });
    return { inversions, lateDuplicates };
  }

  pump(): Promise<void> {
    return this.#run(false);
  }

  drain(): Promise<void> {
    return this.#run(true);
  }
}

/**
 * The relay publishes to the bus and then, for a share of its passes, dies before marking the
 * rows published. Between passes the crashed leases lapse; every other time the bus's memory of
 * message ids lapses too.
 */
class CrashingRelay implements Delivery {
  crashes = 0;
  lapses = 0;
  forgotten = 0;
  /** How many times each event id was put on the bus. */
  readonly published = new Map<string, number>();
  readonly publisher: EventPublisher;

  constructor(
    private readonly devhost: TestDevhost,
    random: () => number,
  ) {
    this.publisher = {
      publish: async (topic, messages) => {
        await devhost.bus.send(topic, messages);
        for (const m of messages) this.published.set(m.messageId, (this.published.get(m.messageId) ?? 0) + 1);
        if (random() < CRASH_SHARE) {
          this.crashes++;
          throw new Error('The relay died after publishing, before marking the rows sent.');
        }
      },
    };
    configureEventPublisher(this.publisher);
  }

  async #settle(): Promise<void> {
    for (let pass = 0; ; pass++) {
      if (pass > 300) throw new Error('The outbox was never relayed completely.');
      await outboxRelayIdle();
      await this.devhost.bus.drain(60_000);
      await this.devhost.durable.waitForIdle(60_000);
      await emailDeliveryIdle();
      const left = await unpublished(this.devhost);
      if (left === 0) {
        // Nothing new was committed while the bus and the flows finished: at rest.
        await this.devhost.bus.drain(60_000);
        await this.devhost.durable.waitForIdle(60_000);
        await outboxRelayIdle();
        if ((await unpublished(this.devhost)) === 0) return;
        continue;
      }
      // The dead relays' claims lapse, as their 30-second leases would.
      await sql`update outbox set claimed_until = now() - interval '1 second'
        where published_at is null and claimed_until > now()`.execute(this.devhost.db);
      this.lapses++;
      if (this.lapses % 2 === 0) {
        // Later than the duplicate-detection window: the bus no longer knows these ids.
        await sql`delete from devhost.bus_message_ids`.execute(this.devhost.db);
        this.forgotten++;
      }
      await relayOutbox(this.devhost.db, this.publisher).catch(() => undefined);
    }
  }

  pump(): Promise<void> {
    return this.#settle();
  }

  drain(): Promise<void> {
    return this.#settle();
  }
}

function shuffle<T>(items: T[], random: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

// ---- The business day ---------------------------------------------------------------------------

const USERS = {
  ada: ['Admin'],
  fiona: ['Finance.Approver'],
  rita: ['Sales.Rep'],
  ivan: ['Inventory.Clerk', 'Finance.Clerk'],
} as const;

interface Day {
  invoices: number;
  ordered: number;
  rejected: number;
  approvals: number;
}

async function businessDay(devhost: TestDevhost, delivery: Delivery): Promise<Day> {
  const admin = await devhost.as('demo', 'ada', [...USERS.ada]);
  for (const user of ['fiona', 'rita', 'ivan'] as const) {
    const created = await admin.post('/api/v1/admin/users', {
      objectId: devObjectId(demo.entraTenantId, user),
      displayName: user.charAt(0).toUpperCase() + user.slice(1),
      email: `${user}@demo.example`,
      roles: USERS[user],
    });
    expect(created.status, created.text).toBe(201);
  }
  await devhost.teams.install({ tenant: 'demo', user: 'fiona' });
  const rep = await devhost.as('demo', 'rita', [...USERS.rita]);
  const clerk = await devhost.as('demo', 'ivan', [...USERS.ivan]);
  const approver = await devhost.as('demo', 'fiona', [...USERS.fiona]);
  const created = async (api: Api, route: string, body: unknown) => {
    const response = await api.post(route, body);
    expect(response.status, `${route}: ${response.text}`).toBe(201);
    return response.body as { id: string; sku: string; code: string };
  };

  const warehouse = await created(clerk, '/api/v1/inventory/warehouses', {
    code: 'MSG',
    name: 'Message yard',
    kind: 'yard',
  });
  const bricks = await created(clerk, '/api/v1/inventory/items', {
    sku: 'BRICK',
    name: 'Clay brick',
    uom: 'brick',
    kind: 'stock',
    salesPrice: { amount: '2.40', currency: 'ZAR' },
    taxCode: 'VAT15',
    reorderLevel: '6000',
  });
  const crane = await created(clerk, '/api/v1/inventory/items', {
    sku: 'CRANE',
    name: 'Crane hire',
    uom: 'day',
    kind: 'service',
    salesPrice: { amount: '100000.00', currency: 'ZAR' },
    taxCode: 'VAT15',
  });
  await created(clerk, '/api/v1/inventory/receipts', {
    warehouse: warehouse.code,
    reference: 'GRN bricks',
    lines: [{ item: bricks.sku, quantity: '10000', unitCost: { amount: '1.20', currency: 'ZAR' } }],
  });
  const customer = await createParty(clerk, 'customers', 'BUILDCO', {
    name: 'BuildCo Contractors (Pty) Ltd',
    email: 'accounts@buildco.example',
    creditLimit: { amount: '50000000.00', currency: 'ZAR' },
  });
  await delivery.pump();

  // Three invoices: each is filed as a PDF and emailed to the customer.
  for (let i = 1; i <= 3; i++) {
    await issuedDocument(clerk, 'invoices', {
      issueDate: '2026-11-20',
      customerId: customer.id,
      reference: `PO-${i}`,
      lines: [
        line({ account: '4000', description: `Bricks, lot ${i}`, unitPrice: `${i}000.00`, taxCode: 'VAT15' }),
      ],
    });
  }

  // Six quotes accepted: four small ones (1 500 bricks each: the third takes the item below its
  // reorder level), two large ones over the approval threshold (3 crane days, R 345 000 with VAT).
  const flows: { instanceId: string; large: boolean }[] = [];
  for (const large of [false, true, false, false, true, false]) {
    const quote = await created(rep, '/api/v1/sales/quotes', {
      customerId: customer.id,
      lines: large
        ? [{ itemId: crane.id, quantity: '3' }]
        : [{ itemId: bricks.id, warehouseId: warehouse.id, quantity: '1500' }],
    });
    const accepted = await rep.post(`/api/v1/sales/quotes/${quote.id}/accept`, undefined);
    expect(accepted.status, accepted.text).toBe(202);
    flows.push({ instanceId: accepted.body.instanceId, large });
  }
  await delivery.pump();

  // Finance approves the first large one and rejects the second.
  const pending = await approver.get('/api/v1/approvals?status=pending&limit=50');
  expect(pending.status, pending.text).toBe(200);
  const requests = (pending.body.items as { id: string; flowInstanceId: string }[]).sort(
    (a, b) =>
      flows.findIndex((f) => f.instanceId === a.flowInstanceId) -
      flows.findIndex((f) => f.instanceId === b.flowInstanceId),
  );
  expect(requests).toHaveLength(2);
  const approve = await approver.post(`/api/v1/approvals/${requests[0]!.id}/decision`, {
    decision: 'approve',
  });
  expect(approve.status, approve.text).toBe(200);
  const reject = await approver.post(`/api/v1/approvals/${requests[1]!.id}/decision`, {
    decision: 'reject',
    comment: 'Not this month',
  });
  expect(reject.status, reject.text).toBe(200);
  await delivery.pump();

  // The first small order goes out and is invoiced.
  const outcomes = [];
  for (const flow of flows) {
    const status = await rep.get(`/api/v1/flows/${flow.instanceId}`);
    expect(status.body.runtimeStatus, status.text).toBe('Completed');
    outcomes.push(status.body.output as { outcome: string; orderId: string | null });
  }
  expect(outcomes.map((o) => o.outcome)).toEqual([
    'ordered',
    'ordered',
    'ordered',
    'ordered',
    'rejected',
    'ordered',
  ]);
  const orderId = outcomes[0]!.orderId!;
  const delivered = await clerk.post(`/api/v1/sales/orders/${orderId}/deliveries`, {});
  expect(delivered.status, delivered.text).toBe(201);
  const invoiced = await clerk.post(`/api/v1/sales/orders/${orderId}/invoices`, {});
  expect(invoiced.status, invoiced.text).toBe(201);

  await delivery.drain();
  // The email sender's timer picks up anything a nudge missed.
  await devhost.timers.fire('notifications-email-delivery');
  await delivery.drain();
  return { invoices: 4, ordered: 5, rejected: 1, approvals: 2 };
}

// ---- Effects ------------------------------------------------------------------------------------

type Effects = Record<string, number>;

/** Everything the day left behind that a duplicate delivery could double, counted. */
async function effects(devhost: TestDevhost): Promise<Effects> {
  const out: Effects = {};
  const add = (key: string, n: number | string) => {
    out[key] = Number(n);
  };
  const tables = await rows<{ name: string }>(
    devhost,
    sql`select table_name as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE' order by 1`,
  );
  for (const { name } of tables) {
    const [row] = await rows<{ n: string }>(devhost, sql`select count(*)::text as n from ${sql.table(name)}`);
    add(`rows ${name}`, row!.n);
  }
  const grouped: [string, ReturnType<typeof sql<{ k: string; n: string }>>][] = [
    ['event', sql`select type as k, count(*)::text as n from outbox group by 1`],
    ['audit', sql`select action as k, count(*)::text as n from audit_log group by 1`],
    ['notification', sql`select template as k, count(*)::text as n from notifications group by 1`],
    [
      'email',
      sql`select template || ' ' || status as k, count(*)::text as n from notification_deliveries group by 1`,
    ],
    [
      'document',
      sql`select record_type || ' ' || status as k, count(*)::text as n from documents group by 1`,
    ],
    ['approval', sql`select status as k, count(*)::text as n from approval_requests group by 1`],
    ['order', sql`select status as k, count(*)::text as n from sales_orders group by 1`],
    ['quote', sql`select status as k, count(*)::text as n from sales_quotes group by 1`],
    [
      'journal',
      sql`select coalesce(source_type, 'manual') as k, count(*)::text as n from journal_entries group by 1`,
    ],
    ['reservation', sql`select status as k, count(*)::text as n from stock_reservations group by 1`],
    [
      'flow',
      sql`select name || ' ' || runtime_status as k, count(*)::text as n from devhost.durable_instances group by 1`,
    ],
    ['teams card', sql`select 'cards' as k, count(*)::text as n from teams_approval_cards`],
  ];
  for (const [prefix, query] of grouped)
    for (const row of await rows(devhost, query)) add(`${prefix} ${row.k}`, row.n);
  for (const mail of devhost.mail.messages())
    for (const to of mail.to) out[`mail ${to.address}`] = (out[`mail ${to.address}`] ?? 0) + 1;
  // A card update replaces the card with the approval's current state: one that repeats the card
  // it replaces changes nothing anyone sees, so only the changes count.
  const shown = new Map<string, string>();
  for (const activity of devhost.teams.activities()) {
    const key = `${activity.conversationId} ${activity.activityId}`;
    const content = JSON.stringify(activity.activity.attachments ?? []);
    if (activity.kind === 'update' && shown.get(key) === content) continue;
    shown.set(key, content);
    out[`teams ${activity.kind}`] = (out[`teams ${activity.kind}`] ?? 0) + 1;
  }
  return out;
}

/** The keys whose counts differ, with both counts: empty when the effects are the same. */
function differences(actual: Effects, expected: Effects): string[] {
  const keys = [...new Set([...Object.keys(actual), ...Object.keys(expected)])].sort();
  return keys
    .filter((k) => (actual[k] ?? 0) !== (expected[k] ?? 0))
    .map((k) => `${k}: ${actual[k] ?? 0}, expected ${expected[k] ?? 0}`);
}

// ---- The tests ----------------------------------------------------------------------------------

let baseline: Effects | undefined;
const timings: string[] = [];

it('baseline: each message delivered once, in order, by the bus emulation', async () => {
  const started = Date.now();
  const devhost = await startDevhost();
  const log = await InvocationLog.start(devhost);
  try {
    const day = await businessDay(devhost, inOrderOnce(devhost));
    expect(await devhost.bus.deadLetters(settings().SERVICEBUS_TOPIC)).toEqual([]);
    // Every event reached each consumer of its subscription exactly once.
    const consumers = consumersOf(devhost);
    const events = await rows<{ id: string; type: string }>(
      devhost,
      sql`select id, type from outbox where not (id = any(${log.before}::uuid[]))`,
    );
    const wrong: string[] = [];
    for (const event of events)
      for (const consumer of recipientsOf(consumers, event.type)) {
        const n = log.of(consumer.fn.name, event.id);
        if (n !== 1) wrong.push(`${consumer.fn.name} ${event.type} ${event.id}: ${n}`);
      }
    expect(wrong).toEqual([]);

    baseline = await effects(devhost);
    // What the day calls for, once each.
    expect(baseline).toMatchObject({
      'document invoice available': day.invoices,
      'mail accounts@buildco.example': day.invoices,
      'event accounting.InvoiceIssued': day.invoices,
      'order confirmed': day.ordered - 1,
      'quote rejected': day.rejected,
      'approval approved': 1,
      'approval rejected': 1,
      'event inventory.StockLow': 1,
      'notification inventory.stockLow': 1,
      'notification approval.requested': day.approvals,
      'notification approval.decided': day.approvals,
      'notification sales.orderConfirmed': day.ordered,
      'notification sales.quoteOrderFailed': day.rejected,
      'teams send': day.approvals,
      'teams update': day.approvals,
    });
    expect(baseline['event platform.FlowStartRequested']).toBe(6);
    expect(Object.keys(baseline).filter((k) => k.startsWith('email ') && !k.endsWith(' sent'))).toEqual([]);
    timings.push(`baseline ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    log.close();
    await closeDevhost(devhost);
  }
}, 120_000);

it('every message delivered twice, out of order: no effect happens twice', async () => {
  expect(baseline, 'the baseline ran').toBeDefined();
  const started = Date.now();
  const devhost = await startDevhost();
  const log = await InvocationLog.start(devhost);
  try {
    const delivery = new TwiceShuffled(devhost, seededRandom(SEED));
    await businessDay(devhost, delivery);
    expect(delivery.deadLettered).toEqual([]);
    // Each message reached each of its consumers at least twice (more after a failed delivery), and
    // every consumer the day sets to work took part.
    expect(delivery.expected.size).toBeGreaterThan(20);
    expect(new Set([...delivery.expected.values()].map((e) => e.fn))).toEqual(new Set(DAY_CONSUMERS));
    const short = [...delivery.expected.values()].filter((e) => log.of(e.fn, e.messageId) < 2);
    expect(short).toEqual([]);
    // Nothing arrived that the relay did not publish.
    const published = new Set([...delivery.expected.values()].map((e) => e.messageId));
    expect([...log.messageIds()].filter((id) => !published.has(id))).toEqual([]);
    // ... out of order: first deliveries against publishing order, second copies after later messages.
    const disorder = delivery.disorder();
    expect(disorder.inversions).toBeGreaterThan(0);
    expect(disorder.lateDuplicates).toBeGreaterThan(0);
    expect(differences(await effects(devhost), baseline!)).toEqual([]);
    const deliveries = [...delivery.delivered.values()].reduce((a, b) => a + b, 0);
    console.info(
      `messages: ${delivery.expected.size} (message, consumer) pairs delivered ${deliveries} times in shuffled ` +
        `rounds (${disorder.inversions} pairs against publishing order, ${disorder.lateDuplicates} second copies ` +
        `after a later message); ${delivery.failures.length} deliveries failed and were delivered again` +
        (delivery.failures.length ? `: ${delivery.failures.slice(0, 3).join('; ')}` : ''),
    );
    timings.push(`twice shuffled ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    log.close();
    await closeDevhost(devhost);
  }
}, 120_000);

it('the relay dies between publishing and marking sent: no event lost, none doubled', async () => {
  expect(baseline, 'the baseline ran').toBeDefined();
  const started = Date.now();
  const devhost = await startDevhost();
  const log = await InvocationLog.start(devhost);
  try {
    const relay = new CrashingRelay(devhost, seededRandom(SEED + 1));
    await businessDay(devhost, relay);

    // The relay did die after publishing, and rows went out more than once.
    expect(relay.crashes).toBeGreaterThan(0);
    const republished = [...relay.published].filter(([, n]) => n > 1).map(([id]) => id);
    expect(republished.length).toBeGreaterThan(0);

    // None lost: every row ends published, every event reached every consumer that takes it.
    expect(await unpublished(devhost)).toBe(0);
    const events = await rows<{ id: string; type: string }>(
      devhost,
      sql`select id, type from outbox where not (id = any(${log.before}::uuid[]))`,
    );
    const consumers = consumersOf(devhost);
    const lost: string[] = [];
    let droppedByBus = 0;
    let deliveredTwice = 0;
    for (const event of events) {
      expect(relay.published.get(event.id) ?? 0, `${event.type} ${event.id} published`).toBeGreaterThan(0);
      for (const consumer of recipientsOf(consumers, event.type)) {
        const n = log.of(consumer.fn.name, event.id);
        if (n === 0) lost.push(`${consumer.fn.name} ${event.type} ${event.id}`);
        droppedByBus += Math.max(0, (relay.published.get(event.id) ?? 0) - n);
        deliveredTwice += Math.max(0, n - 1);
      }
    }
    expect(lost).toEqual([]);
    // Republished copies were dropped by duplicate detection within its window, and reached the
    // consumers after it (their idempotency then had to hold).
    expect(droppedByBus).toBeGreaterThan(0);
    expect(deliveredTwice).toBeGreaterThan(0);
    expect(await devhost.bus.deadLetters(settings().SERVICEBUS_TOPIC)).toEqual([]);
    expect(differences(await effects(devhost), baseline!)).toEqual([]);
    console.info(
      `messages: the relay died ${relay.crashes} times after publishing; ${republished.length} of ${events.length} ` +
        `events published more than once; ${droppedByBus} copies dropped by duplicate detection, ` +
        `${deliveredTwice} delivered again after the window (${relay.forgotten} windows passed)`,
    );
    timings.push(`relay crash ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    log.close();
    await closeDevhost(devhost);
  }
}, 120_000);

it('a transaction that rolls back never publishes its events', async () => {
  const started = Date.now();
  const devhost = await startDevhost();
  const log = await InvocationLog.start(devhost);
  const published: OutgoingMessage[] = [];
  configureEventPublisher({
    publish: async (topic, messages) => {
      published.push(...messages);
      await devhost.bus.send(topic, messages);
    },
  });
  const url = devhost.database.url;
  const blocker = url ? new pg.Client({ connectionString: url }) : undefined;
  try {
    const clerk = await devhost.as('demo', 'ivan', ['Finance.Clerk']);
    const approver = await devhost.as('demo', 'fiona', ['Finance.Approver']);
    const entry = (date: string, amount: string) => ({
      date,
      memo: `Site petty cash ${date}`,
      currency: 'ZAR',
      lines: [
        { account: '6500', debit: amount },
        { account: '1000', credit: amount },
      ],
    });
    const first = await clerk.post('/api/v1/accounting/journal-entries', entry('2026-03-10', '150.00'));
    expect(first.status, first.text).toBe(201);
    await devhost.settle();

    const outboxSequence = async () => {
      const [row] = await rows<{ n: string }>(
        devhost,
        sql`select coalesce(last_value, 0)::text as n from pg_sequences
            where schemaname = 'public' and sequencename = (
              select split_part(pg_get_serial_sequence('outbox', 'sequence'), '.', 2))`,
      );
      return Number(row?.n ?? 0);
    };
    const outboxRows = async () =>
      (await rows<{ n: number }>(devhost, sql`select count(*)::int as n from outbox`))[0]!.n;

    // 1. Refused at COMMIT, through the API. (PostgreSQL only: PGlite has one connection, no locks.)
    if (blocker) {
      await blocker.connect();
      const periods = await approver.get('/api/v1/accounting/periods?year=2027');
      const march = (
        periods.body.items as { id: string; startDate: string; version: number; status: string }[]
      ).find((p) => p.startDate === '2026-03-01')!;
      expect(march.status).toBe('open');
      const sequenceBefore = await outboxSequence();
      const rowsBefore = await outboxRows();

      // A concurrent transaction holds the journal's number series: the posting reads its period
      // (open), then waits for the next number.
      await blocker.query('begin');
      await blocker.query(
        `select last_value from number_counters where tenant_id = $1 and code = 'JE' and year = 2026 for update`,
        [demo.id],
      );
      const posting = clerk.post('/api/v1/accounting/journal-entries', entry('2026-03-20', '75.00'));
      const blockerPid = (await blocker.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!
        .pid;
      const deadline = Date.now() + 20_000;
      for (;;) {
        // Asked on another connection: inside its transaction the blocker would see one snapshot.
        const [waiting] = await rows<{ n: number }>(
          devhost,
          sql`select count(*)::int as n from pg_stat_activity where ${blockerPid}::int = any(pg_blocking_pids(pid))`,
        );
        if (waiting!.n > 0) break;
        if (Date.now() > deadline) throw new Error('The posting never waited for its number.');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // Meanwhile finance closes March.
      const closed = await approver.request('POST', `/api/v1/accounting/periods/${march.id}/close`, {
        headers: { 'if-match': `"${march.version}"` },
      });
      expect(closed.status, closed.text).toBe(200);
      await blocker.query('commit');
      const refused = await posting;
      expect(refused.status, refused.text).toBeGreaterThanOrEqual(400);
      await devhost.settle();

      // The posting wrote its outbox row (the identity moved past it) and it is gone with the rest.
      const sequenceAfter = await outboxSequence();
      const rowsAfter = await outboxRows();
      expect(rowsAfter - rowsBefore, 'committed events: the period closed').toBe(1);
      expect(sequenceAfter - sequenceBefore, 'outbox rows written').toBeGreaterThanOrEqual(2);
      const late = await rows<{ n: number }>(
        devhost,
        sql`select count(*)::int as n from journal_entries where entry_date = '2026-03-20'`,
      );
      expect(late[0]!.n).toBe(0);
      const lateEvents = await rows<{ n: number }>(
        devhost,
        sql`select count(*)::int as n from outbox where type = 'accounting.JournalEntryPosted'
            and payload->>'date' = '2026-03-20'`,
      );
      expect(lateEvents[0]!.n).toBe(0);
      console.info(
        `messages: the posting racing the period close was refused at commit with ${refused.status} ` +
          `(${refused.body?.code ?? refused.body?.title}); ${sequenceAfter - sequenceBefore - (rowsAfter - rowsBefore)} outbox row(s) rolled back`,
      );
    } else {
      console.info('messages: no DATABASE_URL: the commit-time refusal needs a second connection; skipped');
    }

    // 2. A posting whose transaction the caller rolls back, with the relay running beside it.
    let eventId: string | undefined;
    const relayedMeanwhile: OutgoingMessage[] = [];
    class RolledBack extends Error {}
    await expect(
      withTenant(devhost.db, demo.id, async (trx) => {
        const posted = await postEntry(
          trx,
          { tenantId: demo.id, objectId: 'system:tests', name: 'Tests' },
          {
            date: '2026-11-05',
            memo: 'Rolled back',
            currency: 'ZAR',
            lines: entry('2026-11-05', '10.00').lines,
          },
        );
        await sql`set local role none`.execute(trx);
        const [event] = (
          await sql<{ id: string }>`select id from outbox where payload->>'entryId' = ${posted.id}`.execute(
            trx,
          )
        ).rows;
        eventId = event?.id;
        // The relay runs while the transaction is open: the uncommitted row is not there for it.
        // (On a server: PGlite's one connection is this transaction's.)
        if (devhost.database.kind === 'postgres')
          await relayOutbox(devhost.db, {
            publish: async (topic, messages) => {
              relayedMeanwhile.push(...messages);
              await devhost.bus.send(topic, messages);
            },
          });
        throw new RolledBack('the caller gives up');
      }),
    ).rejects.toBeInstanceOf(RolledBack);
    expect(eventId, 'the event was written inside the transaction').toBeDefined();
    expect(relayedMeanwhile.map((m) => m.messageId)).not.toContain(eventId);
    await devhost.settle();
    const gone = await rows<{ n: number }>(
      devhost,
      sql`select count(*)::int as n from outbox where id = ${eventId!}`,
    );
    expect(gone[0]!.n).toBe(0);

    // Whatever reached the bus is a committed event, and so is whatever a consumer saw.
    const committed = new Set(
      (await rows<{ id: string }>(devhost, sql`select id::text as id from outbox`)).map((r) => r.id),
    );
    const onTheBus = (
      await rows<{ id: string }>(devhost, sql`select message_id as id from devhost.bus_message_ids`)
    ).map((r) => r.id);
    expect(onTheBus.length).toBeGreaterThan(0);
    expect(onTheBus.filter((id) => !committed.has(id))).toEqual([]);
    expect(published.map((m) => m.messageId).filter((id) => !committed.has(id))).toEqual([]);
    expect([...log.messageIds()].filter((id) => !committed.has(id))).toEqual([]);
    expect(onTheBus).not.toContain(eventId);
    expect(await unpublished(devhost)).toBe(0);
    timings.push(`rollback ${((Date.now() - started) / 1000).toFixed(1)} s`);
    console.info(`messages: ${timings.join(', ')}`);
  } finally {
    await blocker?.end().catch(() => undefined);
    log.close();
    await closeDevhost(devhost);
  }
}, 120_000);
