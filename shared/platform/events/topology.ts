/**
 * The messaging topology as data: the topic the outbox relay publishes to, the subscription each
 * consuming module reads, and the queues, with the settings that change how messages behave
 * (delivery attempts, lock duration, time to live, duplicate detection, subject filters).
 *
 * The devhost's Service Bus emulation reads it, and the Bicep that provisions the namespace must
 * declare the same entities with the same settings: `requiresDuplicateDetection: true` with
 * `duplicateDetectionHistoryTimeWindow` on the topic, and on each subscription `maxDeliveryCount`,
 * `lockDuration`, `defaultMessageTimeToLive`, `deadLetteringOnMessageExpiration`, and a
 * correlation-filter rule per subject (replacing `$Default`) where `subjects` is given. A test
 * keeps the two in step once the Bicep exists.
 */

/** The topic every domain event goes to, unless SERVICEBUS_TOPIC names another. */
export const EVENTS_TOPIC_DEFAULT = 'erp-events';

/** Service Bus limits, so that a declaration the namespace would refuse fails here first. */
const LIMITS = {
  nameLengthMax: { topic: 260, queue: 260, subscription: 50 },
  maxDeliveryCount: { min: 1, max: 2000 },
  lockDurationSeconds: { min: 5, max: 300 },
  defaultMessageTimeToLiveSeconds: { min: 1, max: 10 * 365 * 24 * 3600 },
  duplicateDetectionWindowSeconds: { min: 20, max: 7 * 24 * 3600 },
  subjectsPerSubscriptionMax: 100,
} as const;

/** How delivery behaves on a subscription or a queue. */
export interface DeliverySettings {
  /** Deliveries before a message moves to the dead-letter sub-queue (Service Bus default 10). */
  maxDeliveryCount: number;
  /** How long a receiver holds a message before another may receive it (peek-lock). */
  lockDurationSeconds: number;
  /** The time to live of a message that sets none (or a longer one). */
  defaultMessageTimeToLiveSeconds: number;
  /** Whether expired messages go to the dead-letter sub-queue (true) or are dropped (false). */
  deadLetteringOnMessageExpiration: boolean;
}

export interface SubscriptionSettings extends DeliverySettings {
  name: string;
  /**
   * A correlation filter on the message subject (the event type): the subscription receives only
   * these subjects. Absent: every message on the topic (the `$Default` true filter).
   */
  subjects?: readonly string[];
  description?: string;
}

export interface TopicSettings {
  name: string;
  /** Messages with a message id seen within this window are dropped (Service Bus default 10 min). */
  duplicateDetectionWindowSeconds: number;
  subscriptions: readonly SubscriptionSettings[];
}

export interface QueueSettings extends DeliverySettings {
  name: string;
  duplicateDetectionWindowSeconds: number;
  description?: string;
}

export interface Topology {
  topics: readonly TopicSettings[];
  queues: readonly QueueSettings[];
}

/** A declaration: names, plus whichever settings differ from the defaults. */
export interface TopologyDeclaration {
  topics?: ReadonlyArray<
    Partial<Omit<TopicSettings, 'subscriptions'>> & {
      name: string;
      subscriptions?: ReadonlyArray<Partial<SubscriptionSettings> & { name: string }>;
    }
  >;
  queues?: ReadonlyArray<Partial<QueueSettings> & { name: string }>;
}

export const DELIVERY_DEFAULTS: Readonly<DeliverySettings> = Object.freeze({
  maxDeliveryCount: 10,
  lockDurationSeconds: 60,
  defaultMessageTimeToLiveSeconds: 14 * 24 * 3600,
  deadLetteringOnMessageExpiration: true,
});

export const DUPLICATE_DETECTION_WINDOW_SECONDS_DEFAULT = 600;

function checkRange(what: string, value: number, range: { min: number; max: number }): void {
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new Error(`${what} must be an integer from ${range.min} to ${range.max}; got ${value}.`);
  }
}

