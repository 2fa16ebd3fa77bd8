import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDevhost, type Api } from '../support/devhost.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());

let admin: Api;
let clerk: Api;
beforeAll(async () => {
  admin = await devhost.as('demo', 'alice', ['Admin']);
  clerk = await devhost.as('demo', 'bob', ['Finance.Clerk']);
});

describe('tenant settings', () => {
  it("shows the caller's tenant with its ETag", async () => {
    const response = await clerk.get('/api/v1/admin/tenant');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      slug: 'demo',
      baseCurrency: 'ZAR',
      locale: 'en-ZA',
      approvalThreshold: { amount: '250000.00', currency: 'ZAR' },
    });
    expect(response.headers.get('etag')).toBe(`"${response.body.version}"`);
    const acme = await (await devhost.as('acme', 'carol', ['Employee'])).get('/api/v1/admin/tenant');
    expect(acme.body).toMatchObject({ slug: 'acme', baseCurrency: 'EUR' });
  });

  it('changes settings with If-Match, refuses a stale or missing version, and audits the change', async () => {
    const current = await admin.get('/api/v1/admin/tenant');
    const etag = current.headers.get('etag') as string;
    const missing = await admin.patch('/api/v1/admin/tenant', { fiscalYearStartMonth: 7 });
    expect(missing.status).toBe(428);
    const changed = await admin.patch(
      '/api/v1/admin/tenant',
      { approvalThreshold: { amount: '300000.5', currency: 'ZAR' } },
      { 'if-match': etag },
    );
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body.approvalThreshold).toEqual({ amount: '300000.50', currency: 'ZAR' });
    expect(changed.body.version).toBe(current.body.version + 1);
    const stale = await admin.patch(
      '/api/v1/admin/tenant',
      { fiscalYearStartMonth: 7 },
      { 'if-match': etag },
    );
    expect(stale.status).toBe(412);
    const wrongCurrency = await admin.patch(
      '/api/v1/admin/tenant',
      { approvalThreshold: { amount: '1', currency: 'EUR' } },
      { 'if-match': changed.headers.get('etag') as string },
    );
    expect(wrongCurrency.status).toBe(422);
    expect(wrongCurrency.body.errors[0].path).toBe('approvalThreshold.currency');
    const audit = await admin.get('/api/v1/admin/audit?entityType=tenant&limit=5');
    expect(audit.body.items[0]).toMatchObject({ action: 'tenant.settings_changed', actorName: 'Alice' });
    expect(audit.body.items[0].requestId).toBeTruthy();
  });

  it('lets only administrators change settings', async () => {
    const response = await clerk.patch('/api/v1/admin/tenant', { name: 'Mine now' }, { 'if-match': '"1"' });
    expect(response.status).toBe(403);
  });

  it('names invalid settings', async () => {
    const response = await admin.patch(
      '/api/v1/admin/tenant',
      { timeZone: 'Mars/Olympus', fiscalYearStartMonth: 13 },
      { 'if-match': '"1"' },
    );
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'fiscalYearStartMonth',
      'timeZone',
    ]);
  });
});

