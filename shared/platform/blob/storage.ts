import { DefaultAzureCredential } from '@azure/identity';
import {
  BlobSASPermissions,
  BlobServiceClient,
  SASProtocol,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
  type ContainerClient,
  type StoragePipelineOptions,
  type UserDelegationKey,
} from '@azure/storage-blob';
import { settings } from '../config.js';

/**
 * The app's access to Blob storage (attachments, generated reports). In Azure it authenticates
 * with the function app's managed identity against `STORAGE_BLOB_URL`, and the account allows no
 * shared keys; the devhost points `AZURE_STORAGE_CONNECTION_STRING` at Azurite or hands over a
 * client of its own through `configureBlobService`.
 */

// Every call is bounded: a try ends after two minutes (a large report upload), and a failing call is
// tried at most four times with backoff capped at eight seconds.
const PIPELINE_OPTIONS: StoragePipelineOptions = {
  retryOptions: { maxTries: 4, tryTimeoutInMs: 120_000, retryDelayInMs: 500, maxRetryDelayInMs: 8_000 },
};

const CONTAINER_NAME = /^(?!.*--)[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const BLOB_NAME_LENGTH_MAX = 1024;
const ENSURED_CONTAINERS_MAX = 256;

let configured: BlobServiceClient | undefined;
let fromSettings: BlobServiceClient | undefined;

/**
 * Sets the client the app uses (a host with its own storage: the devhost, tests); `undefined`
 * forgets it, so that the next call builds one from the settings again.
 */
export function configureBlobService(client: BlobServiceClient | undefined): void {
  configured = client;
  fromSettings = undefined;
}

/**
 * The app's blob service client. A connection string wins over `STORAGE_BLOB_URL`: it is only ever
 * set where a shared key is intended (Azurite), never in Azure.
 */
export function blobService(): BlobServiceClient {
  if (configured) return configured;
  if (!fromSettings) {
    const s = settings();
    if (s.AZURE_STORAGE_CONNECTION_STRING) {
      fromSettings = BlobServiceClient.fromConnectionString(
        s.AZURE_STORAGE_CONNECTION_STRING,
        PIPELINE_OPTIONS,
      );
    } else if (s.STORAGE_BLOB_URL) {
      fromSettings = new BlobServiceClient(
        s.STORAGE_BLOB_URL,
        new DefaultAzureCredential(),
        PIPELINE_OPTIONS,
      );
    } else {
      throw new Error(
        'Blob storage is not configured: set STORAGE_BLOB_URL (or AZURE_STORAGE_CONNECTION_STRING locally).',
      );
    }
  }
  return fromSettings;
}

// Containers already known to exist, per client, so that each process asks the service once.
const ensured = new WeakMap<BlobServiceClient, Set<string>>();

/** The named container, created first if it does not exist yet. */
export async function ensureContainer(name: string): Promise<ContainerClient> {
  assertContainerName(name);
  const service = blobService();
  const container = service.getContainerClient(name);
  const known = ensured.get(service) ?? new Set<string>();
  ensured.set(service, known);
  if (!known.has(name)) {
    await container.createIfNotExists();
    if (known.size >= ENSURED_CONTAINERS_MAX) known.clear();
    known.add(name);
  }
  return container;
}

export interface BlobHealth {
  status: 'up' | 'down';
  latencyMs: number;
  /** Why the check failed: an error code or status, never a message that could carry a secret. */
  detail?: string;
}

const HEALTH_TIMEOUT_MS_DEFAULT = 3_000;
const HEALTH_TIMEOUT_MS_MAX = 30_000;
const healthClients = new WeakMap<BlobServiceClient, BlobServiceClient>();

/**
 * Probes the storage account with the app's own identity: one page of at most one container, tried
 * once (a health check that retries hides the outage it is there to report) within `timeoutMs`.
 */
export async function checkBlobHealth(options: { timeoutMs?: number } = {}): Promise<BlobHealth> {
  const timeoutMs = Math.min(
    Math.max(options.timeoutMs ?? HEALTH_TIMEOUT_MS_DEFAULT, 1),
    HEALTH_TIMEOUT_MS_MAX,
  );
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  let service: BlobServiceClient;
  try {
    service = blobService();
  } catch {
    return { status: 'down', latencyMs: elapsed(), detail: 'not configured' };
  }
  try {
    let probe = healthClients.get(service);
    if (!probe) {
      probe = new BlobServiceClient(service.url, service.credential, {
        retryOptions: { maxTries: 1, tryTimeoutInMs: HEALTH_TIMEOUT_MS_MAX },
      });
      healthClients.set(service, probe);
    }
    await probe
      .listContainers({ abortSignal: AbortSignal.timeout(timeoutMs) })
      .byPage({ maxPageSize: 1 })
      .next();
    return { status: 'up', latencyMs: elapsed() };
  } catch (error) {
    return { status: 'down', latencyMs: elapsed(), detail: healthDetail(error) };
  }
}

function healthDetail(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  if (error.name === 'AbortError' || error.name === 'TimeoutError') return 'timeout';
  const e = error as Error & { statusCode?: number; code?: string };
  const parts = [e.statusCode === undefined ? undefined : String(e.statusCode), e.code ?? e.name];
  return parts.filter((part) => part !== undefined && part !== '').join(' ');
}

export interface ReadSasOptions {
  /** How long the URL works; 10 minutes unless set, at most 60. */
  expiresInSeconds?: number;
  /** Served as `Content-Disposition: attachment` with this file name, so browsers download it. */
  attachmentFileName?: string;
  /** Overrides the stored `Content-Type` in the response. */
  contentType?: string;
}

export interface ReadSas {
  url: string;
  expiresOn: Date;
}

const SAS_LIFETIME_SECONDS_DEFAULT = 600;
const SAS_LIFETIME_SECONDS_MAX = 3_600;
// Starting a SAS a little in the past keeps it valid on a storage node whose clock runs behind ours.
const CLOCK_SKEW_MS = 5 * 60_000;
// A user delegation key may live 7 days; six hours keeps a leaked key short-lived while most SAS
// requests reuse a cached one instead of asking the service.
const DELEGATION_KEY_LIFETIME_MS = 6 * 3_600_000;
const FILE_NAME_LENGTH_MAX = 200;

/**
 * A short-lived, read-only URL for one blob, for a browser to download directly from storage. With
 * a shared key (Azurite) it is signed with the account key; with a token credential (managed
 * identity in Azure) it is a user delegation SAS, which Azure ties to the identity and which
 * revoking that identity's access invalidates.
 */
export async function blobReadSasUrl(
  containerName: string,
  blobName: string,
  options: ReadSasOptions = {},
): Promise<ReadSas> {
  return blobSasUrl(containerName, blobName, 'r', options.expiresInSeconds, {
    contentDisposition:
      options.attachmentFileName === undefined
        ? undefined
        : attachmentDisposition(options.attachmentFileName),
    contentType: options.contentType,
  });
}

/**
 * A short-lived URL that lets its holder create or overwrite exactly this one blob (a `PUT` with
 * `x-ms-blob-type: BlockBlob`), and nothing else: not read it, not list, not touch another blob.
 * Signed like `blobReadSasUrl`.
 */
export async function blobWriteSasUrl(
  containerName: string,
  blobName: string,
  options: { expiresInSeconds?: number } = {},
): Promise<ReadSas> {
  return blobSasUrl(containerName, blobName, 'cw', options.expiresInSeconds, {});
}

async function blobSasUrl(
  containerName: string,
  blobName: string,
  permissions: string,
  expiresInSeconds: number | undefined,
  responseHeaders: { contentDisposition?: string; contentType?: string },
): Promise<ReadSas> {
  assertContainerName(containerName);
  assertBlobName(blobName);
  const lifetimeSeconds = expiresInSeconds ?? SAS_LIFETIME_SECONDS_DEFAULT;
  if (
    !Number.isInteger(lifetimeSeconds) ||
    lifetimeSeconds < 1 ||
    lifetimeSeconds > SAS_LIFETIME_SECONDS_MAX
  ) {
    throw new RangeError(`expiresInSeconds must be between 1 and ${SAS_LIFETIME_SECONDS_MAX}.`);
  }

  const service = blobService();
  const now = Date.now();
  const startsOn = new Date(now - CLOCK_SKEW_MS);
  const expiresOn = new Date(now + lifetimeSeconds * 1_000);
  const values = {
    containerName,
    blobName,
    permissions: BlobSASPermissions.parse(permissions),
    startsOn,
    expiresOn,
    // Over HTTPS only wherever the account speaks it; Azurite in the devhost speaks plain HTTP.
    protocol: service.url.startsWith('https:') ? SASProtocol.Https : undefined,
    contentDisposition: responseHeaders.contentDisposition,
    contentType: responseHeaders.contentType,
  };

  const credential = service.credential;
  const query =
    credential instanceof StorageSharedKeyCredential
      ? generateBlobSASQueryParameters(values, credential)
      : isTokenCredential(credential)
        ? generateBlobSASQueryParameters(values, await delegationKey(service, expiresOn), service.accountName)
        : undefined;
  if (!query)
    throw new Error('Blob SAS URLs need a shared key or a token credential; this client has neither.');
  const blobUrl = service.getContainerClient(containerName).getBlobClient(blobName).url;
  return { url: `${blobUrl}?${query.toString()}`, expiresOn };
}

/** Writes `bytes` as a block blob, replacing any blob of that name, with the headers it is served with. */
export async function uploadBlob(
  containerName: string,
  blobName: string,
  bytes: Buffer,
  headers: { contentType: string; contentDisposition?: string },
): Promise<void> {
  assertBlobName(blobName);
  const container = await ensureContainer(containerName);
  await container.getBlockBlobClient(blobName).uploadData(bytes, {
    blobHTTPHeaders: {
      blobContentType: headers.contentType,
      blobContentDisposition: headers.contentDisposition,
    },
  });
}

/**
 * A blob's bytes, or undefined when there is no such blob. A blob larger than `maxBytes` is not
 * downloaded: a RangeError says so, so that no caller reads an unbounded amount into memory.
 */
export async function downloadBlob(
  containerName: string,
  blobName: string,
  maxBytes: number,
): Promise<Buffer | undefined> {
  assertBlobName(blobName);
  const container = await ensureContainer(containerName);
  const blob = container.getBlobClient(blobName);
  let size: number;
  try {
    size = (await blob.getProperties()).contentLength ?? 0;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
  if (size > maxBytes) throw new RangeError(`The blob has ${size} bytes, more than ${maxBytes}.`);
  if (size === 0) return Buffer.alloc(0);
  return blob.downloadToBuffer(0, size);
}

/** The size of a blob in bytes, or undefined when there is no such blob. */
export async function blobSizeBytes(containerName: string, blobName: string): Promise<number | undefined> {
  assertBlobName(blobName);
  const container = await ensureContainer(containerName);
  try {
    return (await container.getBlobClient(blobName).getProperties()).contentLength ?? 0;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

/** Deletes a blob (and its snapshots) if it exists. */
export async function deleteBlob(containerName: string, blobName: string): Promise<void> {
  assertBlobName(blobName);
  const container = await ensureContainer(containerName);
  await container.getBlobClient(blobName).deleteIfExists({ deleteSnapshots: 'include' });
}

function assertBlobName(blobName: string): void {
  if (blobName.length === 0 || blobName.length > BLOB_NAME_LENGTH_MAX) {
    throw new RangeError(`A blob name has 1 to ${BLOB_NAME_LENGTH_MAX} characters.`);
  }
}

function isTokenCredential(credential: unknown): boolean {
  return typeof (credential as { getToken?: unknown } | undefined)?.getToken === 'function';
}

interface CachedKey {
  key: Promise<UserDelegationKey>;
  expiresOnMs: number;
}
const delegationKeys = new WeakMap<BlobServiceClient, CachedKey>();

/** A user delegation key valid until at least `until`, shared by concurrent callers. */
async function delegationKey(service: BlobServiceClient, until: Date): Promise<UserDelegationKey> {
  const cached = delegationKeys.get(service);
  if (cached && cached.expiresOnMs > until.getTime() + CLOCK_SKEW_MS) return cached.key;
  const now = Date.now();
  const expiresOnMs = now + DELEGATION_KEY_LIFETIME_MS;
  const key = service.getUserDelegationKey(new Date(now - CLOCK_SKEW_MS), new Date(expiresOnMs));
  const entry: CachedKey = { key, expiresOnMs };
  delegationKeys.set(service, entry);
  // A failed request must not be served from the cache to the next caller.
  key.catch(() => {
    if (delegationKeys.get(service) === entry) delegationKeys.delete(service);
  });
  return key;
}

/**
 * `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266): the quoted ASCII form for old clients,
 * the encoded form for any name; control characters, quotes and path separators never pass through.
 */
export function attachmentDisposition(fileName: string): string {
  const cleaned = [...fileName.replace(/[\\/]/g, '_')]
    .filter((c) => c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) !== 0x7f)
    .slice(0, FILE_NAME_LENGTH_MAX)
    .join('')
    .trim();
  const name = cleaned.length > 0 ? cleaned : 'download';
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["%]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

function assertContainerName(name: string): void {
  if (!CONTAINER_NAME.test(name)) {
    throw new RangeError(
      `"${name}" is not a container name: 3 to 63 lowercase letters, digits and single hyphens.`,
    );
  }
}
