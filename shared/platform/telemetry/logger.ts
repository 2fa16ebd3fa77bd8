import { isSpanContextValid, trace } from '@opentelemetry/api';
import { settings } from '../config.js';

/**
 * Structured logs: one JSON object per line, with the level, the message, the logger's bound
 * fields (tenant, request, …), the call's fields, and the trace and span ids of the active span so
 * a line can be found from its trace in Application Insights and the other way round.
 *
 * Secrets never reach a line: fields whose names say credential, token, password, key, secret,
 * signature or cookie are replaced, and strings that look like a bearer token, a connection
 * string key or a SAS signature are masked wherever they appear.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger that adds `bindings` to every line (a call's fields win over bound ones). */
  child(bindings: LogFields): Logger;
}

/** Where lines go: the console by default, so the Functions worker forwards them to the host. */
export type LogSink = (level: LogLevel, line: string) => void;

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// Limits on what one line may hold, so a careless field cannot flood the log pipeline.
const DEPTH_MAX = 6;
const STRING_LENGTH_MAX = 2_000;
const ARRAY_ITEMS_MAX = 50;
const OBJECT_KEYS_MAX = 50;
const STACK_LINES_MAX = 15;
const LINE_LENGTH_MAX = 16_384;

const REDACTED = '[redacted]';
const SECRET_KEY =
  /passw(or)?d|^pwd$|secret|token|authori[sz]ation|cookie|credential|api[-_]?key|account[-_]?key|access[-_]?key|private[-_]?key|connection[-_]?string|^sig$|signature|^code$/i;
const SECRET_TEXT: [RegExp, string][] = [
  [/\bBearer\s+[A-Za-z0-9._~+/=-]+/gi, `Bearer ${REDACTED}`],
  [/\b(AccountKey|SharedAccessKey|SharedAccessSignature|Password|Pwd)=[^;\s]*/gi, `$1=${REDACTED}`],
  [/([?&]sig=)[^&\s]*/gi, `$1${REDACTED}`],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, REDACTED],
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@/\s]+@/gi, `$1${REDACTED}@`],
];

const consoleSink: LogSink = (level, line) => {
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else if (level === 'debug') console.debug(line);
  else console.info(line);
};

let sink: LogSink = consoleSink;

/** Sends lines somewhere else (tests); `undefined` restores the console. */
export function configureLogSink(next: LogSink | undefined): void {
  sink = next ?? consoleSink;
}

function threshold(): number {
  try {
    return LEVEL_RANK[settings().LOG_LEVEL];
  } catch {
    // Logging must work even when the settings do not parse; that error is reported elsewhere.
    return LEVEL_RANK.info;
  }
}

class JsonLogger implements Logger {
  readonly #bindings: LogFields;

  constructor(bindings: LogFields) {
    this.#bindings = bindings;
  }

