import PDFDocument from 'pdfkit';
import type { CompanyProfile } from '../admin/index.js';
import type { Party, TradeDocument } from '../accounting/index.js';
import { Decimal, minorUnits } from '../../platform/money.js';
import { formatDay, formatDecimal, pdfText } from '../../platform/print.js';

/** What a tax invoice prints: the seller, the buyer, the invoice, and the base currency for VAT. */
export interface TaxInvoiceData {
  seller: { name: string; profile: CompanyProfile };
  buyer: Party;
  invoice: TradeDocument;
  baseCurrency: string;
  locale: string;
}

const en = {
  title: 'TAX INVOICE',
  invoiceNo: 'Invoice number',
  date: 'Invoice date',
  due: 'Due date',
  reference: 'Your reference',
  currency: 'Currency',
  billTo: 'Bill to',
  vatNo: 'VAT no.',
  regNo: 'Reg. no.',
  description: 'Description',
  quantity: 'Qty',
  unitPrice: 'Unit price',
  discount: 'Disc. %',
  vatRate: 'VAT',
  amount: 'Amount excl. VAT',
  vatSummary: 'VAT summary',
  taxCode: 'Tax code',
  rate: 'Rate',
  net: 'Net',
  vat: 'VAT',
  subtotal: 'Total excl. VAT',
  totalVat: 'VAT',
  total: 'Total incl. VAT',
  baseVat: 'VAT in {currency} at {rate}: {vat} (total {total})',
  bank: 'Please pay into',
  bankName: 'Bank',
  accountName: 'Account name',
  accountNumber: 'Account number',
  branchCode: 'Branch code',
  swift: 'SWIFT',
  iban: 'IBAN',
  payReference: 'Payment reference',
  page: 'Page {page} of {pages}',
};
type Words = typeof en;
const af: Words = {
  title: 'BELASTINGFAKTUUR',
  invoiceNo: 'Faktuurnommer',
  date: 'Faktuurdatum',
  due: 'Betaaldatum',
  reference: 'U verwysing',
  currency: 'Geldeenheid',
  billTo: 'Faktuur aan',
  vatNo: 'BTW-nr.',
  regNo: 'Reg.-nr.',
  description: 'Beskrywing',
  quantity: 'Hoev.',
  unitPrice: 'Eenheidsprys',
  discount: 'Afslag %',
  vatRate: 'BTW',
  amount: 'Bedrag sonder BTW',
  vatSummary: 'BTW-opsomming',
  taxCode: 'Belastingkode',
  rate: 'Koers',
  net: 'Netto',
  vat: 'BTW',
  subtotal: 'Totaal sonder BTW',
  totalVat: 'BTW',
  total: 'Totaal met BTW',
  baseVat: 'BTW in {currency} teen {rate}: {vat} (totaal {total})',
  bank: 'Betaal asseblief in',
  bankName: 'Bank',
  accountName: 'Rekeningnaam',
  accountNumber: 'Rekeningnommer',
  branchCode: 'Takkode',
  swift: 'SWIFT',
  iban: 'IBAN',
  payReference: 'Betalingsverwysing',
  page: 'Bladsy {page} van {pages}',
};

const fill = (text: string, values: Record<string, string | number>) =>
  text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    values[name] === undefined ? whole : String(values[name]),
  );

const MARGIN = 48;
const WIDTH = 595.28 - 2 * MARGIN;
const BOTTOM = 841.89 - MARGIN - 20;

/**
 * A tax invoice as South Africa's VAT Act asks of a full tax invoice (and as customers elsewhere
 * expect one): the words "Tax invoice"; the seller's name, address and VAT number; the buyer's
 * name, address and VAT number; the invoice number and date; each line's description, quantity,
 * price and amount; the VAT per rate; totals excluding VAT, VAT and including VAT; for an invoice
 * in another currency the VAT in the base currency at the invoice's rate; the due date and the
 * bank details to pay into. Every figure is the issued document's, printed exactly.
 */
