import { createTenantRecord, seedTenant, suspendTenant } from '../../shared/modules/admin/index.js';
import { primaryDb } from '../../shared/platform/db/database.js';
import { flowActivity, flowOrchestration } from '../../shared/platform/flow-activity.js';
import {
  CREATE_TENANT_ACTIVITY,
  SEED_TENANT_ACTIVITY,
  SUSPEND_TENANT_ACTIVITY,
  TENANT_ONBOARDING,
} from './names.js';
import { tenantOnboardingOrchestrator, type OnboardingStep } from './tenant-onboarding.orchestrator.js';

flowOrchestration(TENANT_ONBOARDING, tenantOnboardingOrchestrator);

flowActivity(CREATE_TENANT_ACTIVITY, async ({ request }: OnboardingStep) => {
  await createTenantRecord(primaryDb(), request.tenantId, request);
});

flowActivity(SEED_TENANT_ACTIVITY, async ({ request, startedBy }: OnboardingStep) => {
  await seedTenant(primaryDb(), request.tenantId, request, {
    objectId: startedBy.objectId,
    name: startedBy.name,
  });
});

flowActivity(SUSPEND_TENANT_ACTIVITY, async ({ request }: OnboardingStep) => {
  await suspendTenant(primaryDb(), request.tenantId);
});
