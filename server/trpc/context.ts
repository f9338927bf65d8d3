import { getPrisma } from '../db';
import type { PrismaClient } from '../db/client';

/** What every procedure sees. Tests build it directly with a database of their own. */
export interface InnerContext {
  prisma: PrismaClient;
  /** The raw Authorization header, for the auth layer; null in tests and internal calls. */
  authorization: string | null;
}

export function createInnerContext(opts: { prisma: PrismaClient; authorization?: string | null }): InnerContext {
  return { prisma: opts.prisma, authorization: opts.authorization ?? null };
}

/** Per-request context for the HTTP route handler. */
export async function createContext({ headers }: { headers: Headers }): Promise<InnerContext> {
  return createInnerContext({ prisma: await getPrisma(), authorization: headers.get('authorization') });
}

export type Context = InnerContext;
