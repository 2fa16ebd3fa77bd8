import { randomUUID } from 'node:crypto';
import { recordAudit, type AuditActor } from '../../platform/audit.js';
import type { Db } from '../../platform/db/database.js';
import { withSystem, withTenant } from '../../platform/db/tenant.js';
import { emit } from '../../platform/events/outbox.js';
import { adminErrors } from './errors.js';
import type { OnboardingRequest } from './schemas.js';

/** The document number series every tenant starts with. */
export const DEFAULT_NUMBER_SERIES: readonly { code: string; prefix: string }[] = [
  { code: 'QT', prefix: 'QT' },
  { code: 'SO', prefix: 'SO' },
  { code: 'DN', prefix: 'DN' },
  { code: 'INV', prefix: 'INV' },
  { code: 'CN', prefix: 'CN' },
  { code: 'PO', prefix: 'PO' },
  { code: 'GRN', prefix: 'GRN' },
  { code: 'ADJ', prefix: 'ADJ' },
  { code: 'TRF', prefix: 'TRF' },
  { code: 'BILL', prefix: 'BILL' },
  { code: 'JE', prefix: 'JE' },
  { code: 'PAY', prefix: 'PAY' },
  { code: 'RCPT', prefix: 'RCPT' },
  { code: 'APR', prefix: 'APR' },
  { code: 'PRJ', prefix: 'PRJ' },
];

/** Refuses a request whose slug or directory is already taken, before a flow is started for it. */
export async function assertOnboardable(
  db: Db,
  request: Pick<OnboardingRequest, 'slug' | 'entraTenantId'>,
): Promise<void> {
  const clash = await withSystem(db, (trx) =>
    trx
      .selectFrom('tenants')
      .select(['slug', 'entra_tenant_id'])
      .where((eb) =>
        eb.or([
          eb('slug', '=', request.slug),
          eb('entra_tenant_id', '=', request.entraTenantId.toLowerCase()),
        ]),
      )
      .executeTakeFirst(),
  );
  if (clash?.slug === request.slug) throw adminErrors.slugTaken();
  if (clash) throw adminErrors.directoryTaken();
}

/**
 * Creates the tenant row. Idempotent by tenant id: running it again (a retried activity) finds the
 * row and does nothing; a slug or directory that another tenant took meanwhile is a conflict.
 */
export async function createTenantRecord(
  db: Db,
  tenantId: string,
  request: OnboardingRequest,
): Promise<void> {
  await withSystem(db, async (trx) => {
    const existing = await trx
      .selectFrom('tenants')
      .select(['id'])
      .where('id', '=', tenantId)
      .executeTakeFirst();
    if (existing) return;
    await trx
      .insertInto('tenants')
      .values({
        id: tenantId,
        slug: request.slug,
        name: request.name,
        entra_tenant_id: request.entraTenantId.toLowerCase(),
        base_currency: request.baseCurrency,
        locale: request.locale,
        time_zone: request.timeZone,
        fiscal_year_start_month: request.fiscalYearStartMonth,
        approval_threshold: request.approvalThreshold,
        company_profile: JSON.stringify(request.companyProfile ?? {}),
      })
      .onConflict((oc) => oc.doNothing())
      .execute();
    const created = await trx
      .selectFrom('tenants')
      .select(['id'])
      .where('id', '=', tenantId)
      .executeTakeFirst();
    if (!created) {
      const slugClash = await trx
        .selectFrom('tenants')
        .select(['id'])
        .where('slug', '=', request.slug)
        .executeTakeFirst();
      throw slugClash ? adminErrors.slugTaken() : adminErrors.directoryTaken();
    }
  });
}

/**
 * Seeds the new tenant's number series and first administrator, records the onboarding and
 * announces it, all in one tenant transaction. Idempotent: a second run finds the series and stops.
 */
