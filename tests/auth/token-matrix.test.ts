import { createPublicKey, randomUUID } from 'node:crypto';
import { base64url, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devObjectId } from '../../devhost/auth/dev-issuer.js';
import {
  AuthenticationError,
  createTokenValidator,
  type AuthenticationReason,
  type TokenValidator,
  type TokenValidatorOptions,
} from '../../shared/platform/auth/token-validator.js';
import { AppError } from '../../shared/platform/errors.js';
import { AUDIENCE, directory, serveDevIssuer, tenants, type ServedIssuer } from './issuer-server.js';

const SKEW_SECONDS = 300;

let served: ServedIssuer;
let validator: TokenValidator;

function validatorFor(overrides: Partial<TokenValidatorOptions> = {}): TokenValidator {
  return createTokenValidator({
    directory,
    audience: AUDIENCE,
    issuerTemplate: served.issuer.issuerTemplate(),
    jwksUri: served.issuer.jwksUri(),
    clockSkewSeconds: SKEW_SECONDS,
    jwksCooldownMs: 30_000,
    ...overrides,
  });
}

/** The claims of a good token for alice at demo, to be bent by each case. */
function claims(overrides: JWTPayload = {}): JWTPayload {
  const now = Math.floor(Date.now() / 1000);
  const tid = tenants.demo.entraTenantId;
  return {
    aud: AUDIENCE,
    iss: served.issuer.issuerFor(tid),
    tid,
    oid: devObjectId(tid, 'alice'),
    sub: 'pairwise-subject',
    name: 'Alice',
    preferred_username: 'alice@demo.example',
    roles: ['Finance.Clerk'],
    iat: now,
    nbf: now,
    exp: now + 3600,
    ver: '2.0',
    ...overrides,
  };
}

function without(payload: JWTPayload, claim: string): JWTPayload {
  const copy = { ...payload };
  delete copy[claim];
  return copy;
}

async function rejection(
  header: string | undefined | null,
  using = validator,
): Promise<AuthenticationReason> {
  const error = await using.authenticate(header).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error, 'the token was accepted').toBeInstanceOf(AuthenticationError);
  return (error as AuthenticationError).reason;
}

