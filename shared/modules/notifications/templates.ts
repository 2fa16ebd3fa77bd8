/**
 * The notification templates: per template and locale, what a notification says. Each template
 * returns a message as data (subject, summary, paragraphs, links), and one renderer turns it into
 * the in-app title and body and the email's subject, text and HTML, escaping every value in the
 * HTML. Money, numbers and dates are formatted by `Intl` in the locale; money from its exact
 * decimal string, never through a float.
 */

export const TEMPLATE_LOCALES = ['en-ZA', 'af-ZA', 'en-US'] as const;
export type TemplateLocale = (typeof TEMPLATE_LOCALES)[number];
export const DEFAULT_LOCALE: TemplateLocale = 'en-ZA';

export const TEMPLATE_NAMES = [
  'approval.requested',
  'approval.decided',
  'approval.escalated',
  'approval.expired',
  'approval.closed',
  'sales.orderConfirmed',
  'sales.quoteOrderFailed',
  'inventory.stockLow',
  'invoice.issued',
  'report.ready',
  'report.failed',
] as const;
export type TemplateName = (typeof TEMPLATE_NAMES)[number];

export function isTemplateName(name: string): name is TemplateName {
  return (TEMPLATE_NAMES as readonly string[]).includes(name);
}

/** The supported locale closest to the one asked for: the same, then the same language, then en-ZA. */
export function templateLocale(requested: string | undefined | null): TemplateLocale {
  if (!requested) return DEFAULT_LOCALE;
  const exact = TEMPLATE_LOCALES.find((l) => l.toLowerCase() === requested.toLowerCase());
  if (exact) return exact;
  const language = requested.split(/[-_]/)[0]?.toLowerCase();
  return TEMPLATE_LOCALES.find((l) => l.split('-')[0] === language) ?? DEFAULT_LOCALE;
}

export interface RenderOptions {
  locale: string;
  /** Where date-times are shown (the tenant's time zone). */
  timeZone: string;
  /** The notification's link: a path in the web app or an absolute URL. */
  link?: string | null;
  /** The web app's address, to make a path into a link an email can carry. */
  appUrl?: string;
}

export interface Rendered {
  locale: TemplateLocale;
  /** In the web app: the title and one short paragraph. */
  title: string;
  body: string;
  /** By email. */
  subject: string;
  text: string;
  html: string;
}

interface MessageLink {
  label: string;
  url: string;
}

interface Message {
  subject: string;
  /** The in-app body and the email's first paragraph. */
  summary: string;
  paragraphs?: string[];
  links?: MessageLink[];
  /** The label of the notification's own link. */
  action?: string;
}

type Vars = Record<string, unknown>;

/** Formats values in a locale; anything missing or malformed shows as it is rather than failing. */
class Format {
  readonly locale: TemplateLocale;
  readonly #timeZone: string;

  constructor(locale: TemplateLocale, timeZone: string) {
    this.locale = locale;
    this.#timeZone = timeZone;
  }

  text(value: unknown): string {
    if (value === undefined || value === null) return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  money(value: unknown): string {
    const money = value as { amount?: unknown; currency?: unknown } | undefined;
    const amount = money?.amount;
    const currency = money?.currency;
    if (typeof amount !== 'string' || typeof currency !== 'string' || !/^-?\d+(\.\d+)?$/.test(amount))
      return this.text(value);
    try {
      // ECMA-402 formats a decimal string exactly (Intl.NumberFormat v3): no float in between.
      const format = new Intl.NumberFormat(this.locale, { style: 'currency', currency }).format as (
        v: string,
      ) => string;
      return format(amount);
    } catch {
      return `${currency} ${amount}`;
    }
  }

  /** A quantity given as a decimal string, with the locale's separators and its own decimals. */
  quantity(value: unknown): string {
    if (typeof value !== 'string' || !/^-?\d+(\.\d+)?$/.test(value)) return this.text(value);
    const format = new Intl.NumberFormat(this.locale, { maximumFractionDigits: 4 }).format as (
      v: string,
    ) => string;
    return format(value);
  }

  /** A calendar date (`2026-11-30`), the same day everywhere. */
  date(value: unknown): string {
    if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}/.test(value)) return this.text(value);
    const day = new Date(`${value.slice(0, 10)}T00:00:00Z`);
    if (Number.isNaN(day.getTime())) return value;
    return new Intl.DateTimeFormat(this.locale, { dateStyle: 'long', timeZone: 'UTC' }).format(day);
  }

  /** A moment, shown in the tenant's time zone. */
  dateTime(value: unknown): string {
    if (typeof value !== 'string') return this.text(value);
    const at = new Date(value);
    if (Number.isNaN(at.getTime())) return value;
    return new Intl.DateTimeFormat(this.locale, {
      dateStyle: 'long',
      timeStyle: 'short',
      timeZone: this.#timeZone,
    }).format(at);
  }

  bytes(value: unknown): string {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return '';
    const units = ['B', 'kB', 'MB', 'GB'];
    let size = value;
    let unit = 0;
    while (size >= 1000 && unit < units.length - 1) {
      size /= 1000;
      unit += 1;
    }
    return `${new Intl.NumberFormat(this.locale, { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(size)} ${units[unit]}`;
  }
}

