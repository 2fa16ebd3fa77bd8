/**
 * Fuzz: schema-derived random and malformed requests against every write endpoint (every POST,
 * PUT, PATCH and DELETE in the route registry, plus the Teams bot endpoint), 10,000 cases in all,
 * over HTTP to an in-process devhost, as a user holding every role of the demo tenant.
 *
 * Each route's zod schemas are turned into JSON Schema (`z.toJSONSchema`, as the OpenAPI document
 * does); fast-check builds bodies from it (anchored on the route's example, so many reach the
 * business rules) and malformed variants of them: wrong types, missing required fields, unknown
 * fields, huge strings, odd unicode, negative, fractional and huge numbers, invalid decimals,
 * dates and uuids, nulls, empty and oversized arrays, non-JSON bodies, wrong content types, bad
 * Idempotency-Key and If-Match headers, unknown and malformed ids in the path.
 *
 * A case is "must refuse" when it is malformed at the transport level or its body violates the
 * route's own JSON Schema (checked with ajv), or names an id that cannot exist. Asserted:
 * - no 5xx, ever;
 * - every 4xx is `application/problem+json` with type, title, status (= the HTTP status), detail;
 * - every 400 names the offending field(s) in `errors[].path` (a body that is not JSON at all is
 *   named `(body)`, a header `header.<Name>`); so does every 422 of a route with a body (a
 *   body-less route's 422 refuses the state of the record in its path, with no field to name:
 *   those are counted by code and printed);
 * - a must-refuse case is refused (never 2xx), and the database checksum (every table of the
 *   public schema, see `checksum`) is the same after a route's must-refuse cases as before them.
 *
 * `RELIABILITY_SEED=<n>` replays a run; `FUZZ_CASES` changes the total (10,000).
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { z } from 'zod';
import { ROLES } from '../../shared/platform/auth/roles.js';
import { openApiPath } from '../../shared/platform/http/openapi.js';
import { routeSpecs, type RouteSpec } from '../../shared/platform/http/registry.js';
import { openApprovalRequest } from '../support/approvals.js';
import { startTestDevhost, type Api } from '../support/devhost.js';

const SEED = Number(process.env.RELIABILITY_SEED ?? Date.now() % 2_147_483_647);
const TOTAL = Number(process.env.FUZZ_CASES ?? 10_000);
/** The share of each route's cases built to be valid (the rest are malformed). */
const VALID_SHARE = 0.2;
console.info(`fuzz: RELIABILITY_SEED=${SEED} (${TOTAL} cases)`);

const devhost = await startTestDevhost();
afterAll(() => devhost.close());

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  items?: Schema;
  prefixItems?: Schema[];
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  enum?: Json[];
  const?: Json;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  $ref?: string;
  $defs?: Record<string, Schema>;
};

interface Target {
  name: string;
  method: string;
  /** The route template after /api, e.g. v1/sales/quotes/{id:guid}. */
  route: string;
  spec: RouteSpec | undefined;
  body: Schema | undefined;
  query: Schema | undefined;
  example: unknown;
}

interface Case {
  target: string;
  variant: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string | undefined;
  mustRefuse: boolean;
}

// ---- Fixtures: one of everything in the demo tenant, so ids in paths and bodies are real -------

const ALL_ROLES = [...ROLES];
let api: Api;
/** Ids by collection path (/api/v1/accounting/customers → ids). */
const ids = new Map<string, string[]>();
const allIds: string[] = [];
const remember = (collection: string, id: string | undefined) => {
  if (!id) return;
  ids.set(collection, [...(ids.get(collection) ?? []), id]);
  allIds.push(id);
};
const collectionOf = (route: string) => openApiPath(route).replace(/\/\{[^}]+\}(\/.*)?$/, '');

