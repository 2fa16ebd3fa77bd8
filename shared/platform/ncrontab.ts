import { CronExpressionParser, type CronDate } from 'cron-parser';

/**
 * NCRONTAB, the schedule language of Azure Functions timer triggers (and of report schedules), on top of
 * `cron-parser`.
 *
 * The two differ in ways that would make a schedule run locally and not in Azure (or at other
 * times), so fields are parsed here with NCrontab's grammar and handed to `cron-parser` as explicit
 * value lists:
 * - six fields `{second} {minute} {hour} {day} {month} {day-of-week}`; five fields are the
 *   classic form without seconds (the Functions host accepts both);
 * - items are `*`, `n`, `n-m`, each with an optional `/step`; `n/step` means from n to the end;
 *   `L`, `W`, `#`, `?` and `H` do not exist in NCrontab and are refused;
 * - month and day names match by prefix, case-insensitively (`jan`, `January`, `Mon`, `monday`);
 * - day of week is 0-6 with Sunday 0 (7 is refused);
 * - a day must match both the day-of-month and the day-of-week fields (NCrontab), not either of
 *   them as in Vixie cron, which `cron-parser` follows: day of week is applied here, as a filter.
 */

export class NcrontabError extends Error {
  override name = 'NcrontabError';
}

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: [
      'January',
      'February',
      'March',
      'April',
      'May',
      'June',
      'July',
      'August',
      'September',
      'October',
      'November',
      'December',
    ],
  },
  {
    name: 'day-of-week',
    min: 0,
    max: 6,
    names: ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'],
  },
];

const EXPRESSION_LENGTH_MAX = 512;
/** Days skipped looking for one whose weekday matches: 28 years covers every date/weekday pairing. */
const DAY_SKIPS_MAX = 28 * 366;
const OCCURRENCES_MAX = 1000;

function parseValue(field: FieldSpec, text: string): number {
  if (text.length === 0) throw new NcrontabError(`the ${field.name} field has an empty value`);
  if (/^\d+$/.test(text)) return Number(text);
  if (field.names && /^[A-Za-z]+$/.test(text)) {
    const lower = text.toLowerCase();
    const index = field.names.findIndex((name) => name.toLowerCase().startsWith(lower));
    if (index >= 0) return index + field.min;
    throw new NcrontabError(
      `'${text}' is not a known ${field.name} name (use one of ${field.names.join(', ')})`,
    );
  }
  throw new NcrontabError(
    `'${text}' is not a valid ${field.name} value: it must be a number from ${field.min} to ${field.max}${field.names ? ' or a name' : ''}`,
  );
}

/** The set of values one field stands for, following NCrontab's grammar. */
function parseField(field: FieldSpec, text: string): Set<number> {
  const values = new Set<number>();
  const items = text.split(',');
  for (const item of items) {
    if (item.length === 0)
      throw new NcrontabError(`the ${field.name} field '${text}' has an empty list item`);
    let body = item;
    let step = 1;
    const slash = item.indexOf('/');
    if (slash >= 0) {
      if (slash === 0)
        throw new NcrontabError(`'${item}' in the ${field.name} field has no start before '/'`);
      const stepText = item.slice(slash + 1);
      if (!/^\d+$/.test(stepText) || Number(stepText) === 0)
        throw new NcrontabError(`'${item}' in the ${field.name} field has an invalid step`);
      step = Number(stepText);
      body = item.slice(0, slash);
    }
    let first: number;
    let last: number;
    if (body === '*') {
      first = field.min;
      last = field.max;
    } else {
      const dash = body.indexOf('-', 1);
      if (dash > 0) {
        first = parseValue(field, body.slice(0, dash));
        last = parseValue(field, body.slice(dash + 1));
      } else {
        first = parseValue(field, body);
        last = step === 1 ? first : field.max;
      }
    }
    for (const value of [first, last]) {
      if (value < field.min || value > field.max) {
        throw new NcrontabError(
          `${value} is out of range for the ${field.name} field (${field.min}-${field.max})`,
        );
      }
    }
    if (first > last)
      throw new NcrontabError(`the range ${first}-${last} in the ${field.name} field runs backwards`);
    for (let value = first; value <= last; value += step) values.add(value);
  }
  return values;
}

function cronField(field: FieldSpec, values: Set<number>): string {
  if (values.size === field.max - field.min + 1) return '*';
  return [...values].sort((a, b) => a - b).join(',');
}

/** A parsed NCRONTAB schedule in a time zone. */
export class NcrontabSchedule {
  readonly expression: string;
  readonly timeZone: string;
  readonly #cron: string;
  readonly #daysOfWeek: Set<number> | undefined;

