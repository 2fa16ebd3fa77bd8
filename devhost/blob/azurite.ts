import { mkdir } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';

/**
 * Azurite's blob service, started inside the devhost's own process.
 *
 * Azurite publishes no API for this: the CLI `azurite-blob` builds a `BlobConfiguration` (nineteen
 * positional arguments) and a `BlobServer` from it. We build the same two objects, which ties this
 * file to the pinned `azurite@3.35.0`; the tests in `tests/blob` guard an upgrade.
 */

/** The well-known development account that every Azurite instance accepts. */
export const AZURITE_ACCOUNT_NAME = 'devstoreaccount1';
export const AZURITE_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  /** The folder that holds the blobs and their metadata; ignored when `inMemory` is true. */
  location?: string;
  /** Keeps everything in memory and forgets it on stop. The default when no location is given. */
  inMemory?: boolean;
  /** The TCP port on 127.0.0.1; 0 (the default) lets the system pick a free one. */
  port?: number;
  /** The most memory blob contents may take when in memory; 256 MiB unless set. */
  memoryLimitBytes?: number;
  /**
   * The web origins a browser may call storage from (a PUT to an upload URL, a fetch of a download
   * URL), set as the account's CORS rule; `['*']` unless set, `[]` for none. The SAS in each URL is
   * what authorises a request; CORS only lets the browser send it.
   */
  corsOrigins?: string[];
}

