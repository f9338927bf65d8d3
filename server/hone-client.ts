// The typed client for the gateway (or any TypeScript caller): `hone.modelPerformance.update.mutate({...})`
// with inputs and results typed from the server's own router. Only types cross from the server side.
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { AppRouter } from './trpc/routers/_app';

export interface HoneClientOptions {
  /** Where Hone runs, e.g. `http://localhost:3000` (the tRPC endpoint `/api/trpc` is appended). */
  url: string;
  /** An API key from `npm run apikey -- create`; needed when the server runs with HONE_AUTH=required. */
  apiKey?: string;
  /** Calls made in the same tick travel as one HTTP request; this caps how many share one. */
  maxBatchSize?: number;
  fetch?: typeof globalThis.fetch;
}

export function createHoneClient({ url, apiKey, maxBatchSize = 50, fetch }: HoneClientOptions) {
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url: new URL('/api/trpc', url).toString(),
        maxItems: maxBatchSize,
        headers: () => (apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
        ...(fetch ? { fetch } : {}),
      }),
    ],
  });
}

export type HoneClient = ReturnType<typeof createHoneClient>;
export type { AppRouter };