type Template = (d: Vars, f: Format) => Message;
type Translations = Record<TemplateLocale, Template>;

const approvalRequestedEn: Template = (d, f) => ({
  subject: `Approval needed: ${f.text(d.number)} ${f.text(d.title)}`,
  summary: `${f.text(d.requestedBy)} asks you to approve ${f.text(d.title)} for ${f.money(d.amount)} by ${f.dateTime(d.deadline)}.`,
  action: 'Open the approvals inbox',
});

const approvalDecidedEn: Template = (d, f) => {
  const approved = d.decision === 'approve';
  return {
    subject: `${f.text(d.number)} was ${approved ? 'approved' : 'rejected'}`,
    summary: `${f.text(d.decidedBy)} ${approved ? 'approved' : 'rejected'} your request ${f.text(d.title)}.`,
    paragraphs: d.comment ? [`Comment: ${f.text(d.comment)}`] : [],
    action: 'Open the request',
  };
};

const approvalEscalatedEn: Template = (d, f) => ({
  subject: `Reminder: ${f.text(d.number)} still needs a decision`,
  summary: `${f.text(d.title)} for ${f.money(d.amount)} is still waiting for a decision; it expires at ${f.dateTime(d.deadline)}.`,
  action: 'Open the approvals inbox',
});

const approvalExpiredEn: Template = (d, f) => ({
  subject: `${f.text(d.number)} expired without a decision`,
  summary: `Nobody decided your request ${f.text(d.title)} before its deadline, so it expired.`,
  action: 'Open the request',
});

const approvalClosedEn: Template = (d, f) => ({
  subject: `${f.text(d.number)} was withdrawn`,
  summary: `Your request ${f.text(d.title)} was withdrawn before anyone decided it.`,
  action: 'Open the request',
});

const orderConfirmedEn: Template = (d, f) => ({
  subject: `Order ${f.text(d.orderNumber)} confirmed`,
  summary: `Quote ${f.text(d.quoteNumber)} for ${f.text(d.customerName)} is now order ${f.text(d.orderNumber)} (${f.money(d.total)}); its stock is reserved.`,
  action: 'Open the order',
});

const OUTCOMES: Record<string, Record<TemplateLocale, string>> = {
  stock_short: {
    'en-ZA': 'There is not enough stock for it.',
    'en-US': 'There is not enough stock for it.',
    'af-ZA': 'Daar is nie genoeg voorraad daarvoor nie.',
  },
  rejected: {
    'en-ZA': 'Finance rejected it.',
    'en-US': 'Finance rejected it.',
    'af-ZA': 'Finansies het dit afgekeur.',
  },
  expired: {
    'en-ZA': 'Finance did not decide in time.',
    'en-US': 'Finance did not decide in time.',
    'af-ZA': 'Finansies het nie betyds besluit nie.',
  },
  invalid: {
    'en-ZA': 'The quote can no longer become an order.',
    'en-US': 'The quote can no longer become an order.',
    'af-ZA': 'Die kwotasie kan nie meer ’n bestelling word nie.',
  },
};

const outcomeText = (outcome: unknown, locale: TemplateLocale): string =>
  (typeof outcome === 'string' ? OUTCOMES[outcome]?.[locale] : undefined) ?? '';

const quoteOrderFailedEn: Template = (d, f) => ({
  subject: `Quote ${f.text(d.quoteNumber)} did not become an order`,
  summary: [outcomeText(d.outcome, f.locale), f.text(d.reason)].filter(Boolean).join(' '),
  paragraphs: ['Nothing stays reserved for it.'],
  action: 'Open the quote',
});

const stockLowEn: Template = (d, f) => ({
  subject: `Low stock: ${f.text(d.sku)}`,
  summary: `${f.text(d.sku)} has ${f.quantity(d.available)} ${f.text(d.uom)} available, at or below its reorder level of ${f.quantity(d.reorderLevel)} ${f.text(d.uom)}.`,
  action: 'Open the stock',
});

