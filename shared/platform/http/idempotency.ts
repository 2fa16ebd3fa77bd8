import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import { AppError } from '../errors.js';
import type { Tx } from '../db/database.js';
import { AT_COMMIT, literal } from '../db/round-trips.js';
import { canonicalJson } from './canonical-json.js';

export const IDEMPOTENCY_KEY_LENGTH_MAX = 200;

/** A value as an escaped SQL literal, for the statements that travel without parameters. */
const text = (value: string) => sql.raw(literal(value));

export interface StoredResponse {
  status: number;
  headers: Record<string, string>;
  body: string | null;
}

export function requestHash(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${path}\n${canonicalJson(body ?? null)}`)
    .digest('hex');
}

export function validateIdempotencyKey(key: string): string {
  if (key.length === 0 || key.length > IDEMPOTENCY_KEY_LENGTH_MAX || !/^[\x21-\x7e]+$/.test(key)) {
    throw new AppError(
      'validation',
      'platform.invalid_idempotency_key',
      'The Idempotency-Key header must be 1 to 200 visible ASCII characters.',
      {
        errors: [{ path: 'header.Idempotency-Key', message: 'Invalid idempotency key' }],
      },
    );
  }
  return key;
}

/**
 * Claims `key` for this request inside the caller's tenant transaction. The claim row and the
 * request's effects commit or roll back together, so a crash leaves either both or neither.
 *
 * A concurrent request with the same key blocks on the unique index until the first transaction
 * ends; it then sees the committed row and replays its response. An expired key is claimed anew.
 *
 * Returns the stored response to replay, or undefined when this request owns the key and must run.
 */
export async function claimIdempotencyKey(
  trx: Tx,
  tenantId: string,
  key: string,
  method: string,
  path: string,
  hash: string,
  ttlHours: number,
): Promise<StoredResponse | undefined> {
  // Literals, no parameters: the claim travels with BEGIN and the tenant statement (round-trips.ts).
  const claimed = await sql<{ key: string }>`
    insert into idempotency_keys (tenant_id, key, method, path, request_hash, status_code, response_headers, expires_at)
    values (${text(tenantId)}::uuid, ${text(key)}, ${text(method)}, ${text(path)}, ${text(hash)}, 0, '{}',
      now() + make_interval(hours => ${sql.raw(String(Math.trunc(ttlHours)))}))
    on conflict (tenant_id, key) do update set
      method = excluded.method, path = excluded.path, request_hash = excluded.request_hash, status_code = 0,
      response_headers = '{}', response_body = null, created_at = now(), expires_at = excluded.expires_at
    where idempotency_keys.expires_at < now()
    returning key`.execute(trx);
  if (claimed.rows.length > 0) return undefined;

  const stored = await findIdempotentResponse(trx, key, method, path, hash);
  if (!stored) throw new Error('An idempotency key row vanished inside its transaction.');
  return stored;
}

/**
 * The stored response of an earlier request with this key, if it has not expired; a 422 when the
 * key was used for a different request.
 */
export async function findIdempotentResponse(
  trx: Tx,
  key: string,
  method: string,
  path: string,
  hash: string,
): Promise<StoredResponse | undefined> {
  const existing = await trx
    .selectFrom('idempotency_keys')
    .select(['method', 'path', 'request_hash', 'status_code', 'response_headers', 'response_body'])
    .where('key', '=', key)
    .where('expires_at', '>', new Date())
    .executeTakeFirst();
  if (!existing) return undefined;
  if (existing.request_hash !== hash || existing.method !== method || existing.path !== path) {
    throw new AppError(
      'business_rule',
      'platform.idempotency_key_reused',
      'This Idempotency-Key was already used for a different request; use a new key for a new request.',
      { errors: [{ path: 'header.Idempotency-Key', message: 'Key reused with a different request' }] },
    );
  }
  return {
    status: existing.status_code,
    headers: existing.response_headers as Record<string, string>,
    body: existing.response_body,
  };
}

/**
 * Stores the answer with the key. The statement is sent with the transaction's COMMIT (one round
 * trip, see db/round-trips.ts), so it carries its values as literals.
 */
export async function storeIdempotentResponse(
  trx: Tx,
  tenantId: string,
  key: string,
  response: StoredResponse,
): Promise<void> {
  await sql`${sql.raw(AT_COMMIT)} update idempotency_keys
    set status_code = ${sql.raw(String(Math.trunc(response.status)))},
      response_headers = ${text(JSON.stringify(response.headers))}::jsonb,
      response_body = ${response.body === null ? sql`null` : text(response.body)}
    where tenant_id = ${text(tenantId)}::uuid and key = ${text(key)}`.execute(trx);
}
