import { SpanKind, SpanStatusCode, context } from '@opentelemetry/api';
import type { CompiledQuery, LogEvent, Logger as KyselyLogger } from 'kysely';
import { tracer } from './tracing.js';

/**
 * A Kysely `log` hook that records each query as a client span, as Application Insights shows a
 * dependency call: `db.system=postgresql`, the operation, the table, and the SQL text with its `$n`
 * placeholders. Parameter values are never recorded: they are business data, and a tenant's data
 * must not leave through telemetry.
 *
 * A log hook rather than a plugin, because Kysely calls it for failed queries too (a plugin's
 * `transformResult` never runs for those) and with the measured duration. It runs in the caller's
 * async context, so the span's parent is the span active where the query was awaited.
 *
 * Use it when the Kysely instance is made: `new Kysely({ dialect, log: dbTelemetryLog() })`.
 */

const STATEMENT_LENGTH_MAX = 2_048;
// Statements that can carry a secret in their text (role passwords) are recorded by operation only.
const SECRET_STATEMENT = /\bpassword\b|\bsecret\b/i;

const OPERATIONS: Record<string, string> = {
  SelectQueryNode: 'SELECT',
  InsertQueryNode: 'INSERT',
  UpdateQueryNode: 'UPDATE',
  DeleteQueryNode: 'DELETE',
  MergeQueryNode: 'MERGE',
};

export interface DbTelemetryOptions {
  /** The database name, recorded as `db.name` (the target shown in Application Insights). */
  dbName?: string;
  /** Another log hook to call as well, such as Kysely's query logging during development. */
  next?: KyselyLogger;
}

export function dbTelemetryLog(options: DbTelemetryOptions = {}): KyselyLogger {
  return (event: LogEvent) => {
    recordQuery(event, options.dbName);
    return options.next?.(event);
  };
}

function recordQuery(event: LogEvent, dbName: string | undefined): void {
  const endMs = Date.now();
  const startMs = endMs - event.queryDurationMillis;
  const sqlText = event.query.sql;
  const operation = operationOf(event.query.query, sqlText);
  const table = tableOf(event.query.query);
  const span = tracer().startSpan(
    table ? `${operation} ${table}` : operation,
    {
      kind: SpanKind.CLIENT,
      startTime: startMs,
      attributes: {
        'db.system': 'postgresql',
        'db.operation': operation,
        ...(table ? { 'db.sql.table': table } : {}),
        ...(dbName ? { 'db.name': dbName } : {}),
        'db.statement': SECRET_STATEMENT.test(sqlText) ? operation : truncate(sqlText),
      },
    },
    context.active(),
  );
  if (event.level === 'error') {
    const error = event.error as { name?: unknown; code?: unknown; message?: unknown } | null | undefined;
    const name = typeof error?.name === 'string' ? error.name : 'Error';
    // The SQLSTATE says what went wrong; the message can quote values (a duplicate key's value), so
    // it stays out of telemetry.
    const code = typeof error?.code === 'string' ? error.code : undefined;
    if (code) span.setAttribute('db.response.status_code', code);
    span.recordException({ name, message: code ? `SQLSTATE ${code}` : name });
    span.setStatus({ code: SpanStatusCode.ERROR, message: code ? `SQLSTATE ${code}` : name });
  }
  span.end(endMs);
}

/** SELECT, INSERT, … from the query tree, or the statement's first keyword for raw SQL. */
export function operationOf(node: CompiledQuery['query'] | { kind: string }, sqlText: string): string {
  const known = OPERATIONS[node.kind];
  if (known) return known;
  const keyword = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*([A-Za-z]+)/.exec(sqlText)?.[1];
  return keyword ? keyword.toUpperCase().slice(0, 16) : 'QUERY';
}

/** The first table a query reads or writes, when the query tree names one. */
export function tableOf(node: unknown): string | undefined {
  const n = node as { kind?: string; from?: { froms?: unknown[] }; into?: unknown; table?: unknown };
  switch (n.kind) {
    case 'SelectQueryNode':
    case 'DeleteQueryNode':
      return tableName(n.from?.froms?.[0]);
    case 'InsertQueryNode':
      return tableName(n.into);
    case 'UpdateQueryNode':
      return tableName(n.table);
    default:
      return undefined;
  }
}

function tableName(node: unknown): string | undefined {
  const n = node as
    { kind?: string; node?: unknown; table?: { identifier?: { name?: unknown } } } | undefined;
  if (n?.kind === 'AliasNode') return tableName(n.node);
  if (n?.kind !== 'TableNode') return undefined;
  const name = n.table?.identifier?.name;
  return typeof name === 'string' ? name : undefined;
}

function truncate(text: string): string {
  return text.length > STATEMENT_LENGTH_MAX ? `${text.slice(0, STATEMENT_LENGTH_MAX)}…` : text;
}