const invoiceIssuedEn: Template = (d, f) => ({
  subject: `Invoice ${f.text(d.invoiceNumber)} from ${f.text(d.sellerName)}`,
  summary: `Dear ${f.text(d.customerName)}, please find attached invoice ${f.text(d.invoiceNumber)} for ${f.money(d.total)}, due on ${f.date(d.dueDate)}.`,
  paragraphs: [`Kind regards, ${f.text(d.sellerName)}`],
  action: 'View the invoice',
});

const reportFiles = (d: Vars, f: Format): MessageLink[] =>
  (Array.isArray(d.files) ? (d.files as Vars[]) : []).flatMap((file) =>
    typeof file.url === 'string'
      ? [
          {
            label: [f.text(file.format).toUpperCase(), f.bytes(file.sizeBytes)].filter(Boolean).join(', '),
            url: file.url,
          },
        ]
      : [],
  );

const period = (d: Vars, f: Format): string => {
  const p = (d.period ?? {}) as Vars;
  return p.from ? `${f.date(p.from)} – ${f.date(p.to)}` : f.date(p.to);
};

const reportReadyEn: Template = (d, f) => ({
  subject: `Report ready: ${f.text(d.reportName)}`,
  summary: `${f.text(d.reportName)} for ${period(d, f)} is ready.`,
  paragraphs: d.expiresAt ? [`The links work until ${f.dateTime(d.expiresAt)}.`] : [],
  links: reportFiles(d, f),
  action: 'Open the report',
});

const reportFailedEn: Template = (d, f) => ({
  subject: `Report failed: ${f.text(d.reportName)}`,
  summary: `${f.text(d.reportName)} could not be produced: ${f.text(d.error)}`,
  action: 'Open the reports',
});

const af: Record<TemplateName, Template> = {
  'approval.requested': (d, f) => ({
    subject: `Goedkeuring nodig: ${f.text(d.number)} ${f.text(d.title)}`,
    summary: `${f.text(d.requestedBy)} vra dat u ${f.text(d.title)} vir ${f.money(d.amount)} goedkeur voor ${f.dateTime(d.deadline)}.`,
    action: 'Maak die goedkeuringsinmandjie oop',
  }),
  'approval.decided': (d, f) => {
    const approved = d.decision === 'approve';
    return {
      subject: `${f.text(d.number)} is ${approved ? 'goedgekeur' : 'afgekeur'}`,
      summary: `${f.text(d.decidedBy)} het u versoek ${f.text(d.title)} ${approved ? 'goedgekeur' : 'afgekeur'}.`,
      paragraphs: d.comment ? [`Opmerking: ${f.text(d.comment)}`] : [],
      action: 'Maak die versoek oop',
    };
  },
  'approval.escalated': (d, f) => ({
    subject: `Herinnering: ${f.text(d.number)} wag nog vir ’n besluit`,
    summary: `${f.text(d.title)} vir ${f.money(d.amount)} wag nog vir ’n besluit; dit verval op ${f.dateTime(d.deadline)}.`,
    action: 'Maak die goedkeuringsinmandjie oop',
  }),
  'approval.expired': (d, f) => ({
    subject: `${f.text(d.number)} het sonder ’n besluit verval`,
    summary: `Niemand het voor die sperdatum oor u versoek ${f.text(d.title)} besluit nie, dus het dit verval.`,
    action: 'Maak die versoek oop',
  }),
  'approval.closed': (d, f) => ({
    subject: `${f.text(d.number)} is teruggetrek`,
    summary: `U versoek ${f.text(d.title)} is teruggetrek voordat iemand daaroor besluit het.`,
    action: 'Maak die versoek oop',
  }),
  'sales.orderConfirmed': (d, f) => ({
    subject: `Bestelling ${f.text(d.orderNumber)} bevestig`,
    summary: `Kwotasie ${f.text(d.quoteNumber)} vir ${f.text(d.customerName)} is nou bestelling ${f.text(d.orderNumber)} (${f.money(d.total)}); die voorraad is gereserveer.`,
    action: 'Maak die bestelling oop',
  }),
  'sales.quoteOrderFailed': (d, f) => ({
    subject: `Kwotasie ${f.text(d.quoteNumber)} het nie ’n bestelling geword nie`,
    summary: [outcomeText(d.outcome, f.locale), f.text(d.reason)].filter(Boolean).join(' '),
    paragraphs: ['Niks bly daarvoor gereserveer nie.'],
    action: 'Maak die kwotasie oop',
  }),
  'inventory.stockLow': (d, f) => ({
    subject: `Min voorraad: ${f.text(d.sku)}`,
    summary: `${f.text(d.sku)} het ${f.quantity(d.available)} ${f.text(d.uom)} beskikbaar, op of onder die herbestelvlak van ${f.quantity(d.reorderLevel)} ${f.text(d.uom)}.`,
    action: 'Maak die voorraad oop',
  }),
  'invoice.issued': (d, f) => ({
    subject: `Faktuur ${f.text(d.invoiceNumber)} van ${f.text(d.sellerName)}`,
    summary: `Geagte ${f.text(d.customerName)}, hierby faktuur ${f.text(d.invoiceNumber)} vir ${f.money(d.total)}, betaalbaar op ${f.date(d.dueDate)}.`,
    paragraphs: [`Vriendelike groete, ${f.text(d.sellerName)}`],
    action: 'Bekyk die faktuur',
  }),
  'report.ready': (d, f) => ({
    subject: `Verslag gereed: ${f.text(d.reportName)}`,
    summary: `${f.text(d.reportName)} vir ${period(d, f)} is gereed.`,
    paragraphs: d.expiresAt ? [`Die skakels werk tot ${f.dateTime(d.expiresAt)}.`] : [],
    links: reportFiles(d, f),
    action: 'Maak die verslag oop',
  }),
  'report.failed': (d, f) => ({
    subject: `Verslag het misluk: ${f.text(d.reportName)}`,
    summary: `${f.text(d.reportName)} kon nie gemaak word nie: ${f.text(d.error)}`,
    action: 'Maak die verslae oop',
  }),
};

