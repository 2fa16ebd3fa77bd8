/**
 * The devhost's stand-in for Microsoft Teams and the Bot Framework. It plays both sides the app
 * talks to:
 *
 * - the Bot Framework's token service: a local signing key, published through OpenID metadata and
 *   a JWKS exactly as `login.botframework.com` publishes them, so the app's production validator
 *   (pointed here by TEAMS_OPENID_METADATA_URL) checks the activities the emulator sends;
 * - the Bot Connector at a `serviceUrl`: it captures the cards the app posts and updates, after
 *   checking the app's bearer token (which the emulator's credential issues);
 * - Teams clients: installing the app for a user or a channel, and pressing a card's buttons
 *   (a signed `adaptiveCard/action` invoke to `POST /api/teams/messages`).
 *
 * Dev endpoints: `POST /api/dev/teams/install`, `POST /api/dev/teams/press`,
 * `GET /api/dev/teams/activities`, and a page at `/dev/teams` showing the captured cards.
 * Nothing deployed imports this file.
 */
import { randomUUID } from 'node:crypto';
import type { AccessToken, TokenCredential } from '@azure/identity';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
} from 'jose';
import { z } from 'zod';
import type { TenantDirectory } from '../../shared/platform/auth/tenant-directory.js';
import { devObjectId } from '../auth/dev-issuer.js';
import type { DevRequest, DevResponse } from '../http-server.js';

/** The Bot Framework issuer, the same string as in Azure: only the keys are local. */
export const BOT_FRAMEWORK_ISSUER = 'https://api.botframework.com';
/** The audience of the tokens the app sends the Bot Connector. */
const CONNECTOR_AUDIENCE = 'https://api.botframework.com';
export const DEV_BOT_APP_ID = '7e55e7a0-0000-4000-8000-00000000b07a';
const TOKEN_LIFETIME_SECONDS = 3600;
const CAPTURED_MAX = 1000;

export interface CapturedActivity {
  /** `send` for a new post, `update` for a replacement. */
  kind: 'send' | 'update';
  conversationId: string;
  activityId: string;
  activity: { type?: string; attachments?: { contentType: string; content: CardContent }[] };
  at: string;
}

export type CardContent = Record<string, unknown> & {
  actions?: { type: string; verb?: string; data?: Record<string, unknown> }[];
};

export interface TeamsUserRef {
  /** The tenant slug of the user's organisation. */
  tenant: string;
  /** The short user name the dev issuer uses (`fiona`): the same person in Teams and in the web app. */
  user: string;
  name?: string;
}

/** The app's answer: for an invoke, the card to show (`value`); for a refusal, problem+json (`status`). */
export interface InvokeResult {
  status: number;
  body: { statusCode?: number; type?: string; value?: CardContent; status?: number; [key: string]: unknown };
}

export interface TeamsEmulatorOptions {
  baseUrl: () => string;
  directory: TenantDirectory;
  appId?: string;
}

const installSchema = z.strictObject({
  tenant: z.string().min(1).max(63),
  user: z.string().min(1).max(128),
  scope: z.enum(['personal', 'channel']).default('personal'),
  team: z.string().min(1).max(100).optional(),
});

const pressSchema = z.strictObject({
  tenant: z.string().min(1).max(63),
  user: z.string().min(1).max(128),
  approvalId: z.uuid(),
  verb: z.enum(['approve', 'reject', 'refresh']),
  comment: z.string().max(1000).optional(),
  /** The tenant whose conversation the card is in, when not the user's own (a shared channel). */
  conversationTenant: z.string().min(1).max(63).optional(),
});

export class TeamsEmulator {
  readonly appId: string;
  readonly #baseUrl: () => string;
  readonly #directory: TenantDirectory;
  #key: { kid: string; privateKey: CryptoKey; publicKey: CryptoKey; publicJwk: JWK } | undefined;
  readonly #captured: CapturedActivity[] = [];
  /** Statuses the connector answers the next calls with (429, 503 …), to exercise retries. */
  readonly #faults: { status: number; retryAfterSeconds?: number }[] = [];

  constructor(options: TeamsEmulatorOptions) {
    this.appId = options.appId ?? DEV_BOT_APP_ID;
    this.#baseUrl = options.baseUrl;
    this.#directory = options.directory;
  }

