/**
 * Sends the pending emails. A worker claims due deliveries across tenants for a lease (one short
 * system transaction), then, with no transaction open, renders each, reads its attachments, hands
 * it to the provider, and records the outcome in another short transaction. A failure is retried
 * with exponential back-off and jitter until the attempts run out; then the delivery is failed and
 * logged as an error. A worker that dies holding a claim loses it when the lease lapses, and
 * another worker sends the delivery.
 *
 * What can still happen twice: a crash after the provider accepted an email and before the worker
 * recorded it sends it again once the lease lapses. The delivery id goes to the provider as its
 * idempotency key (ACS's Operation-Id), which stops that resend wherever the provider still
 * remembers the id; a provider without one would deliver a second copy.
 */
import { settings } from '../../platform/config.js';
import { primaryDb, type Db } from '../../platform/db/database.js';
import { AppError } from '../../platform/errors.js';
import { logger } from '../../platform/telemetry/logger.js';
import { emailSender, PermanentEmailError, type EmailAttachment, type EmailSender } from './email.js';
import {
  claimDueDeliveries,
  failAbandonedDeliveries,
  recordOutcome,
  type ClaimedDelivery,
} from './repository.js';
import { isTemplateName, renderTemplate } from './templates.js';

/** Reads a document's bytes (the documents module's `readDocumentBytes`). */
export type AttachmentReader = (
  db: Db,
  tenantId: string,
  documentId: string,
) => Promise<{ fileName: string; contentType: string; bytes: Uint8Array }>;

export interface DeliveryDeps {
  db: Db;
  sender: EmailSender | undefined;
  readAttachment: AttachmentReader | undefined;
  attemptsMax: number;
  backoffSeconds: number;
  appUrl: string | undefined;
}

export const DELIVERY_BATCH_SIZE = 20;
const BATCHES_MAX = 25;
/** Longer than one send may take (60 s) plus reading attachments. */
export const DELIVERY_LEASE_SECONDS = 180;
const BACKOFF_SECONDS_MAX = 3600;
/** ACS takes at most 10 MB per request; base64 makes attachments a third bigger. */
const ATTACHMENT_BYTES_MAX = 7 * 1024 * 1024;

let attachmentReader: AttachmentReader | undefined;

/** Sets how attachments are read (the documents module's reader, wired by the app's entry point). */
export function configureAttachmentReader(reader: AttachmentReader | undefined): void {
  attachmentReader = reader;
}

/** What the worker uses when nobody says otherwise: the settings and the configured pieces. */
export function deliveryDeps(): DeliveryDeps {
  const s = settings();
  return {
    db: primaryDb(),
    sender: emailSender(),
    readAttachment: attachmentReader,
    attemptsMax: s.NOTIFICATIONS_EMAIL_ATTEMPTS_MAX,
    backoffSeconds: s.NOTIFICATIONS_EMAIL_BACKOFF_SECONDS,
    appUrl: s.WEB_APP_URL,
  };
}

/** The wait before attempt `attempts + 1`: doubling from the base, capped, half of it random. */
export function backoffSeconds(attempts: number, baseSeconds: number, random = Math.random()): number {
  const full = Math.min(BACKOFF_SECONDS_MAX, baseSeconds * 2 ** Math.max(0, attempts - 1));
  return full / 2 + (full / 2) * random;
}

export interface DeliveryRun {
  sent: number;
  retrying: number;
  failed: number;
}

let warnedNoSender = false;

/** Sends every due email, in batches, until none is due (or the batches allowed ran out). */
export async function deliverDueEmails(deps: DeliveryDeps = deliveryDeps()): Promise<DeliveryRun> {
  const run: DeliveryRun = { sent: 0, retrying: 0, failed: 0 };
  for (const id of await failAbandonedDeliveries(deps.db, deps.attemptsMax)) {
    run.failed += 1;
    logger().error('email delivery failed: its worker stopped on the last attempt', { deliveryId: id });
  }
  for (let batch = 0; batch < BATCHES_MAX; batch++) {
    const claimed = await claimDueDeliveries(deps.db, {
      limit: DELIVERY_BATCH_SIZE,
      leaseSeconds: DELIVERY_LEASE_SECONDS,
      attemptsMax: deps.attemptsMax,
    });
    for (const delivery of claimed) {
      const outcome = await deliverOne(deps, delivery);
      run[outcome] += 1;
    }
    if (claimed.length < DELIVERY_BATCH_SIZE) break;
  }
  return run;
}