function unsigned(header: Record<string, unknown>, payload: JWTPayload, signature = ''): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode(header)}.${encode(payload)}.${signature}`;
}

beforeAll(async () => {
  served = await serveDevIssuer();
  validator = validatorFor();
});

afterAll(async () => {
  await served?.close();
});

describe('a valid token', () => {
  it('yields the principal of its tenant and user, with the known roles', async () => {
    const token = await served.issuer.issue({
      tenant: 'demo',
      user: 'alice',
      roles: ['Admin', 'Finance.Approver'],
    });
    const principal = await validator.authenticate(`Bearer ${token}`);
    expect(principal).toEqual({
      tenantId: tenants.demo.id,
      tenantSlug: 'demo',
      entraTenantId: tenants.demo.entraTenantId,
      userId: devObjectId(tenants.demo.entraTenantId, 'alice'),
      name: 'Alice',
      email: 'alice@demo.example',
      roles: ['Admin', 'Finance.Approver'],
      tokenId: expect.any(String),
    });
  });

  it('accepts the scheme in any case', async () => {
    const token = await served.issuer.issue({ tenant: 'acme', user: 'bob', roles: [] });
    const principal = await validator.authenticate(`bearer ${token}`);
    expect(principal.tenantId).toBe(tenants.acme.id);
    expect(principal.roles).toEqual([]);
  });

  it('drops roles Tessera does not know', async () => {
    const token = await served.issuer.sign(
      claims({ roles: ['Sales.Rep', 'Root', 'admin', 42, 'Sales.Rep'] }),
    );
    expect((await validator.authenticate(`Bearer ${token}`)).roles).toEqual(['Sales.Rep']);
  });

  it('keeps Platform.Operator only from the platform Entra tenant', async () => {
    const token = await served.issuer.sign(claims({ roles: ['Platform.Operator', 'Auditor'] }));
    expect((await validator.authenticate(`Bearer ${token}`)).roles).toEqual(['Auditor']);
    const platform = validatorFor({ platformEntraTenantId: tenants.demo.entraTenantId });
    expect((await platform.authenticate(`Bearer ${token}`)).roles).toEqual(['Platform.Operator', 'Auditor']);
  });

  it('gives the same user the same object id in every token, and other users other ids', async () => {
    const first = await validator.authenticate(
      `Bearer ${await served.issuer.issue({ tenant: 'demo', user: 'alice', roles: [] })}`,
    );
    const again = await validator.authenticate(
      `Bearer ${await served.issuer.issue({ tenant: 'demo', user: 'Alice', roles: [] })}`,
    );
    const other = await validator.authenticate(
      `Bearer ${await served.issuer.issue({ tenant: 'demo', user: 'carol', roles: [] })}`,
    );
    const elsewhere = await validator.authenticate(
      `Bearer ${await served.issuer.issue({ tenant: 'acme', user: 'alice', roles: [] })}`,
    );
    expect(again.userId).toBe(first.userId);
    expect(other.userId).not.toBe(first.userId);
    expect(elsewhere.userId).not.toBe(first.userId);
    expect(first.userId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('the Authorization header', () => {
  it.each([
    ['absent', undefined, 'missing_token'],
    ['null', null, 'missing_token'],
    ['empty', '', 'missing_token'],
    ['another scheme', 'Basic YWxpY2U6c2VjcmV0', 'invalid_scheme'],
    ['a bare token', 'eyJhbGciOiJSUzI1NiJ9.e30.c2ln', 'invalid_scheme'],
    ['Bearer without a token', 'Bearer', 'malformed_token'],
    ['Bearer with two tokens', 'Bearer a.b.c d.e.f', 'malformed_token'],
    ['not a JWT', 'Bearer not-a-jwt', 'malformed_token'],
    ['three parts of garbage', 'Bearer abc.def.ghi', 'malformed_token'],
    [
      'a JWT with a non-JSON payload',
      `Bearer ${base64url.encode('{"alg":"RS256","kid":"k"}')}.${base64url.encode('nope')}.c2ln`,
      'malformed_token',
    ],
    ['a huge token', `Bearer ${'a'.repeat(20_000)}.b.c`, 'malformed_token'],
  ] as const)('is refused when %s', async (_case, header, reason) => {
    expect(await rejection(header)).toBe(reason);
  });
});

describe('the signature', () => {
  it('refuses alg none', async () => {
    const kid = served.issuer.currentKeyId();
    expect(await rejection(`Bearer ${unsigned({ alg: 'none', kid }, claims())}`)).toBe(
      'unsupported_algorithm',
    );
    expect(await rejection(`Bearer ${unsigned({ alg: 'none' }, claims())}`)).toBe('unsupported_algorithm');
  });

  it('refuses HS256 signed with the public key as the HMAC secret', async () => {
    const jwk = served.issuer.jwks().keys.at(-1);
    const pem = createPublicKey({ key: jwk as never, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    for (const secret of [Buffer.from(pem), Buffer.from(JSON.stringify(jwk))]) {
      const token = await new SignJWT(claims())
        .setProtectedHeader({ alg: 'HS256', kid: jwk?.kid })
        .sign(new Uint8Array(secret));
      expect(await rejection(`Bearer ${token}`)).toBe('unsupported_algorithm');
    }
  });

  it('refuses other RSA algorithms, even with the right key', async () => {
    for (const alg of ['RS384', 'RS512', 'PS256']) {
      const token = await served.issuer.sign(claims(), { alg });
      expect(await rejection(`Bearer ${token}`)).toBe('unsupported_algorithm');
    }
  });

  it('refuses a token whose kid the JWKS does not have, or that names no kid', async () => {
    expect(
      await rejection(`Bearer ${await served.issuer.sign(claims(), { kid: 'not-a-published-key' })}`),
    ).toBe('unknown_key');
    expect(await rejection(`Bearer ${await served.issuer.sign(claims(), { kid: undefined })}`)).toBe(
      'unknown_key',
    );
  });

  it('does not fetch the JWKS again for unknown kids within the cooldown', async () => {
    const guarded = validatorFor({ jwksCooldownMs: 60_000 });
    await guarded.authenticate(`Bearer ${await served.issuer.sign(claims())}`);
    const fetchesBefore = served.jwksFetches();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const token = await served.issuer.sign(claims(), { kid: `forged-${attempt}` });
      expect(await rejection(`Bearer ${token}`, guarded)).toBe('unknown_key');
    }
    expect(served.jwksFetches()).toBe(fetchesBefore);
  });

  it('refuses a tampered payload', async () => {
    const [header, , signature] = (await served.issuer.sign(claims())).split('.');
    const forged = base64url.encode(JSON.stringify(claims({ roles: ['Admin'] })));
    expect(await rejection(`Bearer ${header}.${forged}.${signature}`)).toBe('invalid_signature');
  });

  it("refuses a token signed by another key under a published key's kid", async () => {
    const { privateKey } = await generateKeyPair('RS256');
    const token = await new SignJWT(claims())
      .setProtectedHeader({ alg: 'RS256', kid: served.issuer.currentKeyId() })
      .sign(privateKey);
    expect(await rejection(`Bearer ${token}`)).toBe('invalid_signature');
  });
});

describe('the lifetime', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it('accepts a token expired within the clock skew', async () => {
    const token = await served.issuer.sign(claims({ iat: now() - 3700, nbf: now() - 3700, exp: now() - 60 }));
    await expect(validator.authenticate(`Bearer ${token}`)).resolves.toMatchObject({ tenantSlug: 'demo' });
  });

  it('refuses a token expired beyond the clock skew', async () => {
    const token = await served.issuer.sign(
      claims({ iat: now() - 4000, nbf: now() - 4000, exp: now() - SKEW_SECONDS - 60 }),
    );
    expect(await rejection(`Bearer ${token}`)).toBe('token_expired');
  });

  it('accepts a token whose nbf is ahead within the clock skew', async () => {
    const token = await served.issuer.sign(claims({ nbf: now() + 60 }));
    await expect(validator.authenticate(`Bearer ${token}`)).resolves.toMatchObject({ tenantSlug: 'demo' });
  });

  it('refuses a token whose nbf is ahead beyond the clock skew', async () => {
    const token = await served.issuer.sign(claims({ nbf: now() + SKEW_SECONDS + 60, exp: now() + 7200 }));
    expect(await rejection(`Bearer ${token}`)).toBe('token_not_yet_valid');
  });

  it('refuses a token without exp, or with exp of the wrong type', async () => {
    expect(await rejection(`Bearer ${await served.issuer.sign(without(claims(), 'exp'))}`)).toBe(
      'missing_claim',
    );
    expect(await rejection(`Bearer ${await served.issuer.sign(claims({ exp: 'tomorrow' as never }))}`)).toBe(
      'invalid_claim',
    );
  });
});

describe('the audience and issuer', () => {
  it('refuses another audience, or none', async () => {
    expect(await rejection(`Bearer ${await served.issuer.sign(claims({ aud: 'api://another-api' }))}`)).toBe(
      'invalid_audience',
    );
    expect(
      await rejection(
        `Bearer ${await served.issuer.sign(claims({ aud: '00000003-0000-0000-c000-000000000000' }))}`,
      ),
    ).toBe('invalid_audience');
    expect(await rejection(`Bearer ${await served.issuer.sign(without(claims(), 'aud'))}`)).toBe(
      'missing_claim',
    );
  });

  it('accepts any of several configured audiences', async () => {
    const both = validatorFor({ audience: ['00000000-aaaa-4bbb-8ccc-000000000001', AUDIENCE] });
    await expect(both.authenticate(`Bearer ${await served.issuer.sign(claims())}`)).resolves.toMatchObject({
      tenantSlug: 'demo',
    });
  });

  it("refuses another tenant's issuer for the token's tid", async () => {
    const token = await served.issuer.sign(
      claims({ iss: served.issuer.issuerFor(tenants.acme.entraTenantId) }),
    );
    expect(await rejection(`Bearer ${token}`)).toBe('invalid_issuer');
  });

  it("refuses an issuer that is not the template's, even for the right tid", async () => {
    const tid = tenants.demo.entraTenantId;
    for (const iss of [
      `https://login.microsoftonline.com/${tid}/v2.0`,
      `https://sts.windows.net/${tid}/`,
      `${served.issuer.issuerFor(tid)}/`,
      served.issuer.issuerTemplate(),
    ]) {
      expect(await rejection(`Bearer ${await served.issuer.sign(claims({ iss }))}`)).toBe('invalid_issuer');
    }
    expect(await rejection(`Bearer ${await served.issuer.sign(without(claims(), 'iss'))}`)).toBe(
      'missing_claim',
    );
  });

  it('refuses a token without tid or oid', async () => {
    expect(await rejection(`Bearer ${await served.issuer.sign(without(claims(), 'tid'))}`)).toBe(
      'missing_claim',
    );
    expect(await rejection(`Bearer ${await served.issuer.sign(without(claims(), 'oid'))}`)).toBe(
      'missing_claim',
    );
    expect(await rejection(`Bearer ${await served.issuer.sign(claims({ oid: 12 as never }))}`)).toBe(
      'invalid_claim',
    );
  });
});

