import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  isSpanContextValid,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
  type Tracer,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

export { SpanKind };
export type { Attributes, Span };

const TRACER_NAME = 'tessera-erp';
// The longest error message a span keeps; a database or SDK message can quote whole inputs.
const ERROR_MESSAGE_LENGTH_MAX = 512;

/**
 * The W3C trace context, as it travels in the outbox, in Service Bus application properties and in
 * orchestration inputs.
 */
export interface TraceCarrier {
  traceparent?: string | null;
  tracestate?: string | null;
}

// Used directly rather than through the global propagator: what goes into the outbox must be W3C
// trace context whatever else a distro registers.
const w3c = new W3CTraceContextPropagator();

/** The app's tracer. Before initTelemetry() it is the API's no-op, and it follows once telemetry starts. */
export function tracer(): Tracer {
  return trace.getTracer(TRACER_NAME);
}

export interface WithSpanOptions {
  kind?: SpanKind;
  /** The parent: an OpenTelemetry context, or a remote one as W3C headers; the active context otherwise. */
  parent?: Context | TraceCarrier;
  links?: Link[];
}

/**
 * Runs `fn` inside a new span that is the active one for everything `fn` awaits. A thrown error is
 * recorded on the span, sets its status to error and is rethrown unchanged.
 */
export async function withSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span) => T | Promise<T>,
  options: WithSpanOptions = {},
): Promise<T> {
  const parent = options.parent === undefined ? context.active() : toContext(options.parent);
  const span = tracer().startSpan(
    name,
    { kind: options.kind ?? SpanKind.INTERNAL, attributes, links: options.links },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/** Marks a span as failed with this error: the exception event and an error status. */
export function recordError(span: Span, error: unknown): void {
  if (error instanceof Error) {
    span.recordException({ name: error.name, message: truncate(error.message), stack: error.stack });
    span.setStatus({ code: SpanStatusCode.ERROR, message: truncate(`${error.name}: ${error.message}`) });
  } else {
    span.setStatus({ code: SpanStatusCode.ERROR, message: truncate(String(error)) });
  }
}

/** The active trace as W3C headers, to store with an outbox event or pass to an orchestration. */
export function currentTraceparent(): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  w3c.inject(context.active(), carrier, {
    set: (c, key, value) => {
      c[key] = value;
    },
  });
  const out: { traceparent?: string; tracestate?: string } = {};
  if (carrier.traceparent) out.traceparent = carrier.traceparent;
  if (carrier.tracestate) out.tracestate = carrier.tracestate;
  return out;
}

/**
 * Runs `fn` with the remote span named by `traceparent` as its parent, so the spans it starts
 * continue that trace (a consumer of an outbox event, an orchestration activity). Without a valid
 * traceparent `fn` runs in the current context unchanged.
 */
export function withRemoteParent<T>(
  traceparent: string | null | undefined,
  tracestate: string | null | undefined,
  fn: () => T,
): T {
  const parent = remoteContext({ traceparent, tracestate });
  return parent ? context.with(parent, fn) : fn();
}

/**
 * The context whose parent is the remote span in `carrier`, or undefined when the carrier holds no
 * valid W3C traceparent. The remote span starts from the root context: nothing of the caller's
 * current trace leaks into it.
 */
export function remoteContext(carrier: TraceCarrier, base: Context = ROOT_CONTEXT): Context | undefined {
  if (!carrier.traceparent) return undefined;
  const headers: Record<string, string> = { traceparent: carrier.traceparent };
  if (carrier.tracestate) headers.tracestate = carrier.tracestate;
  const extracted = w3c.extract(base, headers, {
    get: (c, key) => c[key],
    keys: (c) => Object.keys(c),
  });
  const spanContext = trace.getSpanContext(extracted);
  return spanContext && isSpanContextValid(spanContext) ? extracted : undefined;
}

function toContext(parent: Context | TraceCarrier): Context {
  if (typeof (parent as Context).getValue === 'function') return parent as Context;
  return remoteContext(parent as TraceCarrier) ?? context.active();
}

function truncate(text: string): string {
  return text.length > ERROR_MESSAGE_LENGTH_MAX ? `${text.slice(0, ERROR_MESSAGE_LENGTH_MAX)}…` : text;
}
