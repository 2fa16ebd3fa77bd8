import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { nextDocumentNumber } from '../../shared/platform/numbers.js';
import { startTestDevhost, type Api } from '../support/devhost.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
let admin: Api;
beforeAll(async () => {
  admin = await devhost.as('demo', 'platform-admin', ['Admin']);
});

describe('the HTTP platform', () => {
  it('refuses a body over the limit with 413 and a body that is not JSON with 415', async () => {
    const huge = await admin.request('POST', '/api/v1/admin/users', {
      rawBody: JSON.stringify({ displayName: 'x'.repeat(2 * 1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect(huge.headers.get('content-type')).toMatch(/problem\+json/);
    const text = await admin.request('POST', '/api/v1/admin/users', {
      rawBody: 'objectId=1',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(text.status).toBe(415);
  });

  it('answers unknown routes and methods with problem+json, never a stack trace', async () => {
    const unknown = await admin.get('/api/v1/nowhere');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toMatch(/problem\+json/);
    const method = await admin.request('DELETE', '/api/v1/admin/tenant');
    expect(method.status).toBe(405);
  });

  it('names a bad query parameter', async () => {
    const response = await admin.get('/api/v1/admin/users?limit=5000');
    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe('query.limit');
  });

  it('carries the request id back and sets safe headers', async () => {
    const response = await admin.get('/api/v1/admin/tenant', { 'x-request-id': 'req-123' });
    expect(response.headers.get('x-request-id')).toBe('req-123');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('reports the health of the database, blob storage, the bus and the durable backend', async () => {
    const response = await devhost.anonymous().get('/api/health');
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('up');
    expect(Object.keys(response.body.components).sort()).toEqual(['blob', 'bus', 'database', 'durable']);
    for (const component of Object.values(response.body.components) as { status: string }[])
      expect(component.status).toBe('up');
  });
});

describe('document numbers', () => {
  it('counts per tenant, series and year, without gaps for committed documents', async () => {
    const [demo, acme] = DEMO_TENANTS as [(typeof DEMO_TENANTS)[0], (typeof DEMO_TENANTS)[0]];
    const next = (tenantId: string, code: string, date: string) =>
      withTenant(devhost.db, tenantId, (trx) => nextDocumentNumber(trx, tenantId, code, date));
    expect(await next(demo.id, 'SO', '2026-11-02')).toBe('SO-2026-000001');
    expect(await next(demo.id, 'SO', '2026-12-31')).toBe('SO-2026-000002');
    expect(await next(demo.id, 'SO', '2027-01-01')).toBe('SO-2027-000001');
    expect(await next(acme.id, 'SO', '2026-11-02')).toBe('SO-2026-000001');
    // A rolled-back document gives its number back.
    await expect(
      withTenant(devhost.db, demo.id, async (trx) => {
        await nextDocumentNumber(trx, demo.id, 'INV', '2026-11-02');
        throw new Error('the invoice failed');
      }),
    ).rejects.toThrow();
    expect(await next(demo.id, 'INV', '2026-11-02')).toBe('INV-2026-000001');
    await expect(next(demo.id, 'NOPE', '2026-11-02')).rejects.toThrow(/no number series/);
  });

  it('numbers a series that is not yearly, and does not cut a number longer than its padding', async () => {
    const [, acme] = DEMO_TENANTS as [(typeof DEMO_TENANTS)[0], (typeof DEMO_TENANTS)[0]];
    await sql`insert into number_series (tenant_id, code, prefix, padding, yearly) values (${acme.id}, 'TKT', 'TKT', 2, false)`.execute(
      devhost.db,
    );
    await sql`insert into number_counters (tenant_id, code, year, last_value) values (${acme.id}, 'TKT', 0, 98)`.execute(
      devhost.db,
    );
    const next = () =>
      withTenant(devhost.db, acme.id, (trx) => nextDocumentNumber(trx, acme.id, 'TKT', '2026-11-02'));
    expect(await next()).toBe('TKT-99');
    expect(await next()).toBe('TKT-100');
  });
});