const english: Record<TemplateName, Template> = {
  'approval.requested': approvalRequestedEn,
  'approval.decided': approvalDecidedEn,
  'approval.escalated': approvalEscalatedEn,
  'approval.expired': approvalExpiredEn,
  'approval.closed': approvalClosedEn,
  'sales.orderConfirmed': orderConfirmedEn,
  'sales.quoteOrderFailed': quoteOrderFailedEn,
  'inventory.stockLow': stockLowEn,
  'invoice.issued': invoiceIssuedEn,
  'report.ready': reportReadyEn,
  'report.failed': reportFailedEn,
};

/** English is the same text in South Africa and the US; only the formats of its values differ. */
const templates = Object.fromEntries(
  TEMPLATE_NAMES.map((name) => [
    name,
    { 'en-ZA': english[name], 'en-US': english[name], 'af-ZA': af[name] } satisfies Translations,
  ]),
) as Record<TemplateName, Translations>;

/** An absolute http(s) URL for a link, or undefined when it cannot be made one. */
export function absoluteLink(
  link: string | null | undefined,
  appUrl: string | undefined,
): string | undefined {
  if (!link) return undefined;
  if (/^https?:\/\//i.test(link)) return link;
  if (link.startsWith('/') && appUrl) return `${appUrl.replace(/\/+$/, '')}${link}`;
  return undefined;
}

export function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );
}

/** Renders a template in a locale (or the closest supported one). */
export function renderTemplate(name: TemplateName, data: Vars, options: RenderOptions): Rendered {
  const locale = templateLocale(options.locale);
  const format = new Format(locale, options.timeZone);
  const message = templates[name][locale](data, format);
  const link = absoluteLink(options.link, options.appUrl);
  const links: MessageLink[] = [
    // Only web links go into an email: a `javascript:` URL in the data never becomes an href.
    ...(message.links ?? []).filter((l) => /^https?:\/\//i.test(l.url)),
    ...(link && message.action ? [{ label: message.action, url: link }] : []),
  ];
  const paragraphs = [message.summary, ...(message.paragraphs ?? [])].filter((p) => p !== '');

  const text = [...paragraphs, ...links.map((l) => `${l.label}: ${l.url}`)].join('\n\n');
  const html = [
    `<!doctype html><html lang="${escapeHtml(locale)}"><head><meta charset="utf-8">`,
    `<title>${escapeHtml(message.subject)}</title></head>`,
    '<body style="font-family:Segoe UI,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1b1b1b">',
    ...paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    links.length
      ? `<ul>${links.map((l) => `<li><a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a></li>`).join('')}</ul>`
      : '',
    '</body></html>',
  ].join('\n');
  return {
    locale,
    title: message.subject,
    body: message.summary,
    subject: message.subject,
    text,
    html,
  };
}
