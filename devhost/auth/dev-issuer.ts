import { createHash, randomUUID } from 'node:crypto';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JSONWebKeySet,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
} from 'jose';
import { z } from 'zod';
import { ROLES, roleSchema, type Role } from '../../shared/platform/auth/roles.js';
import type { TenantDirectory } from '../../shared/platform/auth/tenant-directory.js';

export interface DevIssuerOptions {
  /** Where the devhost listens, e.g. `http://127.0.0.1:7071`; a function because the port is known only after listen. */
  baseUrl: () => string;
  directory: TenantDirectory;
  /** The `aud` of issued tokens: the API's audience, AUTH_AUDIENCE. */
  audience: string;
  /** How many signing keys the JWKS serves at most, newest first out of the signing role. */
  keysMax?: number;
}

export interface DevTokenRequest {
  /** Our tenant's slug. */
  tenant: string;
  /** A short user name (`alice`) or a user principal name (`alice@demo.example`). */
  user: string;
  roles: Role[];
  name?: string;
  email?: string;
  expiresInSeconds?: number;
}

export interface DevHttpRequest {
  method: string;
  /** The request target's path, with or without a query string. */
  path: string;
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

export interface DevHttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type DevIssuerErrorCode = 'unknown_tenant';

export class DevIssuerError extends Error {
  readonly code: DevIssuerErrorCode;

  constructor(code: DevIssuerErrorCode, message: string) {
    super(message);
    this.name = 'DevIssuerError';
    this.code = code;
  }
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export const DEV_TOKEN_LIFETIME_SECONDS_DEFAULT = 3600;
const TOKEN_LIFETIME_SECONDS_MAX = 24 * 3600;
const REQUEST_BODY_BYTES_MAX = 16 * 1024;
/** The client the tokens pretend to be requested by (`azp`), standing in for the web app's registration. */
const DEV_CLIENT_ID = 'tessera-web-dev';

const tokenRequestSchema = z.strictObject({
  tenant: z
    .string()
    .min(1)
    .max(63)
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'A tenant slug is lower-case letters, digits and hyphens.'),
  user: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9._+@-]+$/, 'A user is letters, digits and . _ + @ -.'),
  roles: z.array(roleSchema).max(ROLES.length).default([]),
  name: z.string().min(1).max(256).optional(),
  email: z.email().max(256).optional(),
  expiresInSeconds: z.number().int().min(60).max(TOKEN_LIFETIME_SECONDS_MAX).optional(),
});

/** The namespace of the name-based object ids the dev issuer gives users. */
const OBJECT_ID_NAMESPACE = '3f1c6f0e-5d7a-4b8e-9a51-2c4d6e8f0a1b';

/**
 * The object id (`oid`) the dev issuer gives a user of an Entra tenant: a name-based UUID (version
 * 5, RFC 9562), so the same user is the same person in every token and across devhost restarts,
 * as in Entra.
 */
