import { createHash, randomUUID } from 'node:crypto';
import {
  app,
  type FunctionInput,
  type HttpRequest,
  type HttpResponseInit,
  type InvocationContext,
} from '@azure/functions';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import type { Role } from '../auth/roles.js';
import { AuthenticationError, tokenValidator } from '../auth/token-validator.js';
import { settings } from '../config.js';
import { primaryDb, type Db, type Tx } from '../db/database.js';
import {
  CONSISTENCY_TOKEN_HEADER,
  consistencyTokenOf,
  hasReadReplica,
  readDbAfter,
  writePosition,
} from '../db/read-your-writes.js';
import { withTenant } from '../db/tenant.js';
import { AppError } from '../errors.js';
import { nudgeOutboxRelay } from '../events/relay-trigger.js';
import { effectiveRoles, resolveUserAccess } from '../identity/users.js';
import { logger } from '../telemetry/logger.js';
import {
  claimIdempotencyKey,
  findIdempotentResponse,
  requestHash,
  storeIdempotentResponse,
  validateIdempotencyKey,
  type StoredResponse,
} from './idempotency.js';
import { problemResponse } from './problem.js';
import { registerRouteSpec, type RouteSpec } from './registry.js';
import { parseOrThrow } from './validation.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who is acting, as services and the audit log need it. */
export interface Actor {
  tenantId: string;
  userId: string;
  objectId: string;
  name: string;
  roles: Role[];
  requestId: string;
}

export interface Reply {
  status?: number;
  body?: unknown;
  /** A body sent as it is instead of as JSON (a CSV download, say); its Content-Type goes in `headers`. */
  text?: string;
  headers?: Record<string, string>;
  /** The resource version, sent as a strong ETag. */
  etag?: number;
  location?: string;
}

interface BaseContext<B, Q, P> {
  request: HttpRequest;
  invocation: InvocationContext;
  requestId: string;
  body: B;
  query: Q;
  params: P;
  /** The version named by If-Match; throws 428 when the header is missing. */
  ifMatch(): number;
  /**
   * The raw body of a route with `binary`, read up to its limit; undefined when the body came as
   * JSON (and was parsed into `body`) or when the route takes no binary body.
   */
  bytes: Buffer | undefined;
}

export interface TenantContext<B, Q, P> extends BaseContext<B, Q, P> {
  principal: Principal;
  actor: Actor;
  /** The tenant transaction (row-level security applies), or the replica for read routes. */
  trx: Tx;
}

/** For routes that must do work outside the tenant transaction (calling the durable client). */
export interface ManualTenantContext<B, Q, P> extends BaseContext<B, Q, P> {
  principal: Principal;
  actor: Actor;
  inTenant<T>(work: (trx: Tx) => Promise<T>): Promise<T>;
  /** The validated Idempotency-Key of a route declared `idempotent: true`, which honours it itself. */
  idempotencyKey: string | undefined;
}

export interface AnonymousContext<B, Q, P> extends BaseContext<B, Q, P> {
  db: Db;
}

interface RouteOptionsBase<B, Q, P> {
  /** The function name in Azure: kebab-case, unique. */
  name: string;
  method: HttpMethod;
  /** The route template after the `api/` prefix, as Azure reads it: `v1/admin/users/{id:guid}`. */
  route: string;
  summary: string;
  tags: string[];
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** The schema of a successful response body, for the OpenAPI document. */
  response?: z.ZodType;
  /** The success status (200 unless said otherwise). */
  status?: number;
  /** Other successful answers the handler may give (its reply's `status`), for the OpenAPI document. */
  otherResponses?: Record<number, { description: string; schema: z.ZodType }>;
  /** An example body that the route accepts, used in the OpenAPI document and by the route test suite. */
  example?: NoInfer<B>;
  /** Extra input bindings, such as the durable client. */
  extraInputs?: FunctionInput[];
  /**
   * The body is a file's own bytes (any Content-Type), handed to the handler as `bytes`, read as a
   * stream and refused with 413 as soon as it passes `limitBytes`. When the route also has a `body`
   * schema, a body sent as `application/json` is parsed and validated against it instead (within
   * HTTP_BODY_LIMIT_BYTES).
   */
  binary?: { limitBytes: () => number };
}

