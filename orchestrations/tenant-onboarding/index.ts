import * as df from 'durable-functions';
import { createTenantRecord, seedTenant, suspendTenant } from '../../shared/modules/admin/index.js';
import { primaryDb } from '../../shared/platform/db/database.js';
import { CREATE_TENANT_ACTIVITY, SEED_TENANT_ACTIVITY, SUSPEND_TENANT_ACTIVITY, TENANT_ONBOARDING } from './names.js';
import { tenantOnboardingOrchestrator, type OnboardingActivityInput } from './tenant-onboarding.orchestrator.js';

df.app.orchestration(TENANT_ONBOARDING, tenantOnboardingOrchestrator);

df.app.activity(CREATE_TENANT_ACTIVITY, {
  handler: async (input: OnboardingActivityInput) => {
    await createTenantRecord(primaryDb(), input.args.tenantId, input.args);
  },
});

df.app.activity(SEED_TENANT_ACTIVITY, {
  handler: async (input: OnboardingActivityInput) => {
    await seedTenant(primaryDb(), input.args.tenantId, input.args, { objectId: input.startedBy.objectId, name: input.startedBy.name });
  },
});

df.app.activity(SUSPEND_TENANT_ACTIVITY, {
  handler: async (input: OnboardingActivityInput) => {
    await suspendTenant(primaryDb(), input.args.tenantId);
  },
});
