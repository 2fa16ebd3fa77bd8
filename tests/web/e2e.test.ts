/**
 * The web app end to end, in Debian's Chromium through playwright-core, against a devhost this test
 * starts: a sales rep adds a customer and a quote over the approval threshold and the customer
 * accepts; a finance approver approves it in the inbox; the rep delivers and invoices the order;
 * finance sees the invoice in receivables aging and the revenue in the trial balance. Then the same
 * screens in Afrikaans, an accessibility check of the main pages, and the pages at tablet width.
 * Screenshots of each main page are left in test-results/web/.
 */
import { readFile } from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestDevhost, type TestDevhost } from '../support/devhost.js';
import { createCustomer, createItem, receive, unique } from '../sales/sales-helpers.js';
import {
  artefactDir,
  chromiumPath,
  ensureWebBuilt,
  launch,
  overflowsHorizontally,
  screenshot,
  seriousA11yViolations,
  signIn,
  signOut,
  watchErrors,
} from './browser.js';

if (!chromiumPath)
  console.warn(
    'SKIPPED the web app end-to-end test: no Chromium here. Install Debian\'s "chromium" package (.ci/run does) or set CHROMIUM_PATH.',
  );

describe.skipIf(!chromiumPath)('the web app in a browser', () => {
  let devhost: TestDevhost;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];
  let base: string;
  let item: { id: string; sku: string };
  /** A customer finance gave credit (a rep's new customer has none: its orders need approval). */
  let creditCustomer: { id: string; code: string };
  const customerCode = unique('WEB');
  const customerName = `Karoo Roofing ${customerCode}`;
  let orderNumber = '';
  let invoiceNumber = '';
  /** Record pages with their documents panels, for the accessibility check. */
  const recordPaths: string[] = [];

  beforeAll(async () => {
    ensureWebBuilt();
    devhost = await startTestDevhost();
    base = devhost.url;
    const clerk = await devhost.as('demo', 'ivan', ['Inventory.Clerk']);
    item = await createItem(clerk, { price: '2.40', uom: 'brick' });
    await receive(clerk, 'MAIN', item.sku, '200000', '1.20');
    creditCustomer = await createCustomer(await devhost.as('demo', 'fred', ['Finance.Clerk']), {
      creditLimit: { amount: '100000.00', currency: 'ZAR' },
    });
    browser = await launch();
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-ZA' });
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
    errors = watchErrors(page);
  }, 300_000);

  afterEach(async (context) => {
    // What the page showed when a step failed, beside the other screenshots.
    if (context.task.result?.state === 'fail' && page)
      await screenshot(page, `failed-${context.task.name.replace(/\W+/g, '-').slice(0, 60)}`);
  });

  afterAll(async () => {
    await browser?.close();
    await devhost?.close();
    console.info(`Screenshots of the web app: ${artefactDir}`);
  });

  it('a rep adds a customer and a quote over the threshold, and the customer accepts it', async () => {
    await signIn(page, base, 'rita', ['Sales.Rep', 'Sales.Manager']);
    await page.getByRole('navigation').getByRole('link', { name: 'Customers' }).click();
    await page.getByRole('button', { name: 'New customer' }).click();
    await page.waitForLoadState('networkidle');
    await page.getByRole('textbox', { name: 'Code', exact: true }).fill(customerCode);
    await page.getByRole('textbox', { name: 'Name', exact: true }).fill(customerName);
    await page.getByRole('button', { name: 'Create customer' }).click();
    await page.waitForURL(/\/sales\/customers\/[0-9a-f-]{36}$/);
    recordPaths.push(new URL(page.url()).pathname);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toContain(customerCode);
    await screenshot(page, 'customer');

    await page.getByRole('navigation').getByRole('link', { name: 'Quotes' }).click();
    await page.getByRole('button', { name: 'New quote' }).click();
    await page.waitForLoadState('networkidle');
    const customer = page.getByRole('combobox', { name: 'Customer' });
    await customer.fill(customerCode);
    await page.getByRole('option', { name: new RegExp(customerCode) }).click();
    const itemBox = page.getByRole('combobox', { name: 'Item, line 1' });
    await itemBox.fill(item.sku);
    await page.getByRole('option', { name: new RegExp(item.sku) }).click();
    // 120 000 bricks at R 2,40: R 288 000 before VAT, over the demo tenant's R 250 000 threshold.
    await page.getByRole('textbox', { name: 'Quantity, line 1' }).fill('120000');
    await expect.poll(() => page.getByTestId('total-gross').textContent()).toMatch(/331\s?200,00/);
    await page.getByRole('button', { name: 'Save draft' }).click();
    await page.waitForURL(/\/sales\/quotes\/[0-9a-f-]{36}$/);
    await screenshot(page, 'quote');

    await page.getByRole('button', { name: 'Customer accepted' }).click();
    await expect
      .poll(() => page.getByTestId('flow-step').textContent(), { timeout: 30_000 })
      .toBe('Waiting for finance to approve');
    await screenshot(page, 'quote-awaiting-approval');
  });

  it('a finance approver approves it in the inbox', async () => {
    await signIn(page, base, 'fiona', ['Finance.Approver']);
    await page.getByRole('navigation').getByRole('link', { name: 'Approvals' }).click();
    const row = page.getByRole('row', { name: new RegExp(customerName) });
    await row.click();
    await page.getByLabel('Comment').fill('Deposit received; approved.');
    await screenshot(page, 'approval');
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    await expect.poll(() => page.getByRole('row', { name: new RegExp(customerName) }).count()).toBe(0);
  });

  it('the rep is told in the app: the bell counts the decision and the confirmed order', async () => {
    await signIn(page, base, 'rita', ['Sales.Rep', 'Sales.Manager']);
    // The approver's decision and the confirmed order, each one unread notification.
    // The bell asks again every 30 s, so both arrive within a minute without reloading the page.
    const bell = page.getByRole('button', { name: /^Notifications, \d+ unread$/ });
    await expect
      .poll(async () => ((await bell.count()) > 0 ? await bell.getAttribute('aria-label') : null), {
        timeout: 45_000,
      })
      .toBe('Notifications, 2 unread');
    await bell.click();
    await screenshot(page, 'notifications-popover');
    await page.getByRole('button', { name: /Order SO-\S+ confirmed/ }).click();
    await page.waitForURL(/\/sales\/orders\/[0-9a-f-]{36}$/);
    await expect
      .poll(() => page.getByRole('button', { name: /^Notifications/ }).getAttribute('aria-label'))
      .toBe('Notifications, 1 unread');
    await page.goto(`${base}/notifications`);
    await page.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
    expect(await page.getByText(/Order SO-\S+ confirmed/).count()).toBeGreaterThan(0);
  }, 120_000);

  it('the rep sees the order, delivers and invoices it', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Orders' }).click();
    const row = page.getByRole('row', { name: new RegExp(customerName) });
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    orderNumber = (await row.getByRole('link').first().textContent()) ?? '';
    await row.getByRole('link').first().click();
    recordPaths.push(new URL(page.url()).pathname);
    await page.getByRole('button', { name: 'Deliver all' }).click();
    await page.getByText(/^Delivery .+ on /).waitFor();
    await page.getByRole('button', { name: 'Invoice delivered' }).click();
    const invoice = page.getByText(/^Invoice INV-\d{4}-\d{6}: /);
    await invoice.waitFor();
    invoiceNumber = /INV-\d{4}-\d{6}/.exec((await invoice.textContent()) ?? '')?.[0] ?? '';
    expect(orderNumber).toMatch(/^SO-/);
    expect(invoiceNumber).toMatch(/^INV-/);
    await screenshot(page, 'order-invoiced');

    // The books are not the rep's: no link to them, and the address alone does not open them.
    expect(await page.getByRole('navigation').getByRole('link', { name: 'Trial balance' }).count()).toBe(0);
    await page.goto(`${base}/accounting/trial-balance`);
    await page.getByText('Your roles do not open this page.', { exact: false }).waitFor();
    await signOut(page);
  });

  it('a rep enters orders directly: confirmed at once, or sent for approval when over the credit limit', async () => {
    await signIn(page, base, 'rita', ['Sales.Rep']);
    const enterOrder = async (code: string) => {
      await page.getByRole('navigation').getByRole('link', { name: 'Orders' }).click();
      await page.getByRole('button', { name: 'New order' }).click();
      await page.waitForURL(/\/sales\/orders\/new$/);
      await page.waitForLoadState('networkidle');
      await page.getByRole('combobox', { name: 'Customer' }).fill(code);
      await page.getByRole('option', { name: new RegExp(code) }).click();
      await page.getByRole('combobox', { name: 'Item, line 1' }).fill(item.sku);
      await page.getByRole('option', { name: new RegExp(item.sku) }).click();
      // 500 bricks at R 2,40 + 15 % VAT: under the approval threshold.
      await page.getByRole('textbox', { name: 'Quantity, line 1' }).fill('500');
      await expect.poll(() => page.getByTestId('total-gross').textContent()).toMatch(/1\s?380,00/);
      await page.getByRole('button', { name: 'Place order' }).click();
    };

    // A customer with credit: the order is confirmed at once and its stock reserved.
    await enterOrder(creditCustomer.code);
    await page.waitForURL(/\/sales\/orders\/[0-9a-f-]{36}$/);
    recordPaths.push(new URL(page.url()).pathname);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toMatch(/^Order SO-/);
    await page.getByText('Entered directly').waitFor();
    await screenshot(page, 'order-entered-directly');
    const clerk = await devhost.as('demo', 'ivan', ['Inventory.Clerk']);
    expect((await clerk.get(`/api/v1/inventory/stock?itemId=${item.id}`)).body.items[0]).toMatchObject({
      reserved: '500',
    });

    // The rep's new customer has no credit yet (R 331 200 owed on the invoice): finance must approve.
    await enterOrder(customerCode);
    await page.waitForURL(/\/sales\/quotes\/[0-9a-f-]{36}$/);
    await page.getByText('The order needs finance’s approval').waitFor();
    await page.getByText(/Over the customer’s credit limit\. It was entered as this quote/).waitFor();
    await expect
      .poll(() => page.getByTestId('flow-step').textContent(), { timeout: 30_000 })
      .toBe('Waiting for finance to approve');
    await screenshot(page, 'order-sent-for-approval');
    await signOut(page);
  });

  it('finance sees the invoice in receivables aging and the revenue in the trial balance', async () => {
    await signIn(page, base, 'fiona', ['Finance.Approver']);
    await page.getByRole('navigation').getByRole('link', { name: 'Receivables aging' }).click();
    const aged = page.getByRole('row', { name: new RegExp(customerCode) });
    await aged.waitFor();
    // Not yet due: the whole invoice, R 331 200,00 with VAT.
    expect(await aged.textContent()).toMatch(/331\s?200,00/);
    await screenshot(page, 'ar-aging');

    await page.getByRole('navigation').getByRole('link', { name: 'Trial balance' }).click();
    const revenue = page.getByRole('row', { name: /^4000/ });
    await revenue.waitFor();
    expect(await revenue.textContent()).toMatch(/288\s?000,00/);
    await expect.poll(() => page.getByTestId('trial-balance-totals').textContent()).toContain('Balances');
    await screenshot(page, 'trial-balance');

    // Drill down: the revenue account's ledger shows the invoice's posting.
    await revenue.getByRole('link', { name: '4000' }).click();
    await page.waitForURL(/\/accounting\/ledger\/4000/);
    await page.getByRole('row', { name: new RegExp(invoiceNumber) }).waitFor();
    await screenshot(page, 'ledger-4000');
  });

  it('finance runs the trial balance as a report now and downloads its PDF', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'Reports' }).click();
    await page.getByRole('button', { name: 'Run now', exact: true }).click();
    await page.getByRole('combobox', { name: 'Report' }).click();
    await page.getByRole('option', { name: 'Trial balance' }).click();
    await page.getByRole('button', { name: 'Run report' }).click();
    await page.waitForURL(/\/reports\/runs\/[0-9a-f-]{36}$/);
    // The run's page follows the orchestration until the files are in storage.
    const pdf = page.getByRole('button', { name: /^Download PDF/ });
    await pdf.waitFor({ timeout: 60_000 });
    await screenshot(page, 'report-run');
    const [download] = await Promise.all([page.waitForEvent('download'), pdf.click()]);
    expect(download.suggestedFilename()).toMatch(/\.pdf$/);
    const bytes = await readFile((await download.path())!);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await page.getByRole('link', { name: 'All report runs' }).click();
    await page.getByRole('tab', { name: 'Runs' }).waitFor();
  });

  it('shows the same screens in Afrikaans', async () => {
    await page.getByRole('button', { name: 'Account and settings' }).click();
    await page.getByRole('menuitemradio', { name: /Afrikaans/ }).click();
    await page.getByRole('navigation').getByRole('link', { name: 'Proefbalans' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Proefbalans');
    await expect.poll(() => page.getByTestId('trial-balance-totals').textContent()).toContain('Balanseer');
    await screenshot(page, 'af-trial-balance');
    await page.getByRole('navigation').getByRole('link', { name: 'Ouderdomsanalise: debiteure' }).click();
    await page.getByRole('row', { name: new RegExp(customerCode) }).waitFor();
    await screenshot(page, 'af-ar-aging');
    for (const title of ['Paneelbord', 'Kwotasies', 'Bestellings']) {
      await page.getByRole('navigation').getByRole('link', { name: title }).click();
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(title);
      await page.waitForLoadState('networkidle');
      await screenshot(page, `af-${title.toLowerCase()}`);
    }
    await page.getByRole('navigation').getByRole('link', { name: 'Goedkeurings' }).click();
    // The rep's order over the credit limit waits here, its reason in Afrikaans.
    await page.getByRole('row', { name: /Oor die kliënt se kredietlimiet/ }).waitFor();
    await screenshot(page, 'af-approvals');
    await page.getByRole('button', { name: 'Rekening en instellings' }).click();
    await page.getByRole('menuitemradio', { name: /English \(South Africa\)/ }).click();
    await page.getByRole('navigation').getByRole('link', { name: 'Trial balance' }).waitFor();
  });

  it('has no serious accessibility violations on the main pages, and fits a tablet', async () => {
    await signIn(page, base, 'alice', ['Admin']);
    const pages = [
      '/',
      '/sales/quotes',
      '/sales/quotes/new',
      '/sales/orders',
      '/sales/customers',
      '/sales/customers/new',
      '/inventory/items',
      '/inventory/stock',
      '/inventory/receipts/new',
      '/inventory/transfers',
      '/approvals',
      '/accounting/accounts',
      '/accounting/journal/new',
      '/accounting/trial-balance',
      '/accounting/profit-and-loss',
      '/accounting/balance-sheet',
      '/accounting/ar-aging',
      '/reports',
      '/reports?tab=runs',
      '/notifications',
      '/admin/settings',
      '/admin/users',
      '/admin/audit',
      ...recordPaths,
    ];
    const found: Record<string, unknown> = {};
    for (const path of pages) {
      await page.goto(`${base}${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      await screenshot(page, `page${path === '/' ? '-dashboard' : path.replaceAll('/', '-')}`);
      const violations = await seriousA11yViolations(page);
      if (violations.length > 0) found[path] = violations;
    }
    expect(found).toEqual({});

    await page.setViewportSize({ width: 768, height: 1024 });
    const wide: string[] = [];
    for (const path of [
      '/sales/quotes/new',
      '/accounting/trial-balance',
      '/accounting/journal/new',
      '/approvals',
    ]) {
      await page.goto(`${base}${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      if (await overflowsHorizontally(page)) wide.push(path);
      await screenshot(page, `tablet${path.replaceAll('/', '-')}`);
    }
    expect(wide).toEqual([]);
  }, 240_000);

  it('wrote nothing to the console', () => {
    expect(errors).toEqual([]);
  });
});
