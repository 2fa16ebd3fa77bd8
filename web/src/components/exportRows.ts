/** Exports what a grid shows: CSV built here, XLSX by a library loaded only when asked for. */

export type ExportValue = string | number | null | undefined;

export interface ExportColumn<T> {
  header: string;
  value: (row: T) => ExportValue;
}

function csvField(value: ExportValue): string {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\r\n]/.test(text) || /^[=+\-@]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function toCsv<T>(columns: ExportColumn<T>[], rows: T[]): string {
  const lines = [columns.map((c) => csvField(c.header)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => csvField(c.value(row))).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.rel = 'noopener';
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

export async function exportRows<T>(
  format: 'csv' | 'xlsx',
  fileStem: string,
  columns: ExportColumn<T>[],
  rows: T[],
  save: (blob: Blob, fileName: string) => void = saveBlob,
): Promise<void> {
  if (format === 'csv') {
    // The byte-order mark makes Excel read the file as UTF-8.
    save(new Blob(['\uFEFF', toCsv(columns, rows)], { type: 'text/csv;charset=utf-8' }), `${fileStem}.csv`);
    return;
  }
  const { default: writeXlsxFile } = await import('write-excel-file/browser');
  const header = columns.map((c) => ({ value: c.header, fontWeight: 'bold' as const }));
  const body = rows.map((row) =>
    columns.map((c) => {
      const value = c.value(row);
      return typeof value === 'number' ? { value, type: Number } : { value: value ?? '', type: String };
    }),
  );
  const blob = await writeXlsxFile([header, ...body]).toBlob();
  save(blob, `${fileStem}.xlsx`);
}
