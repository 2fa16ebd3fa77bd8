import { app, HttpRequest, type HttpResponseInit } from '@azure/functions';
import { SpanKind, SpanStatusCode, trace, type SpanContext } from '@opentelemetry/api';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { setFunctionsCoreSink } from '../../devhost/functions-core.js';
import { FunctionHost } from '../../devhost/host.js';
import { registerInvocationTelemetry } from '../../shared/platform/telemetry/hooks.js';
import { currentTraceparent } from '../../shared/platform/telemetry/tracing.js';
import { spanNamed, startLocalTelemetry } from './support.js';

const capture = startLocalTelemetry();
beforeEach(() => capture.reset());

const HOST_TRACE = '0af7651916cd43dd8448eb211c80319c';
const HOST_SPAN = 'b7ad6b7169203331';
const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const PRODUCER_TRACE = '11112222333344445555666677778888';
const PRODUCER_SPAN = '9999aaaabbbbcccc';

// What each handler saw as the active span while it ran, and what it would write to the outbox.
const seen = new Map<string, { active: SpanContext | undefined; outbox: { traceparent?: string } }>();
function observe(name: string): void {
  seen.set(name, { active: trace.getActiveSpan()?.spanContext(), outbox: currentTraceparent() });
}

const host = new FunctionHost(() => undefined);
setFunctionsCoreSink(host);
const telemetry = registerInvocationTelemetry();

app.http('orders-create', {
  route: 'v1/sales/orders',
  methods: ['POST'],
  handler: async (): Promise<HttpResponseInit> => {
    await new Promise((resolve) => setTimeout(resolve, 2));
    observe('orders-create');
    return { status: 201 };
  },
});
app.http('orders-broken', {
  route: 'v1/sales/broken',
  methods: ['GET'],
  handler: async (): Promise<HttpResponseInit> => ({ status: 503 }),
});
app.serviceBusTopic('inventory-on-order-placed', {
  topicName: 'erp-events',
  subscriptionName: 'inventory',
  connection: 'SERVICEBUS',
  handler: async () => {
    observe('inventory-on-order-placed');
  },
});
app.timer('outbox-relay', {
  schedule: '0 */5 * * * *',
  handler: async () => {
    observe('outbox-relay');
    throw new Error('relay failed');
  },
});

afterAll(() => {
  telemetry.dispose();
  setFunctionsCoreSink(undefined);
  capture.dispose();
});

function request(
  headers: Record<string, string> = {},
  path = '/api/v1/sales/orders?token=do-not-record',
): HttpRequest {
  return new HttpRequest({
    method: 'POST',
    url: `http://localhost:7071${path}`,
    headers,
    body: { string: '{}' },
  });
}

