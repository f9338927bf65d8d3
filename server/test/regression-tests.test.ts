import { describe, expect, it } from 'vitest';
import { expectBadRequest, useTestDatabase } from './database';
import { SPEC_EXAMPLES } from './harness/spec-examples';

const t = useTestDatabase();

const specExample = SPEC_EXAMPLES.generate_regression_test;

describe('generate_regression_test', () => {
  it('stores the spec example', async () => {
    const { created, test } = await t.db.caller.regressionTests.generate(specExample);
    expect(created).toBe(true);
    expect(test).toMatchObject({ ...specExample, id: 1 });
    expect(new Date(test.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('treats an identical retry as safe and returns the stored test', async () => {
    const first = await t.db.caller.regressionTests.generate(specExample);
    const retry = await t.db.caller.regressionTests.generate({ ...specExample, metadata: { bugTicket: 'ISSUE-123' } });
    expect(retry.created).toBe(false);
    expect(retry.test).toEqual(first.test);
    expect(await t.db.prisma.regressionTest.count()).toBe(1);
  });

  it('refuses the same name with different content as a conflict naming the test', async () => {
    await t.db.caller.regressionTests.generate(specExample);
    const error = await t.db.caller.regressionTests.generate({ ...specExample, expectedBehavior: 'Something else' }).then(
      () => expect.fail('expected a conflict'),
      (e: { code: string; message: string }) => e,
    );
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toContain('routing_timeout_recovery');
    expect(error.message).toContain('expectedBehavior');
    const stored = await t.db.prisma.regressionTest.findMany();
    expect(stored.map((s) => s.expectedBehavior)).toEqual([specExample.expectedBehavior]);
  });

  it('refuses code that does not parse as TypeScript, with line and column, and writes nothing', async () => {
    const message = await expectBadRequest(
      t.db.caller.regressionTests.generate({ ...specExample, testCode: "it('x', () => {\n  const a = ;\n});" }),
      'testCode',
    );
    expect(message).toMatch(/line 2, column 13/);
    expect(await t.db.prisma.regressionTest.count()).toBe(0);
  });

  it('accepts TypeScript-only syntax', async () => {
    const testCode = "import { it, expect } from 'vitest';\nit('typed', () => { const n: number = 1 as const; expect(n satisfies number).toBe(1); });";
    const { created } = await t.db.caller.regressionTests.generate({ ...specExample, testCode });
    expect(created).toBe(true);
  });

  it.each([
    ['discoveredFrom', { discoveredFrom: 'rumour' }],
    ['testName', { testName: '' }],
    ['category', { category: '  ' }],
    ['testCode', { testCode: '' }],
    ['expectedBehavior', { expectedBehavior: undefined }],
    ['metadata', { metadata: 'not-an-object' }],
  ])('refuses a bad %s and writes nothing', async (field, patch) => {
    await expectBadRequest(t.db.caller.regressionTests.generate({ ...specExample, ...patch } as never), field);
    expect(await t.db.prisma.regressionTest.count()).toBe(0);
  });

  it('accepts user-feedback as a source', async () => {
    const { test } = await t.db.caller.regressionTests.generate({ ...specExample, discoveredFrom: 'user-feedback' });
    expect(test.discoveredFrom).toBe('user-feedback');
  });
});

describe('get_regression_tests', () => {
  async function seed(n: number, category = 'routing') {
    for (let i = 0; i < n; i++) {
      await t.db.caller.regressionTests.generate({ ...specExample, testName: `${category}_${i}`, category });
    }
  }

  it('lists newest first, filtered by category', async () => {
    await seed(3, 'routing');
    await seed(2, 'api');
    const all = await t.db.caller.regressionTests.list();
    expect(all.items.map((x) => x.testName)).toEqual(['api_1', 'api_0', 'routing_2', 'routing_1', 'routing_0']);
    expect(all.nextCursor).toBeNull();
    const api = await t.db.caller.regressionTests.list({ category: 'api' });
    expect(api.items.map((x) => x.testName)).toEqual(['api_1', 'api_0']);
  });

  it('paginates with a cursor and a bounded limit', async () => {
    await seed(5);
    const first = await t.db.caller.regressionTests.list({ limit: 2 });
    expect(first.items.map((x) => x.testName)).toEqual(['routing_4', 'routing_3']);
    const second = await t.db.caller.regressionTests.list({ limit: 2, cursor: first.nextCursor! });
    expect(second.items.map((x) => x.testName)).toEqual(['routing_2', 'routing_1']);
    const third = await t.db.caller.regressionTests.list({ limit: 2, cursor: second.nextCursor! });
    expect(third.items.map((x) => x.testName)).toEqual(['routing_0']);
    expect(third.nextCursor).toBeNull();
    await expectBadRequest(t.db.caller.regressionTests.list({ limit: 1001 }), 'limit');
    await expectBadRequest(t.db.caller.regressionTests.list({ limit: 0 }), 'limit');
  });

  it('defaults to 100 per page', async () => {
    await t.db.prisma.regressionTest.createMany({
      data: Array.from({ length: 101 }, (_, i) => ({ ...specExample, testName: `bulk_${i}`, discoveredFrom: 'bug' as const })),
    });
    const page = await t.db.caller.regressionTests.list();
    expect(page.items).toHaveLength(100);
    expect(page.nextCursor).not.toBeNull();
  });
});
