import { sql } from 'kysely';
import { AppError } from '../errors.js';
import { primaryDb, replicaDb, type Db } from './database.js';

/**
 * Read-your-writes over the asynchronous read replica.
 *
 * Reports read from the replica, which replays the primary's write-ahead log a little behind it.
 * A caller that has just changed something must see its change in the next report, so:
 *
 * - every successful write answers with a consistency token, the primary's WAL position after
 *   the write committed (`X-Consistency-Token: 0/3A1F2B8`);
 * - a report request that sends the token back is served by the replica when the replica has
 *   replayed that far, and by the primary otherwise; one without a token reads the replica as it
 *   is (it may lag);
 * - background work that must reflect everything committed before it began (a report run) waits
 *   a little for the replica to reach the primary's current position, then reads the primary.
 *
 * Without a replica (`DATABASE_READ_URL` unset) every read goes to the primary and no token is
 * sent. A replica that is not in recovery (promoted after a failover, or the primary itself under
 * another URL) has, by definition, everything it will ever have: it is read as it is.
 */
export const CONSISTENCY_TOKEN_HEADER = 'X-Consistency-Token';

/** A WAL position as PostgreSQL prints a `pg_lsn`: two hexadecimal halves. */
const LSN_PATTERN = /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i;

/** A WAL position as one number, for comparing. Throws for text that is not one. */
export function lsnValue(lsn: string): bigint {
  if (!LSN_PATTERN.test(lsn)) throw new Error(`"${lsn}" is not a WAL position.`);
  const [high, low] = lsn.split('/') as [string, string];
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
}

/** Whether position `a` is at or after position `b`. */
export function lsnAtOrAfter(a: string, b: string): boolean {
  return lsnValue(a) >= lsnValue(b);
}

/** The token a request sent back, if any; a malformed one is refused (400), naming the header. */
export function consistencyTokenOf(header: string | null): string | undefined {
  if (header === null || header.trim() === '') return undefined;
  const token = header.trim();
  if (!LSN_PATTERN.test(token)) {
    throw new AppError(
      'validation',
      'platform.invalid_consistency_token',
      `${CONSISTENCY_TOKEN_HEADER} must be a token from an earlier response, such as "0/3A1F2B8".`,
      { errors: [{ path: `header.${CONSISTENCY_TOKEN_HEADER}`, message: 'Invalid consistency token' }] },
    );
  }
  return token.toUpperCase();
}

/** Whether reads may go to a database other than the primary. */
export function hasReadReplica(): boolean {
  return replicaDb() !== primaryDb();
}

/**
 * The primary's WAL insert position: at or after the end of every transaction that committed
 * before the call (whatever `synchronous_commit` says), so a replica that has replayed up to it
 * shows all of them.
 */
export async function writePosition(primary: Db = primaryDb()): Promise<string> {
  const result = await sql<{ lsn: string }>`select pg_current_wal_insert_lsn()::text as lsn`.execute(primary);
  return result.rows[0]!.lsn;
}

/**
 * How far the replica has replayed the primary's WAL; null when it is not a standby (it has all it
 * will get).
 */
export async function replayPosition(replica: Db = replicaDb()): Promise<string | null> {
  const result = await sql<{ standby: boolean; lsn: string | null }>`
    select pg_is_in_recovery() as standby, pg_last_wal_replay_lsn()::text as lsn`.execute(replica);
  const row = result.rows[0];
  return row?.standby && row.lsn ? row.lsn : null;
}

/** Whether the replica shows everything up to `position`. */
export async function replicaHasReplayed(position: string, replica: Db = replicaDb()): Promise<boolean> {
  const replayed = await replayPosition(replica);
  return replayed === null || lsnAtOrAfter(replayed, position);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The database for a read that must show everything up to `position` (a consistency token): the
 * replica once it has replayed that far (waiting up to `waitMs` for it), else the primary. With no
 * position, or no replica, the replica (which is then the primary).
 */
export async function readDbAfter(
  position: string | undefined,
  options: { waitMs?: number; pollMs?: number } = {},
): Promise<Db> {
  const replica = replicaDb();
  if (position === undefined || !hasReadReplica()) return replica;
  const deadline = Date.now() + (options.waitMs ?? 0);
  for (;;) {
    if (await replicaHasReplayed(position, replica)) return replica;
    if (Date.now() >= deadline) return primaryDb();
    await sleep(Math.min(options.pollMs ?? 50, Math.max(1, deadline - Date.now())));
  }
}

/** How long background work waits for the replica to catch up before it reads the primary. */
export const CATCH_UP_WAIT_MS = 5_000;

/**
 * The database for background work that must reflect everything committed before it began (a
 * report run requested right after a posting): the replica once it has reached the primary's
 * position now, waiting up to `waitMs`; else the primary.
 */
export async function upToDateReadDb(waitMs: number = CATCH_UP_WAIT_MS): Promise<Db> {
  if (!hasReadReplica()) return replicaDb();
  return readDbAfter(await writePosition(primaryDb()), { waitMs });
}
