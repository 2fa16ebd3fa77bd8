import { app, type FunctionHandler, type InvocationContext } from '@azure/functions';
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { flushTelemetry } from './init.js';
import { recordError, remoteContext, tracer, type TraceCarrier } from './tracing.js';

/**
 * Runs every function invocation inside a span: the span starts in a preInvocation hook, which
 * wraps the handler so that the span is the active context for everything the handler awaits, and
 * ends in the postInvocation hook with the outcome.
 *
 * The parent is the trace the invocation belongs to: the host's trace context (in Azure the host
 * has already continued the caller's `traceparent`), else the HTTP request's `traceparent` header;
 * for a Service Bus message, the `traceparent` application property our outbox relay writes, which
 * continues the trace of the request that emitted the event across the broker.
 */

// At most this many links from a batch of messages to the traces that sent them.
const BATCH_LINKS_MAX = 32;

interface TriggerInfo {
  kind: SpanKind;
  faasTrigger: 'http' | 'pubsub' | 'timer' | 'datasource' | 'other';
}

function triggerInfo(type: string): TriggerInfo {
  switch (type.toLowerCase()) {
    case 'httptrigger':
      return { kind: SpanKind.SERVER, faasTrigger: 'http' };
    case 'servicebustrigger':
    case 'eventhubtrigger':
    case 'queuetrigger':
    case 'eventgridtrigger':
      return { kind: SpanKind.CONSUMER, faasTrigger: 'pubsub' };
    case 'timertrigger':
      return { kind: SpanKind.INTERNAL, faasTrigger: 'timer' };
    case 'blobtrigger':
    case 'cosmosdbtrigger':
      return { kind: SpanKind.INTERNAL, faasTrigger: 'datasource' };
    default:
      return { kind: SpanKind.INTERNAL, faasTrigger: 'other' };
  }
}

interface HttpLike {
  method: string;
  url: string;
  headers: { get(name: string): string | null };
}

function asHttpRequest(input: unknown): HttpLike | undefined {
  const candidate = input as Partial<HttpLike> | null | undefined;
  return candidate && typeof candidate.url === 'string' && typeof candidate.headers?.get === 'function'
    ? (candidate as HttpLike)
    : undefined;
}

function hostCarrier(invocation: InvocationContext): TraceCarrier {
  return {
    traceparent: invocation.traceContext?.traceParent,
    tracestate: invocation.traceContext?.traceState,
  };
}

function messageCarrier(properties: unknown): TraceCarrier | undefined {
  if (!properties || typeof properties !== 'object') return undefined;
  const p = properties as Record<string, unknown>;
  const traceparent = p.traceparent ?? p['Diagnostic-Id'];
  if (typeof traceparent !== 'string') return undefined;
  return { traceparent, tracestate: typeof p.tracestate === 'string' ? p.tracestate : undefined };
}

function linkTo(parent: Context | undefined): Link[] {
  const spanContext = parent && trace.getSpanContext(parent);
  return spanContext ? [{ context: spanContext }] : [];
}

interface Placement {
  parent: Context;
  links: Link[];
  attributes: Attributes;
}

