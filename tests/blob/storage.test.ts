import { BlobServiceClient, type UserDelegationKey } from '@azure/storage-blob';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type AzuriteInstance } from '../../devhost/blob/azurite.js';
import {
  attachmentDisposition,
  blobReadSasUrl,
  blobService,
  checkBlobHealth,
  configureBlobService,
  ensureContainer,
} from '../../shared/platform/blob/storage.js';
import { resetSettings } from '../../shared/platform/config.js';

let azurite: AzuriteInstance;

beforeAll(async () => {
  azurite = await startAzurite();
});

afterAll(async () => {
  configureBlobService(undefined);
  await azurite?.stop();
});

afterEach(() => {
  configureBlobService(undefined);
});

async function uploadReport(): Promise<void> {
  const container = await ensureContainer('reports');
  const body = 'account,debit,credit\n1000,150.00,0.00\n';
  await container.getBlockBlobClient('tenant-a/trial-balance.csv').upload(body, Buffer.byteLength(body), {
    blobHTTPHeaders: { blobContentType: 'text/csv' },
  });
}

describe('blob service', () => {
  it('is built from AZURE_STORAGE_CONNECTION_STRING', async () => {
    const previous = process.env.AZURE_STORAGE_CONNECTION_STRING;
    process.env.AZURE_STORAGE_CONNECTION_STRING = azurite.connectionString;
    resetSettings();
    try {
      const service = blobService();
      expect(service.url).toBe(azurite.blobEndpoint);
      const container = await ensureContainer('from-settings');
      expect(await container.exists()).toBe(true);
      // A second call for the same container is answered from memory and still returns it.
      expect((await ensureContainer('from-settings')).url).toBe(container.url);
    } finally {
      if (previous === undefined) delete process.env.AZURE_STORAGE_CONNECTION_STRING;
      else process.env.AZURE_STORAGE_CONNECTION_STRING = previous;
      resetSettings();
    }
  });

  it('refuses names that Azure would refuse, before any request', async () => {
    configureBlobService(BlobServiceClient.fromConnectionString(azurite.connectionString));
    await expect(ensureContainer('Reports')).rejects.toThrow(RangeError);
    await expect(ensureContainer('a--b')).rejects.toThrow(RangeError);
    await expect(blobReadSasUrl('reports', '')).rejects.toThrow(RangeError);
    await expect(blobReadSasUrl('reports', 'x', { expiresInSeconds: 7_200 })).rejects.toThrow(RangeError);
  });
});

