/**
 * The devhost's mail catcher: the app's email provider locally. The app's `MailCatcherSender`
 * posts each message to it (MAIL_CATCHER_URL); it keeps them in memory, newest first, and shows
 * them to people and tests. Like ACS with an Operation-Id, a message posted again with the same
 * idempotency key is answered with the first one's id and not kept twice.
 *
 * - `POST /dev-mail/messages`: what the app sends to (the provider's API);
 * - `GET /dev/mail`: a page listing the messages; `GET /dev/mail/{id}` one message, its text, its
 *   HTML in a sandboxed iframe, and its attachments (`GET /dev/mail/{id}/attachments/{n}`);
 * - `GET /api/dev/mail` (JSON, `?to=` filters by address), `DELETE /api/dev/mail` (clear);
 * - `POST /api/dev/mail/fail` `{ count, status? }`: the next `count` sends fail (503 unless said).
 *
 * Nothing deployed imports this file.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { DevRequest, DevResponse } from '../http-server.js';

const CAUGHT_MAX = 1000;
const MESSAGE_BYTES_MAX = 15 * 1024 * 1024;

const messageSchema = z.object({
  to: z.array(z.object({ address: z.email(), name: z.string().optional() })).min(1),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  attachments: z
    .array(z.object({ name: z.string(), contentType: z.string(), contentBase64: z.base64() }))
    .optional(),
  idempotencyKey: z.string().min(1),
});

export interface CaughtMail {
  id: string;
  receivedAt: string;
  to: { address: string; name?: string }[];
  subject: string;
  text: string;
  html: string;
  attachments: { name: string; contentType: string; sizeBytes: number; contentBase64: string }[];
  idempotencyKey: string;
}

const failSchema = z.strictObject({
  count: z.number().int().min(0).max(100),
  status: z.number().int().min(400).max(599).default(503),
});

export class MailCatcher {
  readonly #baseUrl: () => string;
  readonly #caught: CaughtMail[] = [];
  /** Statuses the next sends are answered with, to exercise the app's retries. */
  readonly #faults: number[] = [];

  constructor(options: { baseUrl: () => string }) {
    this.#baseUrl = options.baseUrl;
  }

  /** The value for MAIL_CATCHER_URL. */
  sendUrl(): string {
    return `${this.#baseUrl().replace(/\/+$/, '')}/dev-mail/messages`;
  }

  /** Every message caught, newest first; `to` keeps those sent to that address. */
  messages(to?: string): CaughtMail[] {
    const address = to?.toLowerCase();
    return [...this.#caught]
      .reverse()
      .filter((m) => address === undefined || m.to.some((t) => t.address.toLowerCase() === address));
  }

  clear(): void {
    this.#caught.length = 0;
    this.#faults.length = 0;
  }

  /** Makes the next `count` sends fail with `status` (503: the app retries; 400: it gives up). */
  failNext(count: number, status = 503): void {
    for (let i = 0; i < count; i++) this.#faults.push(status);
  }

  async handleHttp(request: DevRequest): Promise<DevResponse | undefined> {
    const path = request.path;
    const method = request.method.toUpperCase();
    if (path === '/dev-mail/messages' && method === 'POST') return this.#receive(request);
    if (path === '/api/dev/mail' && method === 'GET')
      return json(200, { items: this.messages(request.query.get('to') ?? undefined) });
    if (path === '/api/dev/mail' && method === 'DELETE') {
      this.clear();
      return { status: 204, headers: { 'cache-control': 'no-store' }, body: '' };
    }
    if (path === '/api/dev/mail/fail' && method === 'POST') {
      const parsed = failSchema.safeParse(parseJson(request.body));
      if (!parsed.success)
        return json(400, { title: 'Bad Request', status: 400, detail: z.prettifyError(parsed.error) });
      this.failNext(parsed.data.count, parsed.data.status);
      return json(200, { failing: this.#faults.length });
    }
    if (path === '/dev/mail' && method === 'GET') return html(200, this.#listPage());
    const attachment = /^\/dev\/mail\/([0-9a-f-]{36})\/attachments\/(\d+)$/.exec(path);
    if (attachment && method === 'GET') return this.#attachment(attachment[1] ?? '', Number(attachment[2]));
    const one = /^\/dev\/mail\/([0-9a-f-]{36})(\/html)?$/.exec(path);
    if (one && method === 'GET') {
      const mail = this.#caught.find((m) => m.id === one[1]);
      if (!mail)
        return html(404, page('Not found', '<p>No such message. <a href="/dev/mail">All mail</a></p>'));
      return one[2] ? this.#htmlBody(mail) : html(200, this.#messagePage(mail));
    }
    return undefined;
  }

  #receive(request: DevRequest): DevResponse {
    if (request.body.byteLength > MESSAGE_BYTES_MAX)
      return json(413, { title: 'Payload Too Large', status: 413, detail: 'The message is too large.' });
    const fault = this.#faults.shift();
    if (fault !== undefined)
      return json(fault, {
        title: 'Failing on request',
        status: fault,
        detail: 'The mail catcher was told to fail this send.',
      });
    const parsed = messageSchema.safeParse(parseJson(request.body));
    if (!parsed.success)
      return json(400, { title: 'Bad Request', status: 400, detail: z.prettifyError(parsed.error) });
    const message = parsed.data;
    const seen = this.#caught.find((m) => m.idempotencyKey === message.idempotencyKey);
    if (seen) return json(200, { id: seen.id, duplicate: true });
    const mail: CaughtMail = {
      id: randomUUID(),
      receivedAt: new Date().toISOString(),
      to: message.to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      attachments: (message.attachments ?? []).map((a) => ({
        ...a,
        sizeBytes: Buffer.from(a.contentBase64, 'base64').byteLength,
      })),
      idempotencyKey: message.idempotencyKey,
    };
    this.#caught.push(mail);
    if (this.#caught.length > CAUGHT_MAX) this.#caught.splice(0, this.#caught.length - CAUGHT_MAX);
    return json(201, { id: mail.id });
  }

  #attachment(id: string, index: number): DevResponse {
    const file = this.#caught.find((m) => m.id === id)?.attachments[index];
    if (!file) return html(404, page('Not found', '<p>No such attachment.</p>'));
    return {
      status: 200,
      headers: {
        'content-type': file.contentType,
        'content-disposition': `attachment; filename="${file.name.replace(/[^\w.() -]/g, '_')}"`,
        'cache-control': 'no-store',
      },
      body: Buffer.from(file.contentBase64, 'base64'),
    };
  }

  /** The message's own HTML, for the iframe: no scripts, no plugins, nothing from elsewhere. */
  #htmlBody(mail: CaughtMail): DevResponse {
    return {
      status: 200,
      headers: {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy': "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'",
        'cache-control': 'no-store',
      },
      body: mail.html,
    };
  }

  #listPage(): string {
    const rows = this.messages()
      .map(
        (m) =>
          `<tr><td>${escapeHtml(m.receivedAt)}</td><td>${escapeHtml(m.to.map((t) => t.address).join(', '))}</td>` +
          `<td><a href="/dev/mail/${m.id}">${escapeHtml(m.subject)}</a></td><td>${m.attachments.length || ''}</td></tr>`,
      )
      .join('\n');
    return page(
      'Mail catcher',
      `<h1>Mail the app sent</h1><p>Newest first. <code>DELETE /api/dev/mail</code> clears it.</p>` +
        (rows
          ? `<table><thead><tr><th>Received</th><th>To</th><th>Subject</th><th>Attachments</th></tr></thead><tbody>${rows}</tbody></table>`
          : '<p>No mail yet.</p>'),
    );
  }

  #messagePage(mail: CaughtMail): string {
    const files = mail.attachments
      .map(
        (a, i) =>
          `<li><a href="/dev/mail/${mail.id}/attachments/${i}">${escapeHtml(a.name)}</a> (${escapeHtml(a.contentType)}, ${a.sizeBytes} bytes)</li>`,
      )
      .join('');
    return page(
      mail.subject,
      `<p><a href="/dev/mail">All mail</a></p><h1>${escapeHtml(mail.subject)}</h1>` +
        `<p>To ${escapeHtml(mail.to.map((t) => (t.name ? `${t.name} <${t.address}>` : t.address)).join(', '))} · ${escapeHtml(mail.receivedAt)}</p>` +
        (files ? `<h2>Attachments</h2><ul>${files}</ul>` : '') +
        `<h2>HTML</h2><iframe sandbox src="/dev/mail/${mail.id}/html" title="The message as HTML"></iframe>` +
        `<h2>Text</h2><pre>${escapeHtml(mail.text)}</pre>`,
    );
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{border-bottom:1px solid #ddd;padding:.3rem .6rem;text-align:left}iframe{width:100%;height:24rem;border:1px solid #ccc}pre{background:#f4f4f4;padding:1rem;white-space:pre-wrap}</style></head>
<body>${body}</body></html>`;
}

function html(status: number, body: string): DevResponse {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body,
  };
}

function json(status: number, body: unknown): DevResponse {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}
