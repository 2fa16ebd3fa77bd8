import { IntlMessageFormat } from 'intl-messageformat';
import { describe, expect, it } from 'vitest';
import af from './af-ZA.json';
import enUS from './en-US.json';
import en from './en-ZA.json';

describe('translations', () => {
  it.each([
    ['af-ZA', af],
    ['en-US', enUS],
  ] as const)('%s has every message of the source and no other', (_, messages) => {
    expect(Object.keys(messages).sort()).toEqual(Object.keys(en).sort());
  });

  it('Afrikaans is translated, and every message parses with its placeholders', () => {
    // Names and words Afrikaans shares with English.
    const shared = new Set([
      'app.name',
      'quote.status',
      'quote.line.item',
      'shell.navigation',
      'quote.totalTax',
      'stock.sku',
      'account.status',
      'address.fieldLabel',
      'report.comparison',
      'item.title',
      'nav.items',
      'dashboard.openItems',
      'reports.status',
    ]);
    const same = Object.entries(af).filter(
      ([id, text]) => text === en[id as keyof typeof en] && !shared.has(id),
    );
    expect(same).toEqual([]);
    for (const [id, text] of Object.entries(af)) {
      const source = new IntlMessageFormat(en[id as keyof typeof en], 'en-ZA');
      const translated = new IntlMessageFormat(text, 'af-ZA');
      const values = Object.fromEntries(
        [...en[id as keyof typeof en].matchAll(/\{(\w+)/g)].map((m) => [m[1], m[1] === 'more' ? 'true' : 2]),
      );
      expect(() => source.format(values), id).not.toThrow();
      expect(() => translated.format(values), id).not.toThrow();
    }
  });
});