describe('read SAS URL (shared key, as in the devhost)', () => {
  it('downloads the blob, as an attachment when asked, and a tampered URL gets 403', async () => {
    configureBlobService(BlobServiceClient.fromConnectionString(azurite.connectionString));
    await uploadReport();

    const sas = await blobReadSasUrl('reports', 'tenant-a/trial-balance.csv', {
      expiresInSeconds: 300,
      attachmentFileName: 'Trial balance 2026 – Q4.csv',
    });
    expect(sas.expiresOn.getTime() - Date.now()).toBeLessThanOrEqual(300_000);
    const url = new URL(sas.url);
    expect(url.searchParams.get('sp')).toBe('r');
    expect(url.searchParams.get('sr')).toBe('b');

    const ok = await fetch(sas.url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('account,debit,credit\n1000,150.00,0.00\n');
    expect(ok.headers.get('content-disposition')).toBe(
      `attachment; filename="Trial balance 2026 _ Q4.csv"; filename*=UTF-8''Trial%20balance%202026%20%E2%80%93%20Q4.csv`,
    );

    // The signature covers the permissions: asking for more than was signed is refused.
    const widened = new URL(sas.url);
    widened.searchParams.set('sp', 'rw');
    const refusedPermissions = await fetch(widened);
    expect(refusedPermissions.status).toBe(403);
    await refusedPermissions.arrayBuffer();

    // A signature for one blob does not open another.
    const otherBlob = sas.url.replace('trial-balance.csv', 'payroll.csv');
    const refusedBlob = await fetch(otherBlob);
    expect(refusedBlob.status).toBe(403);
    await refusedBlob.arrayBuffer();

    // A forged signature is refused.
    const forged = new URL(sas.url);
    const sig = forged.searchParams.get('sig') as string;
    forged.searchParams.set('sig', `${sig[0] === 'A' ? 'B' : 'A'}${sig.slice(1)}`);
    const refusedSignature = await fetch(forged);
    expect(refusedSignature.status).toBe(403);
    await refusedSignature.arrayBuffer();

    // Without any SAS the blob is private.
    const anonymous = await fetch(sas.url.split('?')[0] as string);
    expect(anonymous.status).toBeGreaterThanOrEqual(400);
    await anonymous.arrayBuffer();
  });

  it('is refused for a client with neither a shared key nor a token credential', async () => {
    configureBlobService(new BlobServiceClient(azurite.blobEndpoint));
    await expect(blobReadSasUrl('reports', 'tenant-a/trial-balance.csv')).rejects.toThrow(
      /shared key or a token credential/,
    );
  });
});

describe('read SAS URL (token credential, as in Azure)', () => {
  it('is a user delegation SAS, and one delegation key serves many URLs', async () => {
    // Azurite accepts bearer tokens only over HTTPS, so the service call that issues the key is
    // replaced here; what is checked is how the URL is built and how the key is reused.
    const credential = {
      getToken: async () => ({ token: 'unused', expiresOnTimestamp: Date.now() + 3_600_000 }),
    };
    const service = new BlobServiceClient('https://tesseraprod.blob.core.windows.net', credential);
    let keyRequests = 0;
    const key: UserDelegationKey = {
      signedObjectId: '11111111-1111-1111-1111-111111111111',
      signedTenantId: '22222222-2222-2222-2222-222222222222',
      signedStartsOn: new Date(Date.now() - 60_000),
      signedExpiresOn: new Date(Date.now() + 6 * 3_600_000),
      signedService: 'b',
      signedVersion: '2025-11-05',
      value: Buffer.alloc(32, 7).toString('base64'),
    };
    service.getUserDelegationKey = (async () => {
      keyRequests++;
      return { ...key, _response: {} };
    }) as unknown as typeof service.getUserDelegationKey;
    configureBlobService(service);

    const [first, second] = await Promise.all([
      blobReadSasUrl('attachments', 'tenant-a/invoice.pdf', { attachmentFileName: 'INV-2026-000042.pdf' }),
      blobReadSasUrl('attachments', 'tenant-a/delivery-note.pdf'),
    ]);
    expect(keyRequests).toBe(1);
    const url = new URL(first.url);
    expect(url.origin).toBe('https://tesseraprod.blob.core.windows.net');
    expect(url.pathname).toBe('/attachments/tenant-a/invoice.pdf');
    expect(url.searchParams.get('skoid')).toBe(key.signedObjectId);
    expect(url.searchParams.get('sktid')).toBe(key.signedTenantId);
    expect(url.searchParams.get('spr')).toBe('https');
    expect(url.searchParams.get('sp')).toBe('r');
    expect(url.searchParams.get('rscd')).toBe(
      `attachment; filename="INV-2026-000042.pdf"; filename*=UTF-8''INV-2026-000042.pdf`,
    );
    expect(new URL(second.url).searchParams.get('rscd')).toBeNull();
  });
});

describe('Content-Disposition', () => {
  it('never lets quotes, control characters or paths through', () => {
    expect(attachmentDisposition('../../etc/"passwd"\r\n.txt')).toBe(
      `attachment; filename=".._.._etc__passwd_.txt"; filename*=UTF-8''.._.._etc_%22passwd%22.txt`,
    );
    expect(attachmentDisposition('   ')).toBe(`attachment; filename="download"; filename*=UTF-8''download`);
  });
});

describe('health', () => {
  it('is up when the account answers', async () => {
    configureBlobService(BlobServiceClient.fromConnectionString(azurite.connectionString));
    const health = await checkBlobHealth();
    expect(health.status).toBe('up');
    expect(health.latencyMs).toBeGreaterThanOrEqual(0);
    expect(health.detail).toBeUndefined();
  });

  it('is down, quickly and without retrying, when the endpoint is dead', async () => {
    const dead = await startAzurite();
    await dead.stop();
    configureBlobService(BlobServiceClient.fromConnectionString(dead.connectionString));
    const health = await checkBlobHealth({ timeoutMs: 2_000 });
    expect(health.status).toBe('down');
    expect(health.detail).toBe('ECONNREFUSED');
    expect(health.latencyMs).toBeLessThan(2_000);
  });

  it('is down when storage is not configured at all', async () => {
    const saved = {
      url: process.env.STORAGE_BLOB_URL,
      connection: process.env.AZURE_STORAGE_CONNECTION_STRING,
    };
    delete process.env.STORAGE_BLOB_URL;
    delete process.env.AZURE_STORAGE_CONNECTION_STRING;
    resetSettings();
    try {
      const health = await checkBlobHealth();
      expect(health.status).toBe('down');
      expect(health.detail).toBe('not configured');
    } finally {
      if (saved.url !== undefined) process.env.STORAGE_BLOB_URL = saved.url;
      if (saved.connection !== undefined) process.env.AZURE_STORAGE_CONNECTION_STRING = saved.connection;
      resetSettings();
    }
  });
});
