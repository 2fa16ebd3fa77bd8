import {
  metrics,
  type Attributes,
  type Meter,
  type MeterProvider,
  type MetricOptions,
} from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import {
  counter,
  recordApprovalLatency,
  recordDeadLetter,
  recordOrchestration,
  recordOutboxLag,
} from '../../shared/platform/telemetry/metrics.js';

/**
 * A meter provider that keeps every recorded value, registered through the OpenTelemetry API the
 * way the Azure Monitor distro registers its own. The helpers are checked against the API
 * contract; what the distro then does with the values is the distro's business.
 */
interface Recorded {
  instrument: string;
  kind: 'counter' | 'histogram';
  options: MetricOptions | undefined;
  value: number;
  attributes: Attributes | undefined;
}
const recorded: Recorded[] = [];

function recordingMeter(): Meter {
  const instrument = (kind: Recorded['kind']) => (name: string, options?: MetricOptions) => {
    const record = (value: number, attributes?: Attributes) =>
      recorded.push({ instrument: name, kind, options, value, attributes });
    return { add: record, record };
  };
  return {
    createCounter: instrument('counter'),
    createHistogram: instrument('histogram'),
  } as unknown as Meter;
}

// Recorded before any provider is registered: the API's no-op meter takes it, and nothing throws.
recordOutboxLag(5);

const meter = recordingMeter();
const provider: MeterProvider = { getMeter: () => meter };
metrics.setGlobalMeterProvider(provider);
afterAll(() => metrics.disable());

describe('metrics', () => {
  it('records through the meter registered after the helpers were defined', () => {
    recordOutboxLag(1.25);
    recordDeadLetter({ subscription: 'inventory', reason: 'MaxDeliveryCountExceeded' });
    recordApprovalLatency(3_600, { subject: 'sales.quote', outcome: 'approved' });
    recordOrchestration('quote-to-order', 'failed');

    expect(recorded.map(({ instrument, kind, value }) => ({ instrument, kind, value }))).toEqual([
      { instrument: 'tessera.outbox.lag_seconds', kind: 'histogram', value: 1.25 },
      { instrument: 'tessera.servicebus.dead_letters', kind: 'counter', value: 1 },
      { instrument: 'tessera.approval.latency_seconds', kind: 'histogram', value: 3_600 },
      { instrument: 'tessera.orchestrations', kind: 'counter', value: 1 },
    ]);
    expect(recorded[0]?.attributes).toBeUndefined();
    expect(recorded[0]?.options?.unit).toBe('s');
    expect(recorded[0]?.options?.advice?.explicitBucketBoundaries?.length).toBeGreaterThan(10);
    expect(recorded[1]?.attributes).toEqual({
      'messaging.destination.subscription.name': 'inventory',
      reason: 'MaxDeliveryCountExceeded',
    });
    expect(recorded[2]?.attributes).toEqual({ subject: 'sales.quote', outcome: 'approved' });
    expect(recorded[3]?.attributes).toEqual({ orchestration: 'quote-to-order', status: 'failed' });
  });

  it('caps dimensions, ignores impossible values and refuses bad names', () => {
    recorded.length = 0;
    const requests = counter('tessera.test.requests', { description: 'Test counter.', unit: '{request}' });
    const wide = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`k${i}`, 'v'.repeat(100)]));
    requests.add(1, wide);
    requests.add(-1);
    requests.add(Number.NaN);
    expect(recorded).toHaveLength(1);
    expect(Object.keys(recorded[0]?.attributes ?? {})).toHaveLength(8);
    expect(String(recorded[0]?.attributes?.k0)).toHaveLength(64);
    expect(() => counter('Tessera Requests', { description: '', unit: '1' })).toThrow(RangeError);
  });
});