async function createFixtures(specs: RouteSpec[]): Promise<void> {
  api = await devhost.as('demo', 'fuzz-all-roles', ALL_ROLES);
  const main = (await api.get('/api/v1/inventory/warehouses?limit=200')).body.items.find(
    (w: { code: string }) => w.code === 'MAIN',
  );
  for (const spec of specs.filter(
    (s) => s.method === 'POST' && s.example !== undefined && !/\{/.test(s.route),
  )) {
    if (spec.name === 'admin-tenants-onboard') continue; // another tenant: nothing of the demo tenant
    const path = openApiPath(spec.route);
    const example =
      spec.name === 'sales-quotes-create' || spec.name === 'sales-orders-create'
        ? {
            customerId: ids.get('/api/v1/accounting/customers')?.[0],
            lines: [{ itemId: ids.get('/api/v1/inventory/items')?.[0], warehouseId: main.id, quantity: '2' }],
          }
        : spec.example;
    const response = await api.post(path, example, { 'idempotency-key': `fuzz-fixture-${spec.name}` });
    expect(response.status, `${spec.name} example: ${response.text}`).toBeLessThan(300);
    remember(path, (response.body as { id?: string }).id);
  }
  await devhost.settle();
  // The quote becomes an order through its flow; a second quote stays open.
  const quoteId = ids.get('/api/v1/sales/quotes')?.[0];
  const accepted = await api.post(`/api/v1/sales/quotes/${quoteId}/accept`, undefined);
  expect(accepted.status, accepted.text).toBe(202);
  await devhost.settle();
  const second = await api.post('/api/v1/sales/quotes', {
    customerId: ids.get('/api/v1/accounting/customers')?.[0],
    lines: [{ itemId: ids.get('/api/v1/inventory/items')?.[0], warehouseId: main.id, quantity: '1' }],
  });
  remember('/api/v1/sales/quotes', second.body.id);
  // Approval requests are opened only by flows: open one as a flow does, asked by someone else.
  const approval = await openApprovalRequest(devhost.db, 'A request for the fuzz');
  remember('/api/v1/approvals', approval.id);
  // Collections without a create route (orders, periods, fiscal years, notifications…): list them.
  for (const spec of specs.filter(
    (s) => s.method === 'GET' && !/\{/.test(s.route) && s.roles !== 'anonymous',
  )) {
    const path = openApiPath(spec.route);
    if (ids.has(path)) continue;
    const list = await api.get(`${path}?limit=5`);
    for (const item of ((list.body as { items?: { id?: string }[] }).items ?? []).slice(0, 3))
      remember(path, item.id);
  }
  // Our own user is left out of the pools: a fuzzed update could deactivate the fuzzing user.
  const me = (await api.get('/api/v1/admin/users?limit=200')).body.items?.find(
    (u: { objectId?: string; displayName?: string }) => JSON.stringify(u).includes('fuzz-all-roles'),
  );
  if (me) {
    ids.set(
      '/api/v1/admin/users',
      (ids.get('/api/v1/admin/users') ?? []).filter((id) => id !== me.id),
    );
    allIds.splice(0, allIds.length, ...allIds.filter((id) => id !== me.id));
  }
}

// ---- The database checksum -----------------------------------------------------------------

/**
 * md5 over the sorted rows of every table of the public schema (business tables, tenants, the
 * outbox, inbox, audit log, idempotency keys, users, number counters: all of them; a refused
 * request must write to none, since its transaction rolls back). Left out:
 * - schema_migrations, schema_migrations_lock: the migrator's own, never written by a request;
 * - the devhost schema (bus messages, durable history, timer status): the emulators' bookkeeping
 *   of work started by the accepted cases before, which the checksum is taken after settling anyway.
 */
async function checksum(): Promise<string> {
  const tables = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE'
      and table_name not in ('schema_migrations', 'schema_migrations_lock')
    order by table_name`.execute(devhost.db);
  const parts: string[] = [];
  for (const { table_name } of tables.rows) {
    const row = await sql<{ sum: string | null }>`
      select md5(coalesce(string_agg(md5(t::text), '' order by md5(t::text)), '')) as sum
      from ${sql.table(table_name)} t`.execute(devhost.db);
    parts.push(`${table_name}:${row.rows[0]?.sum}`);
  }
  return parts.join('\n');
}

const diff = (a: string, b: string) => {
  const before = new Set(a.split('\n'));
  return b
    .split('\n')
    .filter((line) => !before.has(line))
    .map((line) => line.split(':')[0]);
};

// ---- Schema-derived arbitraries -------------------------------------------------------------

function toSchema(schema: z.ZodType): Schema {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as Schema & {
    $schema?: string;
  };
  delete json.$schema;
  return json;
}

function resolve(schema: Schema, root: Schema): Schema {
  if (schema.$ref?.startsWith('#/$defs/')) return resolve(root.$defs?.[schema.$ref.slice(8)] ?? {}, root);
  if (schema.allOf?.length === 1 && Object.keys(schema).length === 1) return resolve(schema.allOf[0]!, root);
  return schema;
}

const typeOf = (schema: Schema): string | undefined => {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null');
  if (schema.type) return schema.type;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
};

const CURRENCIES = ['ZAR', 'USD', 'EUR', 'GBP'];
const WEIRD_STRINGS = [
  '\u0000',
  'nul\u0000inside',
  '\u202Eevil',
  '𝕿𝖊𝖘𝖘𝖊𝖗𝖆 🧱🏗️',
  'Zoë Ångström – Ðž',
  'e\u0301\u0301\u0301',
  '\uFEFFbom',
  "Robert'); DROP TABLE parties;--",
  '%s%n%x',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  ' ',
  '\t\n\r',
  'null',
  'undefined',
  '0',
  '-1',
  '1e309',
];

function idPool(key: string | undefined): string[] {
  if (key) {
    const noun = key.replace(/Id$/, '').toLowerCase();
    for (const [collection, list] of ids)
      if (collection.toLowerCase().includes(noun) && list.length > 0 && noun.length > 2) return list;
  }
  return allIds;
}

function stringArb(schema: Schema, key: string | undefined): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.min(schema.maxLength ?? 60, 60);
  if (schema.format === 'uuid') {
    const pool = idPool(key);
    return pool.length > 0
      ? fc.oneof(fc.constantFrom(...pool), fc.uuid({ version: 4 }))
      : fc.uuid({ version: 4 });
  }
  if (schema.format === 'date')
    return fc
      .date({ min: new Date('2024-01-01'), max: new Date('2027-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
  if (schema.format === 'date-time')
    return fc
      .date({ min: new Date('2024-01-01'), max: new Date('2027-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString());
  if (schema.format === 'email')
    return fc.constantFrom('ana@example.com', 'finance@bouwer.co.za', 'x.y+z@a.io');
  if (key && /currency/i.test(key) && !schema.pattern) return fc.constantFrom(...CURRENCIES, 'XXX', 'zar');
  if (schema.pattern) {
    try {
      const regex = new RegExp(schema.pattern);
      return fc
        .stringMatching(regex)
        .filter((s) => s.length >= min && (schema.maxLength === undefined || s.length <= schema.maxLength));
    } catch {
      // An expression JavaScript cannot compile: fall through to free text.
    }
  }
  return fc.oneof(
    { weight: 6, arbitrary: fc.string({ minLength: Math.max(min, 1), maxLength: Math.max(max, min, 1) }) },
    {
      weight: 2,
      arbitrary: fc.string({
        unit: 'grapheme',
        minLength: Math.max(min, 1),
        maxLength: Math.max(max, min, 1),
      }),
    },
    {
      weight: 2,
      arbitrary: fc
        .constantFrom(...WEIRD_STRINGS)
        .filter((s) => s.length >= min && (schema.maxLength === undefined || s.length <= schema.maxLength)),
    },
  );
}

function numberArb(schema: Schema, integer: boolean): fc.Arbitrary<number> {
  const min =
    schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : -1_000);
  const max =
    schema.maximum ?? (schema.exclusiveMaximum !== undefined ? schema.exclusiveMaximum - 1 : 1_000_000);
  if (integer)
    return fc.integer({
      min: Math.max(min, Number.MIN_SAFE_INTEGER),
      max: Math.min(max, Number.MAX_SAFE_INTEGER),
    });
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/** Values that satisfy `schema` (as far as JSON Schema says), often the example's own. */
function validArb(
  schema: Schema,
  root: Schema,
  example: unknown,
  key?: string,
  depth = 0,
): fc.Arbitrary<Json> {
  const s = resolve(schema, root);
  const own = valueArb(s, root, example, key, depth);
  return example === undefined
    ? own
    : fc.oneof({ weight: 1, arbitrary: fc.constant(example as Json) }, { weight: 1, arbitrary: own });
}

function valueArb(
  s: Schema,
  root: Schema,
  example: unknown,
  key: string | undefined,
  depth: number,
): fc.Arbitrary<Json> {
  if (s.const !== undefined) return fc.constant(s.const);
  if (s.enum) return fc.constantFrom(...s.enum);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) return fc.oneof(...branches.map((b) => validArb(b, root, undefined, key, depth)));
  switch (typeOf(s)) {
    case 'string':
      return stringArb(s, key);
    case 'integer':
      return numberArb(s, true);
    case 'number':
      return numberArb(s, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array': {
      const item = Array.isArray(example) ? example[0] : undefined;
      const min = s.minItems ?? 0;
      const max = Math.min(s.maxItems ?? min + 3, min + 3);
      return fc.array(validArb(s.items ?? {}, root, item, key, depth + 1), {
        minLength: min,
        maxLength: max,
      });
    }
    case 'object': {
      const props = s.properties ?? {};
      const ex = example && typeof example === 'object' ? (example as Record<string, unknown>) : {};
      const required = (s.required ?? []).filter((k) => k in props);
      if (Object.keys(props).length === 0) return fc.constant({});
      return fc.record(
        Object.fromEntries(
          Object.entries(props).map(([k, v]) => [k, validArb(v, root, ex[k], k, depth + 1)]),
        ) as Record<string, fc.Arbitrary<Json>>,
        { requiredKeys: required },
      ) as fc.Arbitrary<Json>;
    }
    default:
      return depth > 3 ? fc.constant(null) : (fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>);
  }
}

type Location = { path: (string | number)[]; schema: Schema; value: Json };

/** Every place in `value` with the part of the schema that describes it. */
function locations(value: Json, schema: Schema, root: Schema, path: (string | number)[] = []): Location[] {
  let s = resolve(schema, root);
  const branches = s.anyOf ?? s.oneOf;
  if (branches) {
    const fit = branches
      .map((b) => resolve(b, root))
      .find((b) => ajv.validate({ ...b, $defs: root.$defs }, value));
    s = fit ?? resolve(branches[0]!, root);
  }
  const here: Location[] = [{ path, schema: s, value }];
  if (Array.isArray(value) && s.items)
    return [...here, ...value.flatMap((v, i) => locations(v, s.items!, root, [...path, i]))];
  if (value && typeof value === 'object' && !Array.isArray(value) && s.properties)
    return [
      ...here,
      ...Object.entries(value).flatMap(([k, v]) =>
        s.properties![k] ? locations(v, s.properties![k]!, root, [...path, k]) : [],
      ),
    ];
  return here;
}

function setAt(root: Json, path: (string | number)[], update: (old: Json) => Json | undefined): Json {
  if (path.length === 0) return update(root) as Json;
  const copy = structuredClone(root) as Record<string | number, Json>;
  let node = copy as Record<string | number, Json>;
  for (const segment of path.slice(0, -1)) node = node[segment] as Record<string | number, Json>;
  const last = path[path.length - 1]!;
  const next = update(node[last] as Json);
  if (next === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = next;
  return copy as Json;
}

const BAD_DECIMALS = [
  '1e5',
  '-1',
  '-0.01',
  '1.23456',
  'NaN',
  'Infinity',
  '１２',
  '1,000.00',
  ' 1',
  '1 ',
  '',
  '.5',
  '5.',
  '0x1F',
  '9'.repeat(40),
  '+1',
];
const BAD_UUIDS = [
  'not-a-uuid',
  '00000000000040008000000000000000',
  '{3f6b2a1e-8c1d-4e7a-9b0f-2d5c6e7f8a90}',
  "' OR 1=1 --",
  '3f6b2a1e-8c1d-4e7a-9b0f-2d5c6e7f8a9',
  'g'.repeat(36),
  '',
];
const BAD_DATES = [
  '2026-02-30',
  '2026-13-01',
  '26-01-01',
  '2026-01-01T00:00:00Z',
  '0000-00-00',
  '31/12/2026',
  '',
  '2026-1-1',
  '99999-01-01',
];
const BAD_NUMBERS = [-1, -1e308, 1e308, 2 ** 53 + 2, 1.5, -0.5, 0.1 + 0.2, 1e-300, 4294967296];
const SERVER_OWNED = [
  'id',
  'tenantId',
  'tenant_id',
  'status',
  'version',
  'createdBy',
  'createdAt',
  'approvedBy',
  'total',
  'gross',
  'number',
  '__proto__',
  'constructor',
  'unexpectedField',
];

function wrongTypeArb(s: Schema): fc.Arbitrary<Json> {
  const type = typeOf(s);
  const all: Json[] = [
    'a string',
    12345,
    -7.5,
    true,
    false,
    null,
    [],
    [1, 'two'],
    {},
    { nested: { deep: 1 } },
  ];
  return fc.constantFrom(
    ...all.filter((v) => {
      if (type === 'string') return typeof v !== 'string';
      if (type === 'integer' || type === 'number') return typeof v !== 'number';
      if (type === 'boolean') return typeof v !== 'boolean';
      if (type === 'array') return !Array.isArray(v);
      if (type === 'object') return v === null || typeof v !== 'object' || Array.isArray(v);
      return true;
    }),
  );
}

/** A malformed variant of `value`: one (sometimes two) mutations somewhere inside it. */
function mutationArb(value: Json, schema: Schema): fc.Arbitrary<{ body: Json | undefined; variant: string }> {
  const places = locations(value, schema, schema);
  const objects = places.filter((p) => p.value && typeof p.value === 'object' && !Array.isArray(p.value));
  const strings = places.filter((p) => typeof p.value === 'string');
  const numbers = places.filter((p) => typeof p.value === 'number');
  const arrays = places.filter((p) => Array.isArray(p.value));
  const withRequired = objects.filter((p) => (p.schema.required ?? []).some((k) => k in (p.value as object)));
  const options: { weight: number; arbitrary: fc.Arbitrary<{ body: Json | undefined; variant: string }> }[] =
    [
      {
        weight: 4,
        arbitrary: fc.constantFrom(...places).chain((p) =>
          wrongTypeArb(p.schema).map((v) => ({
            body: setAt(value, p.path, () => v),
            variant: `wrong type at ${p.path.join('.') || '(body)'}`,
          })),
        ),
      },
      {
        weight: 1,
        arbitrary: fc.constantFrom(...places).map((p) => ({
          body: setAt(value, p.path, () => null),
          variant: `null at ${p.path.join('.') || '(body)'}`,
        })),
      },
    ];
  if (objects.length > 0)
    options.push({
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...objects),
          fc.oneof(fc.constantFrom(...SERVER_OWNED), fc.string({ minLength: 1, maxLength: 12 })),
          fc.jsonValue({ maxDepth: 1 }),
        )
        .filter(([p, k]) => !(k in (p.schema.properties ?? {})))
        .map(([p, k, v]) => ({
          body: setAt(value, p.path, (o) => {
            const copy = { ...(o as Record<string, Json>) };
            Object.defineProperty(copy, k, {
              value: v as Json,
              enumerable: true,
              configurable: true,
              writable: true,
            });
            return copy;
          }),
          variant: `extra field ${JSON.stringify(k)} at ${p.path.join('.') || '(body)'}`,
        })),
    });
  if (withRequired.length > 0)
    options.push({
      weight: 3,
      arbitrary: fc.constantFrom(...withRequired).chain((p) =>
        fc.constantFrom(...(p.schema.required ?? []).filter((k) => k in (p.value as object))).map((k) => ({
          body: setAt(value, [...p.path, k], () => undefined),
          variant: `missing ${[...p.path, k].join('.')}`,
        })),
      ),
    });
  if (strings.length > 0)
    options.push({
      weight: 5,
      arbitrary: fc.constantFrom(...strings).chain((p) => {
        const s = p.schema;
        const bad: fc.Arbitrary<string>[] = [
          fc.integer({ min: 1, max: 200_000 }).map((n) => 'x'.repeat((s.maxLength ?? 0) + n)),
          fc.constantFrom(...WEIRD_STRINGS),
          fc.string({ unit: 'binary', minLength: 0, maxLength: 30 }),
        ];
        if (s.format === 'uuid') bad.push(fc.constantFrom(...BAD_UUIDS));
        if (s.format === 'date') bad.push(fc.constantFrom(...BAD_DATES));
        if (s.pattern?.includes('\\d')) bad.push(fc.constantFrom(...BAD_DECIMALS));
        if (s.enum) bad.push(fc.constantFrom('', 'UNKNOWN', String(s.enum[0]).toUpperCase() + ' '));
        return fc.oneof(...bad).map((v) => ({
          body: setAt(value, p.path, () => v),
          variant: `bad string at ${p.path.join('.')}`,
        }));
      }),
    });
  if (numbers.length > 0)
    options.push({
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(...numbers), fc.constantFrom(...BAD_NUMBERS)).map(([p, n]) => ({
        body: setAt(value, p.path, () => n),
        variant: `bad number ${n} at ${p.path.join('.')}`,
      })),
    });
  if (arrays.length > 0)
    options.push({
      weight: 2,
      arbitrary: fc.tuple(fc.constantFrom(...arrays), fc.boolean()).map(([p, empty]) => ({
        body: setAt(value, p.path, (a) =>
          empty ? [] : Array.from({ length: (p.schema.maxItems ?? 50) + 1 }, () => (a as Json[])[0] ?? null),
        ),
        variant: `${empty ? 'empty' : 'too long'} array at ${p.path.join('.') || '(body)'}`,
      })),
    });
  return fc.oneof(...options);
}

const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: false });
const validates = (schema: Schema, value: unknown) => ajv.validate(schema, value);

// ---- Cases ----------------------------------------------------------------------------------

const NON_JSON_BODIES = [
  '{"unterminated": ',
  "{'single': 'quotes'}",
  'undefined',
  '<xml>1</xml>',
  'NaN',
  '{"a":1}{"b":2}',
  '\u0000\u0001\u0002',
  '[1,2,',
  '{"a": 01}',
  'a=1&b=2',
];
const WRONG_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/xml',
  'application/jsonp',
];

function pathArb(target: Target): fc.Arbitrary<{ path: string; unknownId: boolean; variant: string }> {
  const names = [...target.route.matchAll(/\{(\w+)(:[^}]*)?\}/g)];
  if (names.length === 0)
    return fc.constant({ path: openApiPath(target.route), unknownId: false, variant: '' });
  const pool = ids.get(collectionOf(target.route)) ?? [];
  const real = pool.length > 0 ? fc.constantFrom(...pool) : fc.uuid({ version: 4 });
  return fc
    .tuple(
      fc.oneof(
        {
          weight: 6,
          arbitrary: real.map((id) => ({ id, unknownId: pool.length === 0, variant: 'real id' })),
        },
        {
          weight: 2,
          arbitrary: fc.uuid({ version: 4 }).map((id) => ({ id, unknownId: true, variant: 'unknown id' })),
        },
        {
          weight: 2,
          arbitrary: fc
            .constantFrom('123', 'zzz', '..%2F..', '%00', '3f6b2a1e-8c1d-4e7a-9b0f-2d5c6e7f8a9', 'null')
            .map((id) => ({ id, unknownId: true, variant: 'malformed id' })),
        },
      ),
    )
    .map(([p]) => ({
      path: openApiPath(target.route).replace(/\{(\w+)\}/, p.id),
      unknownId: p.unknownId,
      variant: p.variant,
    }));
}

function headerArb(
  target: Target,
): fc.Arbitrary<{ headers: Record<string, string>; bad: boolean; variant: string }> {
  const idempotent = target.spec?.idempotent === true;
  const versioned = target.method === 'PATCH' || target.method === 'PUT';
  return fc
    .record({
      key: fc.oneof(
        { weight: 8, arbitrary: fc.uuid().map((k) => ({ value: k as string | undefined, bad: false })) },
        { weight: 1, arbitrary: fc.constant({ value: undefined as string | undefined, bad: false }) },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom('k'.repeat(201), 'has space', 'tab\there', '')
            .map((k) => ({ value: k as string | undefined, bad: k !== '' })),
        },
      ),
      ifMatch: fc.oneof(
        {
          weight: 6,
          arbitrary: fc
            .integer({ min: 1, max: 4 })
            .map((v) => ({ value: `"${v}"` as string | undefined, bad: false })),
        },
        { weight: 1, arbitrary: fc.constant({ value: undefined as string | undefined, bad: false }) },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom('garbage', '"-1"', 'W/"x"', '"99999999999"', '*')
            .map((v) => ({ value: v as string | undefined, bad: true })),
        },
      ),
    })
    .map(({ key, ifMatch }) => {
      const headers: Record<string, string> = {};
      let bad = false;
      const notes: string[] = [];
      if (target.method === 'POST' && key.value !== undefined) {
        headers['idempotency-key'] = key.value;
        if (idempotent && key.bad) {
          bad = true;
          notes.push('bad Idempotency-Key');
        }
      }
      if (
        ifMatch.value !== undefined &&
        (versioned || target.method === 'POST' || target.method === 'DELETE')
      ) {
        headers['if-match'] = ifMatch.value;
        if (versioned && ifMatch.bad) {
          bad = true;
          notes.push('bad If-Match');
        }
      }
      return { headers, bad, variant: notes.join(', ') };
    });
}

function casesFor(target: Target, count: number, seed: number): Case[] {
  const validCount = target.body ? Math.round(count * VALID_SHARE) : Math.round(count * 0.4);
  const body = target.body;
  const bodyValid: fc.Arbitrary<Json | undefined> = body
    ? validArb(body, body, target.example)
    : fc.constant(undefined);
  const build = (malformed: boolean): fc.Arbitrary<Case> =>
    fc
      .tuple(pathArb(target), headerArb(target), bodyValid, fc.nat({ max: 99 }), fc.nat())
      .chain(([path, header, valid, roll, pick]) => {
        const base = {
          target: target.name,
          method: target.method,
          path: path.path,
          headers: { ...header.headers },
        };
        const refusedByPath = path.unknownId;
        const notes = [path.variant, header.variant].filter(Boolean);
        const done = (b: Json | undefined, variant: string, rawBody?: string, contentType?: string): Case => {
          const headers = { ...base.headers };
          let text = rawBody;
          if (text === undefined && b !== undefined) text = JSON.stringify(b);
          if (text !== undefined) headers['content-type'] = contentType ?? 'application/json';
          const bodyBad =
            body !== undefined && rawBody === undefined && contentType === undefined && !validates(body, b);
          const transportBad =
            body !== undefined &&
            (rawBody !== undefined || contentType !== undefined) &&
            !target.spec?.name.startsWith('documents-upload');
          return {
            ...base,
            headers,
            body: text,
            variant: [...notes, variant].filter(Boolean).join('; '),
            mustRefuse: refusedByPath || header.bad || bodyBad || transportBad,
          };
        };
        if (!malformed || !body) {
          // Body-less routes get random JSON too: they must ignore it.
          if (!body && roll < 30)
            return fc.jsonValue({ maxDepth: 2 }).map((j) => done(j as Json, 'ignored body'));
          return fc.constant(done(valid, malformed ? 'malformed path/headers' : 'valid'));
        }
        if (roll < 8)
          return fc.constant(
            done(undefined, 'non-JSON body', NON_JSON_BODIES[pick % NON_JSON_BODIES.length]),
          );
        if (roll < 14)
          return fc.constant(
            done(
              undefined,
              'wrong content type',
              JSON.stringify(valid),
              WRONG_TYPES[pick % WRONG_TYPES.length],
            ),
          );
        if (roll < 18)
          return fc
            .constantFrom<Json | undefined>(undefined, [], 'text', 42, null, true, [valid ?? null])
            .map((top) =>
              done(
                top,
                `top-level ${top === undefined ? 'empty body' : Array.isArray(top) ? 'array' : String(top)}`,
              ),
            );
        if (roll < 20)
          return fc.constant(
            done(undefined, 'oversized body', JSON.stringify({ pad: 'x'.repeat(1_100_000) })),
          );
        return mutationArb(valid ?? {}, body).map((m) => done(m.body, m.variant));
      });
  const cases = [
    ...fc.sample(build(false), { seed, numRuns: validCount }),
    ...fc.sample(build(true), { seed: seed + 1, numRuns: count - validCount }),
  ];
  return cases;
}

// ---- Running --------------------------------------------------------------------------------

interface Outcome {
  status: number;
  contentType: string;
  text: string;
}

async function send(token: string | undefined, c: Case): Promise<Outcome> {
  const headers: Record<string, string> = { ...c.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${devhost.url}${c.path}`, { method: c.method, headers, body: c.body });
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text: await response.text(),
  };
}

