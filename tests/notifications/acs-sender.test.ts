/**
 * The Azure Communication Services sender, through the real `@azure/communication-email` client,
 * against a local server answering as the ACS Email REST API does: the delivery's idempotency key
 * travels as the send's Operation-Id, the message and its attachments are what ACS expects, a
 * repeat of an operation ACS already has (409) counts as sent, and a refused message is permanent.
 * (ACS itself exists only in Azure; no emulator is available.)
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmailClient } from '@azure/communication-email';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AcsEmailSender, PermanentEmailError } from '../../shared/modules/notifications/index.js';

interface Seen {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: any;
}

const seen: Seen[] = [];
let answer: { status: number; body: unknown } | undefined;
let base = '';

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', base);
    seen.push({
      method: req.method ?? '',
      path: url.pathname,
      headers: req.headers,
      body: text ? JSON.parse(text) : undefined,
    });
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST' && url.pathname === '/emails:send') {
      if (answer) return reply(answer.status, answer.body);
      const id = String(req.headers['operation-id']);
      return reply(
        202,
        { id, status: 'Running' },
        {
          'operation-location': `${base}/emails/operations/${id}?api-version=2023-03-31`,
          'retry-after': '0',
        },
      );
    }
    const operation = /^\/emails\/operations\/(.+)$/.exec(url.pathname);
    if (req.method === 'GET' && operation) return reply(200, { id: operation[1], status: 'Succeeded' });
    return reply(404, { error: { code: 'NotFound', message: 'No such thing.' } });
  });
});

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const sender = () =>
  new AcsEmailSender(
    base,
    'DoNotReply@mail.example',
    // A local server speaks plain HTTP; the SDK's own retries are left out to keep the test short.
    new EmailClient(
      base,
      { key: Buffer.from('local-test-key').toString('base64') },
      { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
    ),
  );

const message = (idempotencyKey: string) => ({
  to: [{ address: 'accounts@bob.example', name: 'Bob & Sons' }],
  subject: 'Invoice INV-1',
  text: 'Please find the invoice attached.',
  html: '<p>Please find the invoice attached.</p>',
  attachments: [
    {
      name: 'INV-1.pdf',
      contentType: 'application/pdf',
      contentBase64: Buffer.from('%PDF').toString('base64'),
    },
  ],
  idempotencyKey,
});

it('sends the delivery id as the Operation-Id, with the message and attachments ACS expects', async () => {
  const id = randomUUID();
  seen.length = 0;
  answer = undefined;
  const result = await sender().send(message(id));
  expect(result.providerMessageId).toBe(id);
  const post = seen.find((s) => s.method === 'POST');
  expect(post?.path).toBe('/emails:send');
  expect(post?.headers['operation-id']).toBe(id);
  expect(post?.headers.authorization).toMatch(/^HMAC-SHA256 /);
  expect(post?.body).toEqual({
    senderAddress: 'DoNotReply@mail.example',
    content: {
      subject: 'Invoice INV-1',
      plainText: 'Please find the invoice attached.',
      html: '<p>Please find the invoice attached.</p>',
    },
    recipients: { to: [{ address: 'accounts@bob.example', displayName: 'Bob & Sons' }] },
    attachments: [{ name: 'INV-1.pdf', contentType: 'application/pdf', contentInBase64: 'JVBERg==' }],
  });
});

it('takes a repeat of an operation ACS already has as sent, not as a failure', async () => {
  const id = randomUUID();
  answer = {
    status: 409,
    body: { error: { code: 'Conflict', message: 'An operation with this id exists.' } },
  };
  await expect(sender().send(message(id))).resolves.toEqual({ providerMessageId: id });
});

it('fails for good on a message ACS refuses, and transiently on a server error', async () => {
  answer = {
    status: 400,
    body: { error: { code: 'InvalidRequest', message: 'The recipient is not valid.' } },
  };
  await expect(sender().send(message(randomUUID()))).rejects.toBeInstanceOf(PermanentEmailError);
  answer = { status: 500, body: { error: { code: 'InternalError', message: 'Try again.' } } };
  const transient = await sender()
    .send(message(randomUUID()))
    .catch((error: unknown) => error);
  expect(transient).toBeInstanceOf(Error);
  expect(transient).not.toBeInstanceOf(PermanentEmailError);
});