describe('invocation hooks', () => {
  it('runs an HTTP handler inside a server span parented on the host trace context', async () => {
    const { result } = await host.invoke(host.get('orders-create'), request(), {
      invocationId: 'inv-1',
      traceContext: { traceParent: `00-${HOST_TRACE}-${HOST_SPAN}-01` },
    });
    expect((result as HttpResponseInit).status).toBe(201);

    const span = spanNamed(capture.spans(), 'POST v1/sales/orders');
    expect(span.kind).toBe(SpanKind.SERVER);
    expect(span.spanContext().traceId).toBe(HOST_TRACE);
    expect(span.parentSpanContext?.spanId).toBe(HOST_SPAN);
    // The handler ran with this span active, after an await.
    const handler = seen.get('orders-create');
    expect(handler?.active?.spanId).toBe(span.spanContext().spanId);
    expect(handler?.outbox.traceparent).toBe(`00-${HOST_TRACE}-${span.spanContext().spanId}-01`);
    expect(span.attributes).toMatchObject({
      'faas.name': 'orders-create',
      'faas.trigger': 'http',
      'faas.invocation_id': 'inv-1',
      'azure.functions.trigger_type': 'httpTrigger',
      'http.request.method': 'POST',
      'http.route': 'v1/sales/orders',
      'url.path': '/api/v1/sales/orders',
      'http.response.status_code': 201,
    });
    expect(JSON.stringify(span.attributes)).not.toContain('do-not-record');
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("falls back to the request's traceparent header without a host trace context", async () => {
    await host.invoke(
      host.get('orders-create'),
      request({ traceparent: `00-${CALLER_TRACE}-${CALLER_SPAN}-01` }),
    );
    const span = spanNamed(capture.spans(), 'POST v1/sales/orders');
    expect(span.spanContext().traceId).toBe(CALLER_TRACE);
    expect(span.parentSpanContext?.spanId).toBe(CALLER_SPAN);
    expect(seen.get('orders-create')?.active?.spanId).toBe(span.spanContext().spanId);
  });

  it('starts a new trace when there is no parent at all', async () => {
    await host.invoke(host.get('orders-create'), request());
    const span = spanNamed(capture.spans(), 'POST v1/sales/orders');
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.spanContext().traceId).not.toBe(HOST_TRACE);
  });

  it('marks a 5xx response as a failure', async () => {
    await host.invoke(
      host.get('orders-broken'),
      new HttpRequest({ method: 'GET', url: 'http://localhost:7071/api/v1/sales/broken' }),
    );
    const span = spanNamed(capture.spans(), 'GET v1/sales/broken');
    expect(span.attributes['http.response.status_code']).toBe(503);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('continues the producer trace for a Service Bus message, linked to the host trace', async () => {
    await host.invoke(
      host.get('inventory-on-order-placed'),
      { orderId: 'o-1' },
      {
        traceContext: { traceParent: `00-${HOST_TRACE}-${HOST_SPAN}-01` },
        triggerMetadata: {
          messageId: 'evt-1',
          deliveryCount: 2,
          applicationProperties: { tenantId: 't-1', traceparent: `00-${PRODUCER_TRACE}-${PRODUCER_SPAN}-01` },
        },
      },
    );
    const span = spanNamed(capture.spans(), 'inventory-on-order-placed');
    expect(span.kind).toBe(SpanKind.CONSUMER);
    expect(span.spanContext().traceId).toBe(PRODUCER_TRACE);
    expect(span.parentSpanContext?.spanId).toBe(PRODUCER_SPAN);
    expect(span.links.map((link) => link.context.spanId)).toEqual([HOST_SPAN]);
    expect(span.attributes).toMatchObject({
      'faas.trigger': 'pubsub',
      'messaging.message.id': 'evt-1',
      'messaging.servicebus.message.delivery_count': 2,
    });
    expect(seen.get('inventory-on-order-placed')?.active?.spanId).toBe(span.spanContext().spanId);
  });

  it('records a thrown error on an internal span and still lets it fail the invocation', async () => {
    await expect(
      host.invoke(
        host.get('outbox-relay'),
        { isPastDue: false },
        { traceContext: { traceParent: `00-${HOST_TRACE}-${HOST_SPAN}-01` } },
      ),
    ).rejects.toThrow('relay failed');
    const span = spanNamed(capture.spans(), 'outbox-relay');
    expect(span.kind).toBe(SpanKind.INTERNAL);
    expect(span.attributes['faas.trigger']).toBe('timer');
    expect(span.parentSpanContext?.spanId).toBe(HOST_SPAN);
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.events.map((event) => event.name)).toEqual(['exception']);
    expect(seen.get('outbox-relay')?.active?.spanId).toBe(span.spanContext().spanId);
  });

  // Last in the file: it removes the hooks.
  it('registers once, and records nothing after dispose', async () => {
    expect(registerInvocationTelemetry()).toBe(telemetry);
    telemetry.dispose();
    seen.delete('orders-create');
    await host.invoke(host.get('orders-create'), request());
    expect(capture.spans()).toEqual([]);
    expect(seen.get('orders-create')?.active).toBeUndefined();
  });
});
