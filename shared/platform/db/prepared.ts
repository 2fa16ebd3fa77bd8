import type pg from 'pg';

/**
 * Named prepared statements for the statements the app sends again and again. PostgreSQL parses,
 * rewrites (row-level security adds its policies here) and plans every unnamed statement anew; for
 * the short statements of a request that costs more than running them (a tenant's order takes
 * about 3 ms of planning on the server, against 2 ms of execution). A statement with parameters
 * that this process has sent before goes as a named statement: each connection parses it once and
 * afterwards sends only its parameters, and the server keeps its plan (a generic plan once it costs
 * no more than the custom ones, as PostgreSQL decides for any prepared statement).
 *
 * Bounded on both sides: a statement is named on its second use (one-off statements, such as an IN
 * list of an unusual length, stay unnamed), the process names at most `NAMES_MAX` statements, and
 * a connection prepares at most `PER_CONNECTION_MAX` of them (the server holds each one's plan for
 * the life of the connection); past either bound a statement goes unnamed, as before.
 *
 * A schema change (a migration adding a column while the app runs) makes the server refuse a
 * prepared statement whose result columns changed ("cached plan must not change result type",
 * SQLSTATE 0A000). The transaction fails as on a serialization failure and is run again (see
 * `transientFailure`); the connection drops its prepared statements (`DEALLOCATE ALL`, sent before
 * its next statement outside the failed transaction) and prepares them again on the new schema.
 *
 * Off (`DATABASE_PREPARED_STATEMENTS=false`) behind a pooler that does not keep a session's
 * prepared statements across transactions (PgBouncer in transaction mode before 1.21, or without
 * `max_prepared_statements`).
 */

const NAMES_MAX = 2_000;
const PER_CONNECTION_MAX = 200;
const SEEN_MAX = 10_000;

/** SQLSTATE 0A000 with this message: a prepared statement's result columns changed under it. */
export function isStalePlan(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    (error as { code?: unknown }).code === '0A000' &&
    /cached plan must not change result type/.test(error.message)
  );
}

type Query = (text: unknown, values?: unknown, callback?: unknown) => unknown;

interface Registry {
  /** Statements sent once, not named yet. */
  seen: Set<string>;
  names: Map<string, string>;
}

interface ConnectionState {
  prepared: Set<string>;
  /** A prepared statement went stale: drop them all before the next statement. */
  deallocate: boolean;
}

/** The parsed-statement book node-postgres keeps per connection (not part of its typed API). */
interface ConnectionInternals {
  connection?: { parsedStatements?: Record<string, string> };
}

const patched = new WeakSet<object>();

function nameFor(registry: Registry, text: string): string | undefined {
  const known = registry.names.get(text);
  if (known) return known;
  if (!registry.seen.has(text)) {
    if (registry.seen.size >= SEEN_MAX) registry.seen.clear();
    registry.seen.add(text);
    return undefined;
  }
  if (registry.names.size >= NAMES_MAX) return undefined;
  registry.seen.delete(text);
  const name = `tessera_${registry.names.size + 1}`;
  registry.names.set(text, name);
  return name;
}

function prepareStatements(
  client: pg.PoolClient | pg.Client,
  registry: Registry,
  perConnectionMax: number,
): void {
  if (patched.has(client)) return;
  patched.add(client);
  const original = client.query.bind(client) as Query;
  const state: ConnectionState = { prepared: new Set(), deallocate: false };

  const forgetAll = () => {
    state.prepared.clear();
    const internals = (client as unknown as ConnectionInternals).connection;
    if (internals?.parsedStatements) internals.parsedStatements = {};
  };

  const query: Query = (text, values, callback) => {
    if (state.deallocate && !(typeof text === 'string' && text.trim() === 'rollback')) {
      // Outside the failed transaction now (its ROLLBACK went through above): the server drops
      // every prepared statement of this connection, the client forgets it parsed them.
      state.deallocate = false;
      forgetAll();
      void (original('deallocate all') as Promise<unknown>).catch(() => undefined);
    }
    const named =
      typeof text === 'string' && callback === undefined && Array.isArray(values) && values.length > 0;
    if (!named) return original(text, values, callback);
    let name = nameFor(registry, text);
    if (name && !state.prepared.has(name)) {
      if (state.prepared.size >= perConnectionMax) name = undefined;
      else state.prepared.add(name);
    }
    if (!name) return original(text, values);
    const sent = original({ name, text, values }) as Promise<unknown>;
    return sent.catch((error: unknown) => {
      if (isStalePlan(error)) state.deallocate = true;
      throw error;
    });
  };
  (client as unknown as { query: Query }).query = query;
}

/**
 * Every connection the pool opens sends the statements this pool has sent before as named prepared
 * statements (see above). Apply before `createDb` adds its own layer, so that layer's statements
 * reach this one.
 */
export function withPreparedStatements<P extends pg.Pool>(
  pool: P,
  options: { perConnectionMax?: number } = {},
): P {
  const registry: Registry = { seen: new Set(), names: new Map() };
  const perConnectionMax = options.perConnectionMax ?? PER_CONNECTION_MAX;
  pool.on('connect', (client) => prepareStatements(client, registry, perConnectionMax));
  return pool;
}
