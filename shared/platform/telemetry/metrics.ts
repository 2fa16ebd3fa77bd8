import { metrics, type Attributes, type Counter, type Histogram, type Meter } from '@opentelemetry/api';

/**
 * Custom metrics. With Azure Monitor they land in Application Insights as customMetrics, where
 * alerts watch them; locally no meter provider is registered and recording costs nothing.
 *
 * Attributes are dimensions, and every distinct combination is a separate series: keep them few
 * and low-cardinality (event type, module, outcome). Never a tenant id, user id or document id.
 */

const METER_NAME = 'tessera-erp';
const METRIC_NAME = /^[a-z][a-z0-9_.]{0,62}$/;
const ATTRIBUTES_MAX = 8;
const ATTRIBUTE_VALUE_LENGTH_MAX = 64;
const INSTRUMENTS_MAX = 200;

/** Bucket boundaries for durations in milliseconds, from 5 ms to 7 days. */
export const DURATION_BUCKETS_MS = [
  5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 300_000, 900_000, 3_600_000,
  14_400_000, 86_400_000, 259_200_000, 604_800_000,
];

export interface MetricDefinition {
  description: string;
  /** UCUM: `ms`, `s`, `By`, `{message}`, `1`. */
  unit: string;
  /** Histograms only: explicit bucket boundaries. */
  buckets?: number[];
}

export interface CounterHandle {
  add(value?: number, attributes?: Attributes): void;
}

export interface HistogramHandle {
  record(value: number, attributes?: Attributes): void;
}

// Instruments are created from the meter that is current when a value is recorded: the OpenTelemetry
// API has no proxy for meters, so a meter taken before initTelemetry() would stay a no-op for ever.
const instruments = new WeakMap<Meter, Map<string, Counter | Histogram>>();

function instrument<T extends Counter | Histogram>(name: string, create: (meter: Meter) => T): T {
  const meter = metrics.getMeter(METER_NAME);
  let byName = instruments.get(meter);
  if (!byName) {
    byName = new Map();
    instruments.set(meter, byName);
  }
  let found = byName.get(name) as T | undefined;
  if (!found) {
    found = create(meter);
    byName.set(name, found);
  }
  return found;
}

const defined = new Set<string>();

/** Names are checked when a metric is defined (at module load), so a bad one fails fast and loudly. */
function define(name: string): void {
  if (!METRIC_NAME.test(name))
    throw new RangeError(`"${name}" is not a metric name: lowercase, digits, dots, underscores.`);
  if (!defined.has(name) && defined.size >= INSTRUMENTS_MAX)
    throw new Error(`More than ${INSTRUMENTS_MAX} metrics defined.`);
  defined.add(name);
}

/** Caps the dimensions of one data point so that a careless caller cannot explode the series count. */
function bounded(attributes: Attributes | undefined): Attributes | undefined {
  if (!attributes) return undefined;
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes).slice(0, ATTRIBUTES_MAX)) {
    out[key] = typeof value === 'string' ? value.slice(0, ATTRIBUTE_VALUE_LENGTH_MAX) : value;
  }
  return out;
}

/** A monotonic counter (`name` like `tessera.servicebus.dead_letters`). */
export function counter(name: string, definition: MetricDefinition): CounterHandle {
  define(name);
  return {
    add: (value = 1, attributes) => {
      if (!Number.isFinite(value) || value < 0) return;
      instrument(name, (meter) =>
        meter.createCounter(name, { description: definition.description, unit: definition.unit }),
      ).add(value, bounded(attributes));
    },
  };
}

/** A distribution of values (durations, sizes). */
export function histogram(name: string, definition: MetricDefinition): HistogramHandle {
  define(name);
  return {
    record: (value, attributes) => {
      if (!Number.isFinite(value) || value < 0) return;
      instrument(name, (meter) =>
        meter.createHistogram(name, {
          description: definition.description,
          unit: definition.unit,
          advice: definition.buckets ? { explicitBucketBoundaries: definition.buckets } : undefined,
        }),
      ).record(value, bounded(attributes));
    },
  };
}

/** Bucket boundaries for durations in seconds, from 0.1 s to 7 days. */
export const DURATION_BUCKETS_SECONDS = DURATION_BUCKETS_MS.filter((ms) => ms >= 100).map((ms) => ms / 1_000);

// The names below are the ones the operations workbook and alerts query (infra/workbooks,
// infra/bicep/modules/operations.bicep): rename them there too.

const outboxLag = histogram('tessera.outbox.lag_seconds', {
  description:
    'Age of the oldest event still waiting in the outbox, measured at each relay pass (0 when none waits).',
  unit: 's',
  buckets: DURATION_BUCKETS_SECONDS,
});

const deadLetters = counter('tessera.servicebus.dead_letters', {
  description: 'Messages moved to a dead-letter queue.',
  unit: '{message}',
});

const approvalLatency = histogram('tessera.approval.latency_seconds', {
  description: 'Time from an approval being requested to its decision or expiry.',
  unit: 's',
  buckets: DURATION_BUCKETS_SECONDS,
});

const orchestrations = counter('tessera.orchestrations', {
  description: 'Durable orchestrations that reached an end, by orchestration and status.',
  unit: '{orchestration}',
});

/** How far behind the outbox relay is: the age of the oldest unpublished event, in seconds. */
export function recordOutboxLag(lagSeconds: number): void {
  outboxLag.record(lagSeconds);
}

/** One or more messages went to a dead-letter queue. */
export function recordDeadLetter(attributes: { subscription: string; reason?: string }, count = 1): void {
  deadLetters.add(count, {
    'messaging.destination.subscription.name': attributes.subscription,
    ...(attributes.reason ? { reason: attributes.reason } : {}),
  });
}

/** How long an approval took from request to its end, in seconds. */
export function recordApprovalLatency(
  latencySeconds: number,
  attributes: { subject: string; outcome: 'approved' | 'rejected' | 'expired' | 'cancelled' },
): void {
  approvalLatency.record(latencySeconds, { subject: attributes.subject, outcome: attributes.outcome });
}

/** A durable orchestration ended (`completed` or `failed`). */
export function recordOrchestration(name: string, status: 'completed' | 'failed'): void {
  orchestrations.add(1, { orchestration: name, status });
}
