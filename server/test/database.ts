import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { RequestAuth } from '../auth/request-auth';
import type { PrismaClient } from '../db/client';
import { createScratchDatabase, type ScratchDatabase } from '../testing/scratch-database';
import { createInnerContext } from '../trpc/context';
import { createCaller } from '../trpc/routers/_app';

/** Which real database this test run talks to: set per Vitest project (see vitest.config.ts). */
export const testDatabaseKind = (process.env.HONE_TEST_DB ?? 'pglite') as 'pglite' | 'postgres';

export type TestDatabase = ScratchDatabase;

/**
 * Registers hooks giving the calling test file its own database, emptied before each test.
 * Read `db` inside tests (it is set by beforeAll).
 */
export function useTestDatabase(): { readonly db: TestDatabase } {
  const holder = {} as { db: TestDatabase };
  beforeAll(async () => {
    holder.db = await createScratchDatabase(testDatabaseKind);
  });
  beforeEach(async () => {
    await holder.db.truncate();
  });
  afterAll(async () => {
    await holder.db?.drop();
  });
  return holder;
}

/** Asserts a tRPC call failed as BAD_REQUEST with an issue on the given field. */
export async function expectBadRequest(call: Promise<unknown>, field: string): Promise<string> {
  const error = await call.then(
    () => expect.fail(`expected the call to be refused for ${field}`),
    (e: unknown) => e as { code?: string; message: string },
  );
  expect(error.code).toBe('BAD_REQUEST');
  expect(error.message).toContain(field);
  return error.message;
}

/** A tRPC caller authenticated as a write key of the given name, as a request with HONE_AUTH=required would be. */
export function writeKeyCaller(prisma: PrismaClient, name: string) {
  const auth: RequestAuth = {
    mode: 'required',
    principal: { keyId: 1, name, scope: 'write' },
    via: 'bearer',
    badCredential: false,
    crossOrigin: false,
    caller: null,
  };
  return createCaller(createInnerContext({ prisma, auth }));
}