export interface TenantRouteOptions<B, Q, P> extends RouteOptionsBase<B, Q, P> {
  /** The roles that may call the route; 'any' lets every signed-in user of the tenant call it. */
  roles: readonly Role[] | 'any';
  /** Read routes may run on the read replica; callers that must see their own writes use the primary. */
  database?: 'primary' | 'replica';
  /**
   * Checks that need their own database access (across tenants, say) run here, after validation
   * and before the tenant transaction opens: a unit of work never waits on a second connection.
   */
  before?: (ctx: BaseContext<B, Q, P> & { actor: Actor }) => Promise<void>;
  /** POSTs honour Idempotency-Key unless this is false. */
  idempotent?: boolean;
  handler: (ctx: TenantContext<B, Q, P>) => Promise<Reply>;
}

export interface ManualTenantRouteOptions<B, Q, P> extends RouteOptionsBase<B, Q, P> {
  roles: readonly Role[] | 'any';
  /**
   * The handler opens its own tenant transactions. The platform keeps no Idempotency-Key for it;
   * with `idempotent: true` it validates the header and hands it to the handler, which honours it.
   */
  transaction: 'manual';
  idempotent?: boolean;
  handler: (ctx: ManualTenantContext<B, Q, P>) => Promise<Reply>;
}

export interface AnonymousRouteOptions<B, Q, P> extends RouteOptionsBase<B, Q, P> {
  anonymous: true;
  handler: (ctx: AnonymousContext<B, Q, P>) => Promise<Reply>;
}

type RouteOptions<B, Q, P> =
  TenantRouteOptions<B, Q, P> | ManualTenantRouteOptions<B, Q, P> | AnonymousRouteOptions<B, Q, P>;

/** What a request's log lines carry: filled in as the request is resolved. */
type LogFields = { requestId: string; function: string; tenantId?: string; userId?: string };

const JSON_TYPE = /^application\/([a-z0-9.+-]*\+)?json\b/i;

/**
 * Registers an HTTP function. The adapter does, in this order and in one place for every route:
 * request id, body size and media type, JSON parsing, authentication, role check, zod validation
 * of params/query/body (unknown fields are rejected), the tenant transaction, Idempotency-Key, the
 * handler, ETag/Location, and problem+json for every failure.
 */
export function defineRoute<B = undefined, Q = Record<string, never>, P = Record<string, never>>(
  options: AnonymousRouteOptions<B, Q, P>,
): void;
export function defineRoute<B = undefined, Q = Record<string, never>, P = Record<string, never>>(
  options: ManualTenantRouteOptions<B, Q, P>,
): void;
export function defineRoute<B = undefined, Q = Record<string, never>, P = Record<string, never>>(
  options: TenantRouteOptions<B, Q, P>,
): void;
export function defineRoute<B, Q, P>(options: RouteOptions<B, Q, P>): void {
  const spec: RouteSpec = {
    name: options.name,
    method: options.method,
    route: options.route,
    summary: options.summary,
    tags: options.tags,
    roles: 'anonymous' in options ? 'anonymous' : options.roles,
    params: options.params,
    query: options.query,
    body: options.body,
    response: options.response,
    status: options.status ?? 200,
    example: options.example,
    idempotent:
      'transaction' in options
        ? options.idempotent === true
        : !('anonymous' in options) && options.method === 'POST' && options.idempotent !== false,
    readsReplica: 'database' in options && options.database === 'replica',
    otherResponses: options.otherResponses ?? {},
  };
  registerRouteSpec(spec);

  app.http(options.name, {
    route: options.route,
    methods: [options.method],
    authLevel: 'anonymous',
    extraInputs: options.extraInputs,
    handler: async (request, invocation) => {
      const requestId =
        sanitizeRequestId(request.headers.get('x-request-id')) ?? invocation.invocationId ?? randomUUID();
      const fields: LogFields = { requestId, function: options.name };
      try {
        const response = await handle(options, spec, request, invocation, requestId, fields);
        return withStandardHeaders(response, requestId);
      } catch (error) {
        if (!(error instanceof AppError)) logger().child(fields).error('request failed', { error });
        return withStandardHeaders(problemResponse(error, requestId), requestId);
      }
    },
  });
}

