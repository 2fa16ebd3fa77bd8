/**
 * Printing: locale formatting of exact decimal strings: the digits come from the string itself
 * (never through a float), the separators from Intl for the locale.
 */
const separatorCache = new Map<string, { group: string; decimal: string; minus: string }>();

function separators(locale: string): { group: string; decimal: string; minus: string } {
  let found = separatorCache.get(locale);
  if (!found) {
    const parts = new Intl.NumberFormat(locale, { useGrouping: true }).formatToParts(-1234567.5);
    found = {
      group: parts.find((p) => p.type === 'group')?.value ?? ',',
      decimal: parts.find((p) => p.type === 'decimal')?.value ?? '.',
      minus: parts.find((p) => p.type === 'minusSign')?.value ?? '-',
    };
    separatorCache.set(locale, found);
  }
  return found;
}

/**
 * '-1234567.5' → '-1 234 567,50' (en-ZA) with at least `minFraction` decimals, trailing zeros
 * beyond that removed (quantities), and never rounded: a figure prints exactly as stored.
 */
export function formatDecimal(value: string, locale: string, minFraction = 2, maxFraction = 4): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(value.trim());
  if (!match) return value;
  const [, sign, whole, fraction = ''] = match as unknown as [string, string, string, string | undefined];
  const sep = separators(locale);
  let decimals = fraction.replace(/0+$/, '');
  if (decimals.length > maxFraction) decimals = fraction; // never drop significant digits
  decimals = decimals.padEnd(minFraction, '0');
  const grouped = whole.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, sep.group);
  const negative = sign === '-' && /[1-9]/.test(whole + fraction);
  return `${negative ? sep.minus : ''}${grouped}${decimals ? sep.decimal + decimals : ''}`;
}

/** '2026-10-31' → '31 Oct 2026' (en-ZA), as a calendar day (no time zone shift). */
export function formatDay(isoDate: string, locale: string): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(locale, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: 'UTC',
  }).format(new Date(Date.UTC(y, m - 1, d)));
}

/** An instant with date and time in a time zone, for "generated at". */
export function formatInstant(at: Date, locale: string, timeZone: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone }).format(at);
}

/** Characters the standard PDF fonts (WinAnsi) can show beyond Latin-1. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');

/**
 * Text for the standard fonts: narrow and other spaces become no-break spaces, anything the
 * WinAnsi encoding cannot show becomes '?', so a name in another script prints legibly marked
 * instead of as wrong glyphs.
 */
export function pdfText(text: string): string {
  let out = '';
  for (const ch of text.replace(/[\u2000-\u200a\u202f\u205f]/g, '\u00a0')) {
    const code = ch.codePointAt(0) ?? 0;
    out += code <= 0xff || WIN_ANSI_EXTRA.has(ch) ? ch : '?';
  }
  return out;
}
