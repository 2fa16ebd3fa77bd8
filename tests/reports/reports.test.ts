/**
 * Scheduled reports end to end against the devhost: a schedule due at a given time makes exactly
 * one run however often the timer fires; the run's durable flow renders PDF, XLSX and CSV into
 * Azurite under `{tenant}/{yyyy}/{mm}/…` in the `reports` container; the XLSX and CSV totals are
 * the API report's to the cent; the PDF reads back with the expected pages; recipients are told;
 * and nobody sees or schedules a report their roles do not open.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import { PDFParse } from 'pdf-parse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devObjectId } from '../../devhost/auth/dev-issuer.js';
import { DEMO_TENANTS } from '../../shared/modules/admin/index.js';
import { pdfLayout, REPORTS_CONTAINER } from '../../shared/modules/reports/index.js';
import { blobService } from '../../shared/platform/blob/storage.js';
import { parseCsv } from '../support/csv.js';
import { startTestDevhost, type Api } from '../support/devhost.js';

const devhost = await startTestDevhost();
afterAll(() => devhost.close());
const demo = DEMO_TENANTS[0]!;

let admin: Api;
let clerk: Api;
let fiona: { id: string; email: string };
let rep: Api;

async function blobBytes(blobName: string): Promise<Buffer> {
  return blobService().getContainerClient(REPORTS_CONTAINER).getBlobClient(blobName).downloadToBuffer();
}

async function waitForRun(api: Api, id: string, timeoutMs = 60_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await devhost.settle();
    const response = await api.get(`/api/v1/reports/runs/${id}`);
    expect(response.status, response.text).toBe(200);
    if (response.body.status === 'succeeded' || response.body.status === 'failed') return response.body;
    if (Date.now() > deadline) throw new Error(`run ${id} is still ${response.body.status}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

beforeAll(async () => {
  admin = await devhost.as('demo', 'ada', ['Admin']);
  const added = await admin.post('/api/v1/admin/users', {
    objectId: devObjectId(demo.entraTenantId, 'fiona'),
    displayName: 'Fiona',
    roles: ['Finance.Clerk'],
  });
  expect(added.status, added.text).toBe(201);
  fiona = added.body;
  clerk = await devhost.as('demo', 'fiona', ['Finance.Clerk']);
  rep = await devhost.as('demo', 'rita', ['Sales.Rep']);
  // October 2026 in the books: capital, a sale, a purchase.
  const post = async (date: string, memo: string, lines: unknown[]) => {
    const response = await clerk.post('/api/v1/accounting/journal-entries', {
      date,
      memo,
      currency: 'ZAR',
      lines,
    });
    expect(response.status, response.text).toBe(201);
  };
  await post('2026-10-01', 'Share capital paid in', [
    { account: '1000', debit: '250000.00' },
    { account: '3000', credit: '250000.00' },
  ]);
  await post('2026-10-14', 'Cash sale', [
    { account: '1000', debit: '11500.00' },
    { account: '4000', credit: '10000.00' },
    { account: '2200', credit: '1500.00' },
  ]);
  await post('2026-10-20', 'Site rent', [
    { account: '6100', debit: '8000.33' },
    { account: '1000', credit: '8000.33' },
  ]);
});

describe('a scheduled report', () => {
  let schedule: any;
  let run: any;

  it('is created with its next due time in its time zone', async () => {
    const response = await clerk.post('/api/v1/reports/schedules', {
      name: 'Monthly trial balance',
      reportType: 'trialBalance',
      parameters: { period: 'lastMonth' },
      formats: ['pdf', 'xlsx', 'csv'],
      recipients: [{ userId: fiona.id }],
      schedule: '0 0 6 1 * *',
    });
    expect(response.status, response.text).toBe(201);
    schedule = response.body;
    expect(schedule.timeZone).toBe('Africa/Johannesburg');
    // 06:00 in Johannesburg on the first of a month is 04:00 UTC.
    expect(schedule.nextRunAt).toMatch(/^\d{4}-\d{2}-01T04:00:00\.000Z$/);
  });

  it('runs exactly once for a due time however often the timer fires', async () => {
    // Due at 06:00 on 1 November 2026 (Johannesburg): the report is October's.
    await sql`update report_schedules set next_run_at = '2026-11-01T04:00:00Z' where id = ${schedule.id}`.execute(
      devhost.database.db,
    );
    await Promise.all([
      devhost.timers.fire('reports-schedules-due'),
      devhost.timers.fire('reports-schedules-due'),
    ]);
    await devhost.timers.fire('reports-schedules-due');
    await devhost.settle();
    const runs = await clerk.get(`/api/v1/reports/runs?scheduleId=${schedule.id}`);
    expect(runs.status, runs.text).toBe(200);
    expect(runs.body.items).toHaveLength(1);
    run = runs.body.items[0];
    expect(run.dueAt).toBe('2026-11-01T04:00:00.000Z');
    expect([run.from, run.to]).toEqual(['2026-10-01', '2026-10-31']);
    const after = await clerk.get(`/api/v1/reports/schedules/${schedule.id}`);
    expect(new Date(after.body.nextRunAt).getTime()).toBeGreaterThan(Date.now());
    expect(after.body.lastRunAt).toBe('2026-11-01T04:00:00.000Z');
  });

  it('writes the three files to Blob storage under the expected names', async () => {
    run = await waitForRun(clerk, run.id);
    expect(run.status, run.error).toBe('succeeded');
    expect(run.files.map((f: any) => f.format).sort()).toEqual(['csv', 'pdf', 'xlsx']);
    const names: string[] = [];
    for await (const blob of blobService()
      .getContainerClient(REPORTS_CONTAINER)
      .listBlobsFlat({ prefix: `${demo.id}/` }))
      names.push(blob.name);
    const yyyy = run.createdAt.slice(0, 4);
    const mm = run.createdAt.slice(5, 7);
    const stem = `${demo.id}/${yyyy}/${mm}/monthly-trial-balance-2026-10-01_2026-10-31-${run.id.slice(0, 8)}`;
    expect(names.sort()).toEqual([`${stem}.csv`, `${stem}.pdf`, `${stem}.xlsx`]);
    for (const file of run.files) {
      const properties = await blobService()
        .getContainerClient(REPORTS_CONTAINER)
        .getBlobClient(file.blobName)
        .getProperties();
      expect(properties.contentLength).toBe(file.sizeBytes);
      expect(properties.contentType).toBe(file.contentType);
    }
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    expect(run.rowCount).toBeGreaterThan(0);
  });

  it('has the same totals as the API report in XLSX and CSV, to the cent', async () => {
    const api = await clerk.get('/api/v1/accounting/reports/trial-balance?from=2026-10-01&to=2026-10-31');
    expect(api.status, api.text).toBe(200);
    expect(api.body.totals.debit).toBe('269500.33');

    const csv = parseCsv(
      (await blobBytes(run.files.find((f: any) => f.format === 'csv').blobName)).toString('utf8'),
    );
    expect(csv[0]).toEqual(['Account', 'Name', 'Type', 'Debit', 'Credit', 'Balance']);
    const csvTotal = csv.at(-1)!;
    expect(csvTotal[0]).toBe('Total');
    expect([csvTotal[3], csvTotal[4]]).toEqual([api.body.totals.debit, api.body.totals.credit]);
    // Every account row is the API's row.
    for (const row of api.body.rows) {
      const line = csv.find((r) => r[0] === row.account);
      expect(line, row.account).toEqual([
        row.account,
        row.name,
        row.type,
        row.debit,
        row.credit,
        row.balance,
      ]);
    }

    const workbook = new ExcelJS.Workbook();
    const xlsx = await blobBytes(run.files.find((f: any) => f.format === 'xlsx').blobName);
    // exceljs declares its own `Buffer` (an ArrayBuffer); it reads a Node Buffer.
    await workbook.xlsx.load(xlsx as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    const header = sheet.getRow(6);
    expect(header.getCell(4).value).toBe('Debit');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 6 });
    let totalRow: ExcelJS.Row | undefined;
    sheet.eachRow((row) => {
      if (row.getCell(1).value === 'Total') totalRow = row;
    });
    expect(totalRow).toBeDefined();
    const debit = totalRow!.getCell(4);
    expect(typeof debit.value).toBe('number');
    expect((debit.value as number).toFixed(2)).toBe(api.body.totals.debit);
    expect((totalRow!.getCell(5).value as number).toFixed(2)).toBe(api.body.totals.credit);
    expect(debit.numFmt).toContain('#,##0.00');
    // The sum of the account rows in the sheet is the total, computed in cents.
    let cents = 0;
    sheet.eachRow((row, n) => {
      if (n > 6 && row.getCell(1).value !== 'Total' && typeof row.getCell(4).value === 'number')
        cents += Math.round((row.getCell(4).value as number) * 100);
    });
    expect((cents / 100).toFixed(2)).toBe(api.body.totals.debit);
  });

  it('has a PDF with the pages the layout plans, the company, the period and the totals', async () => {
    const bytes = await blobBytes(run.files.find((f: any) => f.format === 'pdf').blobName);
    const parser = new PDFParse({ data: bytes });
    const text = await parser.getText();
    await parser.destroy();
    const expected = pdfLayout({
      columns: new Array(6),
      rowCount: run.rowCount,
      totals: [{ cells: {} }],
    }).pages;
    expect(text.total).toBe(expected);
    expect(text.text).toContain('Demo Construction (Pty) Ltd');
    expect(text.text).toContain('Trial balance');
    expect(text.text).toContain('VAT no. 4123456789');
    expect(text.text).toMatch(/1 Oct 2026 – 31 Oct 2026/);
    expect(text.text).toContain(`Page 1 of ${expected}`);
    // 269 500,33 in South African English.
    expect(text.text.replace(/\s/g, ' ')).toContain('269 500,33');
  });

  it('gives a download link that serves the file as an attachment', async () => {
    const link = await clerk.get(`/api/v1/reports/runs/${run.id}/download?format=pdf`);
    expect(link.status, link.text).toBe(200);
    const response = await fetch(link.body.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toMatch(/^attachment;/);
    expect(
      Buffer.from(await response.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    expect(new Date(link.body.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(600_000);
  });

  it('tells its recipients once', async () => {
    const response = await clerk.get('/api/v1/notifications');
    expect(response.status, response.text).toBe(200);
    const ready = response.body.items.filter((n: any) => n.template === 'report.ready');
    expect(ready).toHaveLength(1);
    expect(ready[0].link).toBe(`/reports/runs/${run.id}`);
    await devhost.settle();
    const mail = devhost.mail.messages(fiona.email);
    expect(mail).toHaveLength(1);
    expect(mail[0]!.subject).toContain('Monthly trial balance');
    // A working link to each file, straight to storage.
    const links = [...mail[0]!.html.matchAll(/href="([^"]+)"/g)].map((m) =>
      // The href as a mail client reads it: HTML character references decoded.
      m[1]!
        .replace(/&#39;/g, "'")
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&'),
    );
    const fileLinks = links.filter((href) => href.includes(`/${REPORTS_CONTAINER}/${demo.id}/`));
    expect(fileLinks).toHaveLength(3);
    const pdf = await fetch(fileLinks.find((href) => href.includes('.pdf'))!);
    expect(pdf.status).toBe(200);
  });
});

describe('running a report now', () => {
  it('makes one run per Idempotency-Key and follows it through its flow', async () => {
    const body = { reportType: 'salesByCustomer', from: '2026-10-01', to: '2026-10-31', formats: ['csv'] };
    const headers = { 'idempotency-key': 'run-now-1' };
    const first = await clerk.post('/api/v1/reports/runs', body, headers);
    expect(first.status, first.text).toBe(202);
    expect(first.headers.get('location')).toMatch(/^\/api\/v1\/flows\//);
    const again = await clerk.post('/api/v1/reports/runs', body, headers);
    expect(again.status).toBe(202);
    expect(again.body.id).toBe(first.body.id);
    const done = await waitForRun(clerk, first.body.id);
    expect(done.status, done.error).toBe('succeeded');
    expect(done.recipients).toEqual([]);
  });

  it('refuses an explicit period that ends before it starts, naming the field', async () => {
    const response = await clerk.post('/api/v1/reports/runs', {
      reportType: 'trialBalance',
      from: '2026-10-31',
      to: '2026-10-01',
      formats: ['csv'],
    });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe('from');
  });
});

describe('who may schedule and see reports', () => {
  it('refuses a report the caller may not read', async () => {
    const response = await rep.post('/api/v1/reports/schedules', {
      name: 'Sneaky trial balance',
      reportType: 'trialBalance',
      formats: ['csv'],
      recipients: [{ userId: fiona.id }],
      schedule: '0 0 6 * * *',
    });
    expect(response.status).toBe(403);
  });

  it('refuses recipients who may not read it, and outside addresses unless an administrator adds them', async () => {
    const users = await admin.post('/api/v1/admin/users', {
      objectId: devObjectId(demo.entraTenantId, 'sam'),
      displayName: 'Sam',
      roles: ['Sales.Rep'],
    });
    expect(users.status, users.text).toBe(201);
    const response = await clerk.post('/api/v1/reports/schedules', {
      name: 'Weekly aging',
      reportType: 'arAging',
      formats: ['pdf'],
      recipients: [{ userId: users.body.id }, { email: 'someone@example.com' }],
      schedule: '0 0 7 * * 1',
    });
    expect(response.status, response.text).toBe(422);
    expect(response.body.errors.map((e: any) => e.path)).toEqual([
      'recipients.0.userId',
      'recipients.1.email',
    ]);
    const byAdmin = await admin.post('/api/v1/reports/schedules', {
      name: 'Weekly aging',
      reportType: 'arAging',
      formats: ['pdf'],
      recipients: [{ email: 'cfo@example.com', name: 'CFO' }],
      schedule: '0 0 7 * * 1',
    });
    expect(byAdmin.status, byAdmin.text).toBe(201);
  });

  it('refuses a schedule that never occurs, naming the field', async () => {
    const response = await clerk.post('/api/v1/reports/schedules', {
      name: 'Never',
      reportType: 'vat',
      formats: ['csv'],
      recipients: [{ userId: fiona.id }],
      schedule: '0 0 6 31 2 *',
    });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].path).toBe('schedule');
  });

  it('hides every run and schedule from another tenant and from roles that do not open the report', async () => {
    const runs = await clerk.get('/api/v1/reports/runs');
    const id = runs.body.items[0].id;
    const other = await devhost.as('acme', 'ada', ['Admin']);
    expect((await other.get(`/api/v1/reports/runs/${id}`)).status).toBe(404);
    expect((await other.get('/api/v1/reports/runs')).body.items).toEqual([]);
    expect((await rep.get(`/api/v1/reports/runs/${id}`)).status).toBe(404);
    expect((await rep.get('/api/v1/reports/schedules')).body.items).toEqual([]);
  });
});

describe('a report of 100,000 rows', () => {
  it('renders in PDF, XLSX and CSV within a 128 MiB heap', async () => {
    const script = path.join(import.meta.dirname, 'render-large.mts');
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--max-old-space-size=128', '--import', 'tsx', script, '100000'],
      { timeout: 120_000 },
    );
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(result.rows).toBe(100_000);
    expect(result.pdfPages).toBeGreaterThan(1000);
    expect(result.csv).toBeGreaterThan(100_000 * 40);
    expect(result.xlsx).toBeGreaterThan(0);
    expect(result.pdf).toBeGreaterThan(0);
    expect(result.peakHeapMiB).toBeLessThan(128);
  }, 150_000);
});
