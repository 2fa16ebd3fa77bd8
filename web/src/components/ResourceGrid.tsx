import {
  Button,
  DataGrid,
  DataGridBody,
  DataGridCell,
  DataGridHeader,
  DataGridHeaderCell,
  DataGridRow,
  Menu,
  MenuItem,
  MenuList,
  MenuPopover,
  MenuTrigger,
  SearchBox,
  Spinner,
  Toolbar,
  createTableColumn,
  makeStyles,
  tokens,
  type TableColumnDefinition,
  type TableColumnSizingOptions,
} from '@fluentui/react-components';
import { ArrowDownloadRegular } from '@fluentui/react-icons';
import { useMemo, useState, type KeyboardEvent, type ReactNode } from 'react';
import { FormattedMessage, useIntl } from 'react-intl';
import { Empty, ErrorState, Loading } from './States';
import { exportRows, type ExportValue } from './exportRows';

export interface GridColumn<T> {
  id: string;
  header: string;
  /** The value the column sorts, filters and exports by. */
  value: (row: T) => string | number | null;
  /** What the cell shows; the value unless given. */
  render?: (row: T) => ReactNode;
  /** What the export writes; the value unless given. */
  exportValue?: (row: T) => ExportValue;
  /** Numbers and amounts line up on the right. */
  numeric?: boolean;
  width?: number;
}

export interface ResourceGridProps<T> {
  /** Names the grid for screen readers and the export's file. */
  label: string;
  exportName: string;
  columns: GridColumn<T>[];
  rows: T[];
  getRowId: (row: T) => string;
  loading?: boolean;
  error?: unknown;
  onRetry?: () => void;
  hasMore?: boolean;
  loadingMore?: boolean;
  onLoadMore?: () => void;
  /** The page's own filters (sent to the server), shown before the quick filter. */
  filters?: ReactNode;
  empty: ReactNode;
  /** Enter on a focused row or a click on it. */
  onRowActivate?: (row: T) => void;
  /** Replaces the browser download, for tests. */
  saveFile?: (blob: Blob, fileName: string) => void;
}

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  toolbar: { display: 'flex', flexWrap: 'wrap', alignItems: 'end', gap: tokens.spacingHorizontalM },
  spacer: { flexGrow: 1 },
  scroller: { overflowX: 'auto' },
  numeric: { justifyContent: 'flex-end', textAlign: 'end', fontVariantNumeric: 'tabular-nums' },
  // The header of an amount column lines up with its amounts: the sort button fills the cell.
  numericHeader: { justifyContent: 'flex-end', textAlign: 'end' },
  clickable: { cursor: 'pointer' },
  footer: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM },
  count: { color: tokens.colorNeutralForeground3 },
});

function compareValues(a: string | number | null, b: string | number | null): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true, sensitivity: 'base' });
}

/**
 * The app's table: Fluent's DataGrid with sortable and resizable columns and keyboard navigation
 * between cells, rows loaded a page at a time by cursor, a quick filter over the loaded rows, export
 * of what is shown to CSV or Excel, and its empty, loading and error states.
 */
