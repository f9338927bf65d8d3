import { authenticate, OPEN_AUTH, type RequestAuth } from '../auth/request-auth';
import { getPrisma } from '../db';
import type { PrismaClient } from '../db/client';
import { asHoneError, trpcErrorOf } from '../error-mapping';
import type { CallOrigin } from '../monitoring/metrics';

/** What every procedure sees. Tests build it directly with a database of their own. */
export interface InnerContext {
  prisma: PrismaClient;
  /** Who is calling; open (everything allowed) unless given. */
  auth: RequestAuth;
  /** The face (tRPC over HTTP, or the dashboard) and the request's arrival, under which calls are counted. */
  origin: CallOrigin;
}

export function createInnerContext(opts: { prisma: PrismaClient; auth?: RequestAuth; origin?: CallOrigin }): InnerContext {
  return { prisma: opts.prisma, auth: opts.auth ?? OPEN_AUTH, origin: opts.origin ?? { face: 'trpc' } };
}

/** Per-request context: the route handler's, and the dashboard's server components' (their session cookie). */
export async function createContext({ headers, origin }: { headers: Headers; origin: CallOrigin }): Promise<InnerContext> {
  try {
    const prisma = await getPrisma();
    return createInnerContext({ prisma, auth: await authenticate(prisma, headers), origin });
  } catch (error) {
    // Authenticating reads the database: its failure (a 503 when the database is down) reaches the caller as such.
    throw trpcErrorOf(asHoneError(error, 'tRPC context'));
  }
}

export type Context = InnerContext;
