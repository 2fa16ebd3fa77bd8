import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, expect, it } from 'vitest';
import { apiClient } from '../support/devhost.js';
import { createTestDatabase, type TestDatabase } from '../support/db.js';

const children = new Set<ChildProcess>();
let dataDir: string;
let database: TestDatabase | undefined;

afterEach(() => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
});
afterAll(async () => {
  await database?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** Starts a devhost process over the shared data (PGlite folder or the test database). */
async function startProcess(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/support/devhost-process.ts', dataDir], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.add(child);
  const line = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`devhost exited with ${code} before serving`)));
  });
  return { child, url: (JSON.parse(line) as { url: string }).url };
}

async function kill(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
  children.delete(child);
}

async function token(url: string, tenant: string, user: string, roles: string[]): Promise<string> {
  const response = await fetch(`${url}/api/dev/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ tenant, user, roles }),
  });
  return ((await response.json()) as { accessToken: string }).accessToken;
}

async function waitFor<T>(probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}

it('finishes a flow whose devhost was killed right after acknowledging it, doing no step twice', async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'tessera-crash-'));
  const env: NodeJS.ProcessEnv = { DEVHOST_LEASE_MS: '3000', DEVHOST_DEMO_DATA: 'false' };
  if (process.env.DATABASE_URL) {
    database = await createTestDatabase();
    env.DATABASE_URL = database.url;
  }

  // Start onboarding, and kill the devhost as soon as the request is acknowledged.
  const first = await startProcess(env);
  const operator = apiClient(first.url, await token(first.url, 'demo', 'olivia', ['Platform.Operator']));
  const slug = `crash-${randomUUID().slice(0, 8)}`;
  const started = await operator.post('/api/v1/admin/tenants', {
    slug,
    name: 'Crash Test (Pty) Ltd',
    entraTenantId: randomUUID(),
    baseCurrency: 'ZAR',
    locale: 'en-ZA',
    timeZone: 'Africa/Johannesburg',
    fiscalYearStartMonth: 3,
    approvalThreshold: '1000.00',
  });
  expect(started.status).toBe(202);
  const location = started.headers.get('location') as string;
  await kill(first.child);

  // A new devhost over the same data finishes the flow.
  const second = await startProcess(env);
  const operatorAgain = apiClient(
    second.url,
    await token(second.url, 'demo', 'olivia', ['Platform.Operator']),
  );
  const status = await waitFor(async () => {
    const response = await operatorAgain.get(location);
    return response.body.runtimeStatus === 'Completed' ? response.body : undefined;
  }, 90_000);
  expect(status.output).toMatchObject({ slug });

  // Each step's effect exists once: one onboarding record, one announcement.
  const admin = apiClient(second.url, await token(second.url, slug, 'first-admin', ['Admin']));
  const audit = await admin.get('/api/v1/admin/audit?action=tenant.onboarded');
  expect(audit.status).toBe(200);
  expect(audit.body.items).toHaveLength(1);
  await kill(second.child);
}, 180_000);
