import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { OnboardingRequest } from '../../shared/modules/admin/index.js';
import type { ActivityInput } from '../../shared/platform/flow-activity.js';
import type { FlowInput } from '../../shared/platform/flows.js';
import { CREATE_TENANT_ACTIVITY, SEED_TENANT_ACTIVITY, SUSPEND_TENANT_ACTIVITY } from './names.js';

export type OnboardingArgs = OnboardingRequest & { tenantId: string };
export interface OnboardingStep {
  request: OnboardingArgs;
  startedBy: FlowInput['startedBy'];
}
export interface OnboardingOutput {
  tenantId: string;
  slug: string;
}

const retry = new df.RetryOptions(2_000, 4);
retry.backoffCoefficient = 2;
retry.maxRetryIntervalInMilliseconds = 30_000;

/**
 * Creates a tenant, then seeds its settings, number series and first administrator. Each step is
 * an idempotent activity with retries; if seeding fails for good, the half-made tenant is
 * suspended (the compensation) so nobody signs in to it, and the flow fails with the reason.
 */
export const tenantOnboardingOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<FlowInput<OnboardingArgs>>();
  const activityInput: ActivityInput<OnboardingStep> = {
    args: { request: input.args, startedBy: input.startedBy },
    trace: input.trace,
  };

  context.df.setCustomStatus({ step: 'creating-tenant' });
  yield context.df.callActivityWithRetry(CREATE_TENANT_ACTIVITY, retry, activityInput);

  context.df.setCustomStatus({ step: 'seeding-settings' });
  try {
    yield context.df.callActivityWithRetry(SEED_TENANT_ACTIVITY, retry, activityInput);
  } catch (error) {
    context.df.setCustomStatus({ step: 'compensating' });
    yield context.df.callActivityWithRetry(SUSPEND_TENANT_ACTIVITY, retry, activityInput);
    throw error;
  }

  context.df.setCustomStatus({ step: 'completed' });
  const output: OnboardingOutput = { tenantId: input.args.tenantId, slug: input.args.slug };
  return output;
};
