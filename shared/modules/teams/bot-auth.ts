import {
  decodeProtectedHeader,
  errors,
  importJWK,
  jwtVerify,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { z } from 'zod';
import { settings } from '../../platform/config.js';
import { AppError } from '../../platform/errors.js';

/** Why a request to the bot endpoint was refused; fixed texts that echo nothing of the token. */
export type BotAuthenticationReason =
  | 'missing_token'
  | 'malformed_token'
  | 'unsupported_algorithm'
  | 'unknown_key'
  | 'key_not_endorsed'
  | 'invalid_signature'
  | 'token_expired'
  | 'token_not_yet_valid'
  | 'invalid_audience'
  | 'invalid_issuer'
  | 'invalid_service_url'
  | 'missing_claim';

export class BotAuthenticationError extends Error {
  readonly reason: BotAuthenticationReason;

  constructor(reason: BotAuthenticationReason) {
    super(`The Bot Framework token was refused: ${reason.replaceAll('_', ' ')}.`);
    this.name = 'BotAuthenticationError';
    this.reason = reason;
  }
}

export interface BotAuthenticatorOptions {
  /** The bot's Microsoft app id: the only audience accepted. */
  appId: string;
  /** `https://api.botframework.com` in Azure. */
  issuer: string;
  /** The Bot Framework OpenID metadata document, which names the JWKS. */
  openIdMetadataUrl: string;
  clockSkewSeconds: number;
  /** The least time between two key fetches caused by unknown key ids. */
  refreshCooldownMs: number;
  /** How long fetched keys are used before they are fetched again regardless (the Bot Framework says a day). */
  keysMaxAgeMs?: number;
  fetchTimeoutMs?: number;
}

export interface BotAuthenticator {
  /**
   * Validates the `Authorization` header of an activity Teams sent: an RS256 JWT from the Bot
   * Framework issuer, for this bot, signed by a key the Bot Framework publishes and endorses for
   * the activity's channel, whose `serviceUrl` claim is the activity's. Throws
   * `BotAuthenticationError`, or `AppError('unavailable')` when the keys cannot be fetched.
   */
  authenticate(
    authorizationHeader: string | null,
    activity: { serviceUrl: string; channelId: string },
  ): Promise<void>;
}

const TOKEN_LENGTH_MAX = 16 * 1024;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

const metadataSchema = z.looseObject({ jwks_uri: z.url() });
const jwksSchema = z.object({
  keys: z
    .array(
      z.looseObject({
        kid: z.string().optional(),
        kty: z.string(),
        endorsements: z.array(z.string()).optional(),
      }),
    )
    .max(100),
});
type PublishedKey = z.infer<typeof jwksSchema>['keys'][number];

/** Bot Framework service URLs are compared without a trailing slash and case-insensitively in scheme and host. */
function sameServiceUrl(a: string, b: string): boolean {
  const normal = (value: string) => {
    try {
      const url = new URL(value);
      return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
    } catch {
      return undefined;
    }
  };
  const left = normal(a);
  return left !== undefined && left === normal(b);
}

export function createBotAuthenticator(options: BotAuthenticatorOptions): BotAuthenticator {
  const keysMaxAgeMs = options.keysMaxAgeMs ?? 24 * 3600_000;
  const timeoutMs = options.fetchTimeoutMs ?? 5_000;
  let keys: PublishedKey[] = [];
  let fetchedAt = 0;
  let pending: Promise<void> | undefined;

  const getJson = async (url: string): Promise<unknown> => {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}.`);
    return response.json();
  };

  const refresh = (): Promise<void> => {
    // Concurrent requests that all miss share one fetch.
    pending ??= (async () => {
      try {
        const metadata = metadataSchema.parse(await getJson(options.openIdMetadataUrl));
        keys = jwksSchema.parse(await getJson(metadata.jwks_uri)).keys;
        fetchedAt = Date.now();
      } catch (error) {
        // The provider could not be reached: our outage, not the caller's bad credentials.
        throw new AppError(
          'unavailable',
          'teams.bot_keys_unavailable',
          'Bot Framework keys could not be fetched.',
          {
            cause: error,
            headers: { 'Retry-After': '5' },
          },
        );
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };

  const keyFor = async (kid: string): Promise<PublishedKey> => {
    if (Date.now() - fetchedAt > keysMaxAgeMs) await refresh();
    let key = keys.find((k) => k.kid === kid);
    if (!key && Date.now() - fetchedAt >= options.refreshCooldownMs) {
      await refresh();
      key = keys.find((k) => k.kid === kid);
    }
    if (!key) throw new BotAuthenticationError('unknown_key');
    return key;
  };

  return {
    async authenticate(header, activity) {
      if (!header || header.trim() === '') throw new BotAuthenticationError('missing_token');
      const [scheme, token, ...rest] = header.trim().split(/[ \t]+/);
      if (scheme?.toLowerCase() !== 'bearer' || !token || rest.length > 0)
        throw new BotAuthenticationError('malformed_token');
      if (token.length > TOKEN_LENGTH_MAX || !COMPACT_JWS.test(token))
        throw new BotAuthenticationError('malformed_token');
      let alg: unknown;
      let kid: unknown;
      try {
        ({ alg, kid } = decodeProtectedHeader(token));
      } catch {
        throw new BotAuthenticationError('malformed_token');
      }
      if (alg !== 'RS256') throw new BotAuthenticationError('unsupported_algorithm');
      if (typeof kid !== 'string' || kid === '') throw new BotAuthenticationError('unknown_key');

      const published = await keyFor(kid);
      // The Bot Framework endorses each key for the channels it signs for: a key for another
      // channel must not vouch for a Teams activity.
      if (published.endorsements && !published.endorsements.includes(activity.channelId))
        throw new BotAuthenticationError('key_not_endorsed');
      let key: CryptoKey | Uint8Array;
      try {
        key = await importJWK({ ...(published as JWK), alg: 'RS256' }, 'RS256');
      } catch {
        throw new BotAuthenticationError('unknown_key');
      }

      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, key, {
          algorithms: ['RS256'],
          issuer: options.issuer,
          audience: options.appId,
          clockTolerance: options.clockSkewSeconds,
          requiredClaims: ['exp', 'iss', 'aud'],
        }));
      } catch (error) {
        throw reasonFor(error);
      }
      const serviceUrl = payload.serviceurl ?? payload.serviceUrl;
      if (typeof serviceUrl !== 'string') throw new BotAuthenticationError('missing_claim');
      if (!sameServiceUrl(serviceUrl, activity.serviceUrl))
        throw new BotAuthenticationError('invalid_service_url');
    },
  };
}

function reasonFor(error: unknown): Error {
  if (error instanceof errors.JWTExpired) return new BotAuthenticationError('token_expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'aud') return new BotAuthenticationError('invalid_audience');
    if (error.claim === 'iss') return new BotAuthenticationError('invalid_issuer');
    if (error.claim === 'nbf') return new BotAuthenticationError('token_not_yet_valid');
    return new BotAuthenticationError('missing_claim');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return new BotAuthenticationError('invalid_signature');
  if (error instanceof errors.JOSEAlgNotAllowed) return new BotAuthenticationError('unsupported_algorithm');
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid)
    return new BotAuthenticationError('malformed_token');
  return error instanceof Error ? error : new Error('Bot token validation failed unexpectedly.');
}

let instance: BotAuthenticator | undefined;

/** The process's authenticator, from the settings; undefined when no bot is configured. */
export function botAuthenticator(): BotAuthenticator | undefined {
  const s = settings();
  if (!s.TEAMS_BOT_APP_ID) return undefined;
  instance ??= createBotAuthenticator({
    appId: s.TEAMS_BOT_APP_ID,
    issuer: s.TEAMS_BOT_ISSUER,
    openIdMetadataUrl: s.TEAMS_OPENID_METADATA_URL,
    clockSkewSeconds: s.AUTH_CLOCK_SKEW_SECONDS,
    refreshCooldownMs: s.AUTH_JWKS_COOLDOWN_MS,
  });
  return instance;
}

/** Forgets the authenticator, so changed settings take effect (the devhost). */
export function resetBotAuthenticator(): void {
  instance = undefined;
}