function place(
  invocation: InvocationContext,
  inputs: unknown[],
  faasTrigger: TriggerInfo['faasTrigger'],
): Placement {
  const fromHost = remoteContext(hostCarrier(invocation));
  const attributes: Attributes = {};

  if (faasTrigger === 'http') {
    const request = asHttpRequest(inputs[0]);
    if (request) {
      attributes['http.request.method'] = request.method;
      const route = (invocation.options.trigger as { route?: unknown }).route;
      if (typeof route === 'string') attributes['http.route'] = route;
      try {
        // Path, scheme and host only: a query string can carry tokens or signatures.
        const url = new URL(request.url);
        attributes['url.path'] = url.pathname;
        attributes['url.scheme'] = url.protocol.replace(/:$/, '');
        attributes['server.address'] = url.hostname;
      } catch {
        // A request URL that does not parse is recorded without these attributes.
      }
    }
    const fromHeader = request
      ? remoteContext({
          traceparent: request.headers.get('traceparent'),
          tracestate: request.headers.get('tracestate'),
        })
      : undefined;
    return { parent: fromHost ?? fromHeader ?? ROOT_CONTEXT, links: [], attributes };
  }

  if (faasTrigger === 'pubsub') {
    const metadata = (invocation.triggerMetadata ?? {}) as Record<string, unknown>;
    if (typeof metadata.messageId === 'string') attributes['messaging.message.id'] = metadata.messageId;
    if (typeof metadata.deliveryCount === 'number')
      attributes['messaging.servicebus.message.delivery_count'] = metadata.deliveryCount;
    const single = messageCarrier(metadata.applicationProperties ?? metadata.userProperties);
    const fromMessage = single && remoteContext(single);
    if (fromMessage) return { parent: fromMessage, links: linkTo(fromHost), attributes };
    // A batch has one trace per message: the span stays in the host's trace and links to each.
    const batch = metadata.applicationPropertiesArray ?? metadata.userPropertiesArray;
    const links: Link[] = [];
    if (Array.isArray(batch)) {
      for (const properties of batch.slice(0, BATCH_LINKS_MAX)) {
        const carrier = messageCarrier(properties);
        links.push(...linkTo(carrier && remoteContext(carrier)));
      }
    }
    return { parent: fromHost ?? ROOT_CONTEXT, links, attributes };
  }

  return { parent: fromHost ?? ROOT_CONTEXT, links: [], attributes };
}

function httpStatus(result: unknown): number | undefined {
  const status = (result as { status?: unknown } | null | undefined)?.status;
  return typeof status === 'number' ? status : undefined;
}

// Keyed by the invocation's context object, which both hooks of one invocation receive; an
// invocation whose postInvocation never runs leaves nothing behind.
const spans = new WeakMap<InvocationContext, Span>();

let registration: { dispose(): void } | undefined;

/**
 * Registers the hooks; call it where the app registers its functions. Calling it again while the
 * hooks are registered returns the same registration; `dispose()` removes them.
 */
export function registerInvocationTelemetry(): { dispose(): void } {
  if (registration) return registration;

  const pre = app.hook.preInvocation((hook) => {
    const invocation = hook.invocationContext;
    const triggerType = invocation.options.trigger.type;
    const { kind, faasTrigger } = triggerInfo(triggerType);
    const { parent, links, attributes } = place(invocation, hook.inputs, faasTrigger);
    const request = faasTrigger === 'http' ? asHttpRequest(hook.inputs[0]) : undefined;
    const route = attributes['http.route'];
    const name = request
      ? `${request.method} ${typeof route === 'string' ? route : invocation.functionName}`
      : invocation.functionName;
    const span = tracer().startSpan(
      name,
      {
        kind,
        links,
        attributes: {
          ...attributes,
          'faas.name': invocation.functionName,
          'faas.trigger': faasTrigger,
          'faas.invocation_id': invocation.invocationId,
          'azure.functions.trigger_type': triggerType,
        },
      },
      parent,
    );
    spans.set(invocation, span);
    const active = trace.setSpan(parent, span);
    const handler: FunctionHandler = hook.functionHandler;
    // Every argument passes through, whatever the worker hands the handler.
    hook.functionHandler = (...args: Parameters<FunctionHandler>) =>
      context.with(active, () => handler(...args));
  });

  const post = app.hook.postInvocation((hook) => {
    const span = spans.get(hook.invocationContext);
    if (!span) return;
    spans.delete(hook.invocationContext);
    const status = httpStatus(hook.result);
    if (status !== undefined && hook.invocationContext.options.trigger.type.toLowerCase() === 'httptrigger') {
      span.setAttribute('http.response.status_code', status);
      // A 4xx is the caller's mistake, answered correctly; only a 5xx is a failure of this server.
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    }
    if (hook.error !== undefined && hook.error !== null) recordError(span, hook.error);
    span.end();
  });

  // The host may end the worker soon after this; what is still buffered would be lost.
  const terminate = app.hook.appTerminate(() => flushTelemetry());

  registration = {
    dispose: () => {
      pre.dispose();
      post.dispose();
      terminate.dispose();
      registration = undefined;
    },
  };
  return registration;
}
