/**
 * Runs a devhost in a process of its own, for tests that kill it: `node --import tsx
 * tests/support/devhost-process.ts <dataDir>`. Prints one JSON line with the URL when it serves.
 * Uses DATABASE_URL when set, otherwise PGlite under dataDir.
 */
import { installFunctionsCore } from '../../devhost/functions-core.js';

installFunctionsCore();
const { startDevhost } = await import('../../devhost/devhost.js');
const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: devhost-process.ts <dataDir>');
// Short leases, so that what the killed process held is taken over in seconds rather than a minute.
const leaseMs = Number(process.env.DEVHOST_LEASE_MS ?? 60_000);
const devhost = await startDevhost({ port: 0, dataDir, blobInMemory: true, leaseMs, log: () => undefined });
process.stdout.write(`${JSON.stringify({ url: devhost.url })}\n`);
process.on('SIGTERM', () => void devhost.stop().then(() => process.exit(0)));
