import type { ReactNode } from 'react';
import { useMemo } from 'react';
import type { Page } from '../../../src/central/api/contract.js';
import { DataTable, type DataTableProps } from './DataTable.js';
import { Loaded } from './states.js';

interface PagesQuery<T> {
  readonly data: { readonly pages: readonly Page<T>[] } | undefined;
  readonly error: unknown;
  readonly isPending: boolean;
  readonly refetch: () => unknown;
  readonly hasNextPage: boolean;
  readonly isFetchingNextPage: boolean;
  readonly fetchNextPage: () => unknown;
}

/** A cursor-paged API list as a table: its four states, and the next page asked for as it scrolls. */
export const PagedTable = <T,>({
  pages,
  what,
  empty,
  ...table
}: { readonly pages: PagesQuery<T>; readonly what: string; readonly empty: ReactNode } & Omit<DataTableProps<T>, 'rows' | 'more'>) => {
  const rows = useMemo(() => pages.data?.pages.flatMap((page) => page.items) ?? [], [pages.data]);
  return (
    <Loaded query={{ ...pages, data: pages.data ? rows : undefined }} what={what} empty={empty} isEmpty={(data) => data.length === 0}>
      {(data) => (
        <DataTable {...table} rows={data} more={{ has: pages.hasNextPage, loading: pages.isFetchingNextPage, load: () => void pages.fetchNextPage() }} />
      )}
    </Loaded>
  );
};
