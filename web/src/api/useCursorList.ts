import { useInfiniteQuery, type QueryKey } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { Page } from './client';
import { useApi } from './ApiProvider';

const PAGE_SIZE = 50;

/** A cursor-paged list as the grid wants it: the loaded rows and a way to load the next page. */
export function useCursorList<T, P extends Page<T> = Page<T>>(
  queryKey: QueryKey,
  path: string,
  query: Record<string, string | undefined> = {},
  options: { enabled?: boolean; refetchInterval?: number } = {},
) {
  const api = useApi();
  const result = useInfiniteQuery({
    queryKey,
    queryFn: ({ pageParam, signal }) =>
      api.get<P>(path, { query: { ...query, limit: PAGE_SIZE, cursor: pageParam }, signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    enabled: options.enabled,
    refetchInterval: options.refetchInterval,
  });
  const rows = useMemo(() => result.data?.pages.flatMap((p) => p.items) ?? [], [result.data]);
  return {
    rows,
    /** The first page as the API answered it, for lists that carry more than rows (totals, balances). */
    firstPage: result.data?.pages[0],
    loading: result.isPending,
    error: result.isError ? result.error : undefined,
    onRetry: () => void result.refetch(),
    hasMore: result.hasNextPage,
    loadingMore: result.isFetchingNextPage,
    onLoadMore: () => void result.fetchNextPage(),
  };
}
