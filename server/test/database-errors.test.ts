import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../db/client';
import { databaseErrorKind } from '../monitoring/database-errors';
import { testDatabaseKind, useTestDatabase } from './database';

// The classifier against the errors the real drivers raise, in the wrappings Prisma puts around them.

const ctx = useTestDatabase();

const failureOf = (work: Promise<unknown>) =>
  work.then(
    () => expect.fail('expected the query to fail'),
    (error: unknown) => error,
  );

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe(`database error kinds of real failures (${testDatabaseKind})`, () => {
  it('a failing statement is "other"', async () => {
    const error = await failureOf(ctx.db.prisma.$queryRaw`SELECT 1 / 0`);
    expect(databaseErrorKind(error)).toBe('other');
  });

  it.skipIf(testDatabaseKind === 'pglite')(
    'a statement timeout is "timeout" (PostgreSQL: PGlite has no timer to cancel a statement)',
    async () => {
      const error = await failureOf(
        ctx.db.prisma.$transaction([
          ctx.db.prisma.$executeRaw`SET LOCAL statement_timeout = 20`,
          ctx.db.prisma.$queryRaw`SELECT pg_sleep(2)`,
        ]),
      );
      expect(databaseErrorKind(error)).toBe('timeout');
    },
  );

  it.skipIf(testDatabaseKind === 'pglite')('a server nobody answers at is "unavailable" (PostgreSQL: PGlite runs in process)', async () => {
    const unreachable = await openDatabase({
      kind: 'postgres',
      url: `postgresql://postgres@127.0.0.1:${await closedPort()}/none`,
      poolMax: 1,
    });
    try {
      const error = await failureOf(unreachable.prisma.$queryRaw`SELECT 1`);
      expect(databaseErrorKind(error)).toBe('unavailable');
    } finally {
      await unreachable.close();
    }
  });
});
