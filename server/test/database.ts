import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import { openDatabase, type DatabaseConnection, type PrismaClient } from '../db/client';
import { applyMigrations } from '../db/schema-engine';
import { invalidateRoutingRules } from '../services/routing';
import { createInnerContext } from '../trpc/context';
import { createCaller } from '../trpc/routers/_app';

/** Which real database this test run talks to: set per Vitest project (see vitest.config.ts). */
export const testDatabaseKind = (process.env.HONE_TEST_DB ?? 'pglite') as 'pglite' | 'postgres';

const ADMIN_URL = process.env.HONE_TEST_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export interface TestDatabase {
  prisma: PrismaClient;
  connection: DatabaseConnection;
  caller: ReturnType<typeof createCaller>;
  /** Empties every table (keeps the schema) so each test starts from nothing. */
  truncate(): Promise<void>;
  drop(): Promise<void>;
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A fresh, migrated database of the run's kind: in-memory PGlite, or a new database on the server. */
export async function createTestDatabase(): Promise<TestDatabase> {
  let dropDatabase = async () => {};
  let db: Awaited<ReturnType<typeof openDatabase>>;
  if (testDatabaseKind === 'postgres') {
    const name = `hone_test_${randomBytes(6).toString('hex')}`;
    await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    db = await openDatabase({ kind: 'postgres', url: url.toString(), poolMax: 20 }, { migrate: false });
    await applyMigrations(db.connection.adapterFactory);
    dropDatabase = () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {});
  } else {
    db = await openDatabase({ kind: 'pglite' });
  }
  const prisma = db.prisma;
  return {
    prisma,
    connection: db.connection,
    caller: createCaller(createInnerContext({ prisma })),
    async truncate() {
      const tables = await prisma.$queryRaw<{ tablename: string }[]>`
        SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`;
      await prisma.$executeRawUnsafe(
        `TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(', ')} RESTART IDENTITY CASCADE`,
      );
      invalidateRoutingRules(prisma);
    },
    async drop() {
      await db.close();
      await dropDatabase();
    },
  };
}

/**
 * Registers hooks giving the calling test file its own database, emptied before each test.
 * Read `db` inside tests (it is set by beforeAll).
 */
export function useTestDatabase(): { readonly db: TestDatabase } {
  const holder = {} as { db: TestDatabase };
  beforeAll(async () => {
    holder.db = await createTestDatabase();
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