export async function seedTenant(
  db: Db,
  tenantId: string,
  request: OnboardingRequest,
  actor: Omit<AuditActor, 'tenantId'>,
): Promise<boolean> {
  return withTenant(db, tenantId, async (trx) => {
    const inserted = await trx
      .insertInto('number_series')
      .values(
        DEFAULT_NUMBER_SERIES.map((series) => ({
          tenant_id: tenantId,
          code: series.code,
          prefix: series.prefix,
        })),
      )
      .onConflict((oc) => oc.doNothing())
      .returning('code')
      .execute();
    if (inserted.length === 0) return false;
    if (request.initialAdmin) {
      await trx
        .insertInto('users')
        .values({
          tenant_id: tenantId,
          id: randomUUID(),
          object_id: request.initialAdmin.objectId,
          display_name: request.initialAdmin.displayName,
          email: request.initialAdmin.email ?? null,
          roles: ['Admin'],
        })
        .onConflict((oc) => oc.columns(['tenant_id', 'object_id']).doNothing())
        .execute();
    }
    await recordAudit(
      trx,
      { ...actor, tenantId },
      {
        action: 'tenant.onboarded',
        entityType: 'tenant',
        entityId: tenantId,
        details: { slug: request.slug },
      },
    );
    await emit(trx, tenantId, 'tenantOnboarded', {
      tenantId,
      slug: request.slug,
      name: request.name,
      baseCurrency: request.baseCurrency,
    });
    return true;
  });
}

/** Marks a tenant whose onboarding failed half-way as suspended, so nobody signs in to it. */
export async function suspendTenant(db: Db, tenantId: string): Promise<void> {
  await withSystem(db, (trx) =>
    trx.updateTable('tenants').set({ status: 'suspended' }).where('id', '=', tenantId).execute(),
  );
}

/** The two tenants the devhost starts with. */
export const DEMO_TENANTS: readonly (OnboardingRequest & { id: string })[] = [
  {
    id: '5b0c3f0e-6d1a-4c55-9a37-2f5e8f1d0a01',
    slug: 'demo',
    name: 'Demo Construction (Pty) Ltd',
    entraTenantId: 'de300000-0000-4000-8000-000000000001',
    baseCurrency: 'ZAR',
    locale: 'en-ZA',
    timeZone: 'Africa/Johannesburg',
    fiscalYearStartMonth: 3,
    approvalThreshold: '250000.00',
    companyProfile: {
      legalName: 'Demo Construction (Pty) Ltd',
      taxNumber: '4123456789',
      registrationNumber: '2015/123456/07',
      address: {
        lines: ['12 Brick Lane', 'Woodstock'],
        city: 'Cape Town',
        postalCode: '7925',
        country: 'ZA',
      },
      email: 'accounts@demo-construction.example',
      phone: '+27 21 555 0100',
      bank: {
        bankName: 'First National Bank',
        accountName: 'Demo Construction (Pty) Ltd',
        accountNumber: '62812345678',
        branchCode: '250655',
        swift: 'FIRNZAJJ',
      },
    },
  },
  {
    id: '5b0c3f0e-6d1a-4c55-9a37-2f5e8f1d0a02',
    slug: 'acme',
    name: 'Acme Europe GmbH',
    entraTenantId: 'ac3ec3ec-0000-4000-8000-000000000002',
    baseCurrency: 'EUR',
    locale: 'en-IE',
    timeZone: 'Europe/Berlin',
    fiscalYearStartMonth: 1,
    approvalThreshold: '50000.00',
    companyProfile: {
      legalName: 'Acme Europe GmbH',
      taxNumber: 'DE123456789',
      registrationNumber: 'HRB 123456',
      address: { lines: ['Friedrichstraße 100'], city: 'Berlin', postalCode: '10117', country: 'DE' },
      bank: {
        bankName: 'Deutsche Bank',
        accountName: 'Acme Europe GmbH',
        accountNumber: 'DE89370400440532013000',
        swift: 'DEUTDEFF',
        iban: 'DE89370400440532013000',
      },
    },
  },
];

/** Creates the demo tenants if they are missing (devhost start). */
export async function seedDemoTenants(db: Db): Promise<void> {
  for (const tenant of DEMO_TENANTS) {
    await createTenantRecord(db, tenant.id, tenant);
    await seedTenant(db, tenant.id, tenant, { objectId: 'system:seed', name: 'Seed' });
  }
}
