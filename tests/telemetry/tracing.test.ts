import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { initTelemetry, telemetryMode, type SpanCapture } from '../../shared/platform/telemetry/init.js';
import { currentTraceparent, withRemoteParent, withSpan } from '../../shared/platform/telemetry/tracing.js';
import { spanNamed, startLocalTelemetry } from './support.js';

const capture: SpanCapture = startLocalTelemetry();
afterAll(() => capture.dispose());
beforeEach(() => capture.reset());

const TRACEPARENT = /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/;

describe('tracing', () => {
  it('continues a trace from one function in another through the traceparent', async () => {
    // The producer: an HTTP function that writes an event with its trace context to the outbox.
    let outboxRow: { traceparent?: string; tracestate?: string } = {};
    await withSpan(
      'POST v1/sales/orders',
      { 'tessera.module': 'sales' },
      async () => {
        outboxRow = currentTraceparent();
      },
      { kind: SpanKind.SERVER },
    );
    expect(outboxRow.traceparent).toMatch(TRACEPARENT);

    // The consumer, later and elsewhere: it only has the row.
    await withRemoteParent(outboxRow.traceparent, outboxRow.tracestate, () =>
      withSpan('inventory.reserve-stock', { 'tessera.module': 'inventory' }, async () => undefined, {
        kind: SpanKind.CONSUMER,
      }),
    );

    const producer = spanNamed(capture.spans(), 'POST v1/sales/orders');
    const consumer = spanNamed(capture.spans(), 'inventory.reserve-stock');
    expect(consumer.spanContext().traceId).toBe(producer.spanContext().traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    expect(consumer.parentSpanContext?.isRemote).toBe(true);
    expect(consumer.kind).toBe(SpanKind.CONSUMER);
    expect(outboxRow.traceparent).toBe(
      `00-${producer.spanContext().traceId}-${producer.spanContext().spanId}-01`,
    );
  });

  it('takes a remote parent as the parent option as well, with its tracestate', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    let inner: { traceparent?: string; tracestate?: string } = {};
    await withSpan(
      'approval.notify',
      {},
      async () => {
        inner = currentTraceparent();
      },
      { parent: { traceparent, tracestate: 'tessera=1' } },
    );
    const span = spanNamed(capture.spans(), 'approval.notify');
    expect(span.spanContext().traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(span.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(inner.tracestate).toBe('tessera=1');
  });

  it('nests spans by the active context across awaits', async () => {
    await withSpan('outer', {}, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      await withSpan('inner', { n: 1 }, async () => undefined);
    });
    const outer = spanNamed(capture.spans(), 'outer');
    const inner = spanNamed(capture.spans(), 'inner');
    expect(inner.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(inner.attributes.n).toBe(1);
  });

  it('records an error, marks the span failed and rethrows the same error', async () => {
    const failure = new Error('credit limit exceeded');
    await expect(
      withSpan('sales.credit-check', {}, async () => {
        throw failure;
      }),
    ).rejects.toBe(failure);
    const span = spanNamed(capture.spans(), 'sales.credit-check');
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.status.message).toBe('Error: credit limit exceeded');
    expect(span.events.map((event) => event.name)).toEqual(['exception']);
    expect(span.events[0]?.attributes?.['exception.message']).toBe('credit limit exceeded');
  });

  it('gives no traceparent outside a span, and ignores an invalid one', async () => {
    expect(currentTraceparent()).toEqual({});
    const result = withRemoteParent('00-not-a-trace', undefined, () => trace.getActiveSpan());
    expect(result).toBeUndefined();
    const nothing = withRemoteParent(null, null, () => 42);
    expect(nothing).toBe(42);
  });

  it('starts once: a second initTelemetry() changes nothing', async () => {
    expect(initTelemetry({ roleName: 'something-else' })).toBe('local');
    expect(telemetryMode()).toBe('local');
    await withSpan('after-second-init', {}, () => undefined);
    expect(spanNamed(capture.spans(), 'after-second-init').resource.attributes['service.name']).toBe(
      'tessera-erp',
    );
  });
});
