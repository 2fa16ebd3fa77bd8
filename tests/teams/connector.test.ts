/**
 * The Bot Connector client against a local HTTP server standing in for a `serviceUrl`: the token
 * goes on every call, 429 and 5xx are retried honouring Retry-After, other failures are not, and
 * the number of attempts is bounded.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BotConnectorError, createBotConnector } from '../../shared/modules/teams/index.js';

interface Seen {
  method: string;
  url: string;
  authorization: string | undefined;
  at: number;
}
const seen: Seen[] = [];
let answers: { status: number; headers?: Record<string, string>; body?: unknown }[] = [];
let serviceUrl = '';
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      authorization: req.headers.authorization,
      at: Date.now(),
    });
    const answer = answers.shift() ?? { status: 201, body: { id: 'activity-1' } };
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.body ?? {}));
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/amer/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen.length = 0;
  answers = [];
});

let tokens = 0;
const connector = (attemptsMax = 4) =>
  createBotConnector({
    credential: {
      getToken: async () => ({ token: `token-${++tokens}`, expiresOnTimestamp: Date.now() + 3600_000 }),
    },
    scope: 'https://api.botframework.com/.default',
    attemptsMax,
    backoffBaseMs: 10,
    backoffMaxMs: 2_000,
  });
const card = { type: 'message' as const, attachments: [] };
const address = () => ({ serviceUrl, conversationId: 'a:1/2' });

describe('the Bot Connector client', () => {
  it('posts to the conversation with a bearer token and returns the activity id', async () => {
    expect(await connector().send(address(), card)).toBe('activity-1');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/amer/v3/conversations/a%3A1%2F2/activities' });
    expect(seen[0]?.authorization).toMatch(/^Bearer token-\d+$/);
  });

  it('replaces an activity with PUT', async () => {
    answers = [{ status: 200, body: { id: 'x' } }];
    await connector().update(address(), '1:abc', card);
    expect(seen[0]).toMatchObject({
      method: 'PUT',
      url: '/amer/v3/conversations/a%3A1%2F2/activities/1%3Aabc',
    });
  });

  it('retries 429 after the Retry-After it names, and 5xx with back-off', async () => {
    answers = [
      { status: 429, headers: { 'retry-after': '1' } },
      { status: 502 },
      { status: 201, body: { id: 'late' } },
    ];
    expect(await connector().send(address(), card)).toBe('late');
    expect(seen).toHaveLength(3);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('gives up after the last attempt, and never retries a 4xx other than 429', async () => {
    answers = [{ status: 503 }, { status: 503 }, { status: 503 }];
    await expect(connector(3).send(address(), card)).rejects.toMatchObject({ status: 503 });
    expect(seen).toHaveLength(3);
    seen.length = 0;
    answers = [{ status: 403, body: { error: { code: 'BotNotInConversationRoster' } } }];
    const refused = await connector()
      .send(address(), card)
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(BotConnectorError);
    expect(refused).toMatchObject({ status: 403 });
    expect(seen).toHaveLength(1);
  });
});