export function devObjectId(entraTenantId: string, user: string): string {
  const namespace = Buffer.from(OBJECT_ID_NAMESPACE.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1')
    .update(namespace)
    .update(`${entraTenantId.toLowerCase()}/${user.toLowerCase()}`, 'utf8')
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x50;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The devhost's stand-in for Entra ID: it signs access tokens shaped like Entra v2 tokens and
 * publishes its keys and OpenID metadata the way Entra does, so the API validates them with the
 * production code path, pointed here by AUTH_ISSUER_TEMPLATE and AUTH_JWKS_URI. It exists only in
 * the devhost and the tests; nothing deployed imports it.
 */
export class DevIssuer {
  readonly #baseUrl: () => string;
  readonly #directory: TenantDirectory;
  readonly #audience: string;
  readonly #keysMax: number;
  /** Oldest first; the last one signs. */
  #keys: SigningKey[] = [];
  #pendingKey: Promise<void> | undefined;

  constructor(options: DevIssuerOptions) {
    this.#baseUrl = options.baseUrl;
    this.#directory = options.directory;
    this.#audience = options.audience;
    this.#keysMax = Math.max(1, options.keysMax ?? 3);
  }

  /** An issuer with its first signing key made, so its JWKS is never empty. */
  static async create(options: DevIssuerOptions): Promise<DevIssuer> {
    const issuer = new DevIssuer(options);
    await issuer.rotate();
    return issuer;
  }

  issuerFor(entraTenantId: string): string {
    return `${this.#base()}/dev-issuer/${entraTenantId}/v2.0`;
  }

  /** The value for AUTH_ISSUER_TEMPLATE. */
  issuerTemplate(): string {
    return `${this.#base()}/dev-issuer/{tid}/v2.0`;
  }

  /** The value for AUTH_JWKS_URI. */
  jwksUri(): string {
    return `${this.#base()}/dev-issuer/keys`;
  }

  /** The public keys, every key still kept, as Entra serves old and new keys during a rollover. */
  jwks(): JSONWebKeySet {
    return { keys: this.#keys.map((key) => ({ ...key.publicJwk })) };
  }

  /** The key id new tokens are signed with. */
  currentKeyId(): string | undefined {
    return this.#keys.at(-1)?.kid;
  }

  /**
   * Makes a new key pair and signs with it from now on. The old public keys stay in the JWKS (up
   * to `keysMax`), so tokens issued before the rotation stay valid until they expire.
   */
  async rotate(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', {
      modulusLength: 2048,
      extractable: true,
    });
    const exported = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(exported);
    const publicJwk: JWK = { kty: exported.kty, use: 'sig', kid, alg: 'RS256', n: exported.n, e: exported.e };
    this.#keys = [...this.#keys, { kid, privateKey, publicJwk }].slice(-this.#keysMax);
  }

  /** Issues an access token like Entra's for a user of one of our tenants (by slug). */
  async issue(request: DevTokenRequest): Promise<string> {
    const tenant = await this.#directory.bySlug(request.tenant);
    if (!tenant) throw new DevIssuerError('unknown_tenant', `No tenant has the slug "${request.tenant}".`);
    const lifetimeSeconds = Math.min(
      request.expiresInSeconds ?? DEV_TOKEN_LIFETIME_SECONDS_DEFAULT,
      TOKEN_LIFETIME_SECONDS_MAX,
    );
    const now = Math.floor(Date.now() / 1000);
    const userPrincipalName = request.user.includes('@')
      ? request.user
      : `${request.user}@${tenant.slug}.example`;
    const tid = tenant.entraTenantId;
    const payload: JWTPayload = {
      aud: this.#audience,
      iss: this.issuerFor(tid),
      iat: now,
      nbf: now,
      exp: now + lifetimeSeconds,
      azp: DEV_CLIENT_ID,
      azpacr: '0',
      name: request.name ?? displayName(request.user),
      oid: devObjectId(tid, request.user),
      preferred_username: userPrincipalName,
      roles: [...new Set(request.roles)],
      scp: 'access_as_user',
      // Entra's `sub` is pairwise: unique to the user and the application, unlike `oid`.
      sub: createHash('sha256')
        .update(`${this.#audience}/${tid}/${request.user.toLowerCase()}`)
        .digest('base64url'),
      tid,
      uti: randomUUID().replace(/-/g, ''),
      ver: '2.0',
    };
    if (request.email) payload.email = request.email;
    return this.sign(payload);
  }

  /**
   * Signs any payload with the current key, for tests that need odd tokens (expired, another
   * audience, a missing claim). `header` may override `kid` or pick another RSA algorithm (RS384,
   * PS256 …); tokens with HMAC or `none` are built by the tests themselves.
   */
  async sign(payload: JWTPayload, header: Partial<JWTHeaderParameters> = {}): Promise<string> {
    const key = await this.#currentKey();
    const alg = header.alg ?? 'RS256';
    // Web Crypto binds a key to one algorithm, so another RSA algorithm needs the key imported again.
    let signingKey = key.privateKey;
    if (alg !== 'RS256') {
      const { alg: _bound, key_ops: _ops, ext: _ext, ...material } = await exportJWK(key.privateKey);
      signingKey = (await importJWK(material, alg)) as CryptoKey;
    }
    return new SignJWT(payload)
      .setProtectedHeader({ typ: 'JWT', kid: key.kid, ...header, alg })
      .sign(signingKey);
  }

  /**
   * Serves the issuer's endpoints; returns undefined for any other path, so the devhost routes it
   * on. `GET /dev-issuer/keys`, `GET /dev-issuer/{tid}/v2.0/.well-known/openid-configuration`,
   * `POST /api/dev/token`.
   */
  async handleHttp(request: DevHttpRequest): Promise<DevHttpResponse | undefined> {
    const path = request.path.split('?')[0] ?? '';
    if (path === '/dev-issuer/keys') {
      if (request.method.toUpperCase() !== 'GET') return methodNotAllowed('GET');
      await this.#currentKey();
      return json(200, this.jwks());
    }
    const metadata = /^\/dev-issuer\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (metadata) {
      if (request.method.toUpperCase() !== 'GET') return methodNotAllowed('GET');
      const tid = safeDecode(metadata[1] ?? '');
      const tenant = tid === undefined ? undefined : await this.#directory.byEntraTenantId(tid);
      if (!tenant) return problem(404, 'Not Found', 'No tenant has this Entra tenant id.');
      return json(200, this.#openIdConfiguration(tenant.entraTenantId));
    }
    if (path === '/api/dev/token') {
      if (request.method.toUpperCase() !== 'POST') return methodNotAllowed('POST');
      return this.#tokenEndpoint(request);
    }
    return undefined;
  }

  async #tokenEndpoint(request: DevHttpRequest): Promise<DevHttpResponse> {
    if (request.body.length > REQUEST_BODY_BYTES_MAX) {
      return problem(413, 'Content Too Large', `The body may be at most ${REQUEST_BODY_BYTES_MAX} bytes.`);
    }
    const contentType = headerValue(request.headers, 'content-type');
    if (contentType !== undefined && !/^application\/(?:[\w.+-]+\+)?json\b/i.test(contentType)) {
      return problem(415, 'Unsupported Media Type', 'Send the body as application/json.');
    }
    let body: unknown;
    try {
      body = JSON.parse(request.body.toString('utf8'));
    } catch {
      return problem(400, 'Bad Request', 'The body is not valid JSON.', [
        { path: '(body)', message: 'Malformed JSON' },
      ]);
    }
    const parsed = tokenRequestSchema.safeParse(body);
    if (!parsed.success) {
      return problem(400, 'Bad Request', 'The token request is invalid.', fieldErrors(parsed.error));
    }
    const lifetimeSeconds = parsed.data.expiresInSeconds ?? DEV_TOKEN_LIFETIME_SECONDS_DEFAULT;
    try {
      const accessToken = await this.issue({ ...parsed.data, expiresInSeconds: lifetimeSeconds });
      return json(200, { accessToken, expiresIn: lifetimeSeconds, tokenType: 'Bearer' });
    } catch (error) {
      if (error instanceof DevIssuerError && error.code === 'unknown_tenant') {
        return problem(404, 'Not Found', error.message, [{ path: 'tenant', message: 'Unknown tenant' }]);
      }
      throw error;
    }
  }

  #openIdConfiguration(entraTenantId: string): Record<string, unknown> {
    const base = this.#base();
    return {
      issuer: this.issuerFor(entraTenantId),
      jwks_uri: this.jwksUri(),
      token_endpoint: `${base}/api/dev/token`,
      response_types_supported: ['token'],
      subject_types_supported: ['pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      token_endpoint_auth_methods_supported: ['none'],
      claims_supported: [
        'aud',
        'iss',
        'iat',
        'nbf',
        'exp',
        'name',
        'oid',
        'preferred_username',
        'roles',
        'sub',
        'tid',
        'ver',
      ],
      tenant_region_scope: 'LOCAL',
    };
  }

  async #currentKey(): Promise<SigningKey> {
    if (this.#keys.length === 0) {
      // Concurrent first callers share one key generation instead of racing to make several.
      this.#pendingKey ??= this.rotate().finally(() => (this.#pendingKey = undefined));
      await this.#pendingKey;
    }
    return this.#keys.at(-1) as SigningKey;
  }

  #base(): string {
    return this.#baseUrl().replace(/\/+$/, '');
  }
}

function displayName(user: string): string {
  const local = user.split('@')[0] ?? user;
  return local
    .split(/[._-]+/)
    .filter(Boolean)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join(' ');
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function headerValue(headers: DevHttpRequest['headers'], name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Names each offending field, one entry per unknown key, as the API's validation errors do. */
function fieldErrors(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.flatMap((issue) => {
    const base = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: base ? `${base}.${key}` : key, message: 'Unknown field' }));
    }
    return [{ path: base || '(body)', message: issue.message }];
  });
}

function json(status: number, body: unknown): DevHttpResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

function methodNotAllowed(allow: string): DevHttpResponse {
  const response = problem(405, 'Method Not Allowed', `Use ${allow}.`);
  response.headers.allow = allow;
  return response;
}

/**
 * A small RFC 9457 body, built here because the issuer is not an app function and so does not go
 * through the API's error mapping.
 */
function problem(
  status: number,
  title: string,
  detail: string,
  errors?: { path: string; message: string }[],
): DevHttpResponse {
  const body: Record<string, unknown> = { type: 'about:blank', title, status, detail };
  if (errors?.length) body.errors = errors;
  return {
    status,
    headers: { 'content-type': 'application/problem+json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}
