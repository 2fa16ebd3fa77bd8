/**
 * CSV as RFC 4180 has it (comma, CRLF, fields quoted when they hold a comma, quote or line break),
 * for report downloads that open in a spreadsheet with the same figures the API returns.
 */
export type CsvCell = string | number | null | undefined;

const NUMBER = /^-?\d+(\.\d+)?$/;

function cell(value: CsvCell): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  // A spreadsheet runs a cell that starts like a formula; text from users (names, memos) must not
  // become one. Amounts (plain decimal numbers, negative ones included) stay as they are.
  if (/^[=+\-@\t\r]/.test(text) && !NUMBER.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record with its CRLF, for writers that stream a file row by row. */
export function csvRow(cells: readonly CsvCell[]): string {
  return cells.map(cell).join(',') + '\r\n';
}

export function toCsv(header: string[], rows: CsvCell[][]): string {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}

/**
 * The UTF-8 byte-order mark. Excel on Windows reads a CSV file as UTF-8 only when it starts with
 * one; without it "é" or the narrow spaces of "R 1 000" come out garbled in the ANSI code page.
 */
export const UTF8_BOM = '\uFEFF';

/** The reply of a CSV download: UTF-8 with a byte-order mark, offered as an attachment under `filename`. */
export function csvReply(filename: string, text: string) {
  return {
    text: text.startsWith(UTF8_BOM) ? text : `${UTF8_BOM}${text}`,
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
    },
  };
}