async function deliverOne(
  deps: DeliveryDeps,
  delivery: ClaimedDelivery,
): Promise<'sent' | 'retrying' | 'failed'> {
  const log = logger().child({ deliveryId: delivery.id, tenantId: delivery.tenantId });
  const fail = async (error: string): Promise<'failed'> => {
    await recordOutcome(deps.db, delivery, { status: 'failed', error });
    log.error('email delivery failed', { template: delivery.template, attempts: delivery.attempts, error });
    return 'failed';
  };
  if (!deps.sender) {
    if (!warnedNoSender) {
      warnedNoSender = true;
      log.warn(
        'no email provider configured (ACS_EMAIL_ENDPOINT and EMAIL_SENDER_ADDRESS, or MAIL_CATCHER_URL)',
      );
    }
    return fail('no email provider configured');
  }
  if (!isTemplateName(delivery.template)) return fail(`no template ${delivery.template}`);
  try {
    const rendered = renderTemplate(delivery.template, delivery.data, {
      locale: delivery.locale,
      timeZone: delivery.timeZone,
      link: delivery.link,
      appUrl: deps.appUrl,
    });
    const attachments = await readAttachments(deps, delivery);
    const { providerMessageId } = await deps.sender.send({
      to: [
        delivery.recipientName
          ? { address: delivery.recipient, name: delivery.recipientName }
          : { address: delivery.recipient },
      ],
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      ...(attachments.length > 0 ? { attachments } : {}),
      idempotencyKey: delivery.id,
    });
    await recordOutcome(deps.db, delivery, { status: 'sent', providerMessageId });
    log.info('email sent', { template: delivery.template, attempts: delivery.attempts });
    return 'sent';
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof PermanentEmailError || delivery.attempts >= deps.attemptsMax) return fail(message);
    const delaySeconds = backoffSeconds(delivery.attempts, deps.backoffSeconds);
    await recordOutcome(deps.db, delivery, {
      status: 'pending',
      error: message,
      nextAttemptAt: new Date(Date.now() + delaySeconds * 1000),
    });
    log.warn('email delivery will be retried', {
      attempts: delivery.attempts,
      retryInSeconds: Math.round(delaySeconds),
      error: message,
    });
    return 'retrying';
  }
}

async function readAttachments(deps: DeliveryDeps, delivery: ClaimedDelivery): Promise<EmailAttachment[]> {
  if (delivery.attachments.length === 0) return [];
  const reader = deps.readAttachment;
  if (!reader) throw new Error('No attachment reader is configured; the documents cannot be read.');
  const files: EmailAttachment[] = [];
  let total = 0;
  for (const { documentId } of delivery.attachments) {
    const file = await reader(deps.db, delivery.tenantId, documentId).catch((error: unknown) => {
      // A document deleted since the notification was written will not come back: stop trying.
      if (error instanceof AppError && error.kind === 'not_found')
        throw new PermanentEmailError(`The attachment ${documentId} no longer exists.`, { cause: error });
      throw error;
    });
    total += file.bytes.byteLength;
    if (total > ATTACHMENT_BYTES_MAX)
      throw new PermanentEmailError(`The attachments are larger than ${ATTACHMENT_BYTES_MAX} bytes.`);
    files.push({
      name: file.fileName,
      contentType: file.contentType,
      contentBase64: Buffer.from(file.bytes).toString('base64'),
    });
  }
  return files;
}

let running: Promise<void> | undefined;
let again = false;

/**
 * Asks for due emails to be sent soon, after a transaction that wrote deliveries has committed.
 * One run at a time per process; a nudge during a run makes it go round once more. The timer
 * catches whatever a nudge misses.
 */
export function nudgeEmailDelivery(): void {
  if (running) {
    again = true;
    return;
  }
  running = (async () => {
    do {
      again = false;
      try {
        await deliverDueEmails();
      } catch (error) {
        logger().warn('email delivery run failed; the timer will retry', { error });
        again = false;
      }
    } while (again);
  })().finally(() => {
    running = undefined;
  });
}

/** Resolves when the current nudged run, if any, has finished (hosts shutting down, tests). */
export async function emailDeliveryIdle(): Promise<void> {
  while (running) await running;
}
