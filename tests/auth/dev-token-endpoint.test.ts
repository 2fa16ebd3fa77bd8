import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devObjectId } from '../../devhost/auth/dev-issuer.js';
import { createTokenValidator, type TokenValidator } from '../../shared/platform/auth/token-validator.js';
import { AUDIENCE, directory, serveDevIssuer, tenants, type ServedIssuer } from './issuer-server.js';

let served: ServedIssuer;
let validator: TokenValidator;

beforeAll(async () => {
  served = await serveDevIssuer();
  validator = createTokenValidator({
    directory,
    audience: AUDIENCE,
    issuerTemplate: served.issuer.issuerTemplate(),
    jwksUri: served.issuer.jwksUri(),
    clockSkewSeconds: 300,
    jwksCooldownMs: 30_000,
  });
});

afterAll(async () => {
  await served?.close();
});

/** The reply's JSON, loosely typed: each test asserts the shape it expects. */
type Reply = { status: number; type: string; body: Record<string, unknown> & { errors?: unknown } };

async function post(body: string, contentType = 'application/json'): Promise<Reply> {
  const response = await fetch(`${served.baseUrl}/api/dev/token`, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
  return {
    status: response.status,
    type: response.headers.get('content-type') ?? '',
    body: (await response.json()) as Reply['body'],
  };
}

function decodePart(token: string, index: number): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

function expectProblem(reply: Reply, status: number): void {
  expect(reply.status).toBe(status);
  expect(reply.type).toMatch(/^application\/problem\+json/);
  expect(reply.body).toMatchObject({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
  });
}

describe('POST /api/dev/token', () => {
  it('issues an Entra-shaped access token that the production validator accepts', async () => {
    const reply = await post(JSON.stringify({ tenant: 'demo', user: 'alice', roles: ['Admin'] }));
    expect(reply.status).toBe(200);
    expect(reply.body).toEqual({ accessToken: expect.any(String), expiresIn: 3600, tokenType: 'Bearer' });

    const accessToken = reply.body.accessToken as string;
    expect(decodePart(accessToken, 0)).toMatchObject({
      alg: 'RS256',
      typ: 'JWT',
      kid: served.issuer.currentKeyId(),
    });
    const payload = decodePart(accessToken, 1);
    const tid = tenants.demo.entraTenantId;
    expect(payload).toMatchObject({
      iss: served.issuer.issuerFor(tid),
      aud: AUDIENCE,
      tid,
      oid: devObjectId(tid, 'alice'),
      sub: expect.any(String),
      name: 'Alice',
      preferred_username: 'alice@demo.example',
      roles: ['Admin'],
      ver: '2.0',
    });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(3600);
    expect(payload.nbf).toBe(payload.iat);

    const principal = await validator.authenticate(`Bearer ${accessToken}`);
    expect(principal).toMatchObject({
      tenantId: tenants.demo.id,
      userId: devObjectId(tid, 'alice'),
      roles: ['Admin'],
    });
  });

  it('takes an optional name, email and lifetime, and defaults roles to none', async () => {
    const reply = await post(
      JSON.stringify({
        tenant: 'acme',
        user: 'bob.smith',
        name: 'Robert Smith',
        email: 'rob@acme.example',
        expiresInSeconds: 600,
      }),
    );
    expect(reply.status).toBe(200);
    expect(reply.body.expiresIn).toBe(600);
    const principal = await validator.authenticate(`Bearer ${reply.body.accessToken as string}`);
    expect(principal).toMatchObject({
      tenantSlug: 'acme',
      name: 'Robert Smith',
      email: 'rob@acme.example',
      roles: [],
    });
  });

  it('refuses unknown fields, naming each', async () => {
    const reply = await post(
      JSON.stringify({ tenant: 'demo', user: 'alice', roles: ['Admin'], tenantId: 'x', oid: 'y' }),
    );
    expectProblem(reply, 400);
    expect(reply.body.errors).toEqual([
      { path: 'tenantId', message: expect.any(String) },
      { path: 'oid', message: expect.any(String) },
    ]);
  });

  it('refuses unknown roles, naming the entry', async () => {
    const reply = await post(JSON.stringify({ tenant: 'demo', user: 'alice', roles: ['Admin', 'Root'] }));
    expectProblem(reply, 400);
    expect(reply.body.errors).toEqual([
      { path: 'roles.1', message: expect.stringContaining('Finance.Approver') },
    ]);
  });

  it.each([
    ['a missing tenant', { user: 'alice', roles: [] }, 'tenant'],
    ['a missing user', { tenant: 'demo', roles: [] }, 'user'],
    ['roles that are not a list', { tenant: 'demo', user: 'alice', roles: 'Admin' }, 'roles'],
    ['a user with spaces', { tenant: 'demo', user: 'alice smith', roles: [] }, 'user'],
    [
      'a lifetime beyond a day',
      { tenant: 'demo', user: 'alice', roles: [], expiresInSeconds: 90_000 },
      'expiresInSeconds',
    ],
  ])('refuses %s', async (_case, body, field) => {
    const reply = await post(JSON.stringify(body));
    expectProblem(reply, 400);
    expect(reply.body.errors).toEqual([{ path: field, message: expect.any(String) }]);
  });

  it('refuses a body that is not a JSON object', async () => {
    expectProblem(await post('{"tenant":'), 400);
    const array = await post('[]');
    expectProblem(array, 400);
    expect(array.body.errors).toEqual([{ path: '(body)', message: expect.any(String) }]);
  });

  it('refuses a body that is not JSON by its media type', async () => {
    expectProblem(await post('tenant=demo', 'application/x-www-form-urlencoded'), 415);
  });

  it('refuses an oversized body', async () => {
    expectProblem(
      await post(JSON.stringify({ tenant: 'demo', user: 'alice', roles: [], name: 'x'.repeat(20_000) })),
      413,
    );
  });

  it('answers 404 for an unknown tenant slug', async () => {
    const reply = await post(JSON.stringify({ tenant: 'nowhere', user: 'alice', roles: [] }));
    expectProblem(reply, 404);
    expect(reply.body.errors).toEqual([{ path: 'tenant', message: expect.any(String) }]);
  });

  it('allows POST only', async () => {
    const response = await fetch(`${served.baseUrl}/api/dev/token`);
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
  });
});

describe('discovery', () => {
  it("serves each known tenant's OpenID configuration with its exact issuer and the JWKS", async () => {
    const tid = tenants.acme.entraTenantId;
    const response = await fetch(`${served.baseUrl}/dev-issuer/${tid}/v2.0/.well-known/openid-configuration`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      issuer: served.issuer.issuerFor(tid),
      jwks_uri: served.issuer.jwksUri(),
      id_token_signing_alg_values_supported: ['RS256'],
    });
  });

  it('answers 404 for an unknown Entra tenant', async () => {
    const response = await fetch(
      `${served.baseUrl}/dev-issuer/0f0f0f0f-0000-4000-8000-000000000000/v2.0/.well-known/openid-configuration`,
    );
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });

  it('leaves other paths to the devhost', async () => {
    const reply = await served.issuer.handleHttp({
      method: 'GET',
      path: '/api/v1/sales/orders',
      body: Buffer.alloc(0),
      headers: {},
    });
    expect(reply).toBeUndefined();
  });
});
