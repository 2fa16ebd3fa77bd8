import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  errors,
  jwtVerify,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { z } from 'zod';
import { settings } from '../config.js';
import { AppError } from '../errors.js';
import type { Principal } from './principal.js';
import { isRole, type Role } from './roles.js';
import type { TenantDirectory } from './tenant-directory.js';

/** Why a request was not authenticated. Safe to log and to return: it says nothing about the token. */
export type AuthenticationReason =
  | 'missing_token'
  | 'invalid_scheme'
  | 'malformed_token'
  | 'unsupported_algorithm'
  | 'unknown_key'
  | 'invalid_signature'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'invalid_audience'
  | 'invalid_issuer'
  | 'missing_claim'
  | 'invalid_claim'
  | 'unknown_tenant'
  | 'tenant_suspended';

const messageByReason: Record<AuthenticationReason, string> = {
  missing_token: 'The request has no Authorization header.',
  invalid_scheme: 'The Authorization header must use the Bearer scheme.',
  malformed_token: 'The bearer token is not a well-formed JWT.',
  unsupported_algorithm: 'The token must be signed with RS256.',
  unknown_key: "The token's signing key is not one the identity provider publishes.",
  invalid_signature: "The token's signature is not valid.",
  token_expired: 'The token has expired.',
  token_not_yet_valid: 'The token is not valid yet.',
  invalid_audience: 'The token was issued for another audience.',
  invalid_issuer: "The token's issuer is not the expected one for its tenant.",
  missing_claim: 'The token lacks a required claim.',
  invalid_claim: 'The token has a claim of the wrong type.',
  unknown_tenant: "The token's tenant is not a Tessera tenant.",
  tenant_suspended: "The token's tenant is suspended.",
};

/**
 * A request whose credentials were refused. The message and `reason` are fixed texts: nothing from
 * the token is echoed, so the error can be logged and shown without leaking claims.
 */
export class AuthenticationError extends Error {
  readonly reason: AuthenticationReason;

  constructor(reason: AuthenticationReason) {
    super(messageByReason[reason]);
    this.name = 'AuthenticationError';
    this.reason = reason;
  }
}

export interface TokenValidatorOptions {
  directory: TenantDirectory;
  /** The API's audience; Entra v2 tokens carry the client id, v1 tokens the App ID URI, so several may be accepted. */
  audience: string | readonly string[];
  /** The issuer with `{tid}` where the token's tenant id goes, e.g. `https://login.microsoftonline.com/{tid}/v2.0`. */
  issuerTemplate: string;
  jwksUri: string;
  clockSkewSeconds: number;
  /** The least time between two JWKS fetches caused by unknown key ids, so forged kids cannot flood the provider. */
  jwksCooldownMs: number;
  /** How long a fetched JWKS is used before it is fetched again regardless; jose's default is 10 minutes. */
  jwksCacheMaxAgeMs?: number;
  jwksTimeoutMs?: number;
  /** The only Entra tenant from which `Platform.Operator` is accepted; unset, nobody gets it from a token. */
  platformEntraTenantId?: string;
}

export interface TokenValidator {
  /** Validates `Authorization: Bearer <token>` and returns who is calling, or throws `AuthenticationError`. */
  authenticate(authorizationHeader: string | undefined | null): Promise<Principal>;
}

/** Entra access tokens are a few kilobytes; anything far larger is refused before it is parsed. */
const TOKEN_LENGTH_MAX = 16 * 1024;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

const claimString = z.string().min(1).max(256);
const claimsSchema = z.object({
  iss: claimString.max(1024),
  tid: claimString,
  oid: claimString,
  name: claimString.optional(),
  preferred_username: claimString.optional(),
  email: claimString.optional(),
  uti: claimString.optional(),
  jti: claimString.optional(),
  roles: z.array(z.unknown()).max(500).optional(),
});

/**
 * Validates Entra ID access tokens. Signing keys come from the JWKS (cached, and fetched again when
 * a token names a key id the cache lacks, at most once per cooldown), so a rotated key is accepted
 * without a restart. The issuer must be the exact one for the token's own `tid`: Entra signs the
 * tokens of every directory with the same keys, so only this binding stops a token from one
 * directory being passed off as another's.
 */
export function createTokenValidator(options: TokenValidatorOptions): TokenValidator {
  const audience = typeof options.audience === 'string' ? options.audience : [...options.audience];
  if (audience.length === 0) throw new Error('The token validator needs at least one audience.');
  if (!options.issuerTemplate.includes('{tid}')) throw new Error('The issuer template must contain {tid}.');
  const jwks = createRemoteJWKSet(new URL(options.jwksUri), {
    cooldownDuration: options.jwksCooldownMs,
    cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
    timeoutDuration: options.jwksTimeoutMs ?? 5_000,
  });
  const keyFor: JWTVerifyGetKey = async (header, token) => {
    try {
      return await jwks(header, token);
    } catch (error) {
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys)
        throw error;
      // The provider could not be reached or answered nonsense: that is our outage, not the
      // caller's bad credentials, so it must not look like a 401 that sends them to sign in again.
      throw new AppError(
        'unavailable',
        'platform.identity_provider_unavailable',
        'Signing keys could not be fetched.',
        {
          cause: error,
          headers: { 'Retry-After': '5' },
        },
      );
    }
  };

  return {
    async authenticate(authorizationHeader) {
      const token = bearerToken(authorizationHeader);
      checkShape(token);

      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, keyFor, {
          algorithms: ['RS256'],
          audience,
          clockTolerance: options.clockSkewSeconds,
          requiredClaims: ['exp', 'iss', 'tid', 'oid'],
        }));
      } catch (error) {
        throw reasonFor(error);
      }

      const parsed = claimsSchema.safeParse(payload);
      if (!parsed.success) throw new AuthenticationError('invalid_claim');
      const claims = parsed.data;
      if (claims.iss !== options.issuerTemplate.replaceAll('{tid}', claims.tid)) {
        throw new AuthenticationError('invalid_issuer');
      }

      const tenant = await options.directory.byEntraTenantId(claims.tid);
      if (!tenant) throw new AuthenticationError('unknown_tenant');
      if (tenant.status !== 'active') throw new AuthenticationError('tenant_suspended');

      const roles = new Set<Role>((claims.roles ?? []).filter(isRole));
      if (!options.platformEntraTenantId || claims.tid !== options.platformEntraTenantId)
        roles.delete('Platform.Operator');

      const principal: Principal = {
        tenantId: tenant.id,
        tenantSlug: tenant.slug,
        entraTenantId: claims.tid,
        userId: claims.oid,
        name: claims.name ?? claims.preferred_username ?? claims.oid,
        roles: [...roles],
      };
      // `email` is an optional claim; without it the user principal name is the address users know.
      const email =
        claims.email ?? (claims.preferred_username?.includes('@') ? claims.preferred_username : undefined);
      if (email) principal.email = email;
      const tokenId = claims.uti ?? claims.jti;
      if (tokenId) principal.tokenId = tokenId;
      return principal;
    },
  };
}

