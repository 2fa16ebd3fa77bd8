import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { renderWithApp } from '../test/render';
import { ResourceGrid, type GridColumn } from './ResourceGrid';

interface Thing {
  id: string;
  name: string;
  amount: number;
}

const columns: GridColumn<Thing>[] = [
  { id: 'name', header: 'Name', value: (t) => t.name },
  { id: 'amount', header: 'Amount', value: (t) => t.amount, numeric: true },
];
const rows: Thing[] = [
  { id: '1', name: 'Bravo', amount: 20 },
  { id: '2', name: 'alpha', amount: 100 },
  { id: '3', name: 'Charlie', amount: 3 },
];

/** jsdom's Blob has no text() or arrayBuffer(); FileReader reads it. */
const bytesOf = (blob: Blob) =>
  new Promise<Uint8Array>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(new Uint8Array(reader.result as ArrayBuffer));
    reader.onerror = () => reject(reader.error);
    reader.readAsArrayBuffer(blob);
  });

const names = () =>
  within(screen.getByRole('grid'))
    .getAllByRole('row')
    .slice(1)
    .map((row) => within(row).getAllByRole('gridcell')[0]?.textContent);

function renderGrid(props: Partial<Parameters<typeof ResourceGrid<Thing>>[0]> = {}) {
  return renderWithApp(
    <ResourceGrid<Thing>
      label="Things"
      exportName="things"
      columns={columns}
      rows={rows}
      getRowId={(t) => t.id}
      empty="Nothing here"
      {...props}
    />,
    { handler: () => undefined },
  );
}

describe('ResourceGrid', () => {
  it('sorts by a column, both ways, numbers as numbers', async () => {
    renderGrid();
    expect(names()).toEqual(['Bravo', 'alpha', 'Charlie']);
    fireEvent.click(screen.getByRole('button', { name: /Name/ }));
    expect(names()).toEqual(['alpha', 'Bravo', 'Charlie']);
    fireEvent.click(screen.getByRole('button', { name: /Name/ }));
    expect(names()).toEqual(['Charlie', 'Bravo', 'alpha']);
    fireEvent.click(screen.getByRole('button', { name: /Amount/ }));
    expect(names()).toEqual(['Charlie', 'Bravo', 'alpha']);
  });

  it('loads the next page when asked and says more are there', () => {
    const onLoadMore = vi.fn();
    renderGrid({ hasMore: true, onLoadMore });
    expect(screen.getByText('3 rows shown, more to load')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    expect(onLoadMore).toHaveBeenCalledTimes(1);
  });

  it('filters the loaded rows', () => {
    renderGrid();
    fireEvent.change(screen.getByRole('searchbox', { name: 'Filter loaded rows' }), {
      target: { value: 'char' },
    });
    expect(names()).toEqual(['Charlie']);
    expect(screen.getByText('1 row shown')).toBeTruthy();
  });

  it('exports what it shows to CSV and to Excel', async () => {
    const saveFile = vi.fn();
    renderGrid({ saveFile });
    fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    fireEvent.click(await screen.findByRole('menuitem', { name: 'CSV (comma-separated)' }));
    await waitFor(() => expect(saveFile).toHaveBeenCalledTimes(1));
    const [blob, fileName] = saveFile.mock.calls[0] as [Blob, string];
    expect(fileName).toBe('things.csv');
    expect(new TextDecoder().decode(await bytesOf(blob)).replace('\uFEFF', '')).toBe(
      'Name,Amount\r\nBravo,20\r\nalpha,100\r\nCharlie,3\r\n',
    );

    fireEvent.click(screen.getByRole('button', { name: 'Export' }));
    fireEvent.click(await screen.findByRole('menuitem', { name: 'Excel workbook (.xlsx)' }));
    await waitFor(() => expect(saveFile).toHaveBeenCalledTimes(2));
    const [xlsx, xlsxName] = saveFile.mock.calls[1] as [Blob, string];
    expect(xlsxName).toBe('things.xlsx');
    // An .xlsx file is a zip archive.
    expect((await bytesOf(xlsx)).slice(0, 2)).toEqual(new Uint8Array([0x50, 0x4b]));
  });

  it('has empty, loading and error states', () => {
    const { rerender } = renderGrid({ rows: [] });
    expect(screen.getByText('Nothing here')).toBeTruthy();
    rerender(<></>);
    renderGrid({ loading: true });
    expect(screen.getAllByText('Loading…').length).toBeGreaterThan(0);
  });
});
