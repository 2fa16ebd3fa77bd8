import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type AzuriteInstance } from '../../devhost/blob/azurite.js';

/** Handles that outlive a stopped server would keep a test process (or the devhost) from exiting. */
function serverHandles(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) {
    if (name === 'TCPServerWrap' || name === 'TCPSocketWrap' || name === 'Timeout')
      counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** No kind of handle is more numerous than before (one that was pending before may have ended since). */
function expectNoMoreHandles(before: Record<string, number>): void {
  const after = serverHandles();
  for (const kind of ['TCPServerWrap', 'TCPSocketWrap', 'Timeout']) {
    expect(after[kind] ?? 0, kind).toBeLessThanOrEqual(before[kind] ?? 0);
  }
}

async function settle(): Promise<void> {
  // Sockets closed by the server finish closing on the client side a tick or two later.
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('Azurite in-process', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'tessera-azurite-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stores and reads back a blob through @azure/storage-blob on a free port', async () => {
    const azurite = await startAzurite();
    try {
      expect(azurite.blobEndpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
      const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
      const container = service.getContainerClient('attachments');
      await container.create();
      const body = 'Quote Q-2026-000001, 3 lines';
      await container.getBlockBlobClient('tenant-a/quote.txt').upload(body, Buffer.byteLength(body), {
        blobHTTPHeaders: { blobContentType: 'text/plain' },
      });
      const read = await container.getBlobClient('tenant-a/quote.txt').downloadToBuffer();
      expect(read.toString('utf8')).toBe(body);
      const properties = await container.getBlobClient('tenant-a/quote.txt').getProperties();
      expect(properties.contentType).toBe('text/plain');
    } finally {
      await azurite.stop();
    }
  });

  it('keeps blobs across a restart when given a location', async () => {
    const location = path.join(dir, 'persisted');
    const first = await startAzurite({ location });
    const service = BlobServiceClient.fromConnectionString(first.connectionString);
    await service.getContainerClient('reports').create();
    await service
      .getContainerClient('reports')
      .getBlockBlobClient('trial-balance.csv')
      .upload('account,debit,credit\n', 21);
    await expect(startAzurite({ location })).rejects.toThrow(/already running/);
    await first.stop();

    const second = await startAzurite({ location });
    try {
      const again = BlobServiceClient.fromConnectionString(second.connectionString);
      const read = await again
        .getContainerClient('reports')
        .getBlobClient('trial-balance.csv')
        .downloadToBuffer();
      expect(read.toString('utf8')).toBe('account,debit,credit\n');
    } finally {
      await second.stop();
    }
  });

  it('forgets everything in memory, and instances do not share memory', async () => {
    const a = await startAzurite({ inMemory: true });
    const b = await startAzurite({ inMemory: true });
    try {
      expect(a.blobEndpoint).not.toBe(b.blobEndpoint);
      const serviceA = BlobServiceClient.fromConnectionString(a.connectionString);
      await serviceA.getContainerClient('scratch').create();
      const serviceB = BlobServiceClient.fromConnectionString(b.connectionString);
      expect(await serviceB.getContainerClient('scratch').exists()).toBe(false);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    const c = await startAzurite({ inMemory: true });
    try {
      const serviceC = BlobServiceClient.fromConnectionString(c.connectionString);
      expect(await serviceC.getContainerClient('scratch').exists()).toBe(false);
    } finally {
      await c.stop();
    }
  });

  it('starts and stops many times in one process and leaves no server, socket or timer behind', async () => {
    await settle();
    const before = serverHandles();
    for (let i = 0; i < 6; i++) {
      const azurite: AzuriteInstance = await startAzurite(
        i % 2 === 0 ? {} : { location: path.join(dir, `cycle-${i}`) },
      );
      const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
      await service.getContainerClient(`cycle-${i}`).create();
      await azurite.stop();
      // A second stop is harmless.
      await azurite.stop();
    }
    await settle();
    expectNoMoreHandles(before);
  });

  it('refuses a port that is taken and cleans up after itself', async () => {
    const first = await startAzurite();
    const port = Number(new URL(first.blobEndpoint).port);
    try {
      await settle();
      const before = serverHandles();
      await expect(startAzurite({ port })).rejects.toThrow(/EADDRINUSE/);
      await settle();
      expectNoMoreHandles(before);
    } finally {
      await first.stop();
    }
  });
});
