/**
 * The notification templates in each supported locale: money from its exact decimal string, dates
 * and times in the locale (times in the tenant's zone), every value escaped in the HTML, only web
 * links made into links, and a locale the app does not have falling back sensibly.
 */
import { describe, expect, it } from 'vitest';
import {
  renderTemplate,
  templateLocale,
  TEMPLATE_LOCALES,
  TEMPLATE_NAMES,
} from '../../shared/modules/notifications/index.js';

/** Intl separates with no-break and narrow no-break spaces: compare with plain ones. */
const plain = (text: string) => text.replace(/[\u00a0\u202f]/g, ' ');
const zone = 'Africa/Johannesburg';

const invoice = {
  invoiceNumber: 'INV-2026-000042',
  customerName: 'Bob <script>alert("x")</script> & Sons',
  // 1234567.895 is 1234567.89499… as a float: only exact decimal arithmetic rounds it up to .90.
  total: { amount: '1234567.895', currency: 'ZAR' },
  dueDate: '2026-12-31',
  sellerName: 'Demo Construction (Pty) Ltd',
};

describe('invoice.issued', () => {
  const render = (locale: string) =>
    renderTemplate('invoice.issued', invoice, {
      locale,
      timeZone: zone,
      link: '/accounting/invoices/5',
      appUrl: 'https://erp.example.com/',
    });

  it('formats money exactly and dates in en-ZA', () => {
    const r = render('en-ZA');
    expect(r.locale).toBe('en-ZA');
    expect(plain(r.subject)).toBe('Invoice INV-2026-000042 from Demo Construction (Pty) Ltd');
    expect(plain(r.text)).toContain('for R 1 234 567,90, due on 31 December 2026.');
    expect(r.text).toContain('View the invoice: https://erp.example.com/accounting/invoices/5');
  });

  it('formats money and dates in af-ZA, in Afrikaans', () => {
    const r = render('af-ZA');
    expect(plain(r.subject)).toBe('Faktuur INV-2026-000042 van Demo Construction (Pty) Ltd');
    expect(plain(r.text)).toContain('vir R 1 234 567,90, betaalbaar op 31 Desember 2026.');
    expect(r.text).toContain('Bekyk die faktuur: https://erp.example.com/accounting/invoices/5');
  });

  it('formats money and dates in en-US', () => {
    const r = render('en-US');
    expect(plain(r.text)).toContain('for ZAR 1,234,567.90, due on December 31, 2026.');
  });

  it('escapes every value in the HTML and keeps the text as written', () => {
    for (const locale of TEMPLATE_LOCALES) {
      const r = render(locale);
      expect(r.html).not.toContain('<script>');
      expect(r.html).toContain('Bob &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Sons');
      expect(r.html).toContain('<a href="https://erp.example.com/accounting/invoices/5">');
      expect(r.html).toContain(`<html lang="${locale}">`);
      expect(r.text).toContain('Bob <script>alert("x")</script> & Sons');
    }
  });
});

describe('times and lists', () => {
  const approval = {
    number: 'AP-2026-000007',
    title: 'Sales order for Bob & Sons',
    amount: { amount: '250000.5', currency: 'USD' },
    requestedBy: 'Rita',
    deadline: '2026-11-25T10:00:00Z',
  };

  it('shows a moment in the tenant time zone, in each locale', () => {
    const at = (locale: string) =>
      plain(renderTemplate('approval.requested', approval, { locale, timeZone: zone }).body);
    expect(at('en-ZA')).toBe(
      'Rita asks you to approve Sales order for Bob & Sons for US$250 000,50 by 25 November 2026 at 12:00.',
    );
    expect(at('af-ZA')).toBe(
      'Rita vra dat u Sales order for Bob & Sons vir USD 250 000,50 goedkeur voor 25 November 2026 om 12:00.',
    );
    expect(at('en-US')).toBe(
      'Rita asks you to approve Sales order for Bob & Sons for $250,000.50 by November 25, 2026 at 12:00 PM.',
    );
  });

  it('lists each report file with its size, and never makes a non-web URL into a link', () => {
    const r = renderTemplate(
      'report.ready',
      {
        reportName: 'Trial balance',
        period: { from: '2026-01-01', to: '2026-01-31' },
        files: [
          { format: 'pdf', url: 'https://blob.example/r.pdf?sig=a', sizeBytes: 123456 },
          { format: 'csv', url: 'javascript:alert(1)', sizeBytes: 10 },
        ],
        expiresAt: '2026-02-07T22:00:00Z',
      },
      { locale: 'en-ZA', timeZone: zone },
    );
    expect(plain(r.body)).toBe('Trial balance for 01 January 2026 – 31 January 2026 is ready.');
    expect(plain(r.text)).toContain('The links work until 08 February 2026 at 00:00.');
    expect(plain(r.text)).toContain('PDF, 123,5 kB: https://blob.example/r.pdf?sig=a');
    expect(r.html).toContain('<a href="https://blob.example/r.pdf?sig=a">');
    expect(r.html).not.toContain('javascript:');
    expect(r.text).not.toContain('javascript:');
  });

  it('says why a quote did not become an order, in the locale', () => {
    const data = { quoteNumber: 'Q-1', outcome: 'stock_short', reason: 'Bricks: 10 short.' };
    expect(renderTemplate('sales.quoteOrderFailed', data, { locale: 'af-ZA', timeZone: zone }).body).toBe(
      'Daar is nie genoeg voorraad daarvoor nie. Bricks: 10 short.',
    );
    expect(renderTemplate('sales.quoteOrderFailed', data, { locale: 'en-US', timeZone: zone }).body).toBe(
      'There is not enough stock for it. Bricks: 10 short.',
    );
  });
});

describe('locales', () => {
  it('falls back to the same language, then to en-ZA', () => {
    expect(templateLocale('af-ZA')).toBe('af-ZA');
    expect(templateLocale('af')).toBe('af-ZA');
    expect(templateLocale('en-us')).toBe('en-US');
    expect(templateLocale('en-GB')).toBe('en-ZA');
    expect(templateLocale('fr-FR')).toBe('en-ZA');
    expect(templateLocale(undefined)).toBe('en-ZA');
  });

  it('renders every template in every locale, without a missing value showing as "undefined"', () => {
    const data = {
      number: 'N-1',
      title: 'T',
      amount: { amount: '1.00', currency: 'ZAR' },
      requestedBy: 'R',
      deadline: '2026-11-25T10:00:00Z',
      decision: 'reject',
      decidedBy: 'D',
      comment: 'C',
      orderNumber: 'SO-1',
      quoteNumber: 'Q-1',
      customerName: 'Cust',
      total: { amount: '2.00', currency: 'ZAR' },
      outcome: 'rejected',
      reason: 'R',
      sku: 'SKU-1',
      uom: 'ea',
      available: '3',
      reorderLevel: '5',
      invoiceNumber: 'I-1',
      dueDate: '2026-12-01',
      sellerName: 'S',
      reportName: 'Rep',
      period: { from: '2026-01-01', to: '2026-01-31' },
      files: [],
      error: 'E',
    };
    for (const name of TEMPLATE_NAMES) {
      for (const locale of TEMPLATE_LOCALES) {
        const r = renderTemplate(name, data, { locale, timeZone: zone, link: '/x', appUrl: 'http://a' });
        for (const part of [r.title, r.body, r.subject, r.text, r.html]) {
          expect(part, `${name} ${locale}`).not.toMatch(/undefined|\[object/);
          expect(part.length, `${name} ${locale}`).toBeGreaterThan(0);
        }
      }
    }
  });
});