  debug(message: string, fields?: LogFields): void {
    this.#write('debug', message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.#write('info', message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.#write('warn', message, fields);
  }
  error(message: string, fields?: LogFields): void {
    this.#write('error', message, fields);
  }
  child(bindings: LogFields): Logger {
    return new JsonLogger({ ...this.#bindings, ...bindings });
  }

  #write(level: LogLevel, message: string, fields: LogFields | undefined): void {
    if (LEVEL_RANK[level] < threshold()) return;
    try {
      sink(level, formatLine(level, message, { ...this.#bindings, ...fields }));
    } catch {
      // A log line that cannot be written must never fail the work that wrote it.
    }
  }
}

/** One log line as JSON; exported for the tests of its limits and redaction. */
export function formatLine(level: LogLevel, message: string, fields: LogFields): string {
  const entry: Record<string, unknown> = {
    time: new Date().toISOString(),
    level,
    message: maskText(message),
  };
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext && isSpanContextValid(spanContext)) {
    entry.traceId = spanContext.traceId;
    entry.spanId = spanContext.spanId;
  }
  const seen = new WeakSet<object>();
  let keys = 0;
  for (const [key, value] of Object.entries(fields)) {
    if (key in entry) continue;
    if (++keys > OBJECT_KEYS_MAX) break;
    entry[key] = SECRET_KEY.test(key) ? REDACTED : clean(value, 1, seen);
  }
  const line = JSON.stringify(entry);
  if (line.length <= LINE_LENGTH_MAX) return line;
  // Too long: keep what identifies the line and say that the fields were dropped.
  return JSON.stringify({
    time: entry.time,
    level,
    message: truncate(String(entry.message)),
    traceId: entry.traceId,
    spanId: entry.spanId,
    truncated: true,
  });
}

function clean(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (value === null || value === undefined) return value;
  switch (typeof value) {
    case 'string':
      return truncate(maskText(value));
    case 'number':
    case 'boolean':
      return value;
    case 'bigint':
      return value.toString();
    case 'function':
    case 'symbol':
      return undefined;
  }
  const object = value as object;
  if (seen.has(object)) return '[circular]';
  if (depth > DEPTH_MAX) return '[too deep]';
  seen.add(object);
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  if (object instanceof Error) return cleanError(object, depth, seen);
  if (Buffer.isBuffer(object) || ArrayBuffer.isView(object)) return `[${object.byteLength} bytes]`;
  if (Array.isArray(object)) {
    const items = object.slice(0, ARRAY_ITEMS_MAX).map((item) => clean(item, depth + 1, seen));
    if (object.length > ARRAY_ITEMS_MAX) items.push(`[${object.length - ARRAY_ITEMS_MAX} more]`);
    return items;
  }
  if (object instanceof Map) return clean(Object.fromEntries(object), depth, seen);
  if (object instanceof Set) return clean([...object], depth, seen);
  const out: Record<string, unknown> = {};
  let keys = 0;
  for (const [key, item] of Object.entries(object)) {
    if (++keys > OBJECT_KEYS_MAX) {
      out['…'] = 'more keys';
      break;
    }
    out[key] = SECRET_KEY.test(key) ? REDACTED : clean(item, depth + 1, seen);
  }
  return out;
}

function cleanError(error: Error, depth: number, seen: WeakSet<object>): Record<string, unknown> {
  const out: Record<string, unknown> = { name: error.name, message: truncate(maskText(error.message)) };
  const extra = error as Error & { code?: unknown; statusCode?: unknown; status?: unknown };
  if (typeof extra.code === 'string' || typeof extra.code === 'number') out.code = extra.code;
  const status = extra.statusCode ?? extra.status;
  if (typeof status === 'number') out.status = status;
  if (error.stack) {
    out.stack = maskText(error.stack.split('\n').slice(0, STACK_LINES_MAX).join('\n'));
  }
  if (error.cause !== undefined) out.cause = clean(error.cause, depth + 1, seen);
  return out;
}

function maskText(text: string): string {
  let masked = text;
  for (const [pattern, replacement] of SECRET_TEXT) masked = masked.replace(pattern, replacement);
  return masked;
}

function truncate(text: string): string {
  return text.length > STRING_LENGTH_MAX ? `${text.slice(0, STRING_LENGTH_MAX)}…` : text;
}

const root: Logger = new JsonLogger({});

/**
 * The app's root logger. Call it (`logger().child({ requestId })`) or use it directly
 * (`logger.child({ tenantId })`, `logger.info(…)`): both forms write through the same root.
 */
export const logger: (() => Logger) & Logger = Object.assign(() => root, {
  debug: (message: string, fields?: LogFields) => root.debug(message, fields),
  info: (message: string, fields?: LogFields) => root.info(message, fields),
  warn: (message: string, fields?: LogFields) => root.warn(message, fields),
  error: (message: string, fields?: LogFields) => root.error(message, fields),
  child: (bindings: LogFields) => root.child(bindings),
});
