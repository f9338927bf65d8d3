import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKET_COUNT, latencyBucketIndex, percentileFromHistogram } from '../services/latency-histogram';
import { getMetricSeries } from '../services/metrics';
import { MAX_MODEL_ROWS } from '../services/model-analysis';
import { rollUpModelCallDays } from '../services/model-performance';
import { MAX_MODEL_TREND_SERIES } from '../services/model-trends';
import { assertParsesAsTypeScript, vitestFileOf } from '../services/regression-tests';
import { MAX_BUCKETS, MAX_SERIES, resolveTimeRange } from '../services/time-buckets';
import { expectBadRequest, useTestDatabase } from './database';

// The dashboard's reads: exact figures from small fixtures written straight into the rollups.

const t = useTestDatabase();

const at = (iso: string) => new Date(iso);
const DAY = { from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' };
const WEEK = { from: '2026-01-01T00:00:00Z', to: '2026-01-08T00:00:00Z' };

function histogram(latencies: number[]): number[] {
  const counts = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
  for (const l of latencies) counts[latencyBucketIndex(l)]!++;
  return counts;
}

async function hourOfCalls(
  modelId: string,
  taskType: string,
  hour: string,
  calls: { success: boolean; latencyMs: number; cost: number }[],
) {
  const latencies = calls.map((c) => c.latencyMs);
  await t.db.prisma.modelCallHourly.create({
    data: {
      modelId,
      taskType,
      hour: at(hour),
      calls: calls.length,
      successes: calls.filter((c) => c.success).length,
      latencySumMs: latencies.reduce((a, b) => a + b, 0),
      latencyMinMs: Math.min(...latencies),
      latencyMaxMs: Math.max(...latencies),
      costSum: calls.reduce((a, c) => a + c.cost, 0),
      latencyBuckets: histogram(latencies),
    },
  });
  await rollUpModelCallDays(t.db.prisma);
}

const ok = (latencyMs: number, cost = 0.01) => ({ success: true, latencyMs, cost });
const failed = (latencyMs: number, cost = 0.01) => ({ success: false, latencyMs, cost });

async function modelFixture() {
  await hourOfCalls('sonnet', 'coding', '2026-01-01T01:00:00Z', [ok(100), failed(200)]);
  await hourOfCalls('sonnet', 'coding', '2026-01-01T03:00:00Z', [ok(100), ok(100), ok(100), ok(1000)]);
  await hourOfCalls('mini', 'coding', '2026-01-01T03:00:00Z', [ok(50, 0.001), ok(60, 0.001), ok(70, 0.001)]);
  await hourOfCalls('mini', 'chat', '2026-01-03T10:00:00Z', [
    ok(40, 0.001),
    ok(40, 0.001),
    ok(40, 0.001),
    ok(40, 0.001),
    failed(40, 0.001),
  ]);
  // Outside both ranges: must never be counted.
  await hourOfCalls('sonnet', 'coding', '2026-01-09T00:00:00Z', [failed(9999)]);
}

describe('get_model_trends', () => {
  it('buckets a range up to 48 hours by hour, with every hour on the axis and figures per point', async () => {
    await modelFixture();
    const trends = await t.db.caller.modelPerformance.trends({ ...DAY, taskType: 'coding' });
    expect(trends.bucket).toBe('hour');
    expect(trends.buckets).toHaveLength(24);
    expect(trends.buckets[0]).toBe('2026-01-01T00:00:00.000Z');
    expect(trends.series.map((s) => [s.modelId, s.taskType, s.points.length])).toEqual([
      ['mini', 'coding', 1],
      ['sonnet', 'coding', 2],
    ]);
    const [first, second] = trends.series[1]!.points;
    expect(first).toMatchObject({
      t: '2026-01-01T01:00:00.000Z',
      totalCalls: 2,
      successes: 1,
      successRate: 50,
      avgLatencyMs: 150,
      p50LatencyMs: 100,
      p95LatencyMs: 200,
    });
    expect(first!.avgCost).toBeCloseTo(0.01, 12);
    expect(second).toMatchObject({ t: '2026-01-01T03:00:00.000Z', totalCalls: 4, successRate: 100, avgLatencyMs: 325, p95LatencyMs: 1000 });
    expect(second!.p50LatencyMs).toBe(percentileFromHistogram(histogram([100, 100, 100, 1000]), 0.5, 100, 1000));
  });

  it('buckets a longer range by day and filters by model', async () => {
    await modelFixture();
    const trends = await t.db.caller.modelPerformance.trends({ ...WEEK, modelIds: ['sonnet'] });
    expect(trends.bucket).toBe('day');
    expect(trends.buckets).toHaveLength(7);
    expect(trends.series).toHaveLength(1);
    expect(trends.series[0]!.points).toHaveLength(1);
    expect(trends.series[0]!.points[0]).toMatchObject({
      t: '2026-01-01T00:00:00.000Z',
      totalCalls: 6,
      successes: 5,
      avgLatencyMs: 1600 / 6,
    });
    expect(trends.series[0]!.points[0]!.p50LatencyMs).toBe(
      percentileFromHistogram(histogram([100, 200, 100, 100, 100, 1000]), 0.5, 100, 1000),
    );
  });

  it.each([
    ['from', { from: 'yesterday' }],
    ['from', { from: '2026-01-02T00:00:00Z', to: '2026-01-01T00:00:00Z' }],
    ['from', { from: '2020-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z' }],
    ['modelIds', { modelIds: [''] }],
    ['taskType', { taskType: 7 }],
  ])('refuses a bad %s (%j)', async (field, input) => {
    await expectBadRequest(t.db.caller.modelPerformance.trends(input as never), field);
  });
});

describe('get_model_leaderboard', () => {
  it('ranks within each task type over the range and marks low-sample models', async () => {
    await modelFixture();
    const board = await t.db.caller.modelPerformance.leaderboard({ ...WEEK, minCalls: 4 });
    expect(board.rows.map((r) => [r.taskType, r.modelId, r.totalCalls, r.rank, r.lowSample])).toEqual([
      ['chat', 'mini', 5, 1, false],
      ['coding', 'sonnet', 6, 1, false],
      ['coding', 'mini', 3, null, true],
    ]);
    expect(board.rows[1]).toMatchObject({ successes: 5, p95LatencyMs: 1000 });
    expect(board.rows[1]!.successRate).toBeCloseTo(500 / 6, 10);
    expect(board.rows[0]!.avgCost).toBeCloseTo(0.001, 12);
    expect(board.rows[2]!.totalCost).toBeCloseTo(0.003, 12);
  });

  it('sorts by a chosen column in either direction', async () => {
    await modelFixture();
    const byCost = await t.db.caller.modelPerformance.leaderboard({ ...WEEK, sortBy: 'avgCost', direction: 'desc' });
    expect(byCost.rows.map((r) => r.modelId)).toEqual(['sonnet', 'mini', 'mini']);
    const byCalls = await t.db.caller.modelPerformance.leaderboard({ ...WEEK, sortBy: 'totalCalls' });
    expect(byCalls.rows.map((r) => r.totalCalls)).toEqual([3, 5, 6]);
    const byOldName = await t.db.caller.modelPerformance.leaderboard({ ...WEEK, sortBy: 'calls' });
    expect(byOldName.rows.map((r) => r.totalCalls)).toEqual([3, 5, 6]);
  });

  it.each([
    ['sortBy', { sortBy: 'price' }],
    ['direction', { direction: 'up' }],
    ['minCalls', { minCalls: 0 }],
  ])('refuses a bad %s (%j)', async (field, input) => {
    await expectBadRequest(t.db.caller.modelPerformance.leaderboard(input as never), field);
  });
});

async function bugFixture() {
  const timeout = await t.db.prisma.bugPattern.create({ data: { category: 'timeout', pattern: 'slow', severity: 'high', occurrences: 4 } });
  const parsing = await t.db.prisma.bugPattern.create({ data: { category: 'parsing', pattern: 'json', severity: 'low', occurrences: 2 } });
  await t.db.prisma.bugPatternOccurrence.createMany({
    data: [
      { bugPatternId: timeout.id, severity: 'high', occurredAt: at('2026-01-06T05:00:00Z') },
      { bugPatternId: timeout.id, severity: 'high', occurredAt: at('2026-01-07T05:00:00Z') },
      { bugPatternId: timeout.id, severity: 'medium', occurredAt: at('2026-01-07T06:00:00Z') },
      { bugPatternId: timeout.id, severity: 'high', occurredAt: at('2026-01-07T23:59:59Z') },
      { bugPatternId: parsing.id, severity: 'low', occurredAt: at('2026-01-01T00:00:00Z') },
      { bugPatternId: parsing.id, severity: 'low', occurredAt: at('2026-01-08T00:00:00Z') }, // `to` is exclusive
    ],
  });
  return { timeout, parsing };
}

describe('get_bug_pattern_trends', () => {
  it('counts occurrences per day stacked by category, marking the rising one', async () => {
    await bugFixture();
    const trends = await t.db.caller.bugPatterns.trends(WEEK);
    expect(trends).toMatchObject({ bucket: 'day', groupBy: 'category' });
    expect(trends.series).toEqual([
      { key: 'timeout', total: 4, direction: 'rising', counts: [0, 0, 0, 0, 0, 1, 3] },
      { key: 'parsing', total: 1, direction: 'steady', counts: [1, 0, 0, 0, 0, 0, 0] },
    ]);
  });

  it('stacks by the reported severity, in rank order, and filters', async () => {
    await bugFixture();
    const trends = await t.db.caller.bugPatterns.trends({ ...WEEK, groupBy: 'severity', category: 'timeout' });
    expect(trends.series.map((s) => [s.key, s.total])).toEqual([
      ['medium', 1],
      ['high', 3],
    ]);
    const highOnly = await t.db.caller.bugPatterns.trends({ ...WEEK, severity: 'high' });
    expect(highOnly.series.map((s) => [s.key, s.total])).toEqual([['timeout', 3]]);
  });

  it.each([
    ['groupBy', { groupBy: 'pattern' }],
    ['severity', { severity: 'urgent' }],
  ])('refuses a bad %s (%j)', async (field, input) => {
    await expectBadRequest(t.db.caller.bugPatterns.trends(input as never), field);
  });
});

describe('get_bug_pattern', () => {
  it('gives the pattern, its own trend and the regression tests of its category', async () => {
    const { timeout } = await bugFixture();
    await t.db.caller.regressionTests.generate({
      testName: 'timeout_chunks',
      category: 'timeout',
      description: 'chunks',
      testCode: "it('x', () => expect(1).toBe(1));",
      expectedBehavior: 'passes',
      discoveredFrom: 'bug',
    });
    await t.db.caller.regressionTests.generate({
      testName: 'other',
      category: 'parsing',
      description: 'other',
      testCode: "it('y', () => expect(1).toBe(1));",
      expectedBehavior: 'passes',
      discoveredFrom: 'bug',
    });
    const detail = await t.db.caller.bugPatterns.get({ id: timeout.id, from: '2026-01-07T00:00:00Z', to: '2026-01-08T00:00:00Z' });
    expect(detail.pattern).toMatchObject({ id: timeout.id, category: 'timeout', pattern: 'slow', occurrences: 4 });
    expect(detail.trend.bucket).toBe('hour');
    expect(detail.trend.total).toBe(3);
    expect(detail.trend.counts[5]).toBe(1);
    expect(detail.trend.counts[23]).toBe(1);
    expect(detail.regressionTests.map((r) => r.testName)).toEqual(['timeout_chunks']);
  });

  it('answers NOT_FOUND for an unknown id and BAD_REQUEST for a malformed one', async () => {
    await expect(t.db.caller.bugPatterns.get({ id: 999 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expectBadRequest(t.db.caller.bugPatterns.get({ id: -1 }), 'id');
  });
});

async function routingFixture() {
  const { heuristic: deep } = await t.db.caller.routing.updateHeuristic({ pattern: 'algorithm', preferredLayer: 'deep', priority: 10 });
  const { heuristic: fast } = await t.db.caller.routing.updateHeuristic({ pattern: 'hello', preferredLayer: 'fast', priority: 1 });
  await t.db.prisma.routingDecisionHourly.createMany({
    data: [
      { hour: at('2026-01-01T02:00:00Z'), taskType: 'coding', decisions: 10, misses: 4 },
      { hour: at('2026-01-01T02:00:00Z'), taskType: 'chat', decisions: 10, misses: 6 },
      { hour: at('2026-01-01T05:00:00Z'), taskType: 'chat', decisions: 5, misses: 5 },
    ],
  });
  await t.db.prisma.ruleHitHourly.createMany({
    data: [
      { ruleId: deep.id, hour: at('2026-01-01T02:00:00Z'), taskType: 'coding', hits: 6 },
      { ruleId: fast.id, hour: at('2026-01-01T02:00:00Z'), taskType: 'chat', hits: 4 },
    ],
  });
  return { deep, fast };
}

describe('get_routing_hit_rates', () => {
  it('gives the overall and per-rule hit rate in total and per bucket', async () => {
    const { deep, fast } = await routingFixture();
    const rates = await t.db.caller.routing.hitRates(DAY);
    expect(rates).toMatchObject({ bucket: 'hour', decisions: 25, misses: 15, hitRate: 40 });
    expect(rates.overallRates[2]).toBe(50);
    expect(rates.overallRates[5]).toBe(0);
    expect(rates.overallRates[0]).toBeNull();
    expect(rates.decisionsPerBucket[2]).toBe(20);
    expect(rates.rules.map((r) => [r.ruleId, r.pattern, r.hits, r.hitRate, r.rates[2], r.rates[5]])).toEqual([
      [deep.id, 'algorithm', 6, 24, 30, 0],
      [fast.id, 'hello', 4, 16, 20, 0],
    ]);
  });

  it('filters by task type', async () => {
    await routingFixture();
    const rates = await t.db.caller.routing.hitRates({ ...DAY, taskType: 'coding' });
    expect(rates).toMatchObject({ decisions: 10, misses: 4, hitRate: 60 });
    expect(rates.rules.map((r) => r.hits)).toEqual([6, 0]);
  });

  it('refuses a bad range', async () => {
    await expectBadRequest(t.db.caller.routing.hitRates({ from: DAY.to, to: DAY.from }), 'from');
  });
});

describe('delete_routing_heuristic', () => {
  it('deletes the rule and its hit history, and routing stops using it at once', async () => {
    const { deep } = await routingFixture();
    expect((await t.db.caller.routing.resolve({ input: 'an algorithm', dryRun: true })).ruleId).toBe(deep.id);
    const { deleted } = await t.db.caller.routing.deleteHeuristic({ id: deep.id });
    expect(deleted).toMatchObject({ id: deep.id, pattern: 'algorithm' });
    expect(await t.db.prisma.routingRule.count()).toBe(1);
    expect(await t.db.prisma.ruleHitHourly.count()).toBe(1);
    expect((await t.db.caller.routing.resolve({ input: 'an algorithm', dryRun: true })).ruleId).toBeNull();
  });

  it('answers NOT_FOUND for an unknown id and refuses a malformed one; nothing is deleted', async () => {
    await routingFixture();
    await expect(t.db.caller.routing.deleteHeuristic({ id: 999 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('999'),
    });
    await expectBadRequest(t.db.caller.routing.deleteHeuristic({ id: '1' } as never), 'id');
    await expectBadRequest(t.db.caller.routing.deleteHeuristic({} as never), 'id');
    expect(await t.db.prisma.routingRule.count()).toBe(2);
  });
});

describe('update_routing_heuristic by id', () => {
  it('edits the pattern of a rule, keeping omitted fields', async () => {
    const { deep } = await routingFixture();
    const { created, heuristic } = await t.db.caller.routing.updateHeuristic({
      id: deep.id,
      pattern: 'algorithms?',
      preferredLayer: 'balanced',
    });
    expect(created).toBe(false);
    expect(heuristic).toMatchObject({ id: deep.id, pattern: 'algorithms?', preferredLayer: 'balanced', priority: 10, active: true });
    expect(await t.db.prisma.routingRule.count()).toBe(2);
    expect((await t.db.caller.routing.resolve({ input: 'algorithms', dryRun: true })).layer).toBe('balanced');
  });

  it("refuses another rule's pattern, an unknown id and a pattern the matcher cannot run, changing nothing", async () => {
    const { deep } = await routingFixture();
    await expect(t.db.caller.routing.updateHeuristic({ id: deep.id, pattern: 'hello', preferredLayer: 'fast' })).rejects.toMatchObject({
      code: 'CONFLICT',
      cause: { issues: [{ path: ['pattern'], message: 'another rule already has this pattern' }] },
    });
    await expect(t.db.caller.routing.updateHeuristic({ id: 999, pattern: 'x', preferredLayer: 'fast' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expectBadRequest(
      t.db.caller.routing.updateHeuristic({ id: deep.id, pattern: 'algo(?=rithm)', preferredLayer: 'fast' }),
      'pattern',
    );
    await expectBadRequest(t.db.caller.routing.updateHeuristic({ id: 0, pattern: 'x', preferredLayer: 'fast' }), 'id');
    expect((await t.db.caller.routing.listHeuristics()).map((r) => [r.pattern, r.preferredLayer])).toEqual([
      ['algorithm', 'deep'],
      ['hello', 'fast'],
    ]);
  });
});

describe('metrics series', () => {
  async function metricFixture() {
    const record = (value: number, recordedAt: string, context: Record<string, string>) =>
      t.db.caller.metrics.record({ name: 'routing_latency', value, unit: 'ms', context, recordedAt });
    await record(10, '2026-01-01T00:10:00Z', { layer: 'fast' });
    await record(30, '2026-01-01T00:50:00Z', { layer: 'fast' });
    await record(200, '2026-01-01T00:20:00Z', { layer: 'deep' });
    await record(100, '2026-01-01T02:00:00Z', {});
    await t.db.caller.metrics.record({
      name: 'queue_depth',
      value: 3,
      unit: 'requests',
      context: { region: 'eu' },
      recordedAt: '2026-01-01T00:00:00Z',
    });
  }

  it('lists metric names with unit, count and context keys', async () => {
    await metricFixture();
    const names = await t.db.caller.metrics.names();
    expect(names).toEqual([
      { name: 'queue_depth', values: 1, unit: 'requests', lastRecordedAt: '2026-01-01T00:00:00.000Z', contextKeys: ['region'] },
      { name: 'routing_latency', values: 4, unit: 'ms', lastRecordedAt: '2026-01-01T02:00:00.000Z', contextKeys: ['layer'] },
    ]);
  });

  it('averages per bucket, grouped by a context key', async () => {
    await metricFixture();
    const grouped = await t.db.caller.metrics.series({ ...DAY, name: 'routing_latency', groupBy: 'layer' });
    expect(grouped.units).toEqual(['ms']);
    expect(grouped.series.map((s) => [s.key, s.count, s.averages.slice(0, 3)])).toEqual([
      ['(none)', 1, [null, null, 100]],
      ['deep', 1, [200, null, null]],
      ['fast', 2, [20, null, null]],
    ]);
    const all = await t.db.caller.metrics.series({ ...DAY, name: 'routing_latency' });
    expect(all.series.map((s) => [s.key, s.count, s.averages[0]])).toEqual([['all', 4, 80]]);
  });

  it.each([
    ['name', {}],
    ['name', { name: ' ' }],
    ['groupBy', { name: 'x', groupBy: '' }],
  ])('refuses a bad %s (%j)', async (field, input) => {
    await expectBadRequest(t.db.caller.metrics.series(input as never), field);
  });
});

describe('regression test categories and Vitest files', () => {
  const test = (testName: string, category: string) => ({
    testName,
    category,
    description: `checks ${testName}`,
    testCode: `it('${testName} works', () => {\n  expect(1 + 1).toBe(2);\n});\n`,
    expectedBehavior: 'passes',
    discoveredFrom: 'bug' as const,
  });

  it('counts tests per category, alphabetically', async () => {
    for (const [name, category] of [
      ['a', 'routing'],
      ['b', 'api'],
      ['c', 'routing'],
    ] as const)
      await t.db.caller.regressionTests.generate(test(name, category));
    expect(await t.db.caller.regressionTests.categories()).toEqual([
      { category: 'api', tests: 1 },
      { category: 'routing', tests: 2 },
    ]);
  });

  it('wraps each test in a describe block of a file that imports Vitest and parses as TypeScript', () => {
    const file = vitestFileOf([test('first', 'routing'), test('second', 'routing')]);
    expect(file).toContain("import { describe, expect, it } from 'vitest';");
    expect(file).toContain('describe("first", () => {\n  it(\'first works\', () => {\n    expect(1 + 1).toBe(2);\n  });\n});');
    expect(file.match(/^describe\(/gm)).toHaveLength(2);
    expect(() => assertParsesAsTypeScript(file)).not.toThrow();
  });
});

describe('list_task_types', () => {
  it('lists each task type with calls once, alphabetically', async () => {
    await modelFixture();
    expect(await t.db.caller.modelPerformance.taskTypes()).toEqual([]); // the fixture writes rollups only
    await t.db.caller.modelPerformance.update({ modelId: 'a', taskType: 'coding', success: true, latencyMs: 1, cost: 0 });
    await t.db.caller.modelPerformance.update({ modelId: 'b', taskType: 'chat', success: true, latencyMs: 1, cost: 0 });
    await t.db.caller.modelPerformance.update({ modelId: 'c', taskType: 'coding', success: true, latencyMs: 1, cost: 0 });
    expect(await t.db.caller.modelPerformance.taskTypes()).toEqual(['chat', 'coding']);
  });

  it('refuses an unknown parameter', async () => {
    await expectBadRequest(t.db.caller.modelPerformance.taskTypes({ taskType: 'x' } as never), 'taskType');
  });
});

describe('every read is bounded', () => {
  // The five reads that take a date range, each called with the range patch given.
  const reads: [string, (range: object) => Promise<unknown>][] = [
    ['get_routing_hit_rates', (range) => t.db.caller.routing.hitRates(range)],
    ['get_bug_pattern_trends', (range) => t.db.caller.bugPatterns.trends(range)],
    [
      'get_bug_pattern',
      async (range) => {
        const { id } = await t.db.prisma.bugPattern.create({ data: { category: 'c', pattern: 'p', severity: 'low' } });
        return t.db.caller.bugPatterns.get({ id, ...range });
      },
    ],
    ['get_model_trends', (range) => t.db.caller.modelPerformance.trends(range)],
    ['get_metric_series', (range) => t.db.caller.metrics.series({ name: 'latency', ...range })],
  ];
  const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000).toISOString();

  describe.each(reads)('%s', (_tool, read) => {
    it.each([
      ['from', 'a lone from in year 1', { from: '0001-01-01T00:00:00Z' }],
      ['from', 'a lone from 401 days ago (the cap counts to the default to, now)', { from: daysAgo(401) }],
      ['from', 'a lone from in the future (after the default to)', { from: new Date(Date.now() + 86_400_000).toISOString() }],
      ['from', 'a from before 1970', { from: '1969-12-31T23:59:59Z', to: '1970-01-02T00:00:00Z' }],
      ['to', 'a lone to before 1970', { to: '1969-12-31T00:00:00Z' }],
      ['to', 'a to after 9999', { to: '+010000-01-01T00:00:00Z' }],
      ['from', 'a range of 400 days and a second', { from: '2025-01-01T00:00:00Z', to: '2026-02-05T00:00:01Z' }],
    ])('refuses %s: %s', async (field, _what, range) => {
      await expectBadRequest(read(range), field);
    });

    it('answers a lone from 399 days ago with at most MAX_BUCKETS daily buckets', async () => {
      const answer = (await read({ from: daysAgo(399) })) as { bucket?: string; buckets?: string[]; trend?: { buckets: string[] } };
      const buckets = answer.buckets ?? answer.trend!.buckets;
      expect(buckets.length).toBeGreaterThanOrEqual(399);
      expect(buckets.length).toBeLessThanOrEqual(MAX_BUCKETS);
    });
  });

  it('caps the resolved range in the shared resolver too, for callers that skip the schema', async () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(() => resolveTimeRange({ from: '1970-01-01T00:00:00Z' }, now)).toThrow(
      'from: range must be at most 400 days, up to to (default now)',
    );
    expect(() => resolveTimeRange({ from: '2026-01-02T00:00:00Z' }, now)).toThrow(/from: must be before to \(default now\)/);
    expect(resolveTimeRange({ to: '2026-01-08T00:00:00Z' }, now)).toMatchObject({ from: new Date('2026-01-01T00:00:00Z'), bucket: 'day' });
    await expect(getMetricSeries(t.db.prisma, { name: 'x', from: '1970-01-01T00:00:00Z' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      issues: [{ path: ['from'] }],
    });
  });

  it('keeps the MAX_SERIES most recorded values of a metric grouped by a context key, and says it cut', async () => {
    const values = MAX_SERIES + 10;
    // Value i is recorded i + 1 times: the kept series are the most recorded ones.
    await t.db.prisma.performanceMetric.createMany({
      data: Array.from({ length: values }, (_, i) =>
        Array.from({ length: i + 1 }, () => ({
          metricName: 'latency',
          metricValue: i,
          metricUnit: 'ms',
          context: { request: `r${i}` },
          recordedAt: at('2026-01-01T05:00:00Z'),
        })),
      ).flat(),
    });
    const grouped = await t.db.caller.metrics.series({ ...DAY, name: 'latency', groupBy: 'request' });
    expect(grouped.truncated).toBe(true);
    expect(grouped.series).toHaveLength(MAX_SERIES);
    expect(grouped.series.map((s) => s.key).sort()).toEqual(Array.from({ length: MAX_SERIES }, (_, i) => `r${i + 10}`).sort());
    const whole = await t.db.caller.metrics.series({ ...DAY, name: 'latency' });
    expect(whole).toMatchObject({ truncated: false, series: [{ key: 'all' }] });
  });

  it('keeps the MAX_SERIES categories with the most bug occurrences, and says it cut', async () => {
    const categories = MAX_SERIES + 5;
    for (let i = 0; i < categories; i++) {
      const { id } = await t.db.prisma.bugPattern.create({
        data: { category: `cat${String(i).padStart(2, '0')}`, pattern: 'p', severity: 'low', occurrences: i + 1 },
      });
      await t.db.prisma.bugPatternOccurrence.createMany({
        data: Array.from({ length: i + 1 }, () => ({ bugPatternId: id, severity: 'low' as const, occurredAt: at('2026-01-03T00:00:00Z') })),
      });
    }
    const trends = await t.db.caller.bugPatterns.trends(WEEK);
    expect(trends.truncated).toBe(true);
    expect(trends.series).toHaveLength(MAX_SERIES);
    expect(trends.series.at(-1)).toMatchObject({ key: 'cat05', total: 6 });
    expect((await t.db.caller.bugPatterns.trends({ ...WEEK, groupBy: 'severity' })).truncated).toBe(false);
  });

  it('keeps the busiest MAX_MODEL_TREND_SERIES model series, and says it cut', async () => {
    const models = MAX_MODEL_TREND_SERIES + 3;
    await t.db.prisma.modelCallHourly.createMany({
      data: Array.from({ length: models }, (_, i) => ({
        modelId: `m${String(i).padStart(2, '0')}`,
        taskType: 'coding',
        hour: at('2026-01-01T03:00:00Z'),
        calls: i + 1,
        successes: i + 1,
        latencySumMs: 100 * (i + 1),
        latencyMinMs: 100,
        latencyMaxMs: 100,
        costSum: 0,
        latencyBuckets: histogram(Array.from({ length: i + 1 }, () => 100)),
      })),
    });
    await rollUpModelCallDays(t.db.prisma);
    const trends = await t.db.caller.modelPerformance.trends(DAY);
    expect(trends.truncated).toBe(true);
    expect(trends.series).toHaveLength(MAX_MODEL_TREND_SERIES);
    expect(trends.series[0]!.modelId).toBe('m03');
    const picked = await t.db.caller.modelPerformance.trends({ ...DAY, modelIds: ['m00', 'm01'] });
    expect(picked).toMatchObject({ truncated: false, series: [{ modelId: 'm00' }, { modelId: 'm01' }] });
  });

  it('cuts the leaderboard at MAX_MODEL_ROWS rows and says so', async () => {
    await t.db.prisma.modelCallHourly.createMany({
      data: Array.from({ length: MAX_MODEL_ROWS + 1 }, (_, i) => ({
        modelId: `m${i}`,
        taskType: 'chat',
        hour: at('2026-01-01T03:00:00Z'),
        calls: 1,
        successes: 1,
        latencySumMs: 100,
        latencyMinMs: 100,
        latencyMaxMs: 100,
        costSum: 0,
        latencyBuckets: histogram([100]),
      })),
    });
    await rollUpModelCallDays(t.db.prisma);
    const board = await t.db.caller.modelPerformance.leaderboard(WEEK);
    expect(board.truncated).toBe(true);
    expect(board.rows).toHaveLength(MAX_MODEL_ROWS);
  });

  it("says when a bug pattern's category has more regression tests than the detail lists", async () => {
    const { id } = await t.db.prisma.bugPattern.create({ data: { category: 'flaky', pattern: 'p', severity: 'low' } });
    const tests = (n: number, from = 0) =>
      Array.from({ length: n }, (_, i) => ({
        testName: `t${from + i}`,
        category: 'flaky',
        description: 'd',
        testCode: 'it("x", () => {});',
        expectedBehavior: 'e',
        discoveredFrom: 'bug' as const,
      }));
    await t.db.prisma.regressionTest.createMany({ data: tests(100) });
    expect(await t.db.caller.bugPatterns.get({ id })).toMatchObject({ regressionTestsTruncated: false });
    await t.db.prisma.regressionTest.createMany({ data: tests(1, 100) });
    const detail = await t.db.caller.bugPatterns.get({ id });
    expect(detail.regressionTestsTruncated).toBe(true);
    expect(detail.regressionTests).toHaveLength(100);
  });
});
