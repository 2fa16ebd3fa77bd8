/**
 * The HTTP routes receivables and payables share in shape: parties, documents (invoices, credit
 * notes, bills) and settlements (receipts, payments). Each registrar is called by
 * `accounting-receivables.ts` or `accounting-payables.ts` with the names and examples of its side.
 */
import { z } from 'zod';
import {
  changeDocument,
  changeParty,
  changeSettlement,
  createDocument,
  arApErrors,
  createParty,
  createSettlement,
  documentInputSchemas,
  documentListQuerySchema,
  documentSchema,
  getDocument,
  getParty,
  getSettlement,
  idParamsSchema,
  issueDocument,
  listDocuments,
  listParties,
  listSettlements,
  partyListQuerySchema,
  partySchema,
  postSettlement,
  settlementInputSchemas,
  settlementListQuerySchema,
  settlementSchema,
  type DocumentKind,
  type DocumentLineInput,
  type PartyCreateInput,
  type PartyKind,
  type PartyPatchInput,
  type SettlementKind,
} from '../shared/modules/accounting/index.js';
import type { Role } from '../shared/platform/auth/roles.js';
import { defineRoute, type Actor } from '../shared/platform/http/route.js';

export const FINANCE_READERS = ['Admin', 'Finance.Clerk', 'Finance.Approver', 'Auditor'] as const;
export const FINANCE_CLERKS = ['Admin', 'Finance.Clerk'] as const;

export const pageOf = (item: z.ZodType) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });
export const auditActor = (actor: Actor) => ({
  tenantId: actor.tenantId,
  objectId: actor.objectId,
  name: actor.name,
  requestId: actor.requestId,
});

/** List, create, get and change of customers or suppliers. */
export function partyRoutes(options: {
  kind: PartyKind;
  plural: string;
  readers: readonly Role[];
  writers: readonly Role[];
  /**
   * Writers who keep the record but not its credit: only these roles set the credit limit. A record the others add starts with no credit (a limit of zero), so every order
   * on account goes to an approver until finance grants a limit.
   */
  creditControllers?: readonly Role[];
  create: z.ZodType<PartyCreateInput>;
  patch: z.ZodType<PartyPatchInput>;
  example: PartyCreateInput;
  patchExample: PartyPatchInput;
}): void {
  const { kind, plural } = options;
  const base = `v1/accounting/${plural}`;
  defineRoute({
    name: `accounting-${plural}-list`,
    method: 'GET',
    route: base,
    summary: `${plural[0]!.toUpperCase()}${plural.slice(1)} by name, with a search on name or code`,
    tags: ['accounting'],
    roles: options.readers,
    query: partyListQuerySchema,
    response: pageOf(partySchema),
    handler: async ({ trx, query }) => ({ body: await listParties(trx, kind, query) }),
  });
  defineRoute({
    name: `accounting-${plural}-create`,
    method: 'POST',
    route: base,
    summary: `Add a ${kind}`,
    tags: ['accounting'],
    roles: options.writers,
    body: options.create,
    response: partySchema,
    status: 201,
    example: options.example,
    handler: async ({ trx, actor, body }) => {
      const withoutCredit = !grantsCredit(options.creditControllers, actor, body);
      const party = await createParty(trx, auditActor(actor), kind, body, { withoutCredit });
      return { body: party, etag: party.version, location: `/api/${base}/${party.id}` };
    },
  });
  defineRoute({
    name: `accounting-${plural}-get`,
    method: 'GET',
    route: `${base}/{id:guid}`,
    summary: `One ${kind}`,
    tags: ['accounting'],
    roles: options.readers,
    params: idParamsSchema,
    response: partySchema,
    handler: async ({ trx, params }) => {
      const party = await getParty(trx, kind, params.id);
      return { body: party, etag: party.version };
    },
  });
  defineRoute({
    name: `accounting-${plural}-update`,
    method: 'PATCH',
    route: `${base}/{id:guid}`,
    summary: `Change or (de)activate a ${kind} (If-Match required); ${plural} are never deleted`,
    tags: ['accounting'],
    roles: options.writers,
    params: idParamsSchema,
    body: options.patch,
    response: partySchema,
    example: options.patchExample,
    handler: async ({ trx, actor, params, body, ifMatch }) => {
      grantsCredit(options.creditControllers, actor, body);
      const party = await changeParty(trx, auditActor(actor), kind, params.id, ifMatch(), body);
      return { body: party, etag: party.version };
    },
  });
}

