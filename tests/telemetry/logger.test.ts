import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { resetSettings } from '../../shared/platform/config.js';
import {
  configureLogSink,
  formatLine,
  logger,
  type LogLevel,
} from '../../shared/platform/telemetry/logger.js';
import { withSpan } from '../../shared/platform/telemetry/tracing.js';
import { spanNamed, startLocalTelemetry } from './support.js';

const capture = startLocalTelemetry();
const lines: { level: LogLevel; entry: Record<string, unknown>; raw: string }[] = [];
configureLogSink((level, raw) =>
  lines.push({ level, entry: JSON.parse(raw) as Record<string, unknown>, raw }),
);

const savedLevel = process.env.LOG_LEVEL;
afterEach(() => {
  lines.length = 0;
  if (savedLevel === undefined) delete process.env.LOG_LEVEL;
  else process.env.LOG_LEVEL = savedLevel;
  resetSettings();
});
afterAll(() => {
  configureLogSink(undefined);
  capture.dispose();
});

describe('logger', () => {
  it('writes one JSON line with bound fields and the active trace and span ids', async () => {
    const log = logger.child({ tenantId: 't-1', requestId: 'r-1' });
    await withSpan('sales.create-order', {}, async () => {
      log.info('order created', { orderId: 'o-1' });
    });
    const span = spanNamed(capture.spans(), 'sales.create-order');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.level).toBe('info');
    expect(lines[0]?.raw).not.toContain('\n');
    expect(lines[0]?.entry).toMatchObject({
      level: 'info',
      message: 'order created',
      tenantId: 't-1',
      requestId: 'r-1',
      orderId: 'o-1',
      traceId: span.spanContext().traceId,
      spanId: span.spanContext().spanId,
    });
    expect(typeof lines[0]?.entry.time).toBe('string');
  });

  it('works called as a function too, and carries no trace ids outside a span', () => {
    logger().child({ function: 'outbox-relay' }).warn('relay failed; the timer will retry');
    expect(lines[0]?.entry).toMatchObject({ level: 'warn', function: 'outbox-relay' });
    expect(lines[0]?.entry).not.toHaveProperty('traceId');
  });

  it('honours LOG_LEVEL', () => {
    process.env.LOG_LEVEL = 'warn';
    resetSettings();
    logger.debug('hidden');
    logger.info('hidden');
    logger.warn('shown');
    logger.error('shown too');
    expect(lines.map((line) => line.level)).toEqual(['warn', 'error']);

    process.env.LOG_LEVEL = 'debug';
    resetSettings();
    logger.debug('now shown');
    expect(lines.at(-1)?.entry.message).toBe('now shown');
  });

  it('never writes secrets or tokens', () => {
    const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJlLWJ5dGVz';
    logger.info(`calling with Bearer ${jwt}`, {
      authorization: `Bearer ${jwt}`,
      password: 'hunter2',
      nested: { clientSecret: 's3cr3t', connectionString: 'x', list: [{ accessToken: 'abc' }] },
      url: 'https://acct.blob.core.windows.net/reports/a.csv?sv=2025-11-05&sp=r&sig=AbCdEf%3D',
      storage:
        'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0a2V5;EndpointSuffix=core.windows.net',
      database: 'postgres://tessera_app:pa55word@db.internal:5432/tessera',
      idempotencyKey: 'keeps-its-value',
    });
    const raw = lines[0]?.raw ?? '';
    for (const secret of [jwt, 'hunter2', 's3cr3t', 'abc"', 'AbCdEf', 'c2VjcmV0a2V5', 'pa55word']) {
      expect(raw).not.toContain(secret);
    }
    expect(lines[0]?.entry).toMatchObject({
      message: 'calling with Bearer [redacted]',
      authorization: '[redacted]',
      password: '[redacted]',
      nested: {
        clientSecret: '[redacted]',
        connectionString: '[redacted]',
        list: [{ accessToken: '[redacted]' }],
      },
      url: 'https://acct.blob.core.windows.net/reports/a.csv?sv=2025-11-05&sp=r&sig=[redacted]',
      database: 'postgres://tessera_app:[redacted]@db.internal:5432/tessera',
      idempotencyKey: 'keeps-its-value',
    });
  });

  it('writes errors with name, message, code and a short stack, and survives cycles and huge values', () => {
    const cause = new Error('connection reset');
    const error = Object.assign(new Error('publish failed', { cause }), { code: 'ServiceUnavailable' });
    const cyclic: Record<string, unknown> = { name: 'cycle' };
    cyclic.self = cyclic;
    logger.error('outbox relay failed', {
      error,
      cyclic,
      big: 'x'.repeat(10_000),
      many: Array.from({ length: 500 }, (_, i) => i),
    });
    const entry = lines[0]?.entry as Record<string, Record<string, unknown>>;
    expect(entry.error).toMatchObject({
      name: 'Error',
      message: 'publish failed',
      code: 'ServiceUnavailable',
    });
    expect(entry.error?.cause).toMatchObject({ message: 'connection reset' });
    expect(String(entry.error?.stack).split('\n').length).toBeLessThanOrEqual(15);
    expect(entry.cyclic).toEqual({ name: 'cycle', self: '[circular]' });
    expect(String(entry.big).length).toBeLessThanOrEqual(2_001);
    expect(entry.many).toHaveLength(51);
  });

  it('keeps a line within 16 KiB', () => {
    const fields = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`field${i}`, 'y'.repeat(1_900)]));
    const line = formatLine('info', 'wide', fields);
    expect(line.length).toBeLessThanOrEqual(16_384);
    expect(JSON.parse(line)).toMatchObject({ message: 'wide', truncated: true });
  });
});