const short = (text: string | undefined, n = 300) =>
  text === undefined ? '(none)' : text.length > n ? `${text.slice(0, n)}… (${text.length} chars)` : text;

/** 422s of body-less routes, which name no field, by problem code (printed). */
const fieldless422 = new Map<string, number>();

/** What is wrong with the answer to one case, if anything. */
function judge(c: Case, o: Outcome, hasBody: boolean): string | undefined {
  if (o.status >= 500) return `${o.status}`;
  if (c.mustRefuse && o.status < 400) return `accepted a malformed request with ${o.status}`;
  if (o.status < 400) return undefined;
  if (!/^application\/problem\+json/i.test(o.contentType))
    return `${o.status} as ${o.contentType || 'no content type'}`;
  let problem: {
    type?: unknown;
    title?: unknown;
    status?: unknown;
    detail?: unknown;
    errors?: { path?: unknown }[];
  };
  try {
    problem = JSON.parse(o.text);
  } catch {
    return `${o.status} problem that is not JSON`;
  }
  if (
    typeof problem.type !== 'string' ||
    typeof problem.title !== 'string' ||
    typeof problem.detail !== 'string'
  )
    return `${o.status} problem without type/title/detail`;
  if (problem.status !== o.status) return `problem status ${String(problem.status)} on a ${o.status}`;
  const paths = (problem.errors ?? []).map((e) => e.path);
  if (paths.some((p) => typeof p !== 'string' || p.length === 0))
    return `${o.status} with an error naming no field`;
  if (o.status === 400 && paths.length === 0) return '400 naming no field';
  if (o.status === 422 && paths.length === 0) {
    // A route without a body refuses the state of the record its path names (closing a period out
    // of order, say): there is no field to name. A route with a body must name one.
    if (hasBody) return '422 naming no field';
    const code = String((problem as { code?: unknown }).code);
    fieldless422.set(code, (fieldless422.get(code) ?? 0) + 1);
  }
  return undefined;
}