function bearerToken(header: string | undefined | null): string {
  if (header === undefined || header === null || header.trim() === '')
    throw new AuthenticationError('missing_token');
  const [scheme, token, ...rest] = header.trim().split(/[ \t]+/);
  // The scheme is case-insensitive (RFC 9110 section 11.1).
  if (scheme?.toLowerCase() !== 'bearer') throw new AuthenticationError('invalid_scheme');
  if (!token || rest.length > 0) throw new AuthenticationError('malformed_token');
  return token;
}

/**
 * Refuses what is not a compact RS256 JWS before any key is looked up, so that `alg: none`, an HMAC
 * "signed" with the public key, or garbage never reaches key resolution or the JWKS endpoint.
 */
function checkShape(token: string): void {
  if (token.length > TOKEN_LENGTH_MAX || !COMPACT_JWS.test(token))
    throw new AuthenticationError('malformed_token');
  let alg: unknown;
  let kid: unknown;
  try {
    ({ alg, kid } = decodeProtectedHeader(token));
    decodeJwt(token);
  } catch {
    throw new AuthenticationError('malformed_token');
  }
  if (alg !== 'RS256') throw new AuthenticationError('unsupported_algorithm');
  if (typeof kid !== 'string' || kid === '') throw new AuthenticationError('unknown_key');
}

function reasonFor(error: unknown): Error {
  if (error instanceof AppError) return error;
  if (error instanceof errors.JWTExpired) return new AuthenticationError('token_expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.reason === 'missing') return new AuthenticationError('missing_claim');
    if (error.claim === 'nbf' && error.reason === 'check_failed')
      return new AuthenticationError('token_not_yet_valid');
    if (error.claim === 'aud') return new AuthenticationError('invalid_audience');
    if (error.claim === 'iss') return new AuthenticationError('invalid_issuer');
    return new AuthenticationError('invalid_claim');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return new AuthenticationError('invalid_signature');
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new AuthenticationError('unknown_key');
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return new AuthenticationError('unsupported_algorithm');
  }
  if (
    error instanceof errors.JWSInvalid ||
    error instanceof errors.JWTInvalid ||
    error instanceof errors.JWKInvalid
  ) {
    return new AuthenticationError('malformed_token');
  }
  // Anything else is a fault on our side (a bad option, a bug), which must surface as a 500.
  return error instanceof Error ? error : new Error('Token validation failed unexpectedly.');
}

let configuredDirectory: TenantDirectory | undefined;
let instance: TokenValidator | undefined;

/**
 * Sets the directory the shared validator looks tenants up in. The app calls this once at start
 * with the database directory, wrapped in `cachedTenantDirectory`.
 */
export function setTenantDirectory(directory: TenantDirectory): void {
  configuredDirectory = directory;
}

const lateBoundDirectory: TenantDirectory = {
  byEntraTenantId: (tid) => requireDirectory().byEntraTenantId(tid),
  bySlug: (slug) => requireDirectory().bySlug(slug),
};

function requireDirectory(): TenantDirectory {
  if (!configuredDirectory)
    throw new Error('No tenant directory is set: call setTenantDirectory() at app start.');
  return configuredDirectory;
}

/**
 * The process's validator, built from the settings on first use. It keeps its JWKS cache for the
 * life of the process, which is what makes key lookups cheap; the directory is looked up on each
 * call, so `setTenantDirectory` may come before or after.
 */
export function tokenValidator(): TokenValidator {
  if (!instance) {
    const s = settings();
    instance = createTokenValidator({
      directory: lateBoundDirectory,
      audience: s.AUTH_AUDIENCE.split(',')
        .map((audience) => audience.trim())
        .filter(Boolean),
      issuerTemplate: s.AUTH_ISSUER_TEMPLATE,
      jwksUri: s.AUTH_JWKS_URI,
      clockSkewSeconds: s.AUTH_CLOCK_SKEW_SECONDS,
      jwksCooldownMs: s.AUTH_JWKS_COOLDOWN_MS,
      platformEntraTenantId: s.PLATFORM_ENTRA_TENANT_ID,
    });
  }
  return instance;
}

/** Forgets the shared validator, so that changed settings take effect (the devhost, tests). */
export function resetTokenValidator(): void {
  instance = undefined;
}
