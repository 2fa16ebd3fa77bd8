/**
 * Documents in the web app, in Debian's Chromium through playwright-core, against a devhost this
 * test starts: a sales rep attaches a file to an order, is told why a file of a refused type was not
 * attached, downloads the file through its short-lived link (a real browser download) and deletes
 * it; finance sees, on the same order, the tax invoice PDF that issuing the invoice filed, and
 * downloads it.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDevhost, type TestDevhost } from '../support/devhost.js';
import {
  accept,
  createCustomer,
  createItem,
  createQuote,
  createWarehouse,
  flowOf,
  receive,
} from '../sales/sales-helpers.js';
import { chromiumPath, ensureWebBuilt, launch, screenshot, signIn, watchErrors } from './browser.js';

if (!chromiumPath)
  console.warn(
    'SKIPPED the web documents test: no Chromium here. Install Debian\'s "chromium" package (.ci/run does) or set CHROMIUM_PATH.',
  );

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n' +
    'trailer <</Root 1 0 R>>\n%%EOF\n',
);

describe.skipIf(!chromiumPath)('documents in the web app', () => {
  let devhost: TestDevhost;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let order: { id: string; number: string; invoices: { id: string; number: string }[] };

  beforeAll(async () => {
    ensureWebBuilt();
    devhost = await startTestDevhost();
    const clerk = await devhost.as('demo', 'ivan', ['Inventory.Clerk', 'Finance.Clerk', 'Sales.Manager']);
    const warehouse = await createWarehouse(clerk);
    const item = await createItem(clerk, { price: '2.40', uom: 'brick' });
    await receive(clerk, warehouse.code, item.sku, '1000', '1.20');
    const customer = await createCustomer(clerk);
    const quote = await createQuote(clerk, {
      customerId: customer.id,
      lines: [{ itemId: item.id, warehouseId: warehouse.id, quantity: '500' }],
    });
    const instanceId = await accept(clerk, quote.id);
    await devhost.settle();
    const orderId = (await flowOf(clerk, instanceId)).output.orderId;
    expect((await clerk.post(`/api/v1/sales/orders/${orderId}/deliveries`, {})).status).toBe(201);
    const invoiced = await clerk.post(`/api/v1/sales/orders/${orderId}/invoices`, {});
    expect(invoiced.status, invoiced.text).toBe(201);
    // Issuing the invoice files its tax invoice PDF, through the outbox and the bus.
    await devhost.settle();
    order = invoiced.body;
    expect(order.invoices).toHaveLength(1);

    browser = await launch();
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: 'en-ZA',
      acceptDownloads: true,
    });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    errors = watchErrors(page);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await devhost?.close();
  });

  it('a rep attaches a file to the order, downloads it and deletes it; a refused type is explained', async () => {
    await signIn(page, devhost.url, 'rita', ['Sales.Rep']);
    await page.goto(`${devhost.url}/sales/orders/${order.id}`);
    const documents = page.getByRole('region', { name: 'Documents', exact: true });
    await documents.getByText('No documents attached yet.').waitFor();
    // The invoice's documents are finance's: a rep does not see them.
    expect(await page.getByRole('region', { name: /^Documents of invoice/ }).count()).toBe(0);

    await documents
      .getByLabel('Files to attach to Documents')
      .setInputFiles({ name: 'site-plan.pdf', mimeType: 'application/pdf', buffer: PDF });
    const row = documents.getByRole('row', { name: /site-plan\.pdf/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('PDF');
    await screenshot(page, 'order-documents');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: 'Download site-plan.pdf' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('site-plan.pdf');
    expect(await readFile((await download.path())!)).toEqual(PDF);

    await documents.getByLabel('Files to attach to Documents').setInputFiles({
      name: 'page.html',
      mimeType: 'text/html',
      buffer: Buffer.from('<!doctype html><script>alert(1)</script>'),
    });
    await documents.getByText(/“page\.html” is not a kind of file that can be attached/).waitFor();

    await row.getByRole('button', { name: 'Delete site-plan.pdf' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.getByRole('button', { name: 'Delete', exact: true }).click();
    await documents.getByText('No documents attached yet.').waitFor();
  });

  it('finance sees the tax invoice filed with the invoice on the order, and downloads it', async () => {
    const invoice = order.invoices[0]!;
    await signIn(page, devhost.url, 'fiona', ['Finance.Clerk']);
    await page.goto(`${devhost.url}/sales/orders/${order.id}`);
    const documents = page.getByRole('region', { name: `Documents of invoice ${invoice.number}` });
    const row = documents.getByRole('row', { name: new RegExp(`${invoice.number}\\.pdf`) });
    await row.waitFor();
    expect(await row.textContent()).toContain('Tax invoice');
    await screenshot(page, 'order-tax-invoice');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: `Download ${invoice.number}.pdf` }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${invoice.number}.pdf`);
    expect((await readFile((await download.path())!)).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('wrote nothing to the console but the refusal of the HTML file', () => {
    expect(errors.filter((e) => !/status of 415/.test(e))).toEqual([]);
  });
});
