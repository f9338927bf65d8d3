import { authenticate, OPEN_AUTH, type RequestAuth } from '../auth/request-auth';
import { getPrisma } from '../db';
import type { PrismaClient } from '../db/client';
import { asHoneError, trpcErrorOf } from '../error-mapping';

/** What every procedure sees. Tests build it directly with a database of their own. */
export interface InnerContext {
  prisma: PrismaClient;
  /** Who is calling; open (everything allowed) unless given. */
  auth: RequestAuth;
}

export function createInnerContext(opts: { prisma: PrismaClient; auth?: RequestAuth }): InnerContext {
  return { prisma: opts.prisma, auth: opts.auth ?? OPEN_AUTH };
}

/** Per-request context: the route handler's, and the dashboard's server components' (their session cookie). */
export async function createContext({ headers }: { headers: Headers }): Promise<InnerContext> {
  try {
    const prisma = await getPrisma();
    return createInnerContext({ prisma, auth: await authenticate(prisma, headers) });
  } catch (error) {
    // Authenticating reads the database: its failure (a 503 when the database is down) reaches the caller as such.
    throw trpcErrorOf(asHoneError(error, 'tRPC context'));
  }
}

export type Context = InnerContext;
