import { DefaultAzureCredential } from '@azure/identity';
import { settings } from '../config.js';
import { primaryDb } from '../db/database.js';
import { PostgresArchiveStore } from './postgres-store.js';
import type { ArchiveStore } from './store.js';

export * from './store.js';
export { PostgresArchiveStore } from './postgres-store.js';
export { shipToArchive, ARCHIVE_BATCH_SIZE } from './shipper.js';
export type { ShipResult } from './shipper.js';

let configured: ArchiveStore | undefined;

/**
 * The archive in use: Cosmos DB when COSMOS_ENDPOINT is set (with the app's identity), otherwise
 * the primary database. The Cosmos client loads only when it is needed.
 */
export async function archiveStore(): Promise<ArchiveStore> {
  if (configured) return configured;
  const { COSMOS_ENDPOINT, COSMOS_DATABASE } = settings();
  if (COSMOS_ENDPOINT) {
    const { CosmosArchiveStore } = await import('./cosmos-store.js');
    configured = new CosmosArchiveStore({
      endpoint: COSMOS_ENDPOINT,
      database: COSMOS_DATABASE,
      credential: new DefaultAzureCredential(),
    });
  } else configured = new PostgresArchiveStore(primaryDb);
  return configured;
}

/** Replaces the archive in use (tests, hosts that bring their own). */
export function configureArchiveStore(store: ArchiveStore | undefined): void {
  configured = store;
}