function checkName(kind: keyof typeof LIMITS.nameLengthMax, name: string): void {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name.length > LIMITS.nameLengthMax[kind]) {
    throw new Error(
      `"${name}" is not a valid ${kind} name (letters, digits, '.', '_', '-', at most ${LIMITS.nameLengthMax[kind]} characters).`,
    );
  }
}

function deliverySettings(what: string, input: Partial<DeliverySettings>): DeliverySettings {
  const settings: DeliverySettings = {
    maxDeliveryCount: input.maxDeliveryCount ?? DELIVERY_DEFAULTS.maxDeliveryCount,
    lockDurationSeconds: input.lockDurationSeconds ?? DELIVERY_DEFAULTS.lockDurationSeconds,
    defaultMessageTimeToLiveSeconds:
      input.defaultMessageTimeToLiveSeconds ?? DELIVERY_DEFAULTS.defaultMessageTimeToLiveSeconds,
    deadLetteringOnMessageExpiration:
      input.deadLetteringOnMessageExpiration ?? DELIVERY_DEFAULTS.deadLetteringOnMessageExpiration,
  };
  checkRange(`${what}: maxDeliveryCount`, settings.maxDeliveryCount, LIMITS.maxDeliveryCount);
  checkRange(`${what}: lockDurationSeconds`, settings.lockDurationSeconds, LIMITS.lockDurationSeconds);
  checkRange(
    `${what}: defaultMessageTimeToLiveSeconds`,
    settings.defaultMessageTimeToLiveSeconds,
    LIMITS.defaultMessageTimeToLiveSeconds,
  );
  return settings;
}

/** Fills in the defaults and checks every setting against the Service Bus limits. */
export function declareTopology(declaration: TopologyDeclaration): Topology {
  const topics = (declaration.topics ?? []).map((topic): TopicSettings => {
    checkName('topic', topic.name);
    const window = topic.duplicateDetectionWindowSeconds ?? DUPLICATE_DETECTION_WINDOW_SECONDS_DEFAULT;
    checkRange(
      `topic ${topic.name}: duplicateDetectionWindowSeconds`,
      window,
      LIMITS.duplicateDetectionWindowSeconds,
    );
    const seen = new Set<string>();
    const subscriptions = (topic.subscriptions ?? []).map((sub): SubscriptionSettings => {
      checkName('subscription', sub.name);
      if (seen.has(sub.name.toLowerCase()))
        throw new Error(`Topic ${topic.name} declares subscription ${sub.name} twice.`);
      seen.add(sub.name.toLowerCase());
      if (
        sub.subjects !== undefined &&
        (sub.subjects.length === 0 || sub.subjects.length > LIMITS.subjectsPerSubscriptionMax)
      ) {
        throw new Error(
          `Subscription ${topic.name}/${sub.name}: subjects must list 1 to ${LIMITS.subjectsPerSubscriptionMax} subjects (leave it out for every message).`,
        );
      }
      return {
        name: sub.name,
        ...deliverySettings(`subscription ${topic.name}/${sub.name}`, sub),
        ...(sub.subjects ? { subjects: Object.freeze([...sub.subjects]) } : {}),
        ...(sub.description ? { description: sub.description } : {}),
      };
    });
    return { name: topic.name, duplicateDetectionWindowSeconds: window, subscriptions };
  });
  const queues = (declaration.queues ?? []).map((queue): QueueSettings => {
    checkName('queue', queue.name);
    const window = queue.duplicateDetectionWindowSeconds ?? DUPLICATE_DETECTION_WINDOW_SECONDS_DEFAULT;
    checkRange(
      `queue ${queue.name}: duplicateDetectionWindowSeconds`,
      window,
      LIMITS.duplicateDetectionWindowSeconds,
    );
    return {
      name: queue.name,
      ...deliverySettings(`queue ${queue.name}`, queue),
      duplicateDetectionWindowSeconds: window,
      ...(queue.description ? { description: queue.description } : {}),
    };
  });
  const names = [...topics.map((t) => t.name), ...queues.map((q) => q.name)].map((n) => n.toLowerCase());
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate)
    throw new Error(
      `The entity name ${duplicate} is declared twice (topics and queues share one namespace).`,
    );
  return { topics, queues };
}

