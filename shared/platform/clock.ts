/**
 * Time as the business sees it. Services ask the clock rather than calling `new Date()` so the
 * calendar day is the tenant's (a posting at 01:00 in Johannesburg is dated that day, not the UTC
 * day before), and so there is one place to look when time matters.
 */
export function now(): Date {
  return new Date();
}

const DAY_FORMATS = new Map<string, Intl.DateTimeFormat>();

/** Today's date, 'YYYY-MM-DD', in an IANA time zone. */
export function todayIn(timeZone: string, at: Date = now()): string {
  let format = DAY_FORMATS.get(timeZone);
  if (!format) {
    // Building a DateTimeFormat costs far more than formatting with one: one per time zone.
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    DAY_FORMATS.set(timeZone, format);
  }
  return format.format(at);
}