describe('the tenant', () => {
  it('refuses a directory that is not one of our tenants', async () => {
    const tid = randomUUID();
    const token = await served.issuer.sign(claims({ tid, iss: served.issuer.issuerFor(tid) }));
    expect(await rejection(`Bearer ${token}`)).toBe('unknown_tenant');
  });

  it('refuses a suspended tenant', async () => {
    const token = await served.issuer.issue({ tenant: 'dormant', user: 'dave', roles: ['Admin'] });
    expect(await rejection(`Bearer ${token}`)).toBe('tenant_suspended');
  });
});

describe('signing keys', () => {
  it('accepts tokens of a rotated key without recreating the validator, and still those of the old key', async () => {
    // An issuer of its own, so that rotating it leaves the other cases' keys alone.
    const rotatingIssuer = await serveDevIssuer();
    try {
      const { issuer } = rotatingIssuer;
      const cooldownMs = 100;
      const rotating = createTokenValidator({
        directory,
        audience: AUDIENCE,
        issuerTemplate: issuer.issuerTemplate(),
        jwksUri: issuer.jwksUri(),
        clockSkewSeconds: SKEW_SECONDS,
        jwksCooldownMs: cooldownMs,
      });
      const before = await issuer.issue({ tenant: 'demo', user: 'alice', roles: ['Employee'] });
      await expect(rotating.authenticate(`Bearer ${before}`)).resolves.toMatchObject({ roles: ['Employee'] });
      const oldKid = issuer.currentKeyId();

      await issuer.rotate();
      expect(issuer.currentKeyId()).not.toBe(oldKid);
      expect(issuer.jwks().keys.map((key) => key.kid)).toEqual([oldKid, issuer.currentKeyId()]);
      // The validator may refetch only once the cooldown since its last fetch has passed; waiting it
      // out stands in for the time between Entra publishing a key and signing with it.
      await new Promise((resolve) => setTimeout(resolve, cooldownMs + 50));

      const after = await issuer.issue({ tenant: 'demo', user: 'alice', roles: ['Employee'] });
      await expect(rotating.authenticate(`Bearer ${after}`)).resolves.toMatchObject({ roles: ['Employee'] });
      await expect(rotating.authenticate(`Bearer ${before}`)).resolves.toMatchObject({ roles: ['Employee'] });
      expect(rotatingIssuer.jwksFetches()).toBe(2);
    } finally {
      await rotatingIssuer.close();
    }
  });
});

describe('the JWKS endpoint', () => {
  it('being unreachable is an outage (503), not bad credentials', async () => {
    const unreachable = validatorFor({ jwksUri: 'http://127.0.0.1:9/dev-issuer/keys', jwksTimeoutMs: 2_000 });
    const error = await unreachable
      .authenticate(`Bearer ${await served.issuer.sign(claims())}`)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ kind: 'unavailable' });
  });

  it('publishes public keys only', async () => {
    const jwks = (await (await fetch(served.issuer.jwksUri())).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) {
      expect(key).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256', kid: expect.any(String) });
      expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    }
  });
});