async function handle<B, Q, P>(
  options: RouteOptions<B, Q, P>,
  spec: RouteSpec,
  request: HttpRequest,
  invocation: InvocationContext,
  requestId: string,
  fields: LogFields,
): Promise<HttpResponseInit> {
  // Authenticate and authorise before reading the body: a caller without access learns nothing
  // about the route's validation rules.
  if ('anonymous' in options) {
    const base = await parseRequest(options, request, invocation, requestId);
    return toResponse(await options.handler({ ...base.context, db: primaryDb() }), spec.status);
  }
  const p = await authenticate(request);
  fields.tenantId = p.tenantId;
  fields.userId = p.userId;
  const db = primaryDb();
  const access = await resolveUserAccess(db, p);
  if (!access.active)
    throw new AppError('forbidden', 'platform.user_inactive', 'Your account is deactivated in this tenant.');
  const roles = effectiveRoles(p, access);
  if (options.roles !== 'any' && !options.roles.some((role) => roles.includes(role))) {
    throw new AppError(
      'forbidden',
      'platform.role_required',
      `This needs one of the roles: ${options.roles.join(', ')}.`,
    );
  }
  const actor: Actor = {
    tenantId: p.tenantId,
    userId: access.userId,
    objectId: p.userId,
    name: p.name,
    roles,
    requestId,
  };
  const { context: base, rawBody } = await parseRequest(options, request, invocation, requestId);
  if ('transaction' in options) {
    const keyHeader = request.headers.get('idempotency-key');
    const reply = await options.handler({
      ...base,
      principal: p,
      actor,
      inTenant: (work) => withTenant(db, p.tenantId, work),
      idempotencyKey: spec.idempotent && keyHeader !== null ? validateIdempotencyKey(keyHeader) : undefined,
    });
    const response = toResponse(reply, spec.status);
    return request.method === 'GET' ? response : afterWrite(response, fields);
  }

  const keyHeader = request.headers.get('idempotency-key');
  const key = spec.idempotent && keyHeader !== null ? validateIdempotencyKey(keyHeader) : undefined;
  const path = new URL(request.url).pathname;
  if (options.before) {
    // A retry of a request that already succeeded replays its response; the check would refuse it.
    if (key) {
      const hash = requestHash(request.method, path, rawBody);
      const stored = await withTenant(db, p.tenantId, (trx) =>
        findIdempotentResponse(trx, key, request.method, path, hash),
      );
      if (stored) return replay(stored);
    }
    await options.before({ ...base, actor });
  }
  // A read route runs on the replica, unless the caller sent the token of a write the replica has
  // not replayed yet: then on the primary, so that the caller sees what it wrote.
  const target =
    options.database === 'replica' && !spec.idempotent
      ? await readDbAfter(consistencyTokenOf(request.headers.get(CONSISTENCY_TOKEN_HEADER)))
      : db;

  const response = await withTenant(target, p.tenantId, async (trx) => {
    if (key) {
      const hash = requestHash(request.method, path, rawBody);
      const stored = await claimIdempotencyKey(
        trx,
        p.tenantId,
        key,
        request.method,
        path,
        hash,
        settings().IDEMPOTENCY_TTL_HOURS,
      );
      if (stored) return replay(stored);
    }
    const reply = await options.handler({ ...base, principal: p, actor, trx });
    const result = toResponse(reply, spec.status);
    if (key) await storeIdempotentResponse(trx, p.tenantId, key, storable(result));
    return result;
  });
  return request.method === 'GET' ? response : afterWrite(response, fields);
}

/**
 * After a request that may have written: the outbox relay is nudged to publish what it committed
 * and, with a read replica, a successful answer carries the consistency token that lets the
 * caller's next report show the write (see db/read-your-writes.ts).
 */
async function afterWrite(response: HttpResponseInit, fields: LogFields): Promise<HttpResponseInit> {
  nudgeOutboxRelay();
  if (!hasReadReplica() || (response.status ?? 200) >= 400) return response;
  try {
    const token = await writePosition();
    return {
      ...response,
      headers: { ...(response.headers as Record<string, string>), [CONSISTENCY_TOKEN_HEADER]: token },
    };
  } catch (error) {
    // The write is committed: answer it, without the token (the next report may lag).
    logger().child(fields).warn('no consistency token: the write position could not be read', { error });
    return response;
  }
}

/** Routes that declare no params or query schema ignore them. */
const ignored = { safeParse: () => ({ success: true as const, data: {} }) } as unknown as z.ZodType;

async function parseRequest<B, Q, P>(
  options: RouteOptionsBase<B, Q, P>,
  request: HttpRequest,
  invocation: InvocationContext,
  requestId: string,
): Promise<{ context: BaseContext<B, Q, P>; rawBody: unknown }> {
  let bytes: Buffer | undefined;
  let rawBody: unknown;
  if (options.binary && !(options.body && JSON_TYPE.test(request.headers.get('content-type') ?? ''))) {
    bytes = await readBinaryBody(request, options.binary.limitBytes());
    // What Idempotency-Key compares: the query (what the bytes attach to) and the bytes' digest.
    rawBody = {
      query: Object.fromEntries(request.query),
      sha256: createHash('sha256').update(bytes).digest('hex'),
    };
  } else if (options.body) {
    rawBody = await readJsonBody(request);
  }
  const context: BaseContext<B, Q, P> = {
    request,
    invocation,
    requestId,
    params: parseOrThrow((options.params ?? ignored) as z.ZodType<P>, request.params, 'params'),
    query: parseOrThrow(
      (options.query ?? ignored) as z.ZodType<Q>,
      Object.fromEntries(request.query),
      'query',
    ),
    body: options.body && bytes === undefined ? parseOrThrow(options.body, rawBody) : (undefined as B),
    ifMatch: () => parseIfMatch(request.headers.get('if-match')),
    bytes,
  };
  return { context, rawBody };
}

