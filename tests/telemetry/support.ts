import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { resetSettings } from '../../shared/platform/config.js';
import { captureSpans, initTelemetry, type SpanCapture } from '../../shared/platform/telemetry/init.js';

/**
 * Starts telemetry the way the devhost does (no Application Insights connection string, so the
 * local provider) and records every ended span in memory.
 */
export function startLocalTelemetry(): SpanCapture {
  delete process.env.APPLICATIONINSIGHTS_CONNECTION_STRING;
  resetSettings();
  const mode = initTelemetry();
  if (mode !== 'local') throw new Error(`Telemetry runs as ${mode}; these tests need the local provider.`);
  return captureSpans();
}

export function spanNamed(spans: ReadableSpan[], name: string): ReadableSpan {
  const found = spans.filter((span) => span.name === name);
  if (found.length !== 1)
    throw new Error(
      `Expected one span named "${name}", found ${found.length}: ${spans.map((s) => s.name).join(', ')}`,
    );
  return found[0] as ReadableSpan;
}
