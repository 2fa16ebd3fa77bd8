/**
 * Documents: files attached to any record. Uploads through the API (the file's bytes as the body,
 * or small files as base64 JSON) or straight to storage with an upload URL and a completion call;
 * lists per record; downloads by short-lived URL, always as an attachment; soft deletes.
 *
 * The record types are registered here with the owning modules' public getters, so each record is
 * looked up by its own module. Employees and projects join the list when their modules exist.
 */
import { app } from '@azure/functions';
import { z } from 'zod';
import {
  getDocument as getTradeDocument,
  getEntry,
  getParty,
  getSettlement,
} from '../shared/modules/accounting/index.js';
import {
  binaryUploadQuerySchema,
  completeUpload,
  createUploadSession,
  deleteDocument,
  documentListQuerySchema,
  documentSchema,
  documentUrlSchema,
  downloadUrl,
  expireStaleUploads,
  getDocument,
  idParamsSchema,
  inlineUploadSchema,
  listDocuments,
  registerRecordType,
  uploadDocument,
  uploadSessionResponseSchema,
  uploadSessionSchema,
  type DocumentActor,
} from '../shared/modules/documents/index.js';
import { getItem, getStockDocument, getWarehouse } from '../shared/modules/inventory/index.js';
import { getDelivery, getOrder, getQuote } from '../shared/modules/sales/index.js';
import type { Role } from '../shared/platform/auth/roles.js';
import { settings } from '../shared/platform/config.js';
import { primaryDb } from '../shared/platform/db/database.js';
import { withSystem } from '../shared/platform/db/tenant.js';
import { notFound } from '../shared/platform/errors.js';
import { parseOrThrow } from '../shared/platform/http/validation.js';
import { defineRoute, type Actor } from '../shared/platform/http/route.js';
import { FINANCE_CLERKS, FINANCE_READERS } from './accounting-trade-routes.js';

// Who may read and change each kind of record, as the owning module's routes allow.
const SELLERS = ['Admin', 'Sales.Manager', 'Sales.Rep'] as const satisfies readonly Role[];
const SALES_READERS = [
  ...SELLERS,
  'Finance.Clerk',
  'Finance.Approver',
  'Inventory.Clerk',
  'Auditor',
] as const satisfies readonly Role[];
const SHIPPERS = ['Admin', 'Sales.Manager', 'Inventory.Clerk'] as const satisfies readonly Role[];
const CUSTOMER_READERS = [...FINANCE_READERS, 'Sales.Manager', 'Sales.Rep'] as const;
const CUSTOMER_WRITERS = [...FINANCE_CLERKS, 'Sales.Manager', 'Sales.Rep'] as const;
const SUPPLIER_READERS = [...FINANCE_READERS, 'Purchasing.Officer'] as const;
const STOCK_WRITERS = ['Admin', 'Inventory.Clerk'] as const satisfies readonly Role[];
const STOCK_READERS = [...SALES_READERS, 'SiteManager'] as const satisfies readonly Role[];
const COMPANY_READERS = ['Admin', 'Finance.Approver', 'Finance.Clerk', 'Auditor'] as const;

type RecordRegistration = Parameters<typeof registerRecordType>[0];
type Getter = RecordRegistration['get'];
const finance = (type: string, get: Getter): RecordRegistration => ({
  type,
  readers: FINANCE_READERS,
  writers: FINANCE_CLERKS,
  get,
});
const stock = (type: string, get: Getter): RecordRegistration => ({
  type,
  readers: STOCK_READERS,
  writers: STOCK_WRITERS,
  get,
});

