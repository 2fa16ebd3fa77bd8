/**
 * Generated over every registered HTTP route, so each module's routes are covered as they are
 * added: authentication, roles, tenant isolation of ids, and validation of bodies, with nothing
 * written by any refused request. A route with an id needs a way to get an id of another tenant:
 * a POST on its collection with an `example` body (or, for flows, any route that starts one).
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../shared/platform/auth/roles.js';
import { openApiPath } from '../../shared/platform/http/openapi.js';
import { routeSpecs, type RouteSpec } from '../../shared/platform/http/registry.js';
import { openApprovalRequest } from '../support/approvals.js';
import { startTestDevhost, type Api } from '../support/devhost.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());

const specs = routeSpecs().sort((a, b) => a.name.localeCompare(b.name));
const secured = specs.filter((s) => s.roles !== 'anonymous');
const withBody = secured.filter((s) => s.body);
const withParams = secured.filter((s) => /\{/.test(s.route));

const ALL_ROLES = [...ROLES];
let owner: Api; // demo, every role: creates the resources whose ids the other tenant probes
let other: Api; // acme, every role
let unauthenticated: Api;
/** Ids created by the owner tenant, by the collection path that created them. */
const ownedIds = new Map<string, string[]>();
const ownedInstanceIds: string[] = [];

/**
 * Examples that name other records (a quote names a customer and an item): the suite makes them
 * with ids of the records it made from the examples before them (routes are taken in name order).
 */
async function salesExample(): Promise<unknown> {
  const warehouses = await owner.get('/api/v1/inventory/warehouses?limit=200');
  const main = warehouses.body.items.find((w: { code: string }) => w.code === 'MAIN');
  return {
    customerId: ownedIds.get('/api/v1/accounting/customers')?.[0],
    lines: [{ itemId: ownedIds.get('/api/v1/inventory/items')?.[0], warehouseId: main.id, quantity: '2' }],
  };
}
const dependentExamples: Record<string, () => Promise<unknown>> = {
  'sales-orders-create': salesExample,
  'sales-quotes-create': salesExample,
};

function pathOf(spec: RouteSpec, params: Record<string, string> = {}): string {
  return openApiPath(spec.route).replace(
    /\{(\w+)\}/g,
    (_, name: string) => params[name] ?? '00000000-0000-4000-8000-000000000000',
  );
}

function collectionOf(route: string): string {
  return route.replace(/\/\{[^}]+\}(\/.*)?$/, '');
}

