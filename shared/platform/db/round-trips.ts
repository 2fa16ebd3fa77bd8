import pg from 'pg';

/**
 * Fewer round trips per transaction. Every unit of work here is a transaction whose first statement
 * sets the role and tenant, and every idempotent request ends by storing its answer; a round trip
 * costs a wait on the server and on this process's event loop, and the last ones are taken while
 * the row locks of a document number are held. So a pooled connection:
 *
 * - holds BEGIN back and sends it with the next statement when that statement has no parameters
 *   (as the role and tenant statement has): one simple query, `begin; select set_config(…)`;
 * - keeps statements marked `AT_COMMIT` (parameterless, literals escaped) back until COMMIT, and
 *   sends them with it: `update idempotency_keys …; commit`. If one fails, the server skips the
 *   COMMIT, the transaction rolls back and the error is the caller's, as for any statement;
 * - answers a ROLLBACK of a transaction that never reached the server itself.
 *
 * Only the query strings that Kysely's PostgreSQL driver sends for transaction control are
 * recognised; everything else passes through unchanged, in order.
 */

/** A statement starting with this comment runs with the COMMIT of its transaction. */
export const AT_COMMIT = '/* at commit */';

/** A string as an SQL literal, for statements that must carry no parameters. */
export const literal = (value: string): string => pg.escapeLiteral(value);

interface State {
  begin: string | undefined;
  inTransaction: boolean;
  atCommit: string[];
}

type Query = (text: unknown, values?: unknown, callback?: unknown) => unknown;

const BEGIN = /^(begin|start transaction( [a-z ]+)?)$/;
const patched = new WeakSet<object>();

function result(command: string): pg.QueryResult {
  return { command, rowCount: 0, oid: 0, fields: [], rows: [] };
}

/** The last statement's result of a simple query that held several. */
function last(results: unknown): unknown {
  return Array.isArray(results) ? results[results.length - 1] : results;
}

export function fewerRoundTrips(client: pg.PoolClient | pg.Client): void {
  if (patched.has(client)) return;
  patched.add(client);
  const original = client.query.bind(client) as Query;
  const state: State = { begin: undefined, inTransaction: false, atCommit: [] };
  const send = async (text: string) => last(await (original(text) as Promise<unknown>));

  const query: Query = (text, values, callback) => {
    const plain =
      typeof text === 'string' &&
      callback === undefined &&
      (values === undefined || (Array.isArray(values) && values.length === 0));
    if (!plain) {
      // Parameters, a cursor or a callback: BEGIN goes first on its own (the client keeps order).
      if (state.begin !== undefined) {
        void (original(state.begin) as Promise<unknown>).catch(() => undefined);
        state.begin = undefined;
      }
      return original(text, values, callback);
    }
    const sql = text.trim();
    if (BEGIN.test(sql)) {
      state.begin = sql;
      state.inTransaction = true;
      state.atCommit = [];
      return Promise.resolve(result('BEGIN'));
    }
    if (sql === 'commit') {
      const before = [...(state.begin !== undefined ? [state.begin] : []), ...state.atCommit];
      state.begin = undefined;
      state.atCommit = [];
      state.inTransaction = false;
      return before.length === 0 ? original(text) : send(`${before.join(';\n')};\ncommit`);
    }
    if (sql === 'rollback') {
      state.atCommit = [];
      state.inTransaction = false;
      if (state.begin !== undefined) {
        state.begin = undefined;
        return Promise.resolve(result('ROLLBACK'));
      }
      return original(text);
    }
    if (sql.startsWith(AT_COMMIT) && state.inTransaction) {
      state.atCommit.push(sql);
      return Promise.resolve(result('UPDATE'));
    }
    if (state.begin !== undefined) {
      const begin = state.begin;
      state.begin = undefined;
      return send(`${begin};\n${sql}`);
    }
    return original(text);
  };
  (client as unknown as { query: Query }).query = query;
}

/** Every client the pool opens sends fewer round trips (see `fewerRoundTrips`). */
export function withFewerRoundTrips<P extends pg.Pool>(pool: P): P {
  pool.on('connect', (client) => fewerRoundTrips(client));
  return pool;
}