const records: RecordRegistration[] = [
  { type: 'quote', readers: SALES_READERS, writers: SELLERS, get: getQuote },
  { type: 'sales_order', readers: SALES_READERS, writers: SELLERS, get: getOrder },
  { type: 'delivery', readers: SALES_READERS, writers: SHIPPERS, get: getDelivery },
  finance('invoice', (trx, id) => getTradeDocument(trx, 'invoice', id)),
  finance('credit_note', (trx, id) => getTradeDocument(trx, 'credit_note', id)),
  finance('supplier_bill', (trx, id) => getTradeDocument(trx, 'bill', id)),
  finance('customer_receipt', (trx, id) => getSettlement(trx, 'receipt', id)),
  finance('supplier_payment', (trx, id) => getSettlement(trx, 'payment', id)),
  finance('journal_entry', getEntry),
  {
    type: 'customer',
    readers: CUSTOMER_READERS,
    writers: CUSTOMER_WRITERS,
    get: (trx, id) => getParty(trx, 'customer', id),
  },
  {
    type: 'supplier',
    readers: SUPPLIER_READERS,
    writers: FINANCE_CLERKS,
    get: (trx, id) => getParty(trx, 'supplier', id),
  },
  stock('item', getItem),
  stock('warehouse', getWarehouse),
  stock('goods_receipt', (trx, id) => getStockDocument(trx, 'receipt', id)),
  stock('stock_adjustment', (trx, id) => getStockDocument(trx, 'adjustment', id)),
  stock('stock_transfer', (trx, id) => getStockDocument(trx, 'transfer', id)),
  // The company itself (registration and tax certificates, letterheads): its id is the tenant's.
  {
    type: 'company',
    readers: COMPANY_READERS,
    writers: ['Admin'],
    get: async (_trx, id, tenantId) => {
      if (id !== tenantId) throw notFound('documents.company_not_found', 'The company does not exist.');
    },
  },
];
for (const record of records) registerRecordType(record);

/** The roles that may read (or change) documents of at least one record type: the route's gate. */
const unionOf = (pick: 'readers' | 'writers'): Role[] => [
  ...new Set(records.flatMap((record) => record[pick])),
];
const READERS = unionOf('readers');
const WRITERS = unionOf('writers');

const documentActor = (actor: Actor): DocumentActor => ({
  tenantId: actor.tenantId,
  objectId: actor.objectId,
  name: actor.name,
  requestId: actor.requestId,
  roles: actor.roles,
});

// A tiny PDF, so that the example creates a real document.
const EXAMPLE_PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n' +
    'trailer <</Root 1 0 R>>\n%%EOF\n',
).toString('base64');
const EXAMPLE_COMPANY_ID = '5b0c3f0e-6d1a-4c55-9a37-2f5e8f1d0a01';

defineRoute({
  name: 'documents-upload',
  method: 'POST',
  route: 'v1/documents',
  summary:
    "Attach a file to a record: the file's bytes as the body (any Content-Type; the bytes decide the type) " +
    'with recordType, recordId and fileName in the query, or as JSON with the content in base64',
  tags: ['documents'],
  roles: WRITERS,
  transaction: 'manual',
  idempotent: true,
  binary: { limitBytes: () => settings().DOCUMENTS_MAX_BYTES },
  query: binaryUploadQuerySchema.partial(),
  body: inlineUploadSchema,
  response: documentSchema,
  status: 201,
  example: {
    recordType: 'company',
    recordId: EXAMPLE_COMPANY_ID,
    fileName: 'registration-certificate.pdf',
    contentBase64: EXAMPLE_PDF,
  },
  handler: async ({ actor, body, bytes, query, idempotencyKey }) => {
    let input: Parameters<typeof uploadDocument>[2];
    let paths = { recordType: 'recordType', recordId: 'recordId' };
    if (bytes) {
      const target = parseOrThrow(binaryUploadQuerySchema, query, 'query');
      input = { ...target, bytes, idempotencyKey };
      paths = { recordType: 'query.recordType', recordId: 'query.recordId' };
    } else {
      if (Object.keys(query).length > 0) parseOrThrow(z.strictObject({}), query, 'query');
      input = {
        recordType: body.recordType,
        recordId: body.recordId,
        fileName: body.fileName,
        bytes: Buffer.from(body.contentBase64, 'base64'),
        idempotencyKey,
      };
    }
    const { document, created } = await uploadDocument(primaryDb(), documentActor(actor), input, paths);
    const headers: Record<string, string> = {};
    // A retry with the same Idempotency-Key gets the first answer, marked as the platform marks its replays.
    if (!created && idempotencyKey !== undefined) headers['Idempotent-Replayed'] = 'true';
    return {
      status: 201,
      body: document,
      etag: document.version,
      location: `/api/v1/documents/${document.id}`,
      headers,
    };
  },
});