export interface AzuriteInstance {
  /** `http://127.0.0.1:<port>/devstoreaccount1`: the account's blob endpoint. */
  blobEndpoint: string;
  /** A shared key connection string for the development account, for `AZURE_STORAGE_CONNECTION_STRING`. */
  connectionString: string;
  /** Stops accepting requests, lets requests in flight finish, saves metadata and releases every handle. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const MEMORY_LIMIT_BYTES_DEFAULT = 256 * 1024 * 1024;
const MEMORY_LIMIT_BYTES_MAX = 4 * 1024 * 1024 * 1024;
// Azurite's own defaults: a keep-alive of 5 s and up to 50 concurrent writes per persistence location.
const KEEP_ALIVE_TIMEOUT_SECONDS = 5;
const WRITE_CONCURRENCY_MAX = 50;
// A client that keeps a request open longer than this after stop() is cut off, so stop() always ends.
const STOP_GRACE_MS = 5_000;

// Azurite's internal classes, typed as far as this file uses them.
interface BlobServerInstance {
  readonly httpServer: Server;
  start(): Promise<void>;
  close(): Promise<void>;
  clean(): Promise<void>;
  getHttpServerAddress(): string;
  getStatus(): string;
  afterClose(): Promise<void>;
}
type BlobServerClass = new (configuration: unknown) => BlobServerInstance;
type BlobConfigurationClass = new (...args: unknown[]) => unknown;
type ChunkStoreClass = new (sizeLimit?: number) => unknown;
interface TelemetryClient {
  enableTelemetry: boolean;
}

interface AzuriteModules {
  BlobServer: BlobServerClass;
  BlobConfiguration: BlobConfigurationClass;
  MemoryExtentChunkStore: ChunkStoreClass;
  telemetry: TelemetryClient;
}

let modules: AzuriteModules | undefined;

/** Loads Azurite's CommonJS internals on first use, so that importing this file costs nothing. */
function azurite(): AzuriteModules {
  if (!modules) {
    const require = createRequire(import.meta.url);
    // Azurite's request pipeline loads the `applicationinsights` 2.x SDK, which at load time patches
    // `console`, `pg` and the Azure SDK through diagnostic-channel unless this variable is set. The
    // devhost runs the app's own code in this process, so nothing of Azurite's may change it. The
    // variable is read once, during the first load, and put back right after.
    const previous = process.env.APPLICATION_INSIGHTS_NO_DIAGNOSTIC_CHANNEL;
    process.env.APPLICATION_INSIGHTS_NO_DIAGNOSTIC_CHANNEL = 'true';
    try {
      modules = loadAzurite(require);
    } finally {
      if (previous === undefined) delete process.env.APPLICATION_INSIGHTS_NO_DIAGNOSTIC_CHANNEL;
      else process.env.APPLICATION_INSIGHTS_NO_DIAGNOSTIC_CHANNEL = previous;
    }
  }
  return modules;
}

function loadAzurite(require: NodeRequire): AzuriteModules {
  const telemetry = (
    require('azurite/dist/src/common/Telemetry.js') as { AzuriteTelemetryClient: TelemetryClient }
  ).AzuriteTelemetryClient;
  // The CLI sends usage telemetry only after it calls AzuriteTelemetryClient.init(), which we never
  // do; switching the flag off as well keeps a later Azurite release from sending any.
  telemetry.enableTelemetry = false;
  return {
    BlobServer: (require('azurite/dist/src/blob/BlobServer.js') as { default: BlobServerClass }).default,
    BlobConfiguration: (
      require('azurite/dist/src/blob/BlobConfiguration.js') as { default: BlobConfigurationClass }
    ).default,
    MemoryExtentChunkStore: (
      require('azurite/dist/src/common/persistence/MemoryExtentStore.js') as {
        MemoryExtentChunkStore: ChunkStoreClass;
      }
    ).MemoryExtentChunkStore,
    telemetry,
  };
}

// Two servers writing one LokiJS file would corrupt it; the set lives on globalThis so that a module
// loaded twice in one process (test isolation) still sees every open location.
const OPEN_LOCATIONS_KEY = Symbol.for('tessera.devhost.azurite.open-locations');
function openLocations(): Set<string> {
  const g = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  g[OPEN_LOCATIONS_KEY] ??= new Set();
  return g[OPEN_LOCATIONS_KEY];
}

/** Azurite's 19 positional configuration arguments, named. */
function configure(
  BlobConfiguration: BlobConfigurationClass,
  MemoryExtentChunkStore: ChunkStoreClass,
  port: number,
  location: string | undefined,
  memoryLimitBytes: number,
): unknown {
  const inMemory = location === undefined;
  // Metadata paths still need a value in memory mode; LokiJS never touches them there.
  const root = location ?? path.resolve('.azurite-in-memory');
  const persistence = [
    {
      locationId: 'Default',
      locationPath: path.join(root, '__blobstorage__'),
      maxConcurrency: WRITE_CONCURRENCY_MAX,
    },
  ];
  // Each in-memory instance gets a chunk store of its own: Azurite's shared default would let one
  // instance see (and a later clean() erase) the contents of another in the same process.
  const memoryStore = inMemory ? new MemoryExtentChunkStore(memoryLimitBytes) : undefined;
  return new BlobConfiguration(
    HOST,
    port,
    KEEP_ALIVE_TIMEOUT_SECONDS,
    path.join(root, '__azurite_db_blob__.json'),
    path.join(root, '__azurite_db_blob_extent__.json'),
    persistence,
    false, // enableAccessLog
    undefined, // accessLogWriteStream
    false, // enableDebugLog
    undefined, // debugLogFilePath
    false, // loose
    true, // skipApiVersionCheck
    '', // cert
    '', // key
    '', // pwd
    undefined, // oauth
    false, // disableProductStyleUrl
    inMemory, // isMemoryPersistence
    memoryStore,
  );
}

const CORS_MAX_AGE_SECONDS = 3_600;

/** Sets (or clears) the account's CORS rule, as an Azure storage account is configured for the web app. */
async function allowBrowsers(connectionString: string, origins: string[]): Promise<void> {
  const service = BlobServiceClient.fromConnectionString(connectionString, {
    retryOptions: { maxTries: 1, tryTimeoutInMs: 10_000 },
  });
  await service.setProperties({
    cors:
      origins.length === 0
        ? []
        : [
            {
              allowedOrigins: origins.join(','),
              allowedMethods: 'GET,HEAD,PUT,OPTIONS',
              allowedHeaders: '*',
              exposedHeaders: '*',
              maxAgeInSeconds: CORS_MAX_AGE_SECONDS,
            },
          ],
  });
}

/**
 * Starts Azurite's blob service on 127.0.0.1, with the API version check skipped (the pinned
 * `@azure/storage-blob` speaks a newer version than Azurite knows), loose mode off (unsupported
 * headers are refused, as Azure refuses them), no access log and no usage telemetry.
 */
export async function startAzurite(options: AzuriteOptions = {}): Promise<AzuriteInstance> {
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`Invalid port ${port}.`);
  const inMemory = options.inMemory ?? options.location === undefined;
  if (!inMemory && options.location === undefined)
    throw new Error('A location is needed unless inMemory is true.');
  const memoryLimitBytes = options.memoryLimitBytes ?? MEMORY_LIMIT_BYTES_DEFAULT;
  if (
    !Number.isInteger(memoryLimitBytes) ||
    memoryLimitBytes <= 0 ||
    memoryLimitBytes > MEMORY_LIMIT_BYTES_MAX
  ) {
    throw new RangeError(`memoryLimitBytes must be between 1 and ${MEMORY_LIMIT_BYTES_MAX}.`);
  }

