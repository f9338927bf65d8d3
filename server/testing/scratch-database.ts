import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type DatabaseConnection, type PrismaClient } from '../db/client';
import { emptyAllTables } from '../db/tables';
import { invalidateRoutingRules } from '../services/routing/active-rules';
import { discardRouteDecisions } from '../services/routing/decision-recorder';
import { createInnerContext } from '../trpc/context';
import { createCaller } from '../trpc/routers/_app';

// Throwaway databases for tests and benchmarks: an in-memory PGlite, or a new database on a
// PostgreSQL server (created from HONE_TEST_ADMIN_URL, dropped afterwards).

export const ADMIN_URL = process.env.HONE_TEST_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

export interface ScratchDatabase {
  prisma: PrismaClient;
  connection: DatabaseConnection;
  caller: ReturnType<typeof createCaller>;
  /** The connection URL of a PostgreSQL scratch database (for a server process under test); null for PGlite. */
  url: string | null;
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
export async function createScratchDatabase(kind: 'pglite' | 'postgres'): Promise<ScratchDatabase> {
  let dropDatabase = async () => {};
  let databaseUrl: string | null = null;
  let db: Awaited<ReturnType<typeof openDatabase>>;
  if (kind === 'postgres') {
    const name = `hone_test_${randomBytes(6).toString('hex')}`;
    await withAdmin((c) => c.query(`CREATE DATABASE ${name}`));
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    db = await openDatabase({ kind: 'postgres', url: databaseUrl, poolMax: 20 }, { migrate: true });
    dropDatabase = () => withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {});
  } else {
    db = await openDatabase({ kind: 'pglite' });
  }
  const prisma = db.prisma;
  return {
    prisma,
    connection: db.connection,
    caller: createCaller(createInnerContext({ prisma })),
    url: databaseUrl,
    async truncate() {
      // Decisions a previous test left queued must not be written into the next one's empty tables.
      discardRouteDecisions(prisma);
      await emptyAllTables(prisma);
      invalidateRoutingRules(prisma);
    },
    async drop() {
      discardRouteDecisions(prisma);
      await db.close();
      await dropDatabase();
    },
  };
}