defineRoute({
  name: 'documents-upload-session',
  method: 'POST',
  route: 'v1/documents/uploads',
  summary:
    'Start a direct upload: a URL to PUT the file to storage for 15 minutes (x-ms-blob-type: BlockBlob), then complete it',
  tags: ['documents'],
  roles: WRITERS,
  body: uploadSessionSchema,
  response: uploadSessionResponseSchema,
  status: 201,
  example: {
    recordType: 'company',
    recordId: EXAMPLE_COMPANY_ID,
    fileName: 'tax-clearance.pdf',
    size: 48_213,
  },
  handler: async ({ trx, actor, body }) => {
    const session = await createUploadSession(trx, documentActor(actor), body);
    return { status: 201, body: session, location: `/api/v1/documents/${session.id}` };
  },
});

defineRoute({
  name: 'documents-complete',
  method: 'POST',
  route: 'v1/documents/{id:guid}/complete',
  summary:
    'Finish a direct upload: the stored bytes are checked (size, type) and the document becomes available',
  tags: ['documents'],
  roles: WRITERS,
  transaction: 'manual',
  params: idParamsSchema,
  response: documentSchema,
  handler: async ({ actor, params }) => {
    const document = await completeUpload(primaryDb(), documentActor(actor), params.id);
    return { body: document, etag: document.version };
  },
});

defineRoute({
  name: 'documents-list',
  method: 'GET',
  route: 'v1/documents',
  summary: "A record's documents, newest first",
  tags: ['documents'],
  roles: READERS,
  query: documentListQuerySchema,
  response: z.object({ items: z.array(documentSchema), nextCursor: z.string().nullable() }),
  handler: async ({ trx, actor, query }) => ({
    body: await listDocuments(trx, documentActor(actor), query),
  }),
});

defineRoute({
  name: 'documents-get',
  method: 'GET',
  route: 'v1/documents/{id:guid}',
  summary: 'One document',
  tags: ['documents'],
  roles: READERS,
  params: idParamsSchema,
  response: documentSchema,
  handler: async ({ trx, actor, params }) => {
    const document = await getDocument(trx, actor.roles, params.id);
    return { body: document, etag: document.version };
  },
});

defineRoute({
  name: 'documents-download',
  method: 'GET',
  route: 'v1/documents/{id:guid}/download',
  summary: 'A download URL valid for 5 minutes; the file is served as an attachment with its detected type',
  tags: ['documents'],
  roles: READERS,
  params: idParamsSchema,
  response: documentUrlSchema,
  handler: async ({ trx, actor, params }) => ({ body: await downloadUrl(trx, actor.roles, params.id) }),
});

defineRoute({
  name: 'documents-delete',
  method: 'DELETE',
  route: 'v1/documents/{id:guid}',
  summary:
    'Delete a document (If-Match): it leaves the list and cannot be downloaded; the audit log keeps it',
  tags: ['documents'],
  roles: WRITERS,
  params: idParamsSchema,
  status: 204,
  handler: async ({ trx, actor, params, ifMatch }) => {
    await deleteDocument(trx, documentActor(actor), params.id, ifMatch());
    return { status: 204 };
  },
});

// ---- Timers --------------------------------------------------------------------------------

/** Every hour, uploads opened more than a day ago and never completed end, tenant by tenant. */
app.timer('documents-uploads-expire', {
  schedule: '0 20 * * * *',
  handler: async (_timer, context) => {
    const tenants = await withSystem(primaryDb(), (trx) =>
      trx.selectFrom('tenants').select('id').where('status', '=', 'active').execute(),
    );
    for (const tenant of tenants) {
      const actor = { tenantId: tenant.id, objectId: 'system:document-uploads', name: 'Upload expiry' };
      let expired = 0;
      for (let ended = -1; ended !== 0;) {
        ended = await expireStaleUploads(primaryDb(), actor);
        expired += ended;
      }
      if (expired > 0) context.log(`ended ${expired} unfinished uploads of tenant ${tenant.id}`);
    }
  },
});
