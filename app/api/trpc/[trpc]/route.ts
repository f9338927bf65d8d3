import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { API_VERSION_HEADER, HONE_API_VERSION } from '@/server/api-version';
import { createContext } from '@/server/trpc/context';
import { appRouter } from '@/server/trpc/routers/_app';

export const dynamic = 'force-dynamic';

function handler(req: Request) {
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: () => createContext({ headers: req.headers }),
    // Every answer, errors included, says which API it speaks: the client refuses another major version.
    responseMeta: () => ({ headers: { [API_VERSION_HEADER]: HONE_API_VERSION } }),
    onError({ error, path }) {
      if (error.code === 'INTERNAL_SERVER_ERROR') console.error(`tRPC ${path ?? '(unknown)'} failed:`, error.cause ?? error);
    },
  });
}

export { handler as GET, handler as POST };