  static async create(options: TeamsEmulatorOptions): Promise<TeamsEmulator> {
    const emulator = new TeamsEmulator(options);
    const { privateKey, publicKey } = await generateKeyPair('RS256', {
      modulusLength: 2048,
      extractable: true,
    });
    const exported = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(exported);
    emulator.#key = {
      kid,
      privateKey,
      publicKey,
      // The Bot Framework endorses each key for the channels it signs for.
      publicJwk: {
        kty: exported.kty,
        use: 'sig',
        kid,
        n: exported.n,
        e: exported.e,
        endorsements: ['msteams'],
      } as JWK,
    };
    return emulator;
  }

  #base(): string {
    return this.#baseUrl().replace(/\/+$/, '');
  }

  /** The value for TEAMS_OPENID_METADATA_URL. */
  openIdMetadataUrl(): string {
    return `${this.#base()}/dev-teams/botframework/.well-known/openidconfiguration`;
  }

  /** The Bot Connector every emulated conversation names as its `serviceUrl`. */
  serviceUrl(): string {
    return `${this.#base()}/dev-teams/connector/`;
  }

  /** The credential the app's connector gets its tokens from in the devhost. */
  credential(): TokenCredential {
    return {
      getToken: async (): Promise<AccessToken> => {
        const now = Math.floor(Date.now() / 1000);
        const token = await this.sign({
          iss: `${this.#base()}/dev-teams/botframework`,
          aud: CONNECTOR_AUDIENCE,
          appid: this.appId,
          iat: now,
          nbf: now,
          exp: now + TOKEN_LIFETIME_SECONDS,
        });
        return { token, expiresOnTimestamp: (now + TOKEN_LIFETIME_SECONDS) * 1000 };
      },
    };
  }

  /** Signs a token with the emulator's key; tests pass odd payloads or headers (expired, another audience). */
  async sign(payload: JWTPayload, header: Partial<JWTHeaderParameters> = {}): Promise<string> {
    const key = this.#requireKey();
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid: key.kid, ...header })
      .sign(key.privateKey);
  }

  /** The claims Teams' tokens carry for an activity from this service URL. */
  inboundClaims(serviceUrl = this.serviceUrl()): JWTPayload {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: BOT_FRAMEWORK_ISSUER,
      aud: this.appId,
      serviceurl: serviceUrl,
      nbf: now,
      iat: now,
      exp: now + 300,
    };
  }

  /** Posts an activity to the app's bot endpoint with the given Authorization header (or a valid one). */
  async deliver(activity: Record<string, unknown>, authorization?: string | null): Promise<InvokeResult> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const auth =
      authorization === undefined ? `Bearer ${await this.sign(this.inboundClaims())}` : authorization;
    if (auth !== null) headers.authorization = auth;
    const response = await fetch(`${this.#base()}/api/teams/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify(activity),
    });
    const text = await response.text();
    let body: InvokeResult['body'] = {};
    try {
      body = text ? (JSON.parse(text) as InvokeResult['body']) : {};
    } catch {
      body = { text };
    }
    return { status: response.status, body };
  }

  async #account(
    ref: TeamsUserRef,
  ): Promise<{ entraTenantId: string; objectId: string; from: Record<string, unknown> }> {
    const tenant = await this.#directory.bySlug(ref.tenant);
    if (!tenant) throw new Error(`No tenant has the slug "${ref.tenant}".`);
    const objectId = devObjectId(tenant.entraTenantId, ref.user);
    return {
      entraTenantId: tenant.entraTenantId,
      objectId,
      from: { id: `29:${objectId}`, name: ref.name ?? ref.user, aadObjectId: objectId },
    };
  }

  /** The personal conversation id of a user with the app, stable as in Teams. */
  personalConversationId(objectId: string): string {
    return `a:personal-${objectId}`;
  }

  /** The activities Teams sends when a user installs the app (personal) or adds it to a team's channel. */
  async installActivities(request: z.input<typeof installSchema>): Promise<Record<string, unknown>[]> {
    const { tenant, user, scope, team } = installSchema.parse(request);
    const account = await this.#account({ tenant, user });
    const bot = { id: `28:${this.appId}`, name: 'Tessera' };
    const channel = `19:${team ?? 'general'}-${account.entraTenantId}@thread.tacv2`;
    const conversation =
      scope === 'personal'
        ? {
            id: this.personalConversationId(account.objectId),
            conversationType: 'personal',
            tenantId: account.entraTenantId,
          }
        : { id: channel, conversationType: 'channel', isGroup: true, tenantId: account.entraTenantId };
    const channelData: Record<string, unknown> = { tenant: { id: account.entraTenantId } };
    if (scope === 'channel') {
      channelData.team = { id: channel, name: team ?? 'General' };
      channelData.channel = { id: channel, name: 'General' };
    }
    const common = {
      channelId: 'msteams',
      serviceUrl: this.serviceUrl(),
      from: account.from,
      recipient: bot,
      conversation,
      channelData,
      timestamp: new Date().toISOString(),
    };
    return [
      { ...common, type: 'installationUpdate', id: randomUUID(), action: 'add' },
      { ...common, type: 'conversationUpdate', id: randomUUID(), membersAdded: [bot] },
    ];
  }

  /** Installs the app as Teams would; returns the conversation id and the app's answers. */
  async install(
    request: z.input<typeof installSchema>,
  ): Promise<{ conversationId: string; results: InvokeResult[] }> {
    const activities = await this.installActivities(request);
    const results: InvokeResult[] = [];
    for (const activity of activities) results.push(await this.deliver(activity));
    return { conversationId: (activities[0]?.conversation as { id: string }).id, results };
  }

  /** Every activity the app posted or updated, oldest first. */
  activities(conversationId?: string): CapturedActivity[] {
    return this.#captured.filter((a) => conversationId === undefined || a.conversationId === conversationId);
  }

  /** The post of an approval's card in a conversation (the first capture of that card). */
  sentCard(conversationId: string | undefined, approvalId: string): CapturedActivity | undefined {
    return this.#captured.find(
      (a) =>
        a.kind === 'send' &&
        (conversationId === undefined || a.conversationId === conversationId) &&
        cardApprovalId(a) === approvalId,
    );
  }

  /** The card a conversation shows now for an approval: the latest version of its post. */
  currentCard(conversationId: string, approvalId: string): CapturedActivity | undefined {
    const sent = this.sentCard(conversationId, approvalId);
    return (
      sent &&
      this.#captured.findLast((a) => a.conversationId === conversationId && a.activityId === sent.activityId)
    );
  }

  /** Makes the connector answer the next calls with these statuses (e.g. 429 with Retry-After). */
  failNext(...faults: { status: number; retryAfterSeconds?: number }[]): void {
    this.#faults.push(...faults);
  }

  /**
   * Presses a button of an approval card as a Teams user would: the invoke carries the action's
   * own data from the card (plus the comment typed into it), from the user's account, in the
   * conversation the card is in. Returns the app's answer (the card to show instead).
   */
  async press(request: z.input<typeof pressSchema>, authorization?: string | null): Promise<InvokeResult> {
    return this.deliver(await this.pressActivity(request), authorization);
  }

  async pressActivity(request: z.input<typeof pressSchema>): Promise<Record<string, unknown>> {
    const { tenant, user, approvalId, verb, comment, conversationTenant } = pressSchema.parse(request);
    const account = await this.#account({ tenant, user });
    const hostTenant = conversationTenant
      ? (await this.#account({ tenant: conversationTenant, user })).entraTenantId
      : account.entraTenantId;
    // The card as the user sees it: in their personal chat if they have one, else wherever it was posted.
    const personal = this.personalConversationId(account.objectId);
    const sent = this.sentCard(personal, approvalId) ?? this.sentCard(undefined, approvalId);
    const shown = sent && this.currentCard(sent.conversationId, approvalId);
    // A client that has not refreshed yet still shows the buttons of the card as it was posted.
    const cards = [shown, sent].map((a) => a?.activity.attachments?.[0]?.content);
    const action =
      verb === 'refresh'
        ? { data: { approvalId } }
        : cards.flatMap((card) => card?.actions ?? []).find((a) => a.verb === verb);
    if (!action) throw new Error(`No card for approval ${approvalId} offers "${verb}" to ${user}.`);
    return {
      type: 'invoke',
      name: 'adaptiveCard/action',
      id: randomUUID(),
      channelId: 'msteams',
      serviceUrl: this.serviceUrl(),
      from: account.from,
      recipient: { id: `28:${this.appId}`, name: 'Tessera' },
      conversation: { id: sent?.conversationId ?? personal, tenantId: hostTenant },
      channelData: { tenant: { id: hostTenant }, source: { name: 'message' } },
      replyToId: sent?.activityId,
      value: {
        action: {
          type: 'Action.Execute',
          verb,
          data: { ...(action.data ?? {}), ...(comment !== undefined ? { comment } : {}) },
        },
        trigger: verb === 'refresh' ? 'automatic' : 'manual',
      },
      timestamp: new Date().toISOString(),
    };
  }

  /**
   * Serves the emulator's endpoints; undefined for any other path, so the devhost routes it on.
   */
  async handleHttp(request: DevRequest): Promise<DevResponse | undefined> {
    const path = request.path;
    const method = request.method.toUpperCase();
    if (path === '/dev-teams/botframework/.well-known/openidconfiguration' && method === 'GET') {
      return json(200, {
        issuer: BOT_FRAMEWORK_ISSUER,
        authorization_endpoint: `${this.#base()}/dev-teams/botframework/authorize`,
        jwks_uri: `${this.#base()}/dev-teams/botframework/keys`,
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: ['private_key_jwt'],
      });
    }
    if (path === '/dev-teams/botframework/keys' && method === 'GET') {
      return json(200, { keys: [this.#requireKey().publicJwk] });
    }
    const connector = /^\/dev-teams\/connector\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(
      path,
    );
    if (connector) return this.#connector(request, decodeURIComponent(connector[1] ?? ''), connector[2]);
    if (path === '/api/dev/teams/install' && method === 'POST') {
      return this.#devCall(request, async (body) => {
        const { conversationId, results } = await this.install(installSchema.parse(body));
        return { conversationId, statuses: results.map((r) => r.status) };
      });
    }
    if (path === '/api/dev/teams/press' && method === 'POST') {
      return this.#devCall(request, async (body) => this.press(pressSchema.parse(body)));
    }
    if (path === '/api/dev/teams/activities' && method === 'GET') {
      return json(200, { items: this.activities(request.query.get('conversationId') ?? undefined) });
    }
    if (path === '/dev/teams' && method === 'GET') return this.#page();
    return undefined;
  }

  async #devCall(request: DevRequest, work: (body: unknown) => Promise<unknown>): Promise<DevResponse> {
    let body: unknown;
    try {
      body = JSON.parse(request.body.toString('utf8'));
    } catch {
      return json(400, { title: 'Bad Request', status: 400, detail: 'The body is not valid JSON.' });
    }
    try {
      return json(200, await work(body));
    } catch (error) {
      const detail =
        error instanceof z.ZodError
          ? z.prettifyError(error)
          : error instanceof Error
            ? error.message
            : String(error);
      return json(400, { title: 'Bad Request', status: 400, detail });
    }
  }

  async #connector(
    request: DevRequest,
    conversationId: string,
    activityId: string | undefined,
  ): Promise<DevResponse> {
    const method = request.method.toUpperCase();
    if ((activityId === undefined && method !== 'POST') || (activityId !== undefined && method !== 'PUT'))
      return json(405, { error: { code: 'MethodNotAllowed', message: 'Not supported here.' } });
    const token = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    try {
      if (!token) throw new Error('no token');
      await jwtVerify(token, this.#requireKey().publicKey, {
        audience: CONNECTOR_AUDIENCE,
        algorithms: ['RS256'],
      });
    } catch {
      return json(401, {
        error: { code: 'Unauthorized', message: 'Authorization has been denied for this request.' },
      });
    }
    const fault = this.#faults.shift();
    if (fault) {
      const response = json(fault.status, { error: { code: 'Throttled', message: 'Try again later.' } });
      if (fault.retryAfterSeconds !== undefined)
        response.headers['retry-after'] = String(fault.retryAfterSeconds);
      return response;
    }
    let activity: CapturedActivity['activity'];
    try {
      activity = JSON.parse(request.body.toString('utf8')) as CapturedActivity['activity'];
    } catch {
      return json(400, { error: { code: 'BadSyntax', message: 'The activity is not JSON.' } });
    }
    const id = activityId ? decodeURIComponent(activityId) : `1:${randomUUID()}`;
    if (activityId && !this.#captured.some((a) => a.conversationId === conversationId && a.activityId === id))
      return json(404, { error: { code: 'ActivityNotFoundInConversation', message: 'No such activity.' } });
    this.#captured.push({
      kind: activityId ? 'update' : 'send',
      conversationId,
      activityId: id,
      activity,
      at: new Date().toISOString(),
    });
    if (this.#captured.length > CAPTURED_MAX) this.#captured.splice(0, this.#captured.length - CAPTURED_MAX);
    return json(activityId ? 200 : 201, { id });
  }

  #page(): DevResponse {
    const rows = [...this.#captured]
      .reverse()
      .map((a) => {
        const card = a.activity.attachments?.[0]?.content;
        return `<section><h2>${escapeHtml(a.kind)} · ${escapeHtml(a.conversationId)} · ${escapeHtml(a.at)}</h2><pre>${escapeHtml(JSON.stringify(card, null, 2))}</pre></section>`;
      })
      .join('\n');
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Teams emulator</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}pre{background:#f4f4f4;padding:1rem;overflow:auto;max-height:24rem}h2{font-size:1rem}</style></head>
<body><h1>Cards the app sent to Teams</h1><p>Newest first. Press a button with <code>POST /api/dev/teams/press</code>.</p>${rows || '<p>No cards yet.</p>'}</body></html>`;
    return {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
      body: html,
    };
  }

  #requireKey() {
    if (!this.#key) throw new Error('The Teams emulator has no key: create it with TeamsEmulator.create().');
    return this.#key;
  }
}

function cardApprovalId(activity: CapturedActivity): string | undefined {
  const card = activity.activity.attachments?.[0]?.content;
  const refresh = card?.refresh as { action?: { data?: { approvalId?: unknown } } } | undefined;
  const fromAction = card?.actions?.find((a) => typeof a.data?.approvalId === 'string')?.data?.approvalId;
  const id = refresh?.action?.data?.approvalId ?? fromAction ?? (card?.approvalId as unknown);
  return typeof id === 'string' ? id : undefined;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function json(status: number, body: unknown): DevResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}