  constructor(expression: string, timeZone: string) {
    if (expression.length > EXPRESSION_LENGTH_MAX)
      throw new NcrontabError(`the expression is longer than ${EXPRESSION_LENGTH_MAX} characters`);
    const tokens = expression.trim().split(/\s+/).filter(Boolean);
    if (tokens.length !== 6 && tokens.length !== 5) {
      throw new NcrontabError(
        `'${expression}' must have six fields ({second} {minute} {hour} {day} {month} {day-of-week}), or five without the seconds; it has ${tokens.length}`,
      );
    }
    if (tokens.length === 5) tokens.unshift('0');
    const sets = FIELDS.map((field, i) => parseField(field, tokens[i] as string));
    const dayOfWeek = sets[5] as Set<number>;
    this.expression = expression;
    this.timeZone = timeZone;
    this.#daysOfWeek = dayOfWeek.size === 7 ? undefined : dayOfWeek;
    this.#cron = FIELDS.map((field, i) => (i === 5 ? '*' : cronField(field, sets[i] as Set<number>))).join(
      ' ',
    );
    try {
      CronExpressionParser.parse(this.#cron, { currentDate: new Date(), tz: timeZone, strict: false });
    } catch (error) {
      // The fields are valid one by one (checked above); what cron-parser refuses is a date that
      // cannot exist, such as the 30th of February.
      throw new NcrontabError(
        `'${expression}' never occurs (${error instanceof Error ? error.message : String(error)})`,
      );
    }
    // A schedule that never occurs (the 31st of a month without one) is a mistake, not a schedule.
    this.nextAfter(new Date());
  }

  /** The first occurrence strictly after `after`. */
  nextAfter(after: Date): Date {
    let cursor: Date = after;
    for (let skips = 0; skips <= DAY_SKIPS_MAX; skips++) {
      let candidate: CronDate;
      try {
        candidate = CronExpressionParser.parse(this.#cron, { currentDate: cursor, tz: this.timeZone }).next();
      } catch (error) {
        throw new NcrontabError(
          `'${this.expression}' has no occurrence after ${after.toISOString()} (${error instanceof Error ? error.message : String(error)})`,
        );
      }
      if (!this.#daysOfWeek || this.#daysOfWeek.has(candidate.getDay())) return candidate.toDate();
      // The day's weekday is not in the schedule: go on from the end of that (local) day.
      candidate.setEndOfDay();
      cursor = candidate.toDate();
    }
    throw new NcrontabError(
      `'${this.expression}' has no occurrence within ${DAY_SKIPS_MAX} days of ${after.toISOString()}`,
    );
  }

  /** The next `count` occurrences strictly after `after` (at most 1,000). */
  occurrences(after: Date, count: number): Date[] {
    if (!Number.isInteger(count) || count < 1 || count > OCCURRENCES_MAX)
      throw new RangeError(`count must be from 1 to ${OCCURRENCES_MAX}`);
    const result: Date[] = [];
    let cursor = after;
    while (result.length < count) {
      cursor = this.nextAfter(cursor);
      result.push(cursor);
    }
    return result;
  }
}

/** Parses an NCRONTAB expression; throws NcrontabError saying what is wrong. */
export function parseNcrontab(expression: string, timeZone = 'UTC'): NcrontabSchedule {
  return new NcrontabSchedule(expression, timeZone);
}

/**
 * Windows time zone ids, which WEBSITE_TIME_ZONE takes on Windows plans, for the zones this
 * product's customers are likely to use; IANA ids (Linux plans) work as they are.
 */
const WINDOWS_TIME_ZONES: Readonly<Record<string, string>> = {
  UTC: 'UTC',
  'GMT Standard Time': 'Europe/London',
  'Greenwich Standard Time': 'Atlantic/Reykjavik',
  'W. Europe Standard Time': 'Europe/Berlin',
  'Romance Standard Time': 'Europe/Paris',
  'Central Europe Standard Time': 'Europe/Budapest',
  'Central European Standard Time': 'Europe/Warsaw',
  'E. Europe Standard Time': 'Europe/Chisinau',
  'GTB Standard Time': 'Europe/Bucharest',
  'FLE Standard Time': 'Europe/Kiev',
  'South Africa Standard Time': 'Africa/Johannesburg',
  'Namibia Standard Time': 'Africa/Windhoek',
  'Egypt Standard Time': 'Africa/Cairo',
  'E. Africa Standard Time': 'Africa/Nairobi',
  'W. Central Africa Standard Time': 'Africa/Lagos',
  'Mauritius Standard Time': 'Indian/Mauritius',
  'Arabian Standard Time': 'Asia/Dubai',
  'India Standard Time': 'Asia/Kolkata',
  'China Standard Time': 'Asia/Shanghai',
  'Singapore Standard Time': 'Asia/Singapore',
  'Tokyo Standard Time': 'Asia/Tokyo',
  'AUS Eastern Standard Time': 'Australia/Sydney',
  'New Zealand Standard Time': 'Pacific/Auckland',
  'Eastern Standard Time': 'America/New_York',
  'Central Standard Time': 'America/Chicago',
  'Mountain Standard Time': 'America/Denver',
  'Pacific Standard Time': 'America/Los_Angeles',
  'E. South America Standard Time': 'America/Sao_Paulo',
};

/** The IANA time zone for a WEBSITE_TIME_ZONE value (UTC when unset); throws for one it cannot tell. */
export function resolveTimeZone(setting: string | undefined): string {
  const value = setting?.trim();
  if (!value) return 'UTC';
  const zone = WINDOWS_TIME_ZONES[value] ?? value;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
  } catch {
    throw new NcrontabError(
      `WEBSITE_TIME_ZONE '${value}' is neither an IANA time zone nor a Windows time zone id the devhost knows`,
    );
  }
  return zone;
}
