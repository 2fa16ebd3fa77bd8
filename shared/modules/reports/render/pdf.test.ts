import { buffer } from 'node:stream/consumers';
import { PDFParse } from 'pdf-parse';
import { describe, expect, it } from 'vitest';
import type { ReportRow, ReportTable } from '../table.js';
import { pdfLayout, renderPdf } from './pdf.js';

const header = {
  companyName: 'Demo Construction (Pty) Ltd',
  taxNumber: '4123456789',
  locale: 'en-ZA',
  generatedAt: new Date('2026-11-01T04:00:00Z'),
  timeZone: 'Africa/Johannesburg',
};

function table(rowCount: number, wide = false): ReportTable {
  const rows: ReportRow[] = Array.from({ length: rowCount }, (_, i) => ({
    cells: { code: `C${String(i).padStart(4, '0')}`, name: `Customer ${i}`, amount: `${i}.50` },
  }));
  const columns = [
    { key: 'code', label: 'Code', kind: 'text' as const, width: 1 },
    { key: 'name', label: 'Name', kind: 'text' as const, width: 3 },
    { key: 'amount', label: 'Amount', kind: 'amount' as const, width: 1.2 },
  ];
  if (wide)
    for (let i = 0; i < 5; i++) columns.push({ key: `x${i}`, label: `Extra ${i}`, kind: 'amount', width: 1 });
  return {
    title: 'Aged receivables',
    periodLabel: 'As at 31 Oct 2026',
    currency: 'ZAR',
    columns,
    rowCount,
    rows: () => rows,
    totals: [{ cells: { code: 'Total', amount: '11325.00' }, style: 'total' }],
  };
}

async function read(t: ReportTable) {
  const parser = new PDFParse({ data: new Uint8Array(await buffer(renderPdf(t, header))) });
  const result = await parser.getText();
  await parser.destroy();
  return result;
}

describe('report PDFs', () => {
  it('has the pages its layout plans, each numbered "n of N", with the header on every page', async () => {
    const t = table(150);
    const layout = pdfLayout(t);
    expect(layout.landscape).toBe(false);
    expect(layout.pages).toBe(Math.ceil(151 / layout.rowsPerPage));
    expect(layout.pages).toBeGreaterThanOrEqual(3);
    const result = await read(t);
    expect(result.total).toBe(layout.pages);
    for (const [i, page] of result.pages.entries()) {
      expect(page.text).toContain(`Page ${i + 1} of ${layout.pages}`);
      expect(page.text).toContain('Demo Construction (Pty) Ltd');
      expect(page.text).toContain('Aged receivables');
    }
    expect(result.pages.at(-1)!.text.replace(/\s/g, ' ')).toContain('11 325,00');
    expect(result.text).toContain('C0149');
  });

  it('turns wide reports to landscape and prints one page with a note when there is nothing to report', async () => {
    const t = table(0, true);
    expect(pdfLayout(t)).toMatchObject({ landscape: true, pages: 1 });
    const result = await read(t);
    expect(result.total).toBe(1);
    expect(result.text).toContain('Nothing to report for this period.');
  });
});