export async function renderTaxInvoice(data: TaxInvoiceData): Promise<Buffer> {
  const { seller, buyer, invoice, locale } = data;
  const w: Words = locale.toLowerCase().startsWith('af') ? af : en;
  const scale = minorUnits(invoice.currency);
  const money = (value: { amount: string }) => formatDecimal(value.amount, locale, scale, scale);
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    bufferPages: true,
    info: {
      Title: pdfText(`${w.title} ${invoice.number ?? ''}`),
      Author: pdfText(seller.profile.legalName ?? seller.name),
      Creator: 'Tessera ERP',
    },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });
  const text = (value: string, x: number, y: number, options: PDFKit.Mixins.TextOptions = {}) =>
    doc.text(pdfText(value), x, y, { lineBreak: false, ...options });

  // ---- Seller and title
  const profile = seller.profile;
  let y = MARGIN;
  doc.font('Helvetica-Bold').fontSize(15);
  text(profile.legalName ?? seller.name, MARGIN, y);
  doc.font('Helvetica-Bold').fontSize(17);
  text(w.title, MARGIN, y, { width: WIDTH, align: 'right' });
  y += 22;
  doc.font('Helvetica').fontSize(8.5);
  const sellerLines = [
    ...(profile.address?.lines ?? []),
    [profile.address?.postalCode, profile.address?.city].filter(Boolean).join(' '),
    profile.taxNumber ? `${w.vatNo} ${profile.taxNumber}` : '',
    profile.registrationNumber ? `${w.regNo} ${profile.registrationNumber}` : '',
    [profile.phone, profile.email].filter(Boolean).join(' · '),
  ].filter((line) => line.length > 0);
  for (const line of sellerLines) {
    text(line, MARGIN, y, { width: WIDTH * 0.55 });
    y += 11;
  }

  // ---- Invoice facts (right) and buyer (left)
  let factsY = MARGIN + 26;
  const facts: [string, string][] = [
    [w.invoiceNo, invoice.number ?? ''],
    [w.date, formatDay(invoice.issueDate, locale)],
    ...(invoice.dueDate ? [[w.due, formatDay(invoice.dueDate, locale)] as [string, string]] : []),
    ...(invoice.reference ? [[w.reference, invoice.reference] as [string, string]] : []),
    [w.currency, invoice.currency],
  ];
  for (const [label, value] of facts) {
    doc.font('Helvetica').fontSize(8.5);
    text(label, MARGIN + WIDTH * 0.58, factsY, { width: WIDTH * 0.2 });
    doc.font('Helvetica-Bold');
    text(value, MARGIN + WIDTH * 0.78, factsY, { width: WIDTH * 0.22, align: 'right' });
    factsY += 12;
  }
  y = Math.max(y, factsY) + 14;
  doc.font('Helvetica-Bold').fontSize(9);
  text(w.billTo, MARGIN, y);
  y += 13;
  doc.font('Helvetica-Bold').fontSize(10);
  text(buyer.name, MARGIN, y, { width: WIDTH * 0.6 });
  y += 13;
  doc.font('Helvetica').fontSize(8.5);
  const address = buyer.billingAddress;
  const buyerLines = [
    address?.line1,
    address?.line2,
    [address?.postalCode, address?.city].filter(Boolean).join(' '),
    [address?.region, address?.country].filter(Boolean).join(', '),
    buyer.taxNumber ? `${w.vatNo} ${buyer.taxNumber}` : undefined,
  ].filter((line): line is string => Boolean(line));
  for (const line of buyerLines) {
    text(line, MARGIN, y, { width: WIDTH * 0.6 });
    y += 11;
  }
  y += 14;

  // ---- Lines
  const columns = [
    { label: w.description, width: 0.4, align: 'left' as const },
    { label: w.quantity, width: 0.09, align: 'right' as const },
    { label: w.unitPrice, width: 0.14, align: 'right' as const },
    { label: w.discount, width: 0.09, align: 'right' as const },
    { label: w.vatRate, width: 0.08, align: 'right' as const },
    { label: w.amount, width: 0.2, align: 'right' as const },
  ];
  const xs = columns.map((_, i) => MARGIN + columns.slice(0, i).reduce((s, c) => s + c.width * WIDTH, 0));
  const header = () => {
    doc.font('Helvetica-Bold').fontSize(8.5);
    columns.forEach((c, i) => text(c.label, xs[i]!, y, { width: c.width * WIDTH - 4, align: c.align }));
    y += 13;
    doc
      .moveTo(MARGIN, y - 3)
      .lineTo(MARGIN + WIDTH, y - 3)
      .lineWidth(0.6)
      .stroke();
  };
  header();
  for (const line of invoice.lines) {
    doc.font('Helvetica').fontSize(8.5);
    const description = pdfText(line.description);
    const height = doc.heightOfString(description, { width: columns[0]!.width * WIDTH - 4 });
    if (y + height > BOTTOM - 10) {
      doc.addPage();
      y = MARGIN;
      header();
      doc.font('Helvetica').fontSize(8.5);
    }
    doc.text(description, xs[0]!, y, { width: columns[0]!.width * WIDTH - 4 });
    const cells = [
      formatDecimal(line.quantity, locale, 0),
      formatDecimal(line.unitPrice.amount, locale, scale),
      new Decimal(line.discountPercent).isZero() ? '' : formatDecimal(line.discountPercent, locale, 0),
      `${formatDecimal(line.taxRate, locale, 0)}%`,
      money(line.net),
    ];
    cells.forEach((cell, i) =>
      text(cell, xs[i + 1]!, y, { width: columns[i + 1]!.width * WIDTH - 4, align: 'right' }),
    );
    y += Math.max(12, height + 3);
  }

  // ---- VAT summary and totals (kept together)
  const summaryHeight = 30 + invoice.taxes.length * 12 + 60 + (profile.bank ? 90 : 0);
  if (y + summaryHeight > BOTTOM) {
    doc.addPage();
    y = MARGIN;
  }
  y += 8;
  doc
    .moveTo(MARGIN, y)
    .lineTo(MARGIN + WIDTH, y)
    .lineWidth(0.3)
    .stroke();
  y += 8;
  const summaryY = y;
  doc.font('Helvetica-Bold').fontSize(8.5);
  text(w.vatSummary, MARGIN, y);
  y += 12;
  const sx = [MARGIN, MARGIN + 64, MARGIN + 104, MARGIN + 184];
  doc.font('Helvetica').fontSize(8);
  text(w.taxCode, sx[0]!, y);
  text(w.rate, sx[1]!, y, { width: 36, align: 'right' });
  text(w.net, sx[2]!, y, { width: 76, align: 'right' });
  text(w.vat, sx[3]!, y, { width: 76, align: 'right' });
  y += 11;
  for (const tax of invoice.taxes) {
    text(tax.taxCode, sx[0]!, y);
    text(`${formatDecimal(tax.rate, locale, 0)}%`, sx[1]!, y, { width: 36, align: 'right' });
    text(money(tax.net), sx[2]!, y, { width: 76, align: 'right' });
    text(money(tax.tax), sx[3]!, y, { width: 76, align: 'right' });
    y += 11;
  }

  let ty = summaryY;
  const totals: [string, string, boolean][] = [
    [w.subtotal, money(invoice.net), false],
    [w.totalVat, money(invoice.tax), false],
    [w.total, `${invoice.currency} ${money(invoice.gross)}`, true],
  ];
  for (const [label, value, strong] of totals) {
    doc.font(strong ? 'Helvetica-Bold' : 'Helvetica').fontSize(strong ? 10.5 : 9);
    text(label, MARGIN + WIDTH * 0.55, ty, { width: WIDTH * 0.22 });
    text(value, MARGIN + WIDTH * 0.77, ty, { width: WIDTH * 0.23, align: 'right' });
    ty += strong ? 16 : 13;
  }
  if (invoice.currency !== data.baseCurrency && invoice.exchangeRate) {
    const baseScale = minorUnits(data.baseCurrency);
    const rate = new Decimal(invoice.exchangeRate);
    const half = (value: { amount: string }) =>
      formatDecimal(
        new Decimal(value.amount).times(rate).toFixed(baseScale, Decimal.ROUND_HALF_UP),
        locale,
        baseScale,
      );
    doc.font('Helvetica').fontSize(8);
    text(
      fill(w.baseVat, {
        currency: data.baseCurrency,
        rate: formatDecimal(invoice.exchangeRate, locale, 0, 6),
        vat: half(invoice.tax),
        total: invoice.baseGross
          ? formatDecimal(invoice.baseGross.amount, locale, baseScale)
          : half(invoice.gross),
      }),
      MARGIN + WIDTH * 0.35,
      ty,
      { width: WIDTH * 0.65, align: 'right' },
    );
    ty += 12;
  }
  y = Math.max(y, ty) + 18;

  // ---- Payment
  if (profile.bank) {
    const bank = profile.bank;
    doc.font('Helvetica-Bold').fontSize(8.5);
    text(w.bank, MARGIN, y);
    y += 12;
    doc.font('Helvetica').fontSize(8.5);
    const rows: [string, string | undefined][] = [
      [w.bankName, bank.bankName],
      [w.accountName, bank.accountName],
      [w.accountNumber, bank.accountNumber],
      [w.branchCode, bank.branchCode],
      [w.swift, bank.swift],
      [w.iban, bank.iban],
      [w.payReference, invoice.number ?? undefined],
    ];
    for (const [label, value] of rows) {
      if (!value) continue;
      text(label, MARGIN, y, { width: 110 });
      text(value, MARGIN + 110, y, { width: WIDTH - 110 });
      y += 11;
    }
  }
  if (invoice.memo) {
    y += 8;
    doc.font('Helvetica-Oblique').fontSize(8.5);
    doc.text(pdfText(invoice.memo), MARGIN, y, { width: WIDTH });
  }

  // ---- Page numbers, once every page exists
  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // The foot sits in the bottom margin: let it, without pdfkit starting a new page for it.
    doc.page.margins.bottom = 0;
    doc.font('Helvetica').fontSize(7.5);
    text(
      `${invoice.number ?? ''} · ${fill(w.page, { page: i + 1, pages: range.count })}`,
      MARGIN,
      841.89 - MARGIN - 4,
      { width: WIDTH, align: 'right' },
    );
  }
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}