async function tableCounts(): Promise<Record<string, string>> {
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.columns where table_schema = 'public' and column_name = 'tenant_id'
    union select 'tenants'`.execute(devhost.db);
  const counts: Record<string, string> = {};
  for (const { table_name } of tables.rows) {
    counts[table_name] =
      (await sql<{ n: string }>`select count(*)::text as n from ${sql.table(table_name)}`.execute(devhost.db))
        .rows[0]?.n ?? '';
  }
  return counts;
}

function roleOutside(allowed: readonly Role[]): Role | undefined {
  return ALL_ROLES.find((role) => !allowed.includes(role) && role !== 'Platform.Operator');
}

function wrongTypeValue(value: unknown): unknown {
  if (typeof value === 'string') return 12345;
  if (typeof value === 'number') return 'not a number';
  if (typeof value === 'boolean') return 'yes';
  if (Array.isArray(value)) return 'not a list';
  return 42;
}

beforeAll(async () => {
  owner = await devhost.as('demo', 'route-suite-owner', ALL_ROLES);
  other = await devhost.as('acme', 'route-suite-other', ALL_ROLES);
  unauthenticated = devhost.anonymous();
  // Create one of everything in the owner tenant, keeping the ids.
  for (const spec of secured.filter(
    (s) => s.method === 'POST' && s.example !== undefined && !/\{/.test(s.route),
  )) {
    const example = dependentExamples[spec.name] ? await dependentExamples[spec.name]!() : spec.example;
    const response = await owner.post(pathOf(spec), example, {
      'idempotency-key': `route-suite-${spec.name}`,
    });
    expect(response.status, `${spec.name} example: ${response.text}`).toBeLessThan(300);
    const body = response.body as { id?: string; instanceId?: string };
    if (body.id)
      ownedIds.set(openApiPath(spec.route), [...(ownedIds.get(openApiPath(spec.route)) ?? []), body.id]);
    if (body.instanceId) ownedInstanceIds.push(body.instanceId);
  }
  await devhost.settle();
  // The quote becomes an order through its flow, and part of the order is delivered.
  const quoteId = ownedIds.get('/api/v1/sales/quotes')?.[0];
  expect(quoteId, 'the quote example made a quote').toBeDefined();
  const accepted = await owner.post(`/api/v1/sales/quotes/${quoteId}/accept`, undefined);
  expect(accepted.status, accepted.text).toBe(202);
  ownedInstanceIds.push(accepted.body.instanceId);
  await devhost.settle();
  const orders = await owner.get('/api/v1/sales/orders');
  const orderId = orders.body.items[0]?.id as string;
  const delivery = await owner.post(`/api/v1/sales/orders/${orderId}/deliveries`, {
    lines: [{ lineNo: 1, quantity: '1' }],
  });
  expect(delivery.status, delivery.text).toBe(201);
  ownedIds.set('/api/v1/sales/deliveries', [delivery.body.id]);
  // Approval requests are opened only by flows: open one as a flow does, by another user.
  await openApprovalRequest(devhost.db, 'A request for the route suite');
  // Collections without a create route (periods, say): an id the owner can list.
  for (const spec of secured.filter((s) => s.method === 'GET' && !/\{/.test(s.route))) {
    const path = openApiPath(spec.route);
    if (ownedIds.has(path) || !withParams.some((p) => collectionOf(openApiPath(p.route)) === path)) continue;
    const list = await owner.get(path);
    const id = (list.body as { items?: { id?: string }[] }).items?.find((item) => item.id)?.id;
    if (id) ownedIds.set(path, [id]);
  }
});

describe('every secured route', () => {
  it.each(secured.map((s) => [s.name, s] as const))('%s: no token → 401 problem+json', async (_, spec) => {
    const response = await unauthenticated.request(
      spec.method,
      pathOf(spec),
      spec.body ? { body: spec.example ?? {} } : {},
    );
    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
  });

  const roleRestricted = secured.filter(
    (s) => s.roles !== 'any' && s.roles !== 'anonymous' && roleOutside(s.roles as Role[]),
  );
  it.each(roleRestricted.map((s) => [s.name, s] as const))(
    '%s: a token without the needed role → 403',
    async (_, spec) => {
      const role = roleOutside(spec.roles as Role[]) as Role;
      const api = await devhost.as('demo', `route-suite-${role}`, [role]);
      await api.get('/api/v1/admin/tenant');
      const before = await tableCounts();
      const response = await api.request(
        spec.method,
        pathOf(spec),
        spec.body ? { body: spec.example ?? {} } : {},
      );
      expect(response.status, response.text).toBe(403);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(await tableCounts()).toEqual(before);
    },
  );
});

describe('every route with an id', () => {
  it.each(withParams.map((s) => [s.name, s] as const))(
    "%s: another tenant's id → 404, nothing written",
    async (_, spec) => {
      const params: Record<string, string> = {};
      for (const [, name] of spec.route.matchAll(/\{(\w+)[^}]*\}/g)) {
        const candidate =
          name === 'instanceId'
            ? ownedInstanceIds[0]
            : ownedIds.get(collectionOf(openApiPath(spec.route)))?.[0];
        expect(
          candidate,
          `no ${name} of another tenant for ${spec.name}: give ${collectionOf(spec.route)} a POST route with an example`,
        ).toBeDefined();
        params[name as string] = candidate as string;
      }
      // The id is real: its owner can read it (when the route has a GET), the other tenant cannot.
      const ownerView = await owner.get(pathOf(spec, params));
      expect([200, 405]).toContain(ownerView.status);
      await other.get('/api/v1/admin/tenant');
      const before = await tableCounts();
      const response = await other.request(spec.method, pathOf(spec, params), {
        ...(spec.body ? { body: spec.example ?? {} } : {}),
        headers: { 'if-match': '"1"' },
      });
      expect(response.status, response.text).toBe(404);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(await tableCounts()).toEqual(before);
    },
  );
});

describe('every route with a body', () => {
  it.each(withBody.map((s) => [s.name, s] as const))(
    '%s: malformed JSON, a wrong type, an unknown field → 400 naming the field',
    async (_, spec) => {
      expect(spec.example, `${spec.name} needs an example body`).toBeDefined();
      const example = spec.example as Record<string, unknown>;
      const path = pathOf(spec);
      const headers = { 'if-match': '"1"', 'idempotency-key': `route-suite-invalid-${spec.name}` };
      const before = await tableCounts();

      const malformed = await owner.request(spec.method, path, { rawBody: '{"unterminated": ', headers });
      expect(malformed.status, malformed.text).toBe(400);
      expect(malformed.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(malformed.body.errors?.[0]?.path).toBe('(body)');

      const [field, value] = Object.entries(example)[0] as [string, unknown];
      const wrongType = await owner.request(spec.method, path, {
        body: { ...example, [field]: wrongTypeValue(value) },
        headers: { ...headers, 'idempotency-key': `${headers['idempotency-key']}-type` },
      });
      expect(wrongType.status, wrongType.text).toBe(400);
      expect(wrongType.body.errors.map((e: { path: string }) => e.path)).toContain(field);

      const unknown = await owner.request(spec.method, path, {
        body: { ...example, unexpectedField: 1 },
        headers: { ...headers, 'idempotency-key': `${headers['idempotency-key']}-unknown` },
      });
      expect(unknown.status, unknown.text).toBe(400);
      expect(unknown.body.errors.map((e: { path: string }) => e.path)).toContain('unexpectedField');

      expect(await tableCounts()).toEqual(before);
    },
  );
});

describe('the route table', () => {
  it('has routes, each documented in the OpenAPI document', async () => {
    expect(specs.length).toBeGreaterThan(5);
    const doc = await devhost
      .anonymous()
      .get<{ openapi: string; paths: Record<string, Record<string, { operationId: string }>> }>(
        '/api/openapi.json',
      );
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    for (const spec of specs)
      expect(doc.body.paths[openApiPath(spec.route)]?.[spec.method.toLowerCase()]?.operationId).toBe(
        spec.name,
      );
    // Read-your-writes: writes answer with the token, reads that may use the replica take it back.
    type Operation = {
      parameters: { name: string; in: string }[];
      responses: Record<string, { headers?: Record<string, unknown> }>;
    };
    const operation = (path: string, method: string) =>
      (doc.body.paths as unknown as Record<string, Record<string, Operation>>)[path]![method]!;
    const write = operation('/api/v1/sales/orders', 'post');
    expect(write.responses['201']!.headers).toHaveProperty('X-Consistency-Token');
    // An order that needs approval is answered 202, documented beside the 201.
    expect(write.responses['202']).toMatchObject({ description: expect.stringMatching(/needs approval/) });
    const replicaRead = specs.find((s) => s.readsReplica)!;
    expect(
      operation(openApiPath(replicaRead.route), 'get').parameters.map((p) => `${p.in}:${p.name}`),
    ).toContain('header:X-Consistency-Token');
  });
});