export function ResourceGrid<T>(props: ResourceGridProps<T>) {
  const { columns, rows, getRowId, onRowActivate } = props;
  const styles = useStyles();
  const intl = useIntl();
  const [quickFilter, setQuickFilter] = useState('');
  const [exporting, setExporting] = useState(false);

  const definitions = useMemo<TableColumnDefinition<T>[]>(
    () =>
      columns.map((column) =>
        createTableColumn<T>({
          columnId: column.id,
          compare: (a, b) => compareValues(column.value(a), column.value(b)),
          renderHeaderCell: () => column.header,
          renderCell: (row) => column.render?.(row) ?? column.value(row),
        }),
      ),
    [columns],
  );
  const sizing = useMemo<TableColumnSizingOptions>(
    () =>
      Object.fromEntries(
        columns.map((c) => [
          c.id,
          {
            defaultWidth: c.width ?? 160,
            // Amounts are never cut: the grid scrolls sideways instead.
            minWidth: c.numeric ? (c.width ?? 160) : Math.min(c.width ?? 160, 140),
            idealWidth: c.width ?? 160,
          },
        ]),
      ),
    [columns],
  );
  const numericIds = useMemo(() => new Set(columns.filter((c) => c.numeric).map((c) => c.id)), [columns]);

  const visible = useMemo(() => {
    const needle = quickFilter.trim().toLocaleLowerCase();
    if (!needle) return rows;
    return rows.filter((row) =>
      columns.some((c) =>
        String(c.value(row) ?? '')
          .toLocaleLowerCase()
          .includes(needle),
      ),
    );
  }, [rows, columns, quickFilter]);

  const exportAs = async (format: 'csv' | 'xlsx') => {
    setExporting(true);
    try {
      await exportRows(
        format,
        props.exportName,
        columns.map((c) => ({ header: c.header, value: c.exportValue ?? c.value })),
        visible,
        props.saveFile,
      );
    } finally {
      setExporting(false);
    }
  };

  let body: ReactNode;
  if (props.loading) body = <Loading />;
  else if (props.error) body = <ErrorState error={props.error} onRetry={props.onRetry} />;
  else if (visible.length === 0)
    body = (
      <Empty>
        {rows.length === 0 ? (
          props.empty
        ) : (
          <FormattedMessage id="grid.noMatch" defaultMessage="No loaded row matches the filter." />
        )}
      </Empty>
    );
  else
    body = (
      <div className={styles.scroller}>
        <DataGrid
          items={visible}
          columns={definitions}
          getRowId={getRowId}
          sortable
          resizableColumns
          columnSizingOptions={sizing}
          focusMode="composite"
          aria-label={props.label}
        >
          <DataGridHeader>
            <DataGridRow>
              {({ renderHeaderCell, columnId }) => (
                <DataGridHeaderCell
                  className={numericIds.has(String(columnId)) ? styles.numeric : undefined}
                  button={numericIds.has(String(columnId)) ? { className: styles.numericHeader } : undefined}
                >
                  {renderHeaderCell()}
                </DataGridHeaderCell>
              )}
            </DataGridRow>
          </DataGridHeader>
          <DataGridBody<T>>
            {({ item, rowId }) => (
              <DataGridRow<T>
                key={rowId}
                className={onRowActivate ? styles.clickable : undefined}
                onClick={onRowActivate ? () => onRowActivate(item) : undefined}
                onKeyDown={
                  onRowActivate
                    ? (event: KeyboardEvent<HTMLDivElement>) => {
                        if (event.key === 'Enter' && event.target === event.currentTarget)
                          onRowActivate(item);
                      }
                    : undefined
                }
              >
                {({ renderCell, columnId }) => (
                  <DataGridCell className={numericIds.has(String(columnId)) ? styles.numeric : undefined}>
                    {renderCell(item)}
                  </DataGridCell>
                )}
              </DataGridRow>
            )}
          </DataGridBody>
        </DataGrid>
      </div>
    );

  return (
    <section className={styles.root} aria-label={props.label}>
      <div className={styles.toolbar}>
        {props.filters}
        <SearchBox
          aria-label={intl.formatMessage({ id: 'grid.quickFilter', defaultMessage: 'Filter loaded rows' })}
          placeholder={intl.formatMessage({ id: 'grid.quickFilter', defaultMessage: 'Filter loaded rows' })}
          value={quickFilter}
          onChange={(_, data) => setQuickFilter(data.value)}
        />
        <span className={styles.spacer} />
        <Toolbar aria-label={intl.formatMessage({ id: 'grid.actions', defaultMessage: 'Table actions' })}>
          <Menu>
            <MenuTrigger disableButtonEnhancement>
              <Button icon={<ArrowDownloadRegular />} disabled={exporting || visible.length === 0}>
                <FormattedMessage id="grid.export" defaultMessage="Export" />
              </Button>
            </MenuTrigger>
            <MenuPopover>
              <MenuList>
                <MenuItem onClick={() => void exportAs('csv')}>
                  <FormattedMessage id="grid.exportCsv" defaultMessage="CSV (comma-separated)" />
                </MenuItem>
                <MenuItem onClick={() => void exportAs('xlsx')}>
                  <FormattedMessage id="grid.exportXlsx" defaultMessage="Excel workbook (.xlsx)" />
                </MenuItem>
              </MenuList>
            </MenuPopover>
          </Menu>
        </Toolbar>
      </div>
      {body}
      {!props.loading && !props.error && rows.length > 0 && (
        <div className={styles.footer}>
          <span className={styles.count} role="status">
            <FormattedMessage
              id="grid.count"
              defaultMessage="{shown, plural, one {# row} other {# rows}} shown{more, select, true {, more to load} other {}}"
              values={{ shown: visible.length, more: String(Boolean(props.hasMore)) }}
            />
          </span>
          {props.hasMore && (
            <Button onClick={props.onLoadMore} disabled={props.loadingMore}>
              {props.loadingMore ? (
                <Spinner size="tiny" />
              ) : (
                <FormattedMessage id="grid.loadMore" defaultMessage="Load more" />
              )}
            </Button>
          )}
        </div>
      )}
    </section>
  );
}
