import { trace, context as otelContext } from '@opentelemetry/api';
import * as df from 'durable-functions';
import type { InvocationContext } from '@azure/functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { nudgeOutboxRelay } from './events/relay-trigger.js';
import { recordOrchestration } from './telemetry/metrics.js';
import { SpanKind, withSpan, type TraceCarrier } from './telemetry/tracing.js';

/** What a flow hands its activities: the arguments and the trace of the request that started it. */
export interface ActivityInput<A> {
  args: A;
  trace?: TraceCarrier;
}

/**
 * Registers an activity whose work joins the trace of the request that started the flow (the
 * trace context travels in the flow's input), whichever host or replica runs it. The invocation's
 * own span is linked, so both views stay connected. An activity that returns has committed what
 * it wrote, events included, so the outbox relay is nudged as a request's would be.
 */
export function flowActivity<A, R>(
  name: string,
  handler: (args: A, context: InvocationContext) => Promise<R>,
): void {
  df.app.activity(name, {
    handler: async (input: ActivityInput<A>, context: InvocationContext) => {
      const invocationSpan = trace.getSpan(otelContext.active())?.spanContext();
      const result = await withSpan(
        `activity ${name}`,
        { 'faas.name': name, 'faas.invocation_id': context.invocationId },
        () => handler(input.args, context),
        {
          kind: SpanKind.INTERNAL,
          ...(input.trace?.traceparent ? { parent: input.trace } : {}),
          ...(invocationSpan ? { links: [{ context: invocationSpan }] } : {}),
        },
      );
      nudgeOutboxRelay();
      return result;
    },
  });
}

/**
 * Registers an orchestration that counts how it ended (`tessera.orchestrations`, by name and
 * status) for the operations workbook and the failed-orchestrations alert. The count is taken
 * when the orchestrator really finishes, not on a replay of its history, so each instance counts
 * once.
 */
export function flowOrchestration(name: string, handler: OrchestrationHandler): void {
  df.app.orchestration(name, function* (context: OrchestrationContext) {
    try {
      const output: unknown = yield* handler(context);
      if (!context.df.isReplaying) recordOrchestration(name, 'completed');
      return output;
    } catch (error) {
      if (!context.df.isReplaying) recordOrchestration(name, 'failed');
      throw error;
    }
  });
}
