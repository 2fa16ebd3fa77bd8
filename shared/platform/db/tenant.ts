import { sql } from 'kysely';
import { settings } from '../config.js';
import { AppError } from '../errors.js';
import { commitRefusal } from './commit-errors.js';
import { isStalePlan } from './prepared.js';
import { logger } from '../telemetry/logger.js';
import type { Db, Tx } from './database.js';
import { heldRead, HELD_ROWS, literal, WITH_NEXT } from './round-trips.js';

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/**
 * Runs `work` in one transaction as the app role with `app.tenant_id` set, so row-level security
 * confines every statement to the tenant. Both settings are transaction-local (`set_config(..., true)`
 * is `SET LOCAL`): a pooled connection never carries them into another unit of work.
 *
 * A transaction the server rolled back for a transient reason runs again from the start, in a new
 * transaction (see `inTransaction`): `work` must do nothing but database work, as every unit of
 * work here does.
 */
export async function withTenant<T>(
  db: Db,
  tenantId: string,
  work: (trx: Tx) => Promise<T>,
  isolation: IsolationLevel = 'read committed',
): Promise<T> {
  return inTransaction(db, isolation, async (trx) => {
    // Literals, no parameters: the statement travels with BEGIN and the next (see round-trips.ts).
    await sql`${sql.raw(WITH_NEXT)} select set_config('role', ${sql.raw(literal(settings().DATABASE_APP_ROLE))}, true), set_config('app.tenant_id', ${sql.raw(literal(tenantId))}, true)`.execute(
      trx,
    );
    await prefetch(trx);
    return work(trx);
  });
}

/** Reads every tenant transaction sends with its first statement, by key. */
const prefetches = new Map<string, string>();
const prefetchedRows = new WeakMap<object, Map<string, { rows?: unknown[] }>>();

/**
 * Registers a read that most units of work need (the tenant's books): every tenant transaction
 * sends it with its first statement, in the same round trip (a held read, see round-trips.ts),
 * and `takePrefetched` hands its rows over. `text` is one parameterless SELECT; row-level
 * security confines it to the tenant.
 */
export function prefetchInTenantTransactions(key: string, text: string): void {
  prefetches.set(key, text);
}

async function prefetch(trx: Tx): Promise<void> {
  if (prefetches.size === 0) return;
  const slots = new Map<string, { rows?: unknown[] }>();
  prefetchedRows.set(trx, slots);
  for (const [key, text] of prefetches) {
    const read = heldRead();
    const slot: { rows?: unknown[] } = {};
    slots.set(key, slot);
    void read.result.then(
      (result) => (slot.rows = result.rows),
      () => undefined,
    );
    const answer = await sql.raw(`${read.marker} ${text}`).execute(trx);
    if (answer.rows !== HELD_ROWS)
      read.settle({ command: 'SELECT', rowCount: 0, oid: 0, fields: [], rows: answer.rows });
  }
}

/**
 * The rows of a read registered with `prefetchInTenantTransactions`, once, if they have arrived
 * (they travel with the transaction's first statement); otherwise the caller reads them itself.
 */
export function takePrefetched<R>(trx: object, key: string): R[] | undefined {
  const slots = prefetchedRows.get(trx);
  const slot = slots?.get(key);
  if (!slot?.rows) return undefined;
  slots!.delete(key);
  return slot.rows as R[];
}

/**
 * Runs `work` in one transaction as the system role: the cross-tenant machinery (outbox relay,
 * tenant lookup at sign-in, onboarding). It sees only the tables granted to that role.
 */
export async function withSystem<T>(db: Db, work: (trx: Tx) => Promise<T>): Promise<T> {
  return inTransaction(db, undefined, async (trx) => {
    await sql`${sql.raw(WITH_NEXT)} select set_config('role', ${sql.raw(literal(settings().DATABASE_SYSTEM_ROLE))}, true), set_config('app.tenant_id', '', true)`.execute(
      trx,
    );
    return work(trx);
  });
}

/** How many times a unit of work runs at most before the caller is told to come back later. */
export const TRANSACTION_ATTEMPTS_MAX = 5;

/**
 * Why a transaction failed, when running it again may succeed:
 * - `conflict`: a serialization failure (40001) or a deadlock (40P01); the server rolled it back.
 * - `connection`: the connection was lost (the backend was terminated or the server restarted:
 *   57P01–57P03, class 08, a reset socket) and the transaction with it.
 * - `not-sent`: node-postgres refused the statement because the connection had failed already:
 *   the statement never reached the server.
 * - `stale-plan`: a prepared statement's result columns changed under it (a migration while the
 *   app runs); the connection prepares its statements again (see prepared.ts).
 */
export type TransientFailure = 'conflict' | 'connection' | 'not-sent' | 'stale-plan';

const CONFLICT_CODES = new Set(['40001', '40P01']);
const CONNECTION_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

export function transientFailure(error: unknown): TransientFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (CONFLICT_CODES.has(code)) return 'conflict';
    if (CONNECTION_CODES.has(code) || code.startsWith('08')) return 'connection';
  }
  if (isStalePlan(error)) return 'stale-plan';
  if (/is not queryable/.test(error.message)) return 'not-sent';
  if (/^Connection terminated/.test(error.message)) return 'connection';
  return undefined;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One transaction, run again (after a short, jittered pause) when the server rolled it back for a
 * transient reason: a serialization failure, a deadlock, or a connection lost before COMMIT was
 * sent. A connection lost during COMMIT leaves the outcome unknown, so that is not run again; nor
 * is anything after the last attempt. Both answer 503 with Retry-After: a client sending the same
 * request again with its Idempotency-Key gets the stored answer if the transaction did commit.
 */
async function inTransaction<T>(
  db: Db,
  isolation: IsolationLevel | undefined,
  work: (trx: Tx) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let committing = false;
    try {
      const transaction = isolation ? db.transaction().setIsolationLevel(isolation) : db.transaction();
      return await transaction.execute(async (trx) => {
        const result = await work(trx);
        committing = true;
        return result;
      });
    } catch (error) {
      const failure = transientFailure(error);
      if (!failure) {
        // A rule checked at COMMIT, broken by what another transaction committed meanwhile.
        if (committing) throw commitRefusal(error) ?? error;
        throw error;
      }
      const inDoubt = committing && failure === 'connection';
      if (inDoubt || attempt >= TRANSACTION_ATTEMPTS_MAX) {
        logger().warn('transaction given up', {
          attempt,
          failure,
          inDoubt,
          error: error instanceof Error ? error.message : String(error),
        });
        throw new AppError(
          'unavailable',
          failure === 'conflict' ? 'platform.database_busy' : 'platform.database_unavailable',
          inDoubt
            ? 'The connection to the database was lost while saving; send the request again with the same Idempotency-Key.'
            : 'The database is busy or was briefly unavailable; try again.',
          { headers: { 'Retry-After': '1' }, cause: error },
        );
      }
      await sleep(Math.round((10 + Math.random() * 20) * 2 ** (attempt - 1)));
    }
  }
}