  const { BlobServer, BlobConfiguration, MemoryExtentChunkStore } = azurite();
  const location = inMemory ? undefined : path.resolve(options.location as string);
  if (location !== undefined) {
    // Reserved before the first await, so that two concurrent starts cannot both pass the check.
    if (openLocations().has(location))
      throw new Error(`Azurite is already running on ${location} in this process.`);
    openLocations().add(location);
  }
  let server: BlobServerInstance;
  try {
    if (location !== undefined) await mkdir(location, { recursive: true });
    server = new BlobServer(
      configure(BlobConfiguration, MemoryExtentChunkStore, port, location, memoryLimitBytes),
    );
    try {
      await server.start();
    } catch (error) {
      // start() resets the status when listen fails but leaves the stores and the GC loop it opened
      // in beforeStart() running; afterClose() is what close() would run to release them.
      await server.afterClose().catch(() => undefined);
      throw error;
    }
  } catch (error) {
    if (location !== undefined) openLocations().delete(location);
    throw error;
  }

  const address = server.httpServer.address();
  if (address === null || typeof address === 'string')
    throw new Error('Azurite did not report a TCP address.');
  const blobEndpoint = `http://${HOST}:${address.port}/${AZURITE_ACCOUNT_NAME}`;
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT_NAME};` +
    `AccountKey=${AZURITE_ACCOUNT_KEY};BlobEndpoint=${blobEndpoint};`;
  try {
    await allowBrowsers(connectionString, options.corsOrigins ?? ['*']);
  } catch (error) {
    await server.close().catch(() => undefined);
    if (location !== undefined) openLocations().delete(location);
    throw error;
  }

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      const httpServer = server.httpServer;
      const closed = new Promise<void>((resolve) => {
        if (!httpServer.listening) resolve();
        else httpServer.once('close', () => resolve());
      });
      try {
        // close() stops listening, ends idle keep-alive connections, waits for the GC loop and
        // saves LokiJS; it does not wait for the HTTP server itself, hence `closed`.
        await server.close();
        const timer = setTimeout(() => httpServer.closeAllConnections(), STOP_GRACE_MS);
        try {
          await closed;
        } finally {
          clearTimeout(timer);
        }
        if (inMemory) await server.clean();
        // The listening handle is released by libuv one loop turn after 'close'; waiting for it
        // means nothing of this server is left when stop() resolves.
        await new Promise((resolve) => setImmediate(resolve));
      } finally {
        if (location !== undefined) openLocations().delete(location);
      }
    })();
    return stopping;
  };

  return { blobEndpoint, connectionString, stop };
}
