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
 * - holds statements marked by `heldRead()` (parameterless reads whose rows are wanted, but not
 *   before the next statement) as it holds `WITH_NEXT`, and hands each its own result when they
 *   are sent (see `heldRead`);
 * - answers a ROLLBACK of a transaction that never reached the server itself.
 *
 * Only the query strings that Kysely's PostgreSQL driver sends for transaction control are
 * recognised; everything else passes through unchanged, in order.
 */

/** A statement starting with this comment (no parameters, no result wanted) travels with the next. */
export const WITH_NEXT = '/* with next */';

/** A statement starting with this comment runs with the COMMIT of its transaction. */
export const AT_COMMIT = '/* at commit */';

/** Reads that wait to travel with the next statement, by the number in their marker. */
const waitingReads = new Map<
  number,
  { resolve: (result: pg.QueryResult) => void; reject: (error: unknown) => void }
>();
let readsMade = 0;
const HELD_READ = /^\/\* held read (\d+) \*\//;

/** The rows a held read answers at once with: its own come with the next statement. */
export const HELD_ROWS: unknown[] = Object.freeze([] as unknown[]) as unknown[];

/**
 * A parameterless read that travels with the next statement of the transaction instead of on its
 * own: execute `${marker} select …` in the transaction (it answers at once, with no rows), and
 * `result` settles with its rows once it has been sent. Code that needs the rows before anything
 * else is sent reads them itself (in the same round trip as the held read). An answer other than
 * `HELD_ROWS` means the statement ran at once (no round-trip layer): `settle` the result with it.
 */
export function heldRead(): {
  marker: string;
  result: Promise<pg.QueryResult>;
  settle: (result: pg.QueryResult) => void;
} {
  const id = ++readsMade;
  let resolve!: (result: pg.QueryResult) => void;
  let reject!: (error: unknown) => void;
  const result = new Promise<pg.QueryResult>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A read nobody asks for (its transaction rolled back first) fails quietly.
  result.catch(() => undefined);
  waitingReads.set(id, { resolve, reject });
  return {
    marker: `/* held read ${id} */`,
    result,
    settle: (own) => {
      waitingReads.delete(id);
      resolve(own);
    },
  };
}

/** Hands the held reads among `statements` their results (or the batch's error). */
function answerReads(statements: string[], outcome: { results: unknown[] } | { error: unknown }): void {
  statements.forEach((statement, i) => {
    const match = HELD_READ.exec(statement);
    if (!match) return;
    const id = Number(match[1]);
    const waiting = waitingReads.get(id);
    if (!waiting) return;
    waitingReads.delete(id);
    if ('error' in outcome) waiting.reject(outcome.error);
    else waiting.resolve(outcome.results[i] as pg.QueryResult);
  });
}

/** A string as an SQL literal, for statements that must carry no parameters. */
export const literal = (value: string): string => pg.escapeLiteral(value);

interface State {
  /** Statements held back for the next one: BEGIN (if the server has not seen it), `WITH_NEXT` and held reads. */
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
  /** One simple query of several statements, answered with the last one's result. */
  const send = async (statements: string[]): Promise<unknown> => {
    const reads = statements.some((statement) => HELD_READ.test(statement));
    try {
      const results = await (original(statements.join(';\n')) as Promise<unknown>);
      if (reads) answerReads(statements, { results: Array.isArray(results) ? results : [results] });
      return last(results);
    } catch (error) {
      if (reads) answerReads(statements, { error });
      throw error;
    }
  };
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
      const held = send(takeHeld());
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
      return before.length === 0 ? original(text) : send([...before, 'commit']);
    }
    if (sql === 'rollback') {
      // BEGIN still held: the server knows nothing of the transaction.
      const held = takeHeld();
      answerReads(held, { error: new Error('The transaction ended before the read was sent.') });
      const unstarted = BEGIN.test(held[0] ?? '');
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
    if (state.inTransaction && HELD_READ.test(sql)) {
      state.held.push(sql);
      return Promise.resolve({ ...result('SELECT'), rows: HELD_ROWS });
    }
    if (state.held.length > 0) return send([...takeHeld(), sql]);
    return original(text);
  };
  (client as unknown as { query: Query }).query = query;
}

/** Every client the pool opens sends fewer round trips (see `fewerRoundTrips`). */
export function withFewerRoundTrips<P extends pg.Pool>(pool: P): P {
  pool.on('connect', (client) => fewerRoundTrips(client));
  return pool;
}
