import { describe, expect, it } from 'vitest';
import { parseNcrontab, resolveTimeZone } from '../../shared/platform/ncrontab.js';

const iso = (dates: Date[]): string[] => dates.map((d) => d.toISOString());
const from = (text: string): Date => new Date(text);

describe('NCRONTAB schedules', () => {
  it('reads six fields with seconds first', () => {
    expect(iso(parseNcrontab('*/10 * * * * *').occurrences(from('2026-11-22T10:00:05Z'), 3))).toEqual([
      '2026-11-22T10:00:10.000Z',
      '2026-11-22T10:00:20.000Z',
      '2026-11-22T10:00:30.000Z',
    ]);
    expect(iso(parseNcrontab('15,45 30 9 * * *').occurrences(from('2026-11-22T10:00:00Z'), 2))).toEqual([
      '2026-11-23T09:30:15.000Z',
      '2026-11-23T09:30:45.000Z',
    ]);
  });

  it('returns the next occurrence strictly after the given time', () => {
    expect(parseNcrontab('0 0 * * * *').nextAfter(from('2026-11-22T10:00:00Z')).toISOString()).toBe(
      '2026-11-22T11:00:00.000Z',
    );
  });

  it('reads five fields as the classic form without seconds', () => {
    expect(iso(parseNcrontab('5 * * * *').occurrences(from('2026-11-22T10:00:00Z'), 2))).toEqual([
      '2026-11-22T10:05:00.000Z',
      '2026-11-22T11:05:00.000Z',
    ]);
  });

  it('takes day and month names by prefix, in any case, and ranges of them', () => {
    // 2026-11-22 is a Sunday.
    expect(iso(parseNcrontab('0 30 9 * * Mon-Fri').occurrences(from('2026-11-22T00:00:00Z'), 3))).toEqual([
      '2026-11-23T09:30:00.000Z',
      '2026-11-24T09:30:00.000Z',
      '2026-11-25T09:30:00.000Z',
    ]);
    expect(
      iso(parseNcrontab('0 0 9 * * monday,FRIDAY').occurrences(from('2026-11-22T00:00:00Z'), 2)),
    ).toEqual(['2026-11-23T09:00:00.000Z', '2026-11-27T09:00:00.000Z']);
    expect(iso(parseNcrontab('0 0 0 1 jan,July *').occurrences(from('2026-11-22T00:00:00Z'), 2))).toEqual([
      '2027-01-01T00:00:00.000Z',
      '2027-07-01T00:00:00.000Z',
    ]);
  });

  it('requires both the day of month and the day of week to match, as NCrontab does', () => {
    expect(iso(parseNcrontab('0 0 9 13 * Fri').occurrences(from('2026-01-01T00:00:00Z'), 3))).toEqual([
      '2026-02-13T09:00:00.000Z',
      '2026-03-13T09:00:00.000Z',
      '2026-11-13T09:00:00.000Z',
    ]);
  });

  it('reads n/step as from n to the end of the field', () => {
    expect(iso(parseNcrontab('30/15 * * * * *').occurrences(from('2026-11-22T10:00:00Z'), 3))).toEqual([
      '2026-11-22T10:00:30.000Z',
      '2026-11-22T10:00:45.000Z',
      '2026-11-22T10:01:30.000Z',
    ]);
  });

  it('computes occurrences in the time zone WEBSITE_TIME_ZONE names, Windows or IANA', () => {
    expect(resolveTimeZone(undefined)).toBe('UTC');
    expect(resolveTimeZone('South Africa Standard Time')).toBe('Africa/Johannesburg');
    expect(resolveTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(() => resolveTimeZone('Middle Earth Standard Time')).toThrow(/WEBSITE_TIME_ZONE/);
    const noon = parseNcrontab('0 0 12 * * *', resolveTimeZone('South Africa Standard Time'));
    expect(noon.nextAfter(from('2026-11-22T11:00:00Z')).toISOString()).toBe('2026-11-23T10:00:00.000Z');
    // The day of week is the local one: Monday 00:30 in Johannesburg is Sunday 22:30 UTC.
    const monday = parseNcrontab('0 30 0 * * Mon', 'Africa/Johannesburg');
    expect(monday.nextAfter(from('2026-11-22T00:00:00Z')).toISOString()).toBe('2026-11-22T22:30:00.000Z');
  });

  it.each([
    ['* * * *', /six fields/],
    ['* * * * * * *', /six fields/],
    ['0 0 24 * * *', /out of range for the hour field/],
    ['60 * * * * *', /out of range for the second field/],
    ['0 0 0 * * 7', /out of range for the day-of-week field/],
    ['0 0 0 L * *', /not a valid day value/],
    ['0 0 0 ? * *', /not a valid day value/],
    ['0 0 0 * * MON#1', /not a valid day-of-week value/],
    ['H * * * * *', /not a valid second value/],
    ['0 0 0 * * Funday', /not a known day-of-week name/],
    ['0 0 0 * Smarch *', /not a known month name/],
    ['5-1 * * * * *', /runs backwards/],
    ['*/0 * * * * *', /invalid step/],
    ['1,,2 * * * * *', /empty list item/],
    ['0 0 0 31 2 *', /never occurs/],
    ['0 0 0 30 2 Mon', /never occurs/],
  ])('refuses %s', (expression, message) => {
    expect(() => parseNcrontab(expression)).toThrow(message);
  });
});
