/**
 * Documents end to end against the devhost and its Azurite: uploads through the API (raw bytes and
 * base64 JSON) and straight to storage with an upload URL, checked by their bytes and never named
 * by the user's file name; lists per record; downloads by short-lived URL served as attachments;
 * soft deletes in the audit log; idempotent retries; and every refusal writing nothing.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import {
  documentReadUrl,
  readDocumentBytes,
  storeDocument,
  UPLOADS_CONTAINER,
} from '../../shared/modules/documents/index.js';
import type { Role } from '../../shared/platform/auth/roles.js';
import { blobService } from '../../shared/platform/blob/storage.js';
import { resetSettings } from '../../shared/platform/config.js';
import { startTestDevhost, type Api } from '../support/devhost.js';
import { createCustomer } from '../sales/sales-helpers.js';

// A small limit keeps the oversized uploads small; the devhost runs in this process and reads it.
const LIMIT_BYTES = 64 * 1024;
process.env.DOCUMENTS_MAX_BYTES = String(LIMIT_BYTES);
resetSettings();

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
const [demo] = DEMO_TENANTS as [(typeof DEMO_TENANTS)[number]];

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n' +
    `% ${randomUUID()}\ntrailer <</Root 1 0 R>>\n%%EOF\n`,
);
const PNG = Buffer.concat([
  Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex'),
  Buffer.from('0000000d4944415478da63f8ffff3f0005fe02fea7d6a4280000000049454e44ae426082', 'hex'),
]);
const ELF = Buffer.concat([Buffer.from('7f454c46020101000000000000000000', 'hex'), randomBytes(200)]);
const EXE = Buffer.concat([
  Buffer.from('MZ'),
  Buffer.alloc(58),
  Buffer.from([0x80, 0, 0, 0]),
  Buffer.alloc(64),
  Buffer.from('PE\0\0'),
]);
const HTML = Buffer.from('<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>');
const XML_SVG = Buffer.from('<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>');
const CSV = Buffer.from('date,amount\n2026-11-02,1250.00\n');

let clerk: Api; // finance clerk: may change customers
let clerkToken: string;
let auditor: Api; // reads, never changes
let auditorToken: string;
let repToken: string; // a sales rep: customers yes, the company's documents no
let otherToken: string; // acme, every business role
let customer: { id: string };
let acmeCustomer: { id: string };

const ALL: Role[] = ['Admin', 'Finance.Clerk', 'Sales.Manager', 'Sales.Rep', 'Auditor'];

/** POSTs raw bytes (what the shared Api client, which sends strings, cannot do). */
async function postBytes(
  token: string,
  path: string,
  bytes: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const response = await fetch(`${devhost.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream', ...headers },
    body: bytes,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const uploadPath = (recordId: string, fileName: string, recordType = 'customer') =>
  `/api/v1/documents?recordType=${recordType}&recordId=${recordId}&fileName=${encodeURIComponent(fileName)}`;

async function upload(bytes: Buffer, fileName: string, headers: Record<string, string> = {}) {
  return postBytes(clerkToken, uploadPath(customer.id, fileName), bytes, headers);
}

async function documentRows(): Promise<number> {
  const result = await sql<{ n: number }>`select count(*)::int as n from documents`.execute(devhost.db);
  return result.rows[0]!.n;
}

async function blobNames(container: string): Promise<string[]> {
  const client = blobService().getContainerClient(container);
  if (!(await client.exists())) return [];
  const names: string[] = [];
  for await (const blob of client.listBlobsFlat()) names.push(blob.name);
  return names;
}

/** Nothing in the table or in either container changes while `action` runs. */
async function expectNothingWritten(action: () => Promise<void>): Promise<void> {
  const before = [await documentRows(), await blobNames('documents'), await blobNames(UPLOADS_CONTAINER)];
  await action();
  expect([await documentRows(), await blobNames('documents'), await blobNames(UPLOADS_CONTAINER)]).toEqual(
    before,
  );
}

beforeAll(async () => {
  clerkToken = await devhost.token('demo', 'fran', ['Finance.Clerk']);
  clerk = await devhost.as('demo', 'fran', ['Finance.Clerk']);
  auditorToken = await devhost.token('demo', 'aud', ['Auditor']);
  auditor = await devhost.as('demo', 'aud', ['Auditor']);
  repToken = await devhost.token('demo', 'rita', ['Sales.Rep']);
  otherToken = await devhost.token('acme', 'olga', ALL);
  customer = await createCustomer(clerk);
  acmeCustomer = await createCustomer(await devhost.as('acme', 'olga', ALL));
});

describe('uploading through the API', () => {
  it('stores a PDF under its id, lists it and downloads it as an attachment with a working URL', async () => {
    const created = await upload(PDF, 'Site plan, stand 14.pdf');
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const document = created.body;
    expect(document).toMatchObject({
      recordType: 'customer',
      recordId: customer.id,
      fileName: 'Site plan, stand 14.pdf',
      contentType: 'application/pdf',
      sizeBytes: PDF.length,
      status: 'available',
      version: 2,
    });
    expect(created.headers.get('location')).toBe(`/api/v1/documents/${document.id}`);
    expect(await blobNames('documents')).toContain(`${demo.id}/${document.id}`);

    const list = await auditor.get(`/api/v1/documents?recordType=customer&recordId=${customer.id}`);
    expect(list.status, list.text).toBe(200);
    expect(list.body.items.map((d: { id: string }) => d.id)).toContain(document.id);

    const link = await auditor.get(`/api/v1/documents/${document.id}/download`);
    expect(link.status, link.text).toBe(200);
    const expiresInMs = Date.parse(link.body.expiresAt) - Date.now();
    expect(expiresInMs).toBeGreaterThan(200_000);
    expect(expiresInMs).toBeLessThanOrEqual(300_000);
    const file = await fetch(link.body.url);
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(PDF);
    expect(file.headers.get('content-disposition')).toBe(
      `attachment; filename="Site plan, stand 14.pdf"; filename*=UTF-8''Site%20plan%2C%20stand%2014.pdf`,
    );
    expect(file.headers.get('content-type')).toBe('application/pdf');
  });

  it('takes a small file as base64 JSON too', async () => {
    const response = await clerk.post('/api/v1/documents', {
      recordType: 'customer',
      recordId: customer.id,
      fileName: 'statement.csv',
      contentBase64: CSV.toString('base64'),
    });
    expect(response.status, response.text).toBe(201);
    expect(response.body).toMatchObject({ contentType: 'text/csv; charset=utf-8', sizeBytes: CSV.length });
    expect((await readDocumentBytes(devhost.db, demo.id, response.body.id)).bytes).toEqual(CSV);
  });

  it('believes the bytes, not the name: PNG bytes called .pdf are stored as a PNG', async () => {
    const response = await upload(PNG, 'invoice.pdf');
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.contentType).toBe('image/png');
    const link = await clerk.get(`/api/v1/documents/${response.body.id}/download`);
    expect((await fetch(link.body.url)).headers.get('content-type')).toBe('image/png');
  });

  it.each([
    ['an ELF executable', ELF, 'report.pdf'],
    ['a Windows executable', EXE, 'setup.pdf'],
    ['random bytes', randomBytes(4096), 'data.txt'],
    ['HTML', HTML, 'notes.txt'],
    ['SVG', SVG, 'logo.png'],
    ['SVG with an XML declaration', XML_SVG, 'logo.svg'],
  ])('refuses %s with 415 naming the file, writing nothing', async (_, bytes, fileName) => {
    await expectNothingWritten(async () => {
      const response = await upload(bytes, fileName);
      expect(response.status, JSON.stringify(response.body)).toBe(415);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(response.body.errors.map((e: { path: string }) => e.path)).toEqual(['file']);
    });
  });

  it('refuses a body over the limit with 413, writing nothing', async () => {
    await expectNothingWritten(async () => {
      const oversized = Buffer.concat([PDF, Buffer.alloc(LIMIT_BYTES)]);
      const response = await upload(oversized, 'big.pdf');
      expect(response.status).toBe(413);
      expect(response.headers.get('content-type')).toMatch(/application\/problem\+json/);
      // Without a Content-Length, the body is read as a stream and cut off at the limit.
      const chunked = await fetch(`${devhost.url}${uploadPath(customer.id, 'big.pdf')}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${clerkToken}`, 'content-type': 'application/pdf' },
        body: new Blob([oversized]).stream(),
        duplex: 'half',
      } as RequestInit);
      expect(chunked.status).toBe(413);
    });
  });

  it('never lets a file name become a path: the name is cleaned, the blob is named by the id', async () => {
    for (const [given, kept] of [
      ['../../etc/passwd', '_.._etc_passwd'],
      ['a/b\\c.pdf', 'a_b_c.pdf'],
      ['..\\..\\windows\\win.ini', '_.._windows_win.ini'],
      ['evil\u202Efdp.exe', 'evilfdp.exe'],
      ['line\r\nbreak.pdf', 'linebreak.pdf'],
      [`${'x'.repeat(300)}.pdf`, `${'x'.repeat(196)}.pdf`],
    ] as const) {
      const response = await upload(PDF, given);
      expect(response.status, JSON.stringify(response.body)).toBe(201);
      expect(response.body.fileName).toBe(kept);
      const row = await sql<{ blob_name: string; file_name: string }>`
        select blob_name, file_name from documents where id = ${response.body.id}`.execute(devhost.db);
      expect(row.rows[0]).toEqual({ blob_name: `${demo.id}/${response.body.id}`, file_name: kept });
    }
    expect((await blobNames('documents')).every((name) => /^[0-9a-f-]{36}\/[0-9a-f-]{36}$/.test(name))).toBe(
      true,
    );
  });

  it("answers 404 for another tenant's record and 400 for an unknown record type, writing nothing", async () => {
    await expectNothingWritten(async () => {
      const foreign = await postBytes(otherToken, uploadPath(customer.id, 'x.pdf'), PDF);
      expect(foreign.status, JSON.stringify(foreign.body)).toBe(404);
      const mine = await postBytes(clerkToken, uploadPath(acmeCustomer.id, 'x.pdf'), PDF);
      expect(mine.status).toBe(404);
      const missing = await postBytes(clerkToken, uploadPath(randomUUID(), 'x.pdf'), PDF);
      expect(missing.status).toBe(404);
      const unknown = await postBytes(clerkToken, uploadPath(customer.id, 'x.pdf', 'spaceship'), PDF);
      expect(unknown.status).toBe(400);
      expect(unknown.body.errors.map((e: { path: string }) => e.path)).toEqual(['query.recordType']);
      const session = await devhost.anonymous().request('POST', '/api/v1/documents/uploads', {
        body: { recordType: 'customer', recordId: customer.id, fileName: 'x.pdf', size: 10 },
        headers: { authorization: `Bearer ${otherToken}` },
      });
      expect(session.status).toBe(404);
      const list = await devhost
        .anonymous()
        .get(`/api/v1/documents?recordType=customer&recordId=${customer.id}`, {
          authorization: `Bearer ${otherToken}`,
        });
      expect(list.status).toBe(404);
    });
  });

  it('lets only the roles that may change the record upload, and those who may read it read', async () => {
    await expectNothingWritten(async () => {
      const auditorUpload = await postBytes(auditorToken, uploadPath(customer.id, 'x.pdf'), PDF);
      expect(auditorUpload.status).toBe(403);
      const repOnCompany = await postBytes(repToken, uploadPath(demo.id, 'x.pdf', 'company'), PDF);
      expect(repOnCompany.status).toBe(403);
      expect(repOnCompany.body.code).toBe('documents.role_required');
    });
    const repOnCustomer = await postBytes(repToken, uploadPath(customer.id, 'rep.pdf'), PDF);
    expect(repOnCustomer.status).toBe(201);
    const companyDoc = await postBytes(
      await devhost.token('demo', 'ada', ['Admin']),
      uploadPath(demo.id, 'certificate.pdf', 'company'),
      PDF,
    );
    expect(companyDoc.status).toBe(201);
    const repReads = await devhost
      .anonymous()
      .get(`/api/v1/documents/${companyDoc.body.id}`, { authorization: `Bearer ${repToken}` });
    expect(repReads.status).toBe(403);
  });

  it('makes one document of a retried upload with the same Idempotency-Key', async () => {
    const key = `upload-${randomUUID()}`;
    const before = await documentRows();
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => upload(PDF, 'retried.pdf', { 'idempotency-key': key })),
    );
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
    expect(responses.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(4);
    expect(await documentRows()).toBe(before + 1);

    const other = await upload(PNG, 'retried.pdf', { 'idempotency-key': key });
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('platform.idempotency_key_reused');
    expect(await documentRows()).toBe(before + 1);
  });
});

describe('uploading straight to storage', () => {
  async function session(bytes: Buffer, fileName: string, size = bytes.length) {
    const response = await clerk.post('/api/v1/documents/uploads', {
      recordType: 'customer',
      recordId: customer.id,
      fileName,
      size,
    });
    expect(response.status, response.text).toBe(201);
    return response.body as {
      id: string;
      uploadUrl: string;
      method: string;
      headers: Record<string, string>;
      expiresAt: string;
    };
  }

  const put = (url: string, bytes: Buffer) =>
    fetch(url, { method: 'PUT', headers: { 'x-ms-blob-type': 'BlockBlob' }, body: bytes });

  it('puts the file with the upload URL, completes it, and serves the checked bytes', async () => {
    const upload = await session(PDF, 'drawing.pdf');
    expect(upload.method).toBe('PUT');
    expect(upload.headers).toEqual({ 'x-ms-blob-type': 'BlockBlob' });
    const lifetimeMs = Date.parse(upload.expiresAt) - Date.now();
    expect(lifetimeMs).toBeGreaterThan(14 * 60_000);
    expect(lifetimeMs).toBeLessThanOrEqual(15 * 60_000);
    // Pending: not listed, not downloadable.
    expect((await clerk.get(`/api/v1/documents/${upload.id}/download`)).status).toBe(409);

    const early = await clerk.post(`/api/v1/documents/${upload.id}/complete`, undefined);
    expect(early.status, early.text).toBe(422);
    expect(early.body.code).toBe('documents.not_uploaded');

    expect((await put(upload.uploadUrl, PDF)).status).toBe(201);
    // The upload URL writes only: it cannot read back.
    expect((await fetch(upload.uploadUrl)).status).toBe(403);
    const completed = await clerk.post(`/api/v1/documents/${upload.id}/complete`, undefined);
    expect(completed.status, completed.text).toBe(200);
    expect(completed.body).toMatchObject({
      status: 'available',
      contentType: 'application/pdf',
      sizeBytes: PDF.length,
    });
    expect(await blobNames(UPLOADS_CONTAINER)).not.toContain(`${demo.id}/${upload.id}`);

    // Writing to the upload URL again changes nothing that is served.
    expect((await put(upload.uploadUrl, HTML)).status).toBe(201);
    const link = await clerk.get(`/api/v1/documents/${upload.id}/download`);
    const file = await fetch(link.body.url);
    expect(Buffer.from(await file.arrayBuffer())).toEqual(PDF);
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; /);

    const again = await clerk.post(`/api/v1/documents/${upload.id}/complete`, undefined);
    expect(again.status).toBe(200);
    expect(again.body.version).toBe(completed.body.version);
  });

  it('refuses HTML and a size other than announced on completion: blob deleted, document rejected', async () => {
    for (const [bytes, size, reason] of [
      [HTML, HTML.length, /scripts/],
      [PDF, PDF.length + 1, /not the \d+ announced/],
    ] as const) {
      const upload = await session(bytes, 'page.pdf', size);
      expect((await put(upload.uploadUrl, bytes)).status).toBe(201);
      const completed = await clerk.post(`/api/v1/documents/${upload.id}/complete`, undefined);
      expect(completed.status, completed.text).toBe(422);
      expect(completed.body.errors[0]).toMatchObject({
        path: 'file',
        message: expect.stringMatching(reason),
      });
      expect(await blobNames(UPLOADS_CONTAINER)).not.toContain(`${demo.id}/${upload.id}`);
      expect(await blobNames('documents')).not.toContain(`${demo.id}/${upload.id}`);
      const document = await clerk.get(`/api/v1/documents/${upload.id}`);
      expect(document.body.status).toBe('rejected');
      expect((await clerk.get(`/api/v1/documents/${upload.id}/download`)).status).toBe(409);
    }
  });

  it('lets a browser on the web app PUT to the upload URL (CORS preflight)', async () => {
    const upload = await session(PDF, 'from-browser.pdf');
    const preflight = await fetch(upload.uploadUrl, {
      method: 'OPTIONS',
      headers: {
        origin: devhost.url,
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'x-ms-blob-type,content-type',
      },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBeTruthy();
    expect(preflight.headers.get('access-control-allow-methods')).toMatch(/PUT/);
  });

  it('ends uploads left unfinished for a day: rejected, their blob deleted', async () => {
    const stale = await session(PDF, 'forgotten.pdf');
    expect((await put(stale.uploadUrl, PDF)).status).toBe(201);
    const fresh = await session(PDF, 'in-progress.pdf');
    await sql`update documents set created_at = now() - interval '25 hours' where id = ${stale.id}`.execute(
      devhost.db,
    );
    await devhost.timers.fire('documents-uploads-expire');
    const ended = await clerk.get(`/api/v1/documents/${stale.id}`);
    expect(ended.body).toMatchObject({ status: 'rejected', rejection: expect.stringMatching(/24 hours/) });
    expect(await blobNames(UPLOADS_CONTAINER)).not.toContain(`${demo.id}/${stale.id}`);
    expect((await clerk.post(`/api/v1/documents/${stale.id}/complete`, undefined)).status).toBe(409);
    expect((await clerk.get(`/api/v1/documents/${fresh.id}`)).body.status).toBe('pending');
  });

  it('refuses to open an upload over the size limit (413 naming size)', async () => {
    const response = await clerk.post('/api/v1/documents/uploads', {
      recordType: 'customer',
      recordId: customer.id,
      fileName: 'huge.pdf',
      size: LIMIT_BYTES + 1,
    });
    expect(response.status).toBe(413);
    expect(response.body.errors[0].path).toBe('size');
  });
});

describe('download links and deletion', () => {
  it('gives links that stop working when they expire', async () => {
    const created = await upload(PDF, 'short.pdf');
    const link = await documentReadUrl(devhost.db, demo.id, created.body.id, 3);
    expect((await fetch(link.url)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(link.expiresAt) - Date.now() + 1_500));
    expect((await fetch(link.url)).status).toBe(403);
    // A tampered link never works.
    expect((await fetch(link.url.replace(/sig=[^&]+/, 'sig=AAAA'))).status).toBe(403);
  });

  it('deletes softly with If-Match: gone from the list and downloads, kept in the audit log', async () => {
    const created = await upload(PDF, 'obsolete.pdf');
    const id = created.body.id as string;
    const del = (headers: Record<string, string>) =>
      clerk.request('DELETE', `/api/v1/documents/${id}`, { headers });
    expect((await del({})).status).toBe(428);
    expect((await del({ 'if-match': '"1"' })).status).toBe(412);
    const auditorDelete = await auditor.request('DELETE', `/api/v1/documents/${id}`, {
      headers: { 'if-match': `"${created.body.version}"` },
    });
    expect(auditorDelete.status).toBe(403);
    expect((await del({ 'if-match': `"${created.body.version}"` })).status).toBe(204);

    const list = await clerk.get(`/api/v1/documents?recordType=customer&recordId=${customer.id}`);
    expect(list.body.items.map((d: { id: string }) => d.id)).not.toContain(id);
    expect((await clerk.get(`/api/v1/documents/${id}/download`)).status).toBe(409);
    const kept = await clerk.get(`/api/v1/documents/${id}`);
    expect(kept.body).toMatchObject({ status: 'deleted', deletedBy: expect.any(String) });
    expect(await blobNames('documents')).toContain(`${demo.id}/${id}`);
    const audit = await sql<{ action: string; actor_name: string }>`
      select action, actor_name from audit_log where entity_id = ${id} order by occurred_at`.execute(
      devhost.db,
    );
    expect(audit.rows.map((r) => r.action)).toEqual(['document.uploaded', 'document.deleted']);
    expect((await del({ 'if-match': `"${kept.body.version}"` })).status).toBe(409);
  });

  it('pages the list newest first', async () => {
    const target = await createCustomer(clerk);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const response = await postBytes(clerkToken, uploadPath(target.id, `page-${i}.pdf`), PDF);
      ids.push(response.body.id);
    }
    const first = await clerk.get(`/api/v1/documents?recordType=customer&recordId=${target.id}&limit=2`);
    expect(first.body.items.map((d: { id: string }) => d.id)).toEqual([ids[2], ids[1]]);
    const second = await clerk.get(
      `/api/v1/documents?recordType=customer&recordId=${target.id}&limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
  });
});

