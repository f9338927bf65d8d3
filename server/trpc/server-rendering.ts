import type { FetchQueryOptions } from '@tanstack/react-query';
import { createTRPCOptionsProxy } from '@trpc/tanstack-react-query';
import { headers } from 'next/headers';
import { cache } from 'react';
import { makeQueryClient } from '@/app/_lib/query-client';
import { dashboardAccessOf } from '../auth/dashboard';
import { callOrigin } from '../monitoring/metrics';
import { createContext } from './context';
import { appRouter } from './routers/_app';

// Server components prefetch through the same router and context as HTTP calls (so whatever the
// context enforces, e.g. the signed-in session, applies to server rendering too), then hand the
// cache to the client components through HydrationBoundary (components/trpc/HydrateClient.tsx).

/** One query client per request. */
export const getQueryClient = cache(makeQueryClient);

/** The request's context, made once: every prefetch, the server caller and the access check share one authentication. */
const requestContext = cache(async () => createContext({ headers: await headers(), origin: callOrigin('dashboard') }));

export const trpc = createTRPCOptionsProxy({
  ctx: requestContext,
  router: appRouter,
  queryClient: getQueryClient,
});

/** Runs the given prefetches (a failed one leaves its query in the error state for the client to show). */
// `any`: a page prefetches queries of different result and key types together.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function prefetch(...options: FetchQueryOptions<any, any, any, any>[]): Promise<void> {
  const queryClient = getQueryClient();
  await Promise.all(options.map((o) => queryClient.prefetchQuery(o)));
}

/** A server-side caller through the request's context, for server-rendered views that need the data itself. */
export const serverCaller = cache(async () => appRouter.createCaller(await requestContext()));

/** Who is signed in and whether they may edit (the nav, the sign-in page, the rule forms). */
export const dashboardAccess = cache(async () => dashboardAccessOf((await requestContext()).auth));

/** The task types the filter offers. */
export function taskTypes(): Promise<string[]> {
  return getQueryClient().fetchQuery(trpc.modelPerformance.taskTypes.queryOptions());
}
