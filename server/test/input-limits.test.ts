// Bad input that used to reach the database and answer 500 (ids beyond int32, year 0000, U+0000, JSON nested
// 10,000 deep, a latency of 1e308) is refused by the schemas as BAD_REQUEST naming the field, writing nothing.
import { describe, expect, it } from 'vitest';
import { ZodError } from 'zod';
import { HoneError } from '../errors';
import { useTestDatabase } from './database';

const t = useTestDatabase();

async function rowCounts() {
  const { prisma } = t.db;
  return {
    regressionTests: await prisma.regressionTest.count(),
    bugPatterns: await prisma.bugPattern.count(),
    bugOccurrences: await prisma.bugPatternOccurrence.count(),
    metrics: await prisma.performanceMetric.count(),
    models: await prisma.modelPerformance.count(),
    modelHours: await prisma.modelCallHourly.count(),
  };
}

const nested = (levels: number): unknown => {
  let value: unknown = 'leaf';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

const bug = { category: 'timeout', pattern: 'LLM timeout', description: 'Slow', solution: 'Retry', severity: 'high' as const };
const metric = { name: 'api_latency', value: 1, unit: 'ms', context: { endpoint: '/route' } };
const modelCall = { modelId: 'model-a', taskType: 'coding', success: true, latencyMs: 100, cost: 0.01 };
const regressionTest = {
  testName: 'limits',
  category: 'routing',
  description: 'A test',
  testCode: "it('works', () => { expect(1).toBe(1); });",
  expectedBehavior: 'Passes',
  discoveredFrom: 'bug' as const,
  metadata: { bugTicket: 'ISSUE-1' },
};

/**
 * The call failed as BAD_REQUEST with an issue at this dotted path or inside it (input nested past every limit is
 * refused by the pipeline's whole-input depth guard, a few levels further down the same field).
 */
async function expectRefusedAt(call: Promise<unknown>, field: string): Promise<void> {
  const error = await call.then(
    () => expect.fail(`expected the call to be refused for ${field}`),
    (e: unknown) => e as { code?: string; cause?: unknown },
  );
  expect(error.code).toBe('BAD_REQUEST');
  const issues = error.cause instanceof ZodError ? HoneError.fromZod(error.cause).issues : (error.cause as HoneError).issues;
  const paths = issues.map((issue) => issue.path.join('.'));
  expect(
    paths.some((path) => path === field || path.startsWith(`${field}.`)),
    `${paths.join(', ')} should name ${field}`,
  ).toBe(true);
}

type Case = [string, string, () => Promise<unknown>];
const caller = () => t.db.caller;

const cases: Case[] = [
  ['an id beyond int32', 'id', () => caller().bugPatterns.get({ id: 2 ** 31 })],
  ['a bug-pattern cursor beyond int32', 'cursor', () => caller().bugPatterns.list({ cursor: 2 ** 31 })],
  ['a regression-test cursor beyond int32', 'cursor', () => caller().regressionTests.list({ cursor: 9_007_199_254_740_991 })],
  ['a latency of 1e308', 'latencyMs', () => caller().modelPerformance.update({ ...modelCall, latencyMs: 1e308 })],
  ['a latency over one day', 'latencyMs', () => caller().modelPerformance.update({ ...modelCall, latencyMs: 86_400_001 })],
  ['a cost over a million', 'cost', () => caller().modelPerformance.update({ ...modelCall, cost: 1e6 + 1 })],
  ['a metric value of 1e300', 'value', () => caller().metrics.record({ ...metric, value: 1e300 })],
  ['a metric value of -1e16', 'value', () => caller().metrics.record({ ...metric, value: -1e16 })],
  ['year 0000', 'recordedAt', () => caller().metrics.record({ ...metric, recordedAt: '0000-01-01T00:00:00Z' })],
  ['a date before 1970', 'recordedAt', () => caller().metrics.record({ ...metric, recordedAt: '1969-12-31T23:59:59Z' })],
  [
    'a context nested 10,000 deep',
    'context.a.a.a.a.a.a.a.a',
    () => caller().metrics.record({ ...metric, context: nested(10_000) as never }),
  ],
  ['a context nested 9 deep', 'context.a.a.a.a.a.a.a.a', () => caller().metrics.record({ ...metric, context: nested(9) as never })],
  ['a context over 16 KiB', 'context', () => caller().metrics.record({ ...metric, context: { blob: 'x'.repeat(16_384) } })],
  [
    'a __proto__ context key',
    'context.__proto__',
    () => caller().metrics.record({ ...metric, context: JSON.parse('{"__proto__":{"x":1}}') }),
  ],
  [
    'a constructor metadata key',
    'metadata.constructor',
    () => caller().regressionTests.generate({ ...regressionTest, metadata: { constructor: 'x' } }),
  ],
  [
    'a __proto__ metadata key',
    'metadata.__proto__',
    () => caller().regressionTests.generate({ ...regressionTest, metadata: JSON.parse('{"__proto__":1}') }),
  ],
  [
    'metadata nested 10,000 deep',
    'metadata.a.a.a.a.a.a.a.a',
    () => caller().regressionTests.generate({ ...regressionTest, metadata: nested(10_000) as never }),
  ],
  ['U+0000 in a context value', 'context.endpoint', () => caller().metrics.record({ ...metric, context: { endpoint: '/a\u0000' } })],
  ['U+0000 in a context key', 'context.a\uFFFD', () => caller().metrics.record({ ...metric, context: { 'a\u0000': 1 } })],
  ['U+0000 in a metric name', 'name', () => caller().metrics.record({ ...metric, name: 'api\u0000latency' })],
  ['U+0000 in a unit', 'unit', () => caller().metrics.record({ ...metric, unit: 'm\u0000s' })],
  ['U+0000 in a bug category', 'category', () => caller().bugPatterns.record({ ...bug, category: 'time\u0000out' })],
  ['U+0000 in a bug description', 'description', () => caller().bugPatterns.record({ ...bug, description: 'slow\u0000' })],
  ['U+0000 in a bug solution', 'solution', () => caller().bugPatterns.record({ ...bug, solution: 'retry\u0000' })],
  ['a lone surrogate in a bug pattern', 'pattern', () => caller().bugPatterns.record({ ...bug, pattern: 'timeout \uD800' })],
  ['U+0000 in a model id', 'modelId', () => caller().modelPerformance.update({ ...modelCall, modelId: 'model\u0000' })],
  ['U+0000 in a task type', 'taskType', () => caller().modelPerformance.update({ ...modelCall, taskType: 'cod\u0000ing' })],
  ['U+0000 in a test name', 'testName', () => caller().regressionTests.generate({ ...regressionTest, testName: 'a\u0000' })],
  ['U+0000 in test code', 'testCode', () => caller().regressionTests.generate({ ...regressionTest, testCode: "it('a\u0000', () => {});" })],
  [
    'U+0000 in expected behaviour',
    'expectedBehavior',
    () => caller().regressionTests.generate({ ...regressionTest, expectedBehavior: 'ok\u0000' }),
  ],
  ['U+0000 in a search', 'search', () => caller().regressionTests.list({ search: 'a\u0000' })],
  ['U+0000 in a category filter', 'category', () => caller().bugPatterns.list({ category: 'a\u0000' })],
  ['U+0000 in a model filter', 'modelIds.0', () => caller().modelPerformance.trends({ modelIds: ['a\u0000'] })],
];

describe('input the database cannot store or that makes no sense', () => {
  it.each(cases)('refuses %s as BAD_REQUEST naming %s, writing nothing', async (_what, field, call) => {
    // Some rows first, so "nothing written" also covers updates of existing rows.
    await caller().modelPerformance.update(modelCall);
    await caller().metrics.record(metric);
    await caller().bugPatterns.record(bug);
    await caller().regressionTests.generate(regressionTest);
    const before = await rowCounts();
    const modelBefore = await t.db.prisma.modelPerformance.findFirstOrThrow();

    await expectRefusedAt(call(), field);

    expect(await rowCounts()).toEqual(before);
    expect(await t.db.prisma.modelPerformance.findFirstOrThrow()).toEqual(modelBefore);
  });

  it('accepts the bounds themselves and text PostgreSQL can store (emoji, other scripts)', async () => {
    const call = await caller().modelPerformance.update({ ...modelCall, modelId: 'modèle-🚀', latencyMs: 86_400_000, cost: 1e6 });
    expect(call).toMatchObject({ modelId: 'modèle-🚀', avgLatencyMs: 86_400_000, avgCost: 1e6 });
    const second = await caller().modelPerformance.update({ ...modelCall, modelId: 'modèle-🚀', latencyMs: 86_400_000, cost: 1e6 });
    expect(second).toMatchObject({ totalCalls: 2, avgLatencyMs: 86_400_000, totalCost: 2e6 });

    const late = await caller().metrics.record({
      ...metric,
      value: 1e15,
      recordedAt: '9999-12-31T23:59:59.999Z',
      context: nested(7) as never,
    });
    expect(late).toMatchObject({ value: 1e15, recordedAt: '9999-12-31T23:59:59.999Z' });
    const early = await caller().metrics.record({
      ...metric,
      value: -1e15,
      recordedAt: '1970-01-01T00:00:00Z',
      context: { blob: 'x'.repeat(16_000) },
    });
    expect(early.recordedAt).toBe('1970-01-01T00:00:00.000Z');

    const { test } = await caller().regressionTests.generate({ ...regressionTest, metadata: { ticket: '日本語 🚀', list: [1, [2, [3]]] } });
    expect(test.metadata).toEqual({ ticket: '日本語 🚀', list: [1, [2, [3]]] });
    expect(
      await caller()
        .bugPatterns.get({ id: 2 ** 31 - 1 })
        .catch((e: { code?: string }) => e.code),
    ).toBe('NOT_FOUND');
  });
});
