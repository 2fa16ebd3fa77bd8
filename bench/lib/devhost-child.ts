/**
 * The devhost in a process of its own, as the benchmark runs it: `node --import tsx
 * bench/lib/devhost-child.ts`. It serves on PORT (the benchmark picks a free one, so it can time
 * the start from the spawn to the first answered request), over DATABASE_URL, with the demo
 * tenants but without their year of demo transactions, blobs in memory, timers on as under
 * `npm start`. Prints one JSON line `{ "bench": "ready", "url": … }` when it serves (the app's
 * own log lines go to stdout too, so the benchmark looks for that key); SIGTERM stops it cleanly.
 *
 * It counts the SQL statements its pool sends (every `query` call of a node-postgres client,
 * BEGIN and COMMIT included). On SIGUSR2 it prints `{ "bench": "statements", "statements": n }`, so the
 * benchmark can put the product's statements per order beside the baseline's.
 *
 * With BENCH_CAPTURE_SQL=<file> it also appends every statement's text to that file (one JSON
 * line each): how the raw-SQL baselines were checked against what the product really sends.
 */
import { appendFileSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { installFunctionsCore } from '../../devhost/functions-core.js';

let statements = 0;
const capture = process.env.BENCH_CAPTURE_SQL;
const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
const original = prototype.query;
prototype.query = function (this: unknown, ...args: unknown[]) {
  statements++;
  if (capture) {
    const first = args[0] as string | { text?: string };
    const text = typeof first === 'string' ? first : first?.text;
    if (text) appendFileSync(capture, `${JSON.stringify({ t: Date.now(), sql: text })}\n`);
  }
  return original.apply(this, args);
};
process.on('SIGUSR2', () => process.stdout.write(`${JSON.stringify({ bench: 'statements', statements })}\n`));

installFunctionsCore();
const { startDevhost } = await import('../../devhost/devhost.js');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'tessera-bench-devhost-'));
const devhost = await startDevhost({
  port: Number(process.env.PORT ?? 0),
  dataDir,
  blobInMemory: true,
  demoData: false,
  timers: process.env.BENCH_DEVHOST_TIMERS !== 'false',
});
process.stdout.write(`${JSON.stringify({ bench: 'ready', url: devhost.url })}\n`);
let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void devhost.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
});