async function authenticate(request: HttpRequest): Promise<Principal> {
  try {
    return await tokenValidator().authenticate(request.headers.get('authorization'));
  } catch (error) {
    if (error instanceof AuthenticationError) {
      throw new AppError('unauthenticated', 'platform.unauthenticated', 'A valid bearer token is required.', {
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
        cause: error,
      });
    }
    throw error;
  }
}

async function readJsonBody(request: HttpRequest): Promise<unknown> {
  const limit = settings().HTTP_BODY_LIMIT_BYTES;
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) throw tooLarge(limit);
  const bytes = Buffer.from(await request.arrayBuffer());
  if (bytes.length > limit) throw tooLarge(limit);
  // An empty body is an absent one: the route's schema decides whether that is allowed.
  if (bytes.length === 0) return undefined;
  const contentType = request.headers.get('content-type') ?? '';
  if (!JSON_TYPE.test(contentType)) {
    throw new AppError(
      'unsupported_media_type',
      'platform.unsupported_media_type',
      'Send the body as application/json.',
    );
  }
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new AppError('validation', 'platform.malformed_json', 'The body is not valid JSON.', {
      errors: [{ path: '(body)', message: 'Malformed JSON' }],
    });
  }
}

/** Reads a raw body chunk by chunk and stops at the first byte past `limit`. */
async function readBinaryBody(request: HttpRequest, limit: number): Promise<Buffer> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > limit) throw tooLarge(limit);
  if (!request.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let length = 0;
  const reader = request.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      length += value.length;
      if (length > limit) throw tooLarge(limit);
      chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    }
  } finally {
    // Stops the rest of an oversized body from being read; harmless after the end.
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks, length);
}

function tooLarge(limit: number): AppError {
  return new AppError(
    'payload_too_large',
    'platform.body_too_large',
    `The body is larger than ${limit} bytes.`,
  );
}

function parseIfMatch(header: string | null): number {
  if (header === null) {
    throw new AppError(
      'precondition_required',
      'platform.if_match_required',
      'Send If-Match with the version (ETag) you read.',
      {
        errors: [{ path: 'header.If-Match', message: 'Required' }],
      },
    );
  }
  const match = /^(?:W\/)?"?(\d{1,9})"?$/.exec(header.trim());
  if (!match) {
    throw new AppError(
      'validation',
      'platform.invalid_if_match',
      'If-Match must be the ETag of the resource, such as "3".',
      {
        errors: [{ path: 'header.If-Match', message: 'Invalid ETag' }],
      },
    );
  }
  return Number(match[1]);
}

function toResponse(reply: Reply, defaultStatus: number): HttpResponseInit {
  const headers: Record<string, string> = { ...reply.headers };
  if (reply.etag !== undefined) headers.ETag = `"${reply.etag}"`;
  if (reply.location) headers.Location = reply.location;
  const status = reply.status ?? defaultStatus;
  if (reply.text !== undefined) return { status, headers, body: reply.text };
  if (reply.body === undefined) return { status, headers };
  headers['Content-Type'] ??= 'application/json';
  return { status, headers, body: JSON.stringify(reply.body) };
}

function storable(response: HttpResponseInit): StoredResponse {
  return {
    status: response.status ?? 200,
    headers: (response.headers ?? {}) as Record<string, string>,
    body: typeof response.body === 'string' ? response.body : null,
  };
}

function replay(stored: StoredResponse): HttpResponseInit {
  return {
    status: stored.status,
    headers: { ...stored.headers, 'Idempotent-Replayed': 'true' },
    ...(stored.body === null ? {} : { body: stored.body }),
  };
}

function withStandardHeaders(response: HttpResponseInit, requestId: string): HttpResponseInit {
  return {
    ...response,
    headers: {
      ...(response.headers as Record<string, string>),
      'X-Request-Id': requestId,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  };
}

function sanitizeRequestId(value: string | null): string | undefined {
  return value && /^[A-Za-z0-9._:-]{1,100}$/.test(value) ? value : undefined;
}