describe('the service other modules call', () => {
  it('stores system-made documents once per idempotency key and reads them back', async () => {
    const actor = { tenantId: demo.id, objectId: 'system:test', name: 'Test' };
    const input = {
      tenantId: demo.id,
      recordType: 'customer',
      recordId: customer.id,
      fileName: 'INV-2026-000012.pdf',
      contentType: 'application/pdf',
      bytes: PDF,
      actor,
      idempotencyKey: `invoice-pdf-${randomUUID()}`,
    };
    const first = await storeDocument(devhost.db, input);
    expect(first).toEqual({ id: expect.any(String), blobName: `${demo.id}/${first.id}`, created: true });
    const rows = await documentRows();
    const second = await storeDocument(devhost.db, {
      ...input,
      bytes: Buffer.concat([PDF, Buffer.from('x')]),
    });
    expect(second).toEqual({ ...first, created: false });
    expect(await documentRows()).toBe(rows);
    expect(await readDocumentBytes(devhost.db, demo.id, first.id)).toEqual({
      fileName: 'INV-2026-000012.pdf',
      contentType: 'application/pdf',
      bytes: PDF,
    });
    await expect(
      storeDocument(devhost.db, { ...input, idempotencyKey: 'k', contentType: 'text/html' }),
    ).rejects.toThrow(RangeError);
  });
});
