import type { PlatformTables } from './types.js';

/**
 * The database as Kysely sees it. Each module adds its tables by declaration merging from its own
 * `tables.ts`:
 *
 *   declare module '../../platform/db/schema.js' { interface DB extends SalesTables {} }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface DB extends PlatformTables {}
