import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { withTenant } from '../../shared/platform/db/tenant.js';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { startTestDevhost, type Api } from '../support/devhost.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
let admin: Api;
beforeAll(async () => {
  admin = await devhost.as('demo', 'idem-admin', ['Admin']);
});

const countUsers = (objectId: string) =>
  withTenant(devhost.db, DEMO_TENANTS[0]!.id, (trx) =>
    trx.selectFrom('users').select('id').where('object_id', '=', objectId).execute(),
  );

it('applies the same key and body sent 20 times at once exactly once, with identical responses', async () => {
  const body = { objectId: randomUUID(), displayName: 'Lerato Dlamini', roles: ['Sales.Rep'] };
  const key = randomUUID();
  const responses = await Promise.all(
    Array.from({ length: 20 }, () => admin.post('/api/v1/admin/users', body, { 'idempotency-key': key })),
  );
  expect(responses.map((r) => r.status)).toEqual(Array(20).fill(201));
  expect(new Set(responses.map((r) => r.text)).size).toBe(1);
  expect(new Set(responses.map((r) => r.headers.get('location'))).size).toBe(1);
  expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
  expect(await countUsers(body.objectId)).toHaveLength(1);
});

it('refuses the same key with another body with 422, changing nothing', async () => {
  const key = randomUUID();
  const first = { objectId: randomUUID(), displayName: 'Sipho Mokoena', roles: [] };
  expect((await admin.post('/api/v1/admin/users', first, { 'idempotency-key': key })).status).toBe(201);
  const second = { ...first, objectId: randomUUID() };
  const response = await admin.post('/api/v1/admin/users', second, { 'idempotency-key': key });
  expect(response.status).toBe(422);
  expect(response.headers.get('content-type')).toMatch(/problem\+json/);
  expect(response.body.errors[0].path).toBe('header.Idempotency-Key');
  expect(await countUsers(second.objectId)).toHaveLength(0);
});

it('keeps keys per tenant', async () => {
  const key = randomUUID();
  const other = await devhost.as('acme', 'idem-admin', ['Admin']);
  const a = await admin.post(
    '/api/v1/admin/users',
    { objectId: randomUUID(), displayName: 'A' },
    { 'idempotency-key': key },
  );
  const b = await other.post(
    '/api/v1/admin/users',
    { objectId: randomUUID(), displayName: 'B' },
    { 'idempotency-key': key },
  );
  expect([a.status, b.status]).toEqual([201, 201]);
  expect(b.headers.get('idempotent-replayed')).toBeNull();
});

it('does not store a failed request, so a corrected retry with the same key runs', async () => {
  const key = randomUUID();
  const objectId = randomUUID();
  const invalid = await admin.post(
    '/api/v1/admin/users',
    { objectId, displayName: '' },
    { 'idempotency-key': key },
  );
  expect(invalid.status).toBe(400);
  const valid = await admin.post(
    '/api/v1/admin/users',
    { objectId, displayName: 'Naledi' },
    { 'idempotency-key': key },
  );
  expect(valid.status).toBe(201);
});

it('rejects an unusable key', async () => {
  const response = await admin.post(
    '/api/v1/admin/users',
    { objectId: randomUUID(), displayName: 'X' },
    { 'idempotency-key': 'x'.repeat(201) },
  );
  expect(response.status).toBe(400);
  expect(response.body.errors[0].path).toBe('header.Idempotency-Key');
});
