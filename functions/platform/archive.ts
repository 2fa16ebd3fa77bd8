/**
 * The archive of events and audit records (Cosmos DB in Azure, the database elsewhere): a timer
 * copies what is new every minute, and administrators and auditors read their tenant's history.
 */
import { app } from '@azure/functions';
import { z } from 'zod';
import {
  archiveStore,
  shipToArchive,
  type ArchiveQuery,
  type ArchiveStream,
} from '../../shared/platform/archive/index.js';
import { primaryDb } from '../../shared/platform/db/database.js';
import { pageQuery } from '../../shared/platform/http/pagination.js';
import { defineRoute } from '../../shared/platform/http/route.js';

const READERS = ['Admin', 'Auditor'] as const;

const recordSchema = z.object({
  id: z.uuid(),
  at: z.string(),
  type: z.string(),
  subjectType: z.string().nullable(),
  subjectId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});
const pageSchema = z.object({ items: z.array(recordSchema), nextCursor: z.string().nullable() });

const range = {
  from: z.iso.datetime({ offset: true }).optional().meta({ description: 'From this instant (inclusive)' }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: 'Before this instant' }),
};

const eventsQuerySchema = z.strictObject({
  ...pageQuery,
  ...range,
  type: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .meta({ description: 'An event type, e.g. sales.SalesOrderConfirmed' }),
});

const auditQuerySchema = z.strictObject({
  ...pageQuery,
  ...range,
  action: z.string().min(1).max(200).optional().meta({ description: 'e.g. approval.approved' }),
  entityType: z.string().min(1).max(100).optional(),
  entityId: z.string().min(1).max(200).optional(),
});

async function listArchive(stream: ArchiveStream, tenantId: string, query: ArchiveQuery) {
  const page = await (await archiveStore()).list(stream, tenantId, query);
  return { items: page.items.map(({ tenantId: _tenant, ...record }) => record), nextCursor: page.nextCursor };
}

defineRoute({
  name: 'admin-archive-events',
  method: 'GET',
  route: 'v1/admin/archive/events',
  summary: "The tenant's archived events, newest first: every event published, kept for the long run",
  tags: ['admin'],
  roles: READERS,
  query: eventsQuerySchema,
  response: pageSchema,
  // The store opens what it needs itself (a tenant transaction, or a Cosmos query): none is held for it.
  transaction: 'manual',
  handler: async ({ actor, query }) => ({ body: await listArchive('events', actor.tenantId, query) }),
});

defineRoute({
  name: 'admin-archive-audit',
  method: 'GET',
  route: 'v1/admin/archive/audit',
  summary: "The tenant's archived audit records, newest first",
  tags: ['admin'],
  roles: READERS,
  query: auditQuerySchema,
  response: pageSchema,
  transaction: 'manual',
  handler: async ({ actor, query }) => ({
    body: await listArchive('audit', actor.tenantId, {
      limit: query.limit,
      cursor: query.cursor,
      from: query.from,
      to: query.to,
      type: query.action,
      subjectType: query.entityType,
      subjectId: query.entityId,
    }),
  }),
});

/** Every minute: copy newly published events and new audit records into the archive. */
app.timer('platform-archive', {
  schedule: '0 * * * * *',
  handler: async (_timer, context) => {
    const shipped = await shipToArchive(primaryDb(), await archiveStore());
    if (shipped.events + shipped.audit > 0)
      context.log(`archived ${shipped.events} events and ${shipped.audit} audit records`);
  },
});
