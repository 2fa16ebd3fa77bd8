/**
 * Where email goes: a provider behind one interface. In Azure it is Azure Communication Services
 * Email (by the app's managed identity); locally the devhost's mail catcher, over HTTP.
 */
import { EmailClient, type EmailMessage } from '@azure/communication-email';
import { DefaultAzureCredential } from '@azure/identity';
import { settings } from '../../platform/config.js';

export interface EmailAddress {
  address: string;
  name?: string;
}

export interface EmailAttachment {
  name: string;
  contentType: string;
  contentBase64: string;
}

export interface OutgoingEmail {
  to: EmailAddress[];
  subject: string;
  text: string;
  html: string;
  attachments?: EmailAttachment[];
  /** Stable per delivery: a provider that knows it does not send the same delivery twice. */
  idempotencyKey: string;
}

export interface EmailSender {
  send(message: OutgoingEmail): Promise<{ providerMessageId: string }>;
}

/**
 * A failure the provider will answer the same way every time (a refused address, a message too
 * large): retrying cannot help, so the delivery fails at once.
 */
export class PermanentEmailError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentEmailError';
  }
}

/** The time one provider call may take before it counts as failed (and is retried later). */
const SEND_TIMEOUT_MS = 60_000;

/**
 * Azure Communication Services Email. The delivery id is the send's `Operation-Id`: ACS keeps one
 * operation per id, so a resend after a crash between sending and recording it is recognised as
 * the same operation (a repeat is answered 409, taken here as already accepted) instead of sending
 * a second email, for as long as ACS remembers the operation.
 */
export class AcsEmailSender implements EmailSender {
  readonly #client: EmailClient;
  readonly #senderAddress: string;

  constructor(endpoint: string, senderAddress: string, client?: EmailClient) {
    this.#client = client ?? new EmailClient(endpoint, new DefaultAzureCredential());
    this.#senderAddress = senderAddress;
  }

  async send(message: OutgoingEmail): Promise<{ providerMessageId: string }> {
    const email: EmailMessage = {
      senderAddress: this.#senderAddress,
      content: { subject: message.subject, plainText: message.text, html: message.html },
      recipients: { to: message.to.map((t) => ({ address: t.address, displayName: t.name })) },
      attachments: message.attachments?.map((a) => ({
        name: a.name,
        contentType: a.contentType,
        contentInBase64: a.contentBase64,
      })),
    };
    try {
      // Accepted for delivery is what counts: the poller is not awaited to the end (minutes).
      const poller = await this.#client.beginSend(email, {
        operationId: message.idempotencyKey,
        abortSignal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      return { providerMessageId: poller.getOperationState().result?.id ?? message.idempotencyKey };
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 409) return { providerMessageId: message.idempotencyKey };
      if (status === 400 || status === 413 || status === 422)
        throw new PermanentEmailError(errorText(error), { cause: error });
      throw error;
    }
  }
}

/**
 * The devhost's mail catcher (or any service with its API): `POST` the message as JSON; the
 * answer is `{ id }`. 4xx other than 408 and 429 are permanent.
 */
export class MailCatcherSender implements EmailSender {
  readonly #url: string;

  constructor(url: string) {
    this.#url = url;
  }

  async send(message: OutgoingEmail): Promise<{ providerMessageId: string }> {
    const response = await fetch(this.#url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': message.idempotencyKey },
      body: JSON.stringify(message),
      signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
    });
    const text = await response.text();
    if (!response.ok) {
      const reason = `The mail catcher answered ${response.status}: ${text.slice(0, 300)}`;
      if (
        response.status >= 400 &&
        response.status < 500 &&
        response.status !== 408 &&
        response.status !== 429
      )
        throw new PermanentEmailError(reason);
      throw new Error(reason);
    }
    const id = (JSON.parse(text) as { id?: unknown }).id;
    if (typeof id !== 'string') throw new Error('The mail catcher answered without an id.');
    return { providerMessageId: id };
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

let configured: EmailSender | undefined;
let fromSettings: { key: string; sender: EmailSender | undefined } | undefined;

/** Sets the sender the app uses (tests); `undefined` goes back to the settings. */
export function configureEmailSender(sender: EmailSender | undefined): void {
  configured = sender;
  fromSettings = undefined;
}

/**
 * The email provider the settings name: ACS when `ACS_EMAIL_ENDPOINT` and `EMAIL_SENDER_ADDRESS`
 * are set, else the mail catcher at `MAIL_CATCHER_URL`, else none.
 */
export function emailSender(): EmailSender | undefined {
  if (configured) return configured;
  const s = settings();
  const key = `${s.ACS_EMAIL_ENDPOINT ?? ''}|${s.EMAIL_SENDER_ADDRESS ?? ''}|${s.MAIL_CATCHER_URL ?? ''}`;
  if (fromSettings?.key !== key) {
    let sender: EmailSender | undefined;
    if (s.ACS_EMAIL_ENDPOINT && s.EMAIL_SENDER_ADDRESS)
      sender = new AcsEmailSender(s.ACS_EMAIL_ENDPOINT, s.EMAIL_SENDER_ADDRESS);
    else if (s.MAIL_CATCHER_URL) sender = new MailCatcherSender(s.MAIL_CATCHER_URL);
    fromSettings = { key, sender };
  }
  return fromSettings.sender;
}
