/** Helpers for the hand-written SQL of the baselines. */

/** Collects a statement's parameters: `p(value, 'uuid')` gives `$n::uuid`. */
export class Params {
  readonly values: unknown[] = [];

  p(value: unknown, cast?: string): string {
    this.values.push(value);
    return cast ? `$${this.values.length}::${cast}` : `$${this.values.length}`;
  }
}

/** A SQL fragment to put into a row as it is, rather than as a parameter. */
export class Raw {
  constructor(readonly text: string) {}
}
export const raw = (text: string) => new Raw(text);

/** `(…), (…)` of rows, each value a parameter unless it is a Raw fragment. */
export function valuesOf(params: Params, rows: unknown[][]): string {
  return rows
    .map((row) => `(${row.map((v) => (v instanceof Raw ? v.text : params.p(v))).join(', ')})`)
    .join(', ');
}

/** `insert into table (columns) values …` of several rows. */
export function insertValues(
  params: Params,
  table: string,
  columns: string[],
  rows: unknown[][],
  suffix = '',
): string {
  return `insert into ${table} (${columns.join(', ')}) values ${valuesOf(params, rows)} ${suffix}`.trim();
}

/** The same as one standalone statement: its text and its values. */
export function insertRows(
  table: string,
  columns: string[],
  rows: unknown[][],
  suffix = '',
): { text: string; values: unknown[] } {
  const params = new Params();
  return { text: insertValues(params, table, columns, rows, suffix), values: params.values };
}