/**
 * The ERP's topology. One subscription per consuming module, filtered to exactly the subjects its
 * consumers handle (a test holds each filter to its consumers' event types): a message nobody
 * handles is never copied into a subscription, received and completed for nothing.
 */
export function messagingTopology(eventsTopic: string = EVENTS_TOPIC_DEFAULT): Topology {
  return declareTopology({
    topics: [
      {
        name: eventsTopic,
        duplicateDetectionWindowSeconds: DUPLICATE_DETECTION_WINDOW_SECONDS_DEFAULT,
        subscriptions: [
          {
            name: 'platform',
            subjects: ['platform.FlowStartRequested'],
            description: 'Platform consumers: the flow starter.',
          },
          {
            name: 'accounting',
            subjects: ['admin.TenantOnboarded'],
            description: "Accounting's consumers: setting up a new tenant's books.",
          },
          {
            name: 'approvals',
            subjects: ['approvals.ApprovalDecided'],
            description: 'Hands each approval decision to the flow that waits for it.',
          },
          {
            name: 'teams',
            subjects: [
              'approvals.ApprovalRequested',
              'approvals.ApprovalDecided',
              'approvals.ApprovalEscalated',
              'approvals.ApprovalClosed',
            ],
            description: 'Posts approval cards to Teams and keeps them showing the current state.',
          },
          {
            name: 'notifications',
            subjects: [
              'approvals.ApprovalRequested',
              'approvals.ApprovalDecided',
              'approvals.ApprovalEscalated',
              'approvals.ApprovalClosed',
              'sales.SalesOrderConfirmed',
              'sales.QuoteOrderFailed',
              'inventory.StockLow',
            ],
            description: 'Tells the people an event concerns, in the web app and by email.',
          },
          {
            name: 'invoicing',
            subjects: ['accounting.InvoiceIssued'],
            description: 'Files each issued invoice as a tax invoice PDF and emails it to the customer.',
          },
        ],
      },
    ],
    queues: [],
  });
}

const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** A topic's settings; a topic the topology does not declare gets the defaults and no subscriptions. */
export function topicSettings(topology: Topology, topic: string): TopicSettings {
  return (
    topology.topics.find((t) => sameName(t.name, topic)) ?? {
      name: topic,
      duplicateDetectionWindowSeconds: DUPLICATE_DETECTION_WINDOW_SECONDS_DEFAULT,
      subscriptions: [],
    }
  );
}

/** A subscription's settings; one the topology does not declare gets the defaults and no filter. */
export function subscriptionSettings(
  topology: Topology,
  topic: string,
  subscription: string,
): SubscriptionSettings {
  return (
    topicSettings(topology, topic).subscriptions.find((s) => sameName(s.name, subscription)) ?? {
      name: subscription,
      ...DELIVERY_DEFAULTS,
    }
  );
}

/** A queue's settings; a queue the topology does not declare gets the defaults. */
export function queueSettings(topology: Topology, queue: string): QueueSettings {
  return (
    topology.queues.find((q) => sameName(q.name, queue)) ?? {
      name: queue,
      ...DELIVERY_DEFAULTS,
      duplicateDetectionWindowSeconds: DUPLICATE_DETECTION_WINDOW_SECONDS_DEFAULT,
    }
  );
}

/** Whether a subscription's filter lets a message with this subject through. */
export function subscriptionAccepts(
  subscription: SubscriptionSettings,
  subject: string | undefined,
): boolean {
  if (!subscription.subjects) return true;
  return subject !== undefined && subscription.subjects.includes(subject);
}
