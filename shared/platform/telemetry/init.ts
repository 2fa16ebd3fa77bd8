import { createRequire } from 'node:module';
import type { TokenCredential } from '@azure/identity';
import type * as AzureMonitor from '@azure/monitor-opentelemetry';
import { context, propagation, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { settings } from '../config.js';

/**
 * Sets up OpenTelemetry once per process. With `APPLICATIONINSIGHTS_CONNECTION_STRING` the Azure
 * Monitor distro exports traces and metrics to Application Insights; without it (devhost, tests) a
 * plain tracer provider still creates real spans and propagates W3C trace context, so trace ids in
 * logs, the outbox and Service Bus messages are the same locally as in Azure.
 */

export interface TelemetryOptions {
  /** The cloud role name Application Insights shows on the application map. */
  roleName?: string;
  /**
   * Authenticates ingestion with Entra ID (the function app's managed identity), for a resource
   * that refuses instrumentation-key-only ingestion. The identity needs "Monitoring Metrics Publisher".
   */
  credential?: TokenCredential;
}

export type TelemetryMode = 'azure-monitor' | 'local';

export const ROLE_NAME_DEFAULT = 'tessera-erp';
// At most 4 KiB per attribute value and 64 attributes, events and links per span: a span that
// carries a whole SQL text or payload costs ingestion and can carry data that must not leave.
const SPAN_LIMITS = {
  attributeValueLengthLimit: 4_096,
  attributeCountLimit: 64,
  eventCountLimit: 64,
  linkCountLimit: 64,
};
// Application Insights keeps at most this many traces per second per process; the rest are sampled
// out as whole traces, never as single spans.
const TRACES_PER_SECOND_MAX = 5;

/**
 * Forwards to a set of processors that can change after start-up: the SDK takes its processors
 * once, at construction, and a test attaches its in-memory exporter later.
 */
class FanOutSpanProcessor implements SpanProcessor {
  readonly processors = new Set<SpanProcessor>();

  onStart(span: Span, parentContext: Context): void {
    for (const processor of this.processors) processor.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    for (const processor of this.processors) processor.onEnd(span);
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.processors].map((processor) => processor.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.processors].map((processor) => processor.shutdown()));
  }
}

interface TelemetryState {
  mode: TelemetryMode;
  fanOut: FanOutSpanProcessor;
  flush(): Promise<void>;
}

// On globalThis, like the OpenTelemetry API's own globals: a module evaluated twice in one process
// (test isolation, two copies on disk) must not register a second provider.
const STATE_KEY = Symbol.for('tessera.telemetry.state');
function stateSlot(): { state?: TelemetryState } {
  const g = globalThis as unknown as Record<symbol, { state?: TelemetryState } | undefined>;
  g[STATE_KEY] ??= {};
  return g[STATE_KEY];
}

/** Starts telemetry if it is not running yet and says how it runs. Call it before any other app code. */
export function initTelemetry(options: TelemetryOptions = {}): TelemetryMode {
  const slot = stateSlot();
  if (slot.state) return slot.state.mode;
  const roleName = options.roleName ?? ROLE_NAME_DEFAULT;
  const resource = resourceFromAttributes({ 'service.name': roleName });
  const fanOut = new FanOutSpanProcessor();
  const connectionString = readConnectionString();

  if (connectionString) {
    // Loaded only here: the distro and its instrumentations take a noticeable time to load, which
    // local runs and tests need not pay. A synchronous require keeps initTelemetry() synchronous,
    // so it can run first thing when the app loads, before the modules it instruments.
    const require = createRequire(import.meta.url);
    const { useAzureMonitor } = require('@azure/monitor-opentelemetry') as typeof AzureMonitor;
    useAzureMonitor({
      azureMonitorExporterOptions: { connectionString, credential: options.credential },
      resource,
      tracesPerSecond: TRACES_PER_SECOND_MAX,
      enableLiveMetrics: false,
      spanProcessors: [fanOut],
      instrumentationOptions: {
        http: { enabled: true },
        azureSdk: { enabled: true },
        // Database spans come from our Kysely log hook (db.ts), which names the operation and
        // never records parameter values; the pg instrumentation would add a second span per query.
        postgreSql: { enabled: false },
        mongoDb: { enabled: false },
        mySql: { enabled: false },
        redis: { enabled: false },
        redis4: { enabled: false },
      },
    });
    slot.state = { mode: 'azure-monitor', fanOut, flush: flushGlobalProvider };
    return 'azure-monitor';
  }

  const provider = new BasicTracerProvider({ resource, spanLimits: SPAN_LIMITS, spanProcessors: [fanOut] });
  const contextManager = new AsyncLocalStorageContextManager();
  // Each set* returns false when something else registered first; that registration then stays.
  if (!context.setGlobalContextManager(contextManager.enable())) contextManager.disable();
  propagation.setGlobalPropagator(
    new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }),
  );
  trace.setGlobalTracerProvider(provider);
  slot.state = { mode: 'local', fanOut, flush: () => provider.forceFlush() };
  return 'local';
}

/** Flushes the provider the distro registered (behind the API's proxy), which owns the exporters. */
async function flushGlobalProvider(): Promise<void> {
  const proxy = trace.getTracerProvider() as { getDelegate?: () => unknown };
  const provider = (proxy.getDelegate?.() ?? proxy) as { forceFlush?: () => Promise<void> };
  await provider.forceFlush?.();
}

function readConnectionString(): string | undefined {
  try {
    return settings().APPLICATIONINSIGHTS_CONNECTION_STRING || undefined;
  } catch {
    // Invalid settings are reported by whatever reads them next; telemetry starts locally anyway.
    return undefined;
  }
}

/** How telemetry runs, or undefined before initTelemetry(). */
export function telemetryMode(): TelemetryMode | undefined {
  return stateSlot().state?.mode;
}

/** Exports what has been recorded so far (a host stopping, a test asserting on exported spans). */
export async function flushTelemetry(): Promise<void> {
  await stateSlot().state?.flush();
}

export interface SpanCapture {
  /** The spans that have ended since the capture started or was last reset. */
  spans(): ReadableSpan[];
  reset(): void;
  /** Stops capturing. */
  dispose(): void;
}

/**
 * Records every span that ends from now on in memory (tests). Starts telemetry locally when it is
 * not running yet.
 */
export function captureSpans(): SpanCapture {
  initTelemetry();
  const state = stateSlot().state as TelemetryState;
  const exporter = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor(exporter);
  state.fanOut.processors.add(processor);
  return {
    spans: () => exporter.getFinishedSpans(),
    reset: () => exporter.reset(),
    dispose: () => {
      state.fanOut.processors.delete(processor);
      void processor.shutdown();
    },
  };
}