it(`${TOTAL} fuzzed requests against every write endpoint: no 5xx, problem+json naming the field, nothing written by a refusal`, async () => {
  const specs = routeSpecs().sort((a, b) => a.name.localeCompare(b.name));
  await createFixtures(specs);
  const targets: Target[] = specs
    .filter((s) => s.method !== 'GET')
    .map((s) => ({
      name: s.name,
      method: s.method,
      route: s.route,
      spec: s,
      body: s.body ? toSchema(s.body) : undefined,
      query: s.query ? toSchema(s.query) : undefined,
      example: s.example,
    }));
  // Outside the registry: the Bot Framework endpoint (its own token check; no token here → 401).
  targets.push({
    name: 'teams-messages',
    method: 'POST',
    route: 'teams/messages',
    spec: undefined,
    body: { type: 'object' },
    query: undefined,
    example: { type: 'message', text: 'hi' },
  });
  const perTarget = Math.floor(TOTAL / targets.length);
  const token = await devhost.token('demo', 'fuzz-all-roles', ALL_ROLES);

  const failures: string[] = [];
  const statuses = new Map<string, Map<number, number>>();
  let executed = 0;
  let refusedGroups = 0;
  for (const [index, target] of targets.entries()) {
    const count = perTarget + (index < TOTAL - perTarget * targets.length ? 1 : 0);
    const cases = casesFor(target, count, SEED + index * 7919);
    // Cases that may succeed first, then the ones that must be refused, between two checksums.
    const maybe = cases.filter((c) => !c.mustRefuse);
    const refused = cases.filter((c) => c.mustRefuse);
    const tally = statuses.get(target.name) ?? new Map<number, number>();
    statuses.set(target.name, tally);
    const run = async (c: Case) => {
      const outcome = await send(target.spec ? token : undefined, c);
      executed++;
      tally.set(outcome.status, (tally.get(outcome.status) ?? 0) + 1);
      const wrong = judge(c, outcome, target.body !== undefined);
      if (wrong)
        failures.push(
          `${c.target} [${c.variant}] ${wrong}\n    ${c.method} ${c.path} ${JSON.stringify(c.headers)}\n    body: ${short(c.body)}\n    answer: ${short(outcome.text)}`,
        );
    };
    for (const c of maybe) await run(c);
    await devhost.settle(60_000);
    const before = await checksum();
    for (const c of refused) await run(c);
    const after = await checksum();
    refusedGroups++;
    if (after !== before)
      failures.push(
        `${target.name}: its ${refused.length} refused requests changed ${diff(before, after).join(', ')}`,
      );
  }

  const summary = [...statuses]
    .map(
      ([name, tally]) =>
        `${name.padEnd(40)} ${[...tally]
          .sort(([a], [b]) => a - b)
          .map(([s, n]) => `${s}×${n}`)
          .join(' ')}`,
    )
    .join('\n');
  console.info(
    `fuzz: ${executed} requests over ${targets.length} endpoints, ${refusedGroups} checksummed groups\n${summary}`,
  );
  console.info(
    `fuzz: 422 of body-less routes (no field to name), by code: ${JSON.stringify(Object.fromEntries(fieldless422))}`,
  );
  if (failures.length > 0)
    console.error(
      `fuzz: ${failures.length} failures (RELIABILITY_SEED=${SEED})\n${failures.slice(0, 40).join('\n')}`,
    );
  expect(executed).toBe(TOTAL);
  expect(failures, `RELIABILITY_SEED=${SEED}`).toEqual([]);
});
