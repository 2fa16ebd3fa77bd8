/**
 * The Functions app: every trigger, orchestration and activity is registered by importing its
 * module here. `package.json` `main` points at the compiled form of this file, so Azure and the
 * devhost load exactly the same registrations.
 */
import { app } from '@azure/functions';
import { DefaultAzureCredential } from '@azure/identity';
import { databaseTenantDirectory } from '../shared/modules/admin/index.js';
import { cachedTenantDirectory } from '../shared/platform/auth/tenant-directory.js';
import { setTenantDirectory } from '../shared/platform/auth/token-validator.js';
import { settings } from '../shared/platform/config.js';
import { primaryDb } from '../shared/platform/db/database.js';
import { registerInvocationTelemetry } from '../shared/platform/telemetry/hooks.js';
import { initTelemetry } from '../shared/platform/telemetry/init.js';

// Application Insights takes Entra authentication only (local auth is off): use the app's identity.
initTelemetry(
  settings().APPLICATIONINSIGHTS_CONNECTION_STRING ? { credential: new DefaultAzureCredential() } : {},
);
app.setup({ enableHttpStream: false });
registerInvocationTelemetry();
setTenantDirectory(cachedTenantDirectory(databaseTenantDirectory(primaryDb)));

await import('./platform/meta.js');
await import('./platform/flows.js');
await import('./platform/outbox.js');
await import('./platform/archive.js');
await import('./admin.js');
await import('./accounting.js');
await import('./accounting-receivables.js');
await import('./accounting-payables.js');
await import('./accounting-reports.js');
await import('./accounting-year-end.js');
await import('./inventory.js');
await import('./approvals.js');
await import('./sales.js');
await import('./teams.js');
await import('./documents.js');
await import('./notifications.js');
await import('./reports.js');
await import('./invoicing.js');
await import('../orchestrations/tenant-onboarding/index.js');
await import('../orchestrations/year-end-close/index.js');
await import('../orchestrations/quote-to-order/index.js');
await import('../orchestrations/report-run/index.js');
