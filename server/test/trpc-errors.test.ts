import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { INTERNAL_ERROR_MESSAGE } from '../error-mapping';
import { createInnerContext } from '../trpc/context';
import { appRouter } from '../trpc/routers/_app';
import { testDatabaseKind } from './database';
import { createScratchDatabase, type ScratchDatabase } from '../testing/scratch-database';

// tRPC used to hand the database's own message to the caller (`Invalid prisma.….findMany() invocation …`).

let db: ScratchDatabase;
beforeAll(async () => {
  db = await createScratchDatabase(testDatabaseKind);
});
afterAll(async () => {
  await db?.drop();
});

function callOverHttp(path: string): Promise<Response> {
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req: new Request(`http://localhost/api/trpc/${path}`),
    router: appRouter,
    createContext: () => createInnerContext({ prisma: db.prisma }),
  });
}

describe(`tRPC errors (${testDatabaseKind})`, () => {
  it('answers a database failure with the generic message, logged once with the tool name', async () => {
    await db.prisma.$executeRawUnsafe('DROP TABLE bug_pattern_occurrences, bug_patterns CASCADE');
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const response = await callOverHttp('bugPatterns.list');
    const body = (await response.json()) as { error: { message: string; data: { code: string; httpStatus: number } } };
    expect(response.status).toBe(500);
    expect(body.error.message).toBe(INTERNAL_ERROR_MESSAGE);
    expect(JSON.stringify(body)).not.toMatch(/prisma|bug_patterns|does not exist/i);
    expect(log).toHaveBeenCalledTimes(1);
    expect(String(log.mock.calls[0]![0])).toContain('get_bug_patterns');
    log.mockRestore();
  });

  it('answers bad input as BAD_REQUEST with the issues, parsed once by the pipeline', async () => {
    const response = await callOverHttp(
      `metrics.record?input=${encodeURIComponent(JSON.stringify({ name: 'x', value: 'fast', unit: 'ms' }))}`,
    );
    // A mutation over GET is refused by tRPC itself; over POST the pipeline names the field.
    expect(response.status).toBe(405);
    const posted = await fetchRequestHandler({
      endpoint: '/api/trpc',
      req: new Request('http://localhost/api/trpc/metrics.record', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x', value: 'fast', unit: 'ms', context: JSON.parse('{"__proto__":{"a":1}}') }),
      }),
      router: appRouter,
      createContext: () => createInnerContext({ prisma: db.prisma }),
    });
    const body = (await posted.json()) as { error: { data: { code: string; issues: { path: string[] }[] } } };
    expect(posted.status).toBe(400);
    expect(body.error.data.code).toBe('BAD_REQUEST');
    expect(body.error.data.issues.map((issue) => issue.path.join('.'))).toContain('context.__proto__');
  });
});
