import { flexRender, getCoreRowModel, useReactTable, type ColumnDef, type RowSelectionState } from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type KeyboardEvent } from 'react';

export interface ServerSort {
  /** The list's sort the server applies, and the column ids that pick one. */
  readonly current: string;
  readonly byColumn: Readonly<Record<string, string>>;
  readonly onChange: (sort: string) => void;
}

export interface DataTableProps<T> {
  readonly label: string;
  readonly rows: readonly T[];
  readonly columns: ColumnDef<T, unknown>[];
  readonly rowId: (row: T) => string;
  readonly onOpen?: (row: T) => void;
  readonly sort?: ServerSort;
  /** More rows on the server: asked for as the table scrolls near its end. */
  readonly more?: { readonly has: boolean; readonly loading: boolean; readonly load: () => void };
  readonly selection?: { readonly value: RowSelectionState; readonly onChange: (next: RowSelectionState) => void };
  readonly height?: number;
}

const ROW_HEIGHT = 40;

/**
 * A server-paged table: the server sorts, filters and searches; the table renders the rows in
 * view only (thousands stay smooth) and asks for the next page near the end. Rows take the
 * keyboard: Tab to a row, Enter opens it, Space selects it.
 */
export const DataTable = <T,>({ label, rows, columns, rowId, onOpen, sort, more, selection, height = 560 }: DataTableProps<T>) => {
  const table = useReactTable({
    data: rows as T[],
    columns,
    getCoreRowModel: getCoreRowModel(),
    getRowId: rowId,
    manualSorting: true,
    enableRowSelection: selection !== undefined,
    state: { rowSelection: selection?.value ?? {} },
    onRowSelectionChange: (updater) => selection?.onChange(typeof updater === 'function' ? updater(selection.value) : updater),
  });
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 12 });
  const items = virtual.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (more?.has && !more.loading && lastIndex >= rows.length - 20) more.load();
  }, [lastIndex, rows.length, more]);
  const modelRows = table.getRowModel().rows;
  const before = items[0]?.start ?? 0;
  const after = virtual.getTotalSize() - (items.at(-1)?.end ?? 0);
  const onRowKey = (event: KeyboardEvent<HTMLTableRowElement>, row: (typeof modelRows)[number]) => {
    if (event.key === 'Enter' && onOpen) onOpen(row.original);
    else if (event.key === ' ' && selection) {
      event.preventDefault();
      row.toggleSelected();
    }
  };
  return (
    <div className="table-scroller" ref={scroller} style={{ maxHeight: height }}>
      <table className="data-table" aria-label={label} aria-rowcount={rows.length}>
        <thead>
          {table.getHeaderGroups().map((group) => (
            <tr key={group.id}>
              {group.headers.map((header) => {
                const sortKey = sort?.byColumn[header.column.id];
                const active = sortKey !== undefined && sort?.current === sortKey;
                return (
                  <th key={header.id} scope="col" aria-sort={active ? 'descending' : undefined} style={{ width: header.getSize() }}>
                    {sortKey !== undefined && sort ? (
                      <button type="button" className="sort-button" onClick={() => sort.onChange(sortKey)}>
                        {flexRender(header.column.columnDef.header, header.getContext())}
                        {active ? ' ▾' : ''}
                      </button>
                    ) : (
                      flexRender(header.column.columnDef.header, header.getContext())
                    )}
                  </th>
                );
              })}
            </tr>
          ))}
        </thead>
        <tbody>
          {before > 0 ? (
            <tr aria-hidden="true" style={{ height: before }}>
              <td colSpan={columns.length} />
            </tr>
          ) : null}
          {items.map((item) => {
            const row = modelRows[item.index];
            if (!row) return null;
            return (
              <tr
                key={row.id}
                data-row-id={row.id}
                tabIndex={0}
                aria-selected={selection ? row.getIsSelected() : undefined}
                className={onOpen ? 'clickable' : undefined}
                onClick={(event) => {
                  if (onOpen && !(event.target as HTMLElement).closest('input,button,a')) onOpen(row.original);
                }}
                onKeyDown={(event) => onRowKey(event, row)}
                style={{ height: ROW_HEIGHT }}
              >
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id}>{flexRender(cell.column.columnDef.cell, cell.getContext())}</td>
                ))}
              </tr>
            );
          })}
          {after > 0 ? (
            <tr aria-hidden="true" style={{ height: after }}>
              <td colSpan={columns.length} />
            </tr>
          ) : null}
        </tbody>
      </table>
      {more?.loading ? <div className="table-more">Loading more…</div> : null}
    </div>
  );
};

/** The checkbox column for bulk actions. */
export const selectColumn = <T,>(): ColumnDef<T, unknown> => ({
  id: 'select',
  size: 36,
  header: ({ table }) => (
    <input type="checkbox" aria-label="Select every loaded row" checked={table.getIsAllRowsSelected()} onChange={table.getToggleAllRowsSelectedHandler()} />
  ),
  cell: ({ row }) => <input type="checkbox" aria-label={`Select row ${row.id}`} checked={row.getIsSelected()} onChange={row.getToggleSelectedHandler()} />,
});
