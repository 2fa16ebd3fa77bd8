/**
 * The Bot Framework token validator on its own, against a local OpenID metadata and JWKS server:
 * keys must be endorsed for the activity's channel, a rotated key is fetched on first sight, and an
 * unreachable key source is an outage (503), not the caller's fault (401).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BotAuthenticationError, createBotAuthenticator } from '../../shared/modules/teams/index.js';
import { AppError } from '../../shared/platform/errors.js';

const APP_ID = '11111111-2222-4333-8444-555555555555';
const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
let base = '';
let published: JWK[] = [];
let up = true;
const server = http.createServer((req, res) => {
  if (!up) {
    res.writeHead(500).end();
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  if (req.url === '/metadata')
    res.end(JSON.stringify({ issuer: 'https://api.botframework.com', jwks_uri: `${base}/keys` }));
  else res.end(JSON.stringify({ keys: published }));
});

async function key(kid: string, endorsements: string[]): Promise<{ privateKey: CryptoKey; jwk: JWK }> {
  const pair = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(pair.publicKey)), kid, use: 'sig', endorsements } as JWK;
  return { privateKey: pair.privateKey, jwk };
}

const token = (privateKey: CryptoKey, kid: string) =>
  new SignJWT({ serviceurl: SERVICE_URL })
    .setProtectedHeader({ alg: 'RS256', kid })
    .setIssuer('https://api.botframework.com')
    .setAudience(APP_ID)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(privateKey);

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const authenticator = () =>
  createBotAuthenticator({
    appId: APP_ID,
    issuer: 'https://api.botframework.com',
    openIdMetadataUrl: `${base}/metadata`,
    clockSkewSeconds: 300,
    refreshCooldownMs: 0,
  });
const teamsActivity = { serviceUrl: 'https://SMBA.trafficmanager.net/emea', channelId: 'msteams' };

describe('Bot Framework token validation', () => {
  it('accepts a Teams token, and refuses a key endorsed only for another channel', async () => {
    const teamsKey = await key('teams', ['msteams']);
    const skypeKey = await key('skype', ['skype']);
    published = [teamsKey.jwk, skypeKey.jwk];
    const auth = authenticator();
    await expect(
      auth.authenticate(`Bearer ${await token(teamsKey.privateKey, 'teams')}`, teamsActivity),
    ).resolves.toBeUndefined();
    await expect(
      auth.authenticate(`Bearer ${await token(skypeKey.privateKey, 'skype')}`, teamsActivity),
    ).rejects.toMatchObject({ reason: 'key_not_endorsed' });
  });

  it('fetches the keys again for a key id it has not seen (a rollover)', async () => {
    const first = await key('first', ['msteams']);
    published = [first.jwk];
    const auth = authenticator();
    await auth.authenticate(`Bearer ${await token(first.privateKey, 'first')}`, teamsActivity);
    const next = await key('next', ['msteams']);
    published = [first.jwk, next.jwk];
    await expect(
      auth.authenticate(`Bearer ${await token(next.privateKey, 'next')}`, teamsActivity),
    ).resolves.toBeUndefined();
  });

  it('reports an unreachable key source as unavailable, not as a bad token', async () => {
    const only = await key('only', ['msteams']);
    published = [only.jwk];
    up = false;
    try {
      const error = await authenticator()
        .authenticate(`Bearer ${await token(only.privateKey, 'only')}`, teamsActivity)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ kind: 'unavailable' });
      expect(error).not.toBeInstanceOf(BotAuthenticationError);
    } finally {
      up = true;
    }
  });
});
