/**
 * Runs a devhost in a process of its own, for tests that kill it: `node --import tsx
 * tests/support/devhost-process.ts <dataDir>`. Prints one JSON line with the URL when it serves.
 * Uses DATABASE_URL when set, otherwise PGlite under dataDir.
 *
 * DEVHOST_DEMO_DATA=false starts with empty books, as in-process test devhosts do.
 * DEVHOST_STOP_ON (a regular expression) makes the process stop itself (SIGSTOP) the moment the
 * devhost logs a matching line, after printing `{ "stopped": line }`: a test kills it at exactly
 * that point, say right after a flow's activity was recorded as completed.
 */
import { installFunctionsCore } from '../../devhost/functions-core.js';

installFunctionsCore();
const { startDevhost } = await import('../../devhost/devhost.js');
const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: devhost-process.ts <dataDir>');
// Short leases, so that what the killed process held is taken over in seconds rather than a minute.
const leaseMs = Number(process.env.DEVHOST_LEASE_MS ?? 60_000);
const stopOn = process.env.DEVHOST_STOP_ON ? new RegExp(process.env.DEVHOST_STOP_ON) : undefined;
const devhost = await startDevhost({
  port: 0,
  dataDir,
  blobInMemory: true,
  leaseMs,
  demoData: process.env.DEVHOST_DEMO_DATA !== 'false',
  log: ({ message }) => {
    if (!stopOn?.test(message)) return;
    process.stdout.write(`${JSON.stringify({ stopped: message })}\n`);
    process.kill(process.pid, 'SIGSTOP');
  },
});
process.stdout.write(`${JSON.stringify({ url: devhost.url })}\n`);
process.on('SIGTERM', () => void devhost.stop().then(() => process.exit(0)));
