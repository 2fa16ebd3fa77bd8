import pg from 'pg';

/**
 * Fewer round trips per transaction. Every unit of work here is a transaction whose first statement
 * sets the role and tenant, and every idempotent request claims its key next and ends by storing
 * its answer; a round trip costs a wait on the server and on this process's event loop, and the
 * last ones are taken while the row locks of a document number are held. So a pooled connection:
 *
 * - holds BEGIN back, and statements marked `WITH_NEXT` (the role and tenant statement), and sends
 *   them with the next statement that has no parameters: one simple query,
 *   `begin; select set_config(…); insert into idempotency_keys …`, answered with the last
 *   statement's result. Before a statement with parameters they go on their own (the client keeps
 *   the order), and their error, if any, is that statement's;
 * - keeps statements marked `AT_COMMIT` (parameterless, literals escaped) back until COMMIT, and
 *   sends them with it: `update idempotency_keys …; commit`. If one fails, the server skips the
 *   COMMIT, the transaction rolls back and the error is the caller's, as for any statement;
 * - answers a ROLLBACK of a transaction that never reached the server itself.
 *
 * Only the query strings that Kysely's PostgreSQL driver sends for transaction control are
 * recognised; everything else passes through unchanged, in order.
 */

/** A statement starting with this comment (no parameters, no result wanted) travels with the next. */
export const WITH_NEXT = '/* with next */';

/** A statement starting with this comment runs with the COMMIT of its transaction. */
export const AT_COMMIT = '/* at commit */';

/** A string as an SQL literal, for statements that must carry no parameters. */
export const literal = (value: string): string => pg.escapeLiteral(value);

interface State {
  /** Statements held back for the next one: BEGIN (if the server has not seen it) and `WITH_NEXT`. */
  held: string[];
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
  const state: State = { held: [], inTransaction: false, atCommit: [] };
  const send = async (text: string) => last(await (original(text) as Promise<unknown>));
  const takeHeld = (): string[] => {
    const held = state.held;
    state.held = [];
    return held;
  };

  const query: Query = (text, values, callback) => {
    const plain =
      typeof text === 'string' &&
      callback === undefined &&
      (values === undefined || (Array.isArray(values) && values.length === 0));
    if (!plain) {
      // Parameters, a cursor or a callback: what was held goes first on its own (the client keeps
      // order), and its failure is this statement's.
      if (state.held.length === 0) return original(text, values, callback);
      const held = original(takeHeld().join(';\n')) as Promise<unknown>;
      const own = original(text, values, callback);
      if (!(own instanceof Promise)) {
        void held.catch(() => undefined);
        return own;
      }
      return held.then(
        () => own,
        (error: unknown) => {
          void own.catch(() => undefined);
          throw error;
        },
      );
    }
    const sql = text.trim();
    if (BEGIN.test(sql)) {
      state.held = [sql];
      state.inTransaction = true;
      state.atCommit = [];
      return Promise.resolve(result('BEGIN'));
    }
    if (sql === 'commit') {
      const before = [...takeHeld(), ...state.atCommit];
      state.atCommit = [];
      state.inTransaction = false;
      return before.length === 0 ? original(text) : send(`${before.join(';\n')};\ncommit`);
    }
    if (sql === 'rollback') {
      // BEGIN still held: the server knows nothing of the transaction.
      const unstarted = BEGIN.test(takeHeld()[0] ?? '');
      state.atCommit = [];
      state.inTransaction = false;
      return unstarted ? Promise.resolve(result('ROLLBACK')) : original(text);
    }
    if (state.inTransaction && sql.startsWith(AT_COMMIT)) {
      state.atCommit.push(sql);
      return Promise.resolve(result('UPDATE'));
    }
    if (state.inTransaction && sql.startsWith(WITH_NEXT)) {
      state.held.push(sql);
      return Promise.resolve(result('SELECT'));
    }
    if (state.held.length > 0) return send(`${takeHeld().join(';\n')};\n${sql}`);
    return original(text);
  };
  (client as unknown as { query: Query }).query = query;
}

/** Every client the pool opens sends fewer round trips (see `fewerRoundTrips`). */
export function withFewerRoundTrips<P extends pg.Pool>(pool: P): P {
  pool.on('connect', (client) => fewerRoundTrips(client));
  return pool;
}
