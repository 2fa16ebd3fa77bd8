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
const devhost = await startDevhost({ port: 0, dataDir, blobInMemory: true, log: () => undefined });
process.stdout.write(`${JSON.stringify({ url: devhost.url })}\n`);
process.on('SIGTERM', () => void devhost.stop().then(() => process.exit(0)));