/** Whether the actor may set credit limits; refuses a limit from anyone else. */
function grantsCredit(
  controllers: readonly Role[] | undefined,
  actor: Actor,
  input: { creditLimit?: unknown },
) {
  if (!controllers || actor.roles.some((role) => controllers.includes(role))) return true;
  if (input.creditLimit !== undefined) throw arApErrors.creditLimitReserved();
  return false;
}

/** List, draft, get, change and issue (or post) of one document kind. */
export function documentRoutes(options: {
  kind: DocumentKind;
  plural: string;
  label: string;
  partyKey: string;
  correctsKey?: string;
  action: 'issue' | 'post';
  readers: readonly Role[];
  writers: readonly Role[];
  example: Record<string, unknown>;
  patchExample: Record<string, unknown>;
}): void {
  const { kind, plural, label, partyKey } = options;
  const base = `v1/accounting/${plural}`;
  // The party field's name differs per kind, so the bodies are records to the adapter; the
  // schemas still validate every field, and `toDraft` maps them to the service's input.
  const schemas = documentInputSchemas(partyKey, options.correctsKey);
  const createBody = schemas.create as unknown as z.ZodType<Record<string, unknown>>;
  const patchBody = schemas.patch as unknown as z.ZodType<Record<string, unknown>>;
  const listQuery = documentListQuerySchema(partyKey);
  defineRoute({
    name: `accounting-${plural}-list`,
    method: 'GET',
    route: base,
    summary: `${label[0]!.toUpperCase()}${label.slice(1)}s, newest first, by ${partyKey.replace('Id', '')}, status, date range and whether open`,
    tags: ['accounting'],
    roles: options.readers,
    query: listQuery,
    response: pageOf(documentSchema),
    handler: async ({ trx, query }) => {
      const q = query as z.infer<typeof listQuery> & Record<string, string | undefined>;
      return {
        body: await listDocuments(trx, kind, {
          limit: q.limit,
          cursor: q.cursor,
          partyId: q[partyKey],
          status: q.status,
          open: q.open as 'true' | 'false' | undefined,
          from: q.from,
          to: q.to,
        }),
      };
    },
  });
  defineRoute({
    name: `accounting-${plural}-create`,
    method: 'POST',
    route: base,
    summary: `Draft a ${label}; the server prices the lines and computes VAT and totals`,
    tags: ['accounting'],
    roles: options.writers,
    body: createBody,
    response: documentSchema,
    status: 201,
    example: options.example,
    handler: async ({ trx, actor, body }) => {
      const draft = schemas.toDraft(body);
      const doc = await createDocument(trx, auditActor(actor), kind, {
        ...draft,
        lines: draft.lines as DocumentLineInput[],
      });
      return { body: doc, etag: doc.version, location: `/api/${base}/${doc.id}` };
    },
  });
  defineRoute({
    name: `accounting-${plural}-get`,
    method: 'GET',
    route: `${base}/{id:guid}`,
    summary: `One ${label} with its lines, VAT per tax code, and what is outstanding`,
    tags: ['accounting'],
    roles: options.readers,
    params: idParamsSchema,
    response: documentSchema,
    handler: async ({ trx, params }) => {
      const doc = await getDocument(trx, kind, params.id);
      return { body: doc, etag: doc.version };
    },
  });
  defineRoute({
    name: `accounting-${plural}-update`,
    method: 'PATCH',
    route: `${base}/{id:guid}`,
    summary: `Change a draft ${label} (If-Match required); lines, when given, replace the draft's lines`,
    tags: ['accounting'],
    roles: options.writers,
    params: idParamsSchema,
    body: patchBody,
    response: documentSchema,
    example: options.patchExample,
    handler: async ({ trx, actor, params, body, ifMatch }) => {
      const doc = await changeDocument(
        trx,
        auditActor(actor),
        kind,
        params.id,
        ifMatch(),
        schemas.toDraft(body),
      );
      return { body: doc, etag: doc.version };
    },
  });
  defineRoute({
    name: `accounting-${plural}-${options.action}`,
    method: 'POST',
    route: `${base}/{id:guid}/${options.action}`,
    summary: `${options.action === 'issue' ? 'Issue' : 'Post'} a draft ${label}: number it and post it to the ledger; it never changes afterwards`,
    tags: ['accounting'],
    roles: options.writers,
    params: idParamsSchema,
    response: documentSchema,
    handler: async ({ trx, actor, params }) => {
      const doc = await issueDocument(trx, auditActor(actor), kind, params.id);
      return { body: doc, etag: doc.version };
    },
  });
}

