import { setTimeout as sleep } from 'node:timers/promises';
import { ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { settings } from '../../platform/config.js';
import { logger } from '../../platform/telemetry/logger.js';

/** What the app posts to a conversation: a message with one Adaptive Card. */
export interface OutgoingActivity {
  type: 'message';
  attachments: { contentType: 'application/vnd.microsoft.card.adaptive'; content: unknown }[];
  summary?: string;
}

export interface ConversationAddress {
  serviceUrl: string;
  conversationId: string;
}

export interface BotConnector {
  /** Posts an activity; returns the id the Bot Connector gave it. */
  send(address: ConversationAddress, activity: OutgoingActivity): Promise<string>;
  /** Replaces a posted activity (a card shown in place of the old one). */
  update(address: ConversationAddress, activityId: string, activity: OutgoingActivity): Promise<void>;
}

export class BotConnectorError extends Error {
  readonly status: number;

  constructor(status: number, message: string) {
    super(message);
    this.name = 'BotConnectorError';
    this.status = status;
  }
}

export interface BotConnectorOptions {
  credential: TokenCredential;
  scope: string;
  attemptsMax: number;
  /** The first back-off; it doubles per attempt, with jitter. */
  backoffBaseMs?: number;
  /** No wait is longer than this, whatever Retry-After says. */
  backoffMaxMs?: number;
  requestTimeoutMs?: number;
}

const REQUEST_TIMEOUT_MS = 15_000;

/** Seconds or an HTTP date, as RFC 9110 allows; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

const retryable = (status: number) => status === 429 || status >= 500;

/**
 * The Bot Connector REST API (v3), as Teams serves it at each conversation's `serviceUrl`. Calls
 * carry a token for the Bot Framework scope from `@azure/identity` (a client secret, or the app's
 * managed identity or federated credential), and are retried on 429 and 5xx with exponential
 * back-off, honouring Retry-After, up to `attemptsMax` attempts.
 */
export function createBotConnector(options: BotConnectorOptions): BotConnector {
  const baseMs = options.backoffBaseMs ?? 500;
  const maxMs = options.backoffMaxMs ?? 30_000;
  const timeoutMs = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;

  const call = async (method: 'POST' | 'PUT', url: string, body: unknown): Promise<unknown> => {
    for (let attempt = 1; ; attempt++) {
      const token = await options.credential.getToken(options.scope);
      if (!token) throw new Error('No token for the Bot Connector was issued.');
      let response: Response | undefined;
      let failure: unknown;
      try {
        response = await fetch(url, {
          method,
          headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        failure = error;
      }
      if (response?.ok) {
        const text = await response.text();
        return text ? (JSON.parse(text) as unknown) : {};
      }
      const status = response?.status ?? 0;
      if (response && !retryable(status)) {
        throw new BotConnectorError(
          status,
          `${method} ${url} answered ${status}: ${(await response.text()).slice(0, 300)}`,
        );
      }
      if (attempt >= options.attemptsMax) {
        if (failure) throw failure;
        throw new BotConnectorError(status, `${method} ${url} answered ${status} after ${attempt} attempts.`);
      }
      const backoff = Math.min(maxMs, baseMs * 2 ** (attempt - 1) * (0.5 + Math.random() / 2));
      const waitMs = Math.min(maxMs, retryAfterMs(response?.headers.get('retry-after') ?? null) ?? backoff);
      await response?.body?.cancel();
      logger().warn('Bot Connector call will be retried', { method, status, attempt, waitMs });
      await sleep(waitMs);
    }
  };

  const conversationUrl = (address: ConversationAddress) =>
    `${address.serviceUrl.replace(/\/+$/, '')}/v3/conversations/${encodeURIComponent(address.conversationId)}/activities`;

  return {
    async send(address, activity) {
      const result = (await call('POST', conversationUrl(address), activity)) as { id?: unknown };
      if (typeof result.id !== 'string' || result.id === '')
        throw new BotConnectorError(502, 'The Bot Connector did not return an activity id.');
      return result.id;
    },
    async update(address, activityId, activity) {
      await call('PUT', `${conversationUrl(address)}/${encodeURIComponent(activityId)}`, {
        ...activity,
        id: activityId,
      });
    },
  };
}

let configuredCredential: TokenCredential | undefined;
let instance: BotConnector | undefined;

/**
 * Sets the credential the connector gets its tokens from (the devhost's Teams emulator); unset, it
 * is built from the settings.
 */
export function configureBotConnectorCredential(credential: TokenCredential | undefined): void {
  configuredCredential = credential;
  instance = undefined;
}

function credentialFromSettings(): TokenCredential {
  const s = settings();
  if (s.TEAMS_BOT_CLIENT_SECRET) {
    if (!s.TEAMS_BOT_APP_ID || !s.TEAMS_BOT_TENANT_ID)
      throw new Error('TEAMS_BOT_CLIENT_SECRET needs TEAMS_BOT_APP_ID and TEAMS_BOT_TENANT_ID.');
    return new ClientSecretCredential(s.TEAMS_BOT_TENANT_ID, s.TEAMS_BOT_APP_ID, s.TEAMS_BOT_CLIENT_SECRET);
  }
  // A user-assigned managed identity that is the bot's identity, or a federated credential
  // (AZURE_CLIENT_ID / AZURE_FEDERATED_TOKEN_FILE), both found by the default chain.
  return new DefaultAzureCredential(
    s.TEAMS_BOT_APP_ID ? { managedIdentityClientId: s.TEAMS_BOT_APP_ID } : {},
  );
}

/** The process's connector. */
export function botConnector(): BotConnector {
  if (!instance) {
    const s = settings();
    instance = createBotConnector({
      credential: configuredCredential ?? credentialFromSettings(),
      scope: s.TEAMS_CONNECTOR_SCOPE,
      attemptsMax: s.TEAMS_CONNECTOR_ATTEMPTS_MAX,
    });
  }
  return instance;
}