describe('users and roles', () => {
  it('adds a user, pages through users, grants roles that then count, and deactivates', async () => {
    const objectId = randomUUID();
    const created = await admin.post('/api/v1/admin/users', {
      objectId,
      displayName: 'Zanele Khumalo',
      email: 'zanele@example.com',
      roles: [],
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/v1/admin/users/${created.body.id}`);
    expect((await admin.post('/api/v1/admin/users', { objectId, displayName: 'Again' })).status).toBe(409);

    const page1 = await admin.get('/api/v1/admin/users?limit=1');
    expect(page1.body.items).toHaveLength(1);
    expect(page1.body.nextCursor).toBeTruthy();
    const page2 = await admin.get(`/api/v1/admin/users?limit=1&cursor=${page1.body.nextCursor}`);
    expect(page2.body.items[0].id).not.toBe(page1.body.items[0].id);
    expect((await admin.get('/api/v1/admin/users?cursor=garbage')).status).toBe(400);

    // bob is a clerk by token; granting Admin in Tessera lets him change settings.
    const users = await admin.get('/api/v1/admin/users?limit=200');
    const bob = users.body.items.find((u: { displayName: string }) => u.displayName.toLowerCase() === 'bob');
    const granted = await admin.patch(
      `/api/v1/admin/users/${bob.id}`,
      { roles: ['Admin'] },
      { 'if-match': `"${bob.version}"` },
    );
    expect(granted.status, granted.text).toBe(200);
    const tenant = await clerk.get('/api/v1/admin/tenant');
    expect(
      (
        await clerk.patch(
          '/api/v1/admin/tenant',
          { name: 'Demo Construction' },
          { 'if-match': tenant.headers.get('etag') as string },
        )
      ).status,
    ).toBe(200);

    const deactivated = await admin.patch(
      `/api/v1/admin/users/${bob.id}`,
      { active: false },
      { 'if-match': `"${granted.body.version}"` },
    );
    expect(deactivated.status).toBe(200);
    expect((await clerk.get('/api/v1/admin/tenant')).status).toBe(403);
  });

  it('stops administrators from locking themselves out', async () => {
    const users = await admin.get('/api/v1/admin/users?limit=200');
    const alice = users.body.items.find(
      (u: { displayName: string }) => u.displayName.toLowerCase() === 'alice',
    );
    const response = await admin.patch(
      `/api/v1/admin/users/${alice.id}`,
      { active: false },
      { 'if-match': `"${alice.version}"` },
    );
    expect(response.status).toBe(422);
  });

  it('answers 404 for an unknown user id and for a malformed one', async () => {
    expect((await admin.get(`/api/v1/admin/users/${randomUUID()}`)).status).toBe(404);
    expect((await admin.get('/api/v1/admin/users/123')).status).toBe(404);
  });
});

describe('tenant onboarding', () => {
  const request = {
    slug: 'highveld-build',
    name: 'Highveld Build (Pty) Ltd',
    entraTenantId: randomUUID(),
    baseCurrency: 'ZAR',
    locale: 'en-ZA',
    timeZone: 'Africa/Johannesburg',
    fiscalYearStartMonth: 3,
    approvalThreshold: '150000.00',
    initialAdmin: { objectId: randomUUID(), displayName: 'Pieter van Wyk' },
  };

  it('runs as a flow for platform operators and reports its steps and output', async () => {
    const operator = await devhost.as('demo', 'olivia', ['Platform.Operator']);
    const started = await operator.post('/api/v1/admin/tenants', request);
    expect(started.status, started.text).toBe(202);
    const location = started.headers.get('location') as string;
    expect(location).toMatch(/^\/api\/v1\/flows\/[0-9a-f-]{36}$/);
    expect((await operator.get(location)).status).toBe(200);

    await devhost.settle();
    const done = await operator.get(location);
    expect(done.body).toMatchObject({
      runtimeStatus: 'Completed',
      customStatus: { step: 'completed' },
      output: { slug: 'highveld-build' },
    });

    // The new tenant exists and its first administrator can sign in to it.
    const token = await devhost.token('highveld-build', 'pieter', ['Admin']);
    expect(token).toBeTruthy();

    // Another tenant cannot see the flow.
    const other = await devhost.as('acme', 'olivia', ['Admin']);
    expect((await other.get(location)).status).toBe(404);

    // The same slug again is refused at once.
    const again = await operator.post('/api/v1/admin/tenants', { ...request, entraTenantId: randomUUID() });
    expect(again.status).toBe(409);
    expect(again.body.errors[0].path).toBe('slug');
  });

  it('is refused to operators of customer tenants, whose directory could grant themselves the role', async () => {
    const pretender = await devhost.as('acme', 'mallory', ['Platform.Operator']);
    expect((await pretender.post('/api/v1/admin/tenants', { ...request, slug: 'evil-corp' })).status).toBe(
      403,
    );
  });
});
