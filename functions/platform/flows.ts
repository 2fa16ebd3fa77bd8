import * as df from 'durable-functions';
import type { DurableClient } from 'durable-functions';
import { z } from 'zod';
import { defineConsumer } from '../../shared/platform/events/consumer.js';
import { AppError } from '../../shared/platform/errors.js';
import { findFlow } from '../../shared/platform/flows.js';
import { defineRoute } from '../../shared/platform/http/route.js';

const flowStatusSchema = z.object({
  instanceId: z.string(),
  name: z.string(),
  runtimeStatus: z.enum([
    'Pending',
    'Running',
    'Completed',
    'Failed',
    'Terminated',
    'ContinuedAsNew',
    'Suspended',
    'Canceled',
  ]),
  customStatus: z.unknown(),
  output: z.unknown(),
  error: z.string().nullable(),
  createdAt: z.string(),
  lastUpdatedAt: z.string().nullable(),
});

async function durableStatus(client: DurableClient, instanceId: string) {
  try {
    return await client.getStatus(instanceId, { showInput: false });
  } catch (error) {
    // The extension answers 404 for an instance that has not started yet.
    if (error instanceof Error && /HTTP 404/.test(error.message)) return undefined;
    throw error;
  }
}

defineRoute({
  name: 'flows-get',
  method: 'GET',
  route: 'v1/flows/{instanceId:guid}',
  summary: 'The status of a flow the tenant started: runtime status, current step, output',
  tags: ['flows'],
  roles: 'any',
  transaction: 'manual',
  params: z.strictObject({ instanceId: z.uuid() }),
  response: flowStatusSchema,
  extraInputs: [df.input.durableClient()],
  handler: async ({ params, invocation, inTenant }) => {
    const flow = await inTenant((trx) => findFlow(trx, params.instanceId));
    if (!flow) throw new AppError('not_found', 'platform.flow_not_found', 'The flow does not exist.');
    const status = await durableStatus(df.getClient(invocation), params.instanceId);
    const runtimeStatus = status?.runtimeStatus ?? 'Pending';
    const failed = runtimeStatus === 'Failed';
    return {
      body: {
        instanceId: flow.instance_id,
        name: flow.name,
        runtimeStatus,
        customStatus: status?.customStatus ?? null,
        output: failed ? null : (status?.output ?? null),
        error: failed ? failureMessage(status?.output) : null,
        createdAt: flow.created_at.toISOString(),
        lastUpdatedAt: status?.lastUpdatedTime ? new Date(status.lastUpdatedTime).toISOString() : null,
      },
    };
  },
});

/** The reason a flow failed, without the stack trace the runtime keeps with it. */
function failureMessage(output: unknown): string {
  const text = typeof output === 'string' ? output : JSON.stringify(output ?? 'The flow failed.');
  return text.split('\n')[0]?.slice(0, 500) ?? 'The flow failed.';
}

/**
 * Starts the flows that requests asked for. Idempotent by instance id: a redelivered request finds
 * the instance and leaves it alone.
 */
defineConsumer({
  name: 'platform-flow-starter',
  subscription: 'platform',
  eventTypes: ['platform.FlowStartRequested'],
  extraInputs: [df.input.durableClient()],
  handleOutsideTransaction: async (event, { invocation }) => {
    const { instanceId, orchestration, input } = event.payload as {
      instanceId: string;
      orchestration: string;
      input: unknown;
    };
    const client = df.getClient(invocation);
    if (await durableStatus(client, instanceId)) return;
    await client.startNew(orchestration, { instanceId, input });
  },
});