/** List, draft, get, change and post of receipts or supplier payments. */
export function settlementRoutes(options: {
  kind: SettlementKind;
  plural: string;
  label: string;
  partyKey: string;
  documentKey: string;
  readers: readonly Role[];
  writers: readonly Role[];
  example: Record<string, unknown>;
  patchExample: Record<string, unknown>;
}): void {
  const { kind, plural, label, partyKey } = options;
  const base = `v1/accounting/${plural}`;
  const schemas = settlementInputSchemas(partyKey, options.documentKey);
  const createBody = schemas.create as unknown as z.ZodType<Record<string, unknown>>;
  const patchBody = schemas.patch as unknown as z.ZodType<Record<string, unknown>>;
  const listQuery = settlementListQuerySchema(partyKey);
  defineRoute({
    name: `accounting-${plural}-list`,
    method: 'GET',
    route: base,
    summary: `${label[0]!.toUpperCase()}${label.slice(1)}s, newest first`,
    tags: ['accounting'],
    roles: options.readers,
    query: listQuery,
    response: pageOf(settlementSchema),
    handler: async ({ trx, query }) => {
      const q = query as z.infer<typeof listQuery> & Record<string, string | undefined>;
      return {
        body: await listSettlements(trx, kind, {
          limit: q.limit,
          cursor: q.cursor,
          partyId: q[partyKey],
          status: q.status,
          from: q.from,
          to: q.to,
        }),
      };
    },
  });
  defineRoute({
    name: `accounting-${plural}-create`,
    method: 'POST',
    route: base,
    summary: `Record a ${label} as a draft, with its planned allocations to open documents`,
    tags: ['accounting'],
    roles: options.writers,
    body: createBody,
    response: settlementSchema,
    status: 201,
    example: options.example,
    handler: async ({ trx, actor, body }) => {
      const draft = schemas.toDraft(body);
      const settlement = await createSettlement(trx, auditActor(actor), kind, {
        ...draft,
        amount: draft.amount as { amount: string; currency: string },
      });
      return { body: settlement, etag: settlement.version, location: `/api/${base}/${settlement.id}` };
    },
  });
  defineRoute({
    name: `accounting-${plural}-get`,
    method: 'GET',
    route: `${base}/{id:guid}`,
    summary: `One ${label} with its allocations and realised exchange difference`,
    tags: ['accounting'],
    roles: options.readers,
    params: idParamsSchema,
    response: settlementSchema,
    handler: async ({ trx, params }) => {
      const settlement = await getSettlement(trx, kind, params.id);
      return { body: settlement, etag: settlement.version };
    },
  });
  defineRoute({
    name: `accounting-${plural}-update`,
    method: 'PATCH',
    route: `${base}/{id:guid}`,
    summary: `Change a draft ${label} (If-Match required); allocations, when given, replace the planned ones`,
    tags: ['accounting'],
    roles: options.writers,
    params: idParamsSchema,
    body: patchBody,
    response: settlementSchema,
    example: options.patchExample,
    handler: async ({ trx, actor, params, body, ifMatch }) => {
      const settlement = await changeSettlement(
        trx,
        auditActor(actor),
        kind,
        params.id,
        ifMatch(),
        schemas.toDraft(body),
      );
      return { body: settlement, etag: settlement.version };
    },
  });
  defineRoute({
    name: `accounting-${plural}-post`,
    method: 'POST',
    route: `${base}/{id:guid}/post`,
    summary: `Post a draft ${label}: settle the allocated documents and post it to the ledger with any realised exchange difference`,
    tags: ['accounting'],
    roles: options.writers,
    params: idParamsSchema,
    response: settlementSchema,
    handler: async ({ trx, actor, params }) => {
      const settlement = await postSettlement(trx, auditActor(actor), kind, params.id);
      return { body: settlement, etag: settlement.version };
    },
  });
}
