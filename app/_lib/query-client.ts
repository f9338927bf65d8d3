import { defaultShouldDehydrateQuery, QueryClient } from '@tanstack/react-query';

/** Views refresh on their own this often. */
export const REFRESH_INTERVAL_MS = 30_000;

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Prefetched on the server: do not refetch the moment the page hydrates.
        staleTime: REFRESH_INTERVAL_MS,
        refetchInterval: REFRESH_INTERVAL_MS,
        retry: 1,
      },
      dehydrate: {
        shouldDehydrateQuery: (query) => defaultShouldDehydrateQuery(query) || query.state.status === 'pending',
      },
    },
  });
}
