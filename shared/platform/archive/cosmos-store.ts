import type { TokenCredential } from '@azure/identity';
import { CosmosClient, ErrorResponse, type Container, type SqlParameter } from '@azure/cosmos';
import { AppError } from '../errors.js';
import type { Page } from '../http/pagination.js';
import type { ArchiveQuery, ArchiveRecord, ArchiveStore, ArchiveStream } from './store.js';

/** How many items are written at once: enough to keep the connection busy, few enough for RU limits. */
const WRITE_CONCURRENCY = 8;

interface Item extends ArchiveRecord {
  /** Cosmos' own fields, dropped when read back. */
  _rid?: string;
  _self?: string;
  _etag?: string;
  _attachments?: string;
  _ts?: number;
}

const toRecord = ({ id, tenantId, at, type, subjectType, subjectId, data }: Item): ArchiveRecord => ({
  id,
  tenantId,
  at,
  type,
  subjectType,
  subjectId,
  data,
});

function isStatus(error: unknown, status: number): boolean {
  return error instanceof ErrorResponse
    ? error.code === status
    : (error as { code?: unknown })?.code === status;
}

/**
 * The archive in Cosmos DB (NoSQL API): one container per stream (`events`, `audit`), partitioned
 * by `/tenantId`, so every query stays in one tenant's partition. The app signs in with its
 * managed identity (data-plane RBAC; local keys are off) and never creates containers: the
 * template does. Records are immutable: a record written again is a 409 Conflict, taken as done.
 * Cursors are Cosmos continuation tokens, wrapped so that clients see an opaque string.
 */
export class CosmosArchiveStore implements ArchiveStore {
  readonly name = 'cosmos' as const;
  readonly #client: CosmosClient;
  readonly #containers: Record<ArchiveStream, Container>;

  constructor(options: { endpoint: string; database: string; credential: TokenCredential }) {
    this.#client = new CosmosClient({ endpoint: options.endpoint, aadCredentials: options.credential });
    const database = this.#client.database(options.database);
    this.#containers = { events: database.container('events'), audit: database.container('audit') };
  }

  async put(stream: ArchiveStream, records: readonly ArchiveRecord[]): Promise<void> {
    const container = this.#containers[stream];
    let next = 0;
    const worker = async () => {
      while (next < records.length) {
        const record = records[next++]!;
        try {
          await container.items.create<ArchiveRecord>(toRecord(record));
        } catch (error) {
          if (!isStatus(error, 409)) throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, records.length) }, worker));
  }

  async get(stream: ArchiveStream, tenantId: string, id: string): Promise<ArchiveRecord | undefined> {
    try {
      const { resource } = await this.#containers[stream].item(id, tenantId).read<Item>();
      return resource ? toRecord(resource) : undefined;
    } catch (error) {
      if (isStatus(error, 404)) return undefined;
      throw error;
    }
  }

  async list(stream: ArchiveStream, tenantId: string, query: ArchiveQuery): Promise<Page<ArchiveRecord>> {
    const where = ['c.tenantId = @tenantId'];
    const parameters: SqlParameter[] = [{ name: '@tenantId', value: tenantId }];
    const add = (clause: string, name: string, value: string | undefined) => {
      if (value === undefined) return;
      where.push(clause);
      parameters.push({ name, value });
    };
    add('c.type = @type', '@type', query.type);
    add('c.subjectType = @subjectType', '@subjectType', query.subjectType);
    add('c.subjectId = @subjectId', '@subjectId', query.subjectId);
    add('c.at >= @from', '@from', query.from && new Date(query.from).toISOString());
    add('c.at < @to', '@to', query.to && new Date(query.to).toISOString());
    let continuationToken: string | undefined;
    if (query.cursor !== undefined) {
      continuationToken = Buffer.from(query.cursor, 'base64url').toString('utf8');
      if (!continuationToken || !/^[A-Za-z0-9_-]+$/.test(query.cursor)) {
        throw new AppError(
          'validation',
          'platform.invalid_cursor',
          'The cursor is not one this list issued.',
          {
            errors: [{ path: 'query.cursor', message: 'Invalid cursor' }],
          },
        );
      }
    }
    const response = await this.#containers[stream].items
      .query<Item>(
        { query: `SELECT * FROM c WHERE ${where.join(' AND ')} ORDER BY c.at DESC`, parameters },
        { partitionKey: tenantId, maxItemCount: query.limit, continuationToken },
      )
      .fetchNext();
    return {
      items: response.resources.map(toRecord),
      nextCursor: response.continuationToken
        ? Buffer.from(response.continuationToken, 'utf8').toString('base64url')
        : null,
    };
  }

  async close(): Promise<void> {
    this.#client.dispose();
  }
}
