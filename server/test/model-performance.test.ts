import { describe, expect, it } from 'vitest';
import { modelCallFigures } from '../services/model-trends';
import { LATENCY_BUCKET_COUNT } from '../services/latency-histogram';
import { MAX_MODEL_ROWS } from '../services/model-analysis';
import { expectBadRequest, useTestDatabase } from './database';

const t = useTestDatabase();

const call = (modelId: string, taskType: string, success: boolean, latencyMs: number, cost: number) =>
  t.db.caller.modelPerformance.update({ modelId, taskType, success, latencyMs, cost });

async function record(modelId: string, taskType: string, calls: { success: boolean; latencyMs: number; cost: number }[]) {
  for (const c of calls) await call(modelId, taskType, c.success, c.latencyMs, c.cost);
}

const nextHour = () => new Date(Date.now() + 3600_000);
const lastDay = () => ({ from: new Date(Date.now() - 86_400_000), to: nextHour() });

describe('update_model_performance', () => {
  it('keeps exact counts and sums and derives the rate and averages from them', async () => {
    await call('claude-sonnet-4', 'coding', true, 1000, 0.01);
    await call('claude-sonnet-4', 'coding', true, 2000, 0.02);
    await call('claude-sonnet-4', 'coding', false, 3000, 0.03);
    const last = await call('claude-sonnet-4', 'coding', true, 4000, 0.04);

    expect(last).toMatchObject({
      modelId: 'claude-sonnet-4',
      taskType: 'coding',
      totalCalls: 4,
      successes: 3,
      successRate: 75,
      avgLatencyMs: 2500,
    });
    expect(last.avgCost).toBeCloseTo(0.025, 12);
    expect(typeof last.totalCalls).toBe('number');

    const analysis = await t.db.caller.modelPerformance.analyze({ taskType: 'coding' });
    expect(analysis.report).toContain(
      ['claude-sonnet-4 (coding):', '  Success Rate: 75.00%', '  Avg Latency: 2500ms', '  Avg Cost: $0.025000', '  Total Calls: 4'].join(
        '\n',
      ),
    );
  });

  it('accepts a non-integer latency and a zero cost', async () => {
    const row = await call('gpt-4o', 'chat', true, 12.75, 0);
    expect(row.avgLatencyMs).toBe(12.75);
    expect(row.avgCost).toBe(0);
  });

  it('rolls calls up per hour with min, max and a latency histogram that yields percentiles', async () => {
    await record('gpt-4o', 'coding', [
      { success: true, latencyMs: 1000, cost: 0.01 },
      { success: true, latencyMs: 2000, cost: 0.01 },
      { success: false, latencyMs: 3000, cost: 0.01 },
      { success: true, latencyMs: 4000, cost: 0.01 },
    ]);
    const hourly = await t.db.prisma.modelCallHourly.findMany();
    expect(hourly).toHaveLength(1);
    expect(hourly[0]).toMatchObject({ calls: 4, successes: 3, latencySumMs: 10_000, latencyMinMs: 1000, latencyMaxMs: 4000 });
    expect(hourly[0]!.latencyBuckets).toHaveLength(LATENCY_BUCKET_COUNT);
    expect(hourly[0]!.latencyBuckets.reduce((a, b) => a + b, 0)).toBe(4);

    const [summary] = await modelCallFigures(t.db.prisma, lastDay());
    expect(summary).toMatchObject({
      modelId: 'gpt-4o',
      taskType: 'coding',
      totalCalls: 4,
      successes: 3,
      successRate: 75,
      avgLatencyMs: 2500,
    });
    // Nearest rank: p50 is the 2nd of 4 values (2000), p95 and p99 the 4th (4000); within bucket precision.
    expect(Math.abs(summary!.p50LatencyMs! - 2000) / 2000).toBeLessThan(0.045);
    expect(summary!.p95LatencyMs).toBe(4000); // clamped to the exact maximum
    expect(summary!.p99LatencyMs).toBe(4000);

    expect(await modelCallFigures(t.db.prisma, { from: nextHour(), to: new Date(Date.now() + 7200_000) })).toEqual([]);
  });

  it('gives percentiles within bucket precision on a wide spread of latencies', async () => {
    const latencies = Array.from({ length: 100 }, (_, i) => (i + 1) * 37.3); // 37.3 .. 3730 ms
    for (const latencyMs of latencies) await call('m', 'chat', true, latencyMs, 0.001);
    const [summary] = await modelCallFigures(t.db.prisma, lastDay());
    for (const [q, value] of [
      [0.5, latencies[49]!],
      [0.95, latencies[94]!],
      [0.99, latencies[98]!],
    ] as const) {
      const estimate = q === 0.5 ? summary!.p50LatencyMs! : q === 0.95 ? summary!.p95LatencyMs! : summary!.p99LatencyMs!;
      expect(Math.abs(estimate - value) / value, `p${q * 100}`).toBeLessThan(0.045);
    }
  });

  it('loses nothing under 200 concurrent calls on one key', async () => {
    const calls = Array.from({ length: 200 }, (_, i) => call('claude-sonnet-4', 'coding', i % 4 !== 0, 100 + i, 0.001));
    await Promise.all(calls);
    const [row] = await t.db.prisma.modelPerformance.findMany();
    expect(Number(row!.totalCalls)).toBe(200);
    expect(Number(row!.successes)).toBe(150);
    expect(row!.latencySumMs).toBe(Array.from({ length: 200 }, (_, i) => 100 + i).reduce((a, b) => a + b, 0));
    expect(row!.successRate).toBe(75);
    const hourly = await t.db.prisma.modelCallHourly.findMany();
    expect(hourly.reduce((n, h) => n + h.calls, 0)).toBe(200);
    expect(hourly.reduce((n, h) => n + h.successes, 0)).toBe(150);
    expect(hourly.flatMap((h) => h.latencyBuckets).reduce((a, b) => a + b, 0)).toBe(200);
  });

  it.each([
    ['latencyMs', { latencyMs: -1 }],
    ['latencyMs', { latencyMs: Number.POSITIVE_INFINITY }],
    ['latencyMs', { latencyMs: Number.NaN }],
    ['cost', { cost: -0.01 }],
    ['cost', { cost: Number.POSITIVE_INFINITY }],
    ['modelId', { modelId: '' }],
    ['taskType', { taskType: '   ' }],
    ['success', { success: 'yes' }],
  ])('refuses a bad %s and writes nothing', async (field, patch) => {
    const input = { modelId: 'm', taskType: 'coding', success: true, latencyMs: 10, cost: 0.1, ...patch };
    await expectBadRequest(t.db.caller.modelPerformance.update(input as never), field);
    expect(await t.db.prisma.modelPerformance.count()).toBe(0);
    expect(await t.db.prisma.modelCallHourly.count()).toBe(0);
  });
});

describe('analyze_metrics', () => {
  async function seedModels() {
    const many = (n: number, successes: number, latencyMs: number, cost: number) =>
      Array.from({ length: n }, (_, i) => ({ success: i < successes, latencyMs, cost }));
    await record('claude-sonnet-4', 'coding', many(10, 9, 1850, 0.012)); // 90%
    await record('gpt-4o', 'coding', many(10, 9, 1420, 0.0085)); // 90%, faster
    await record('llama-3', 'coding', many(10, 7, 900, 0.001)); // 70%: 20 points below the best
    await record('tiny', 'coding', many(2, 2, 100, 0.0001)); // 100% but low sample
    await record('gpt-4o', 'chat', many(6, 6, 700, 0.002));
  }

  it('ranks by success rate, then latency, then cost, with low-sample models last and marked', async () => {
    await seedModels();
    const analysis = await t.db.caller.modelPerformance.analyze({ taskType: 'coding' });
    expect(analysis.models.map((m) => [m.modelId, m.rank, m.lowSample])).toEqual([
      ['gpt-4o', 1, false],
      ['claude-sonnet-4', 2, false],
      ['llama-3', 3, false],
      ['tiny', null, true],
    ]);
    expect(analysis.models.every((m) => m.taskType === 'coding')).toBe(true);
    expect(analysis.topModels.map((m) => m.modelId)).toEqual(['gpt-4o', 'claude-sonnet-4', 'llama-3']);
    expect(analysis.report).toContain(
      'tiny (coding):\n  Success Rate: 100.00%\n  Avg Latency: 100ms\n  Avg Cost: $0.000100\n  Total Calls: 2\n  Low sample',
    );
    expect(analysis.report.indexOf('gpt-4o (coding)')).toBeLessThan(analysis.report.indexOf('claude-sonnet-4 (coding)'));
  });

  it('honours the task type everywhere, top models included, and the minimum-call threshold', async () => {
    await seedModels();
    const chat = await t.db.caller.modelPerformance.analyze({ taskType: 'chat' });
    expect(chat.models.map((m) => m.modelId)).toEqual(['gpt-4o']);
    expect(chat.topModels.map((m) => `${m.modelId}/${m.taskType}`)).toEqual(['gpt-4o/chat']);
    expect(Object.keys(chat.bestByTaskType)).toEqual(['chat']);
    expect(chat.report).not.toContain('(coding)');

    const strict = await t.db.caller.modelPerformance.analyze({ taskType: 'coding', minCalls: 11 });
    expect(strict.models.every((m) => m.lowSample)).toBe(true);
    expect(strict.topModels).toEqual([]);
  });

  it('recommends with evidence and ends with the self-improvement summary', async () => {
    await seedModels();
    await t.db.caller.regressionTests.generate({
      testName: 't1',
      category: 'routing',
      description: 'd',
      testCode: 'it("x", () => {});',
      expectedBehavior: 'e',
      discoveredFrom: 'bug',
    });
    await t.db.caller.bugPatterns.record({ category: 'timeout', pattern: 'slow', severity: 'high' });
    await t.db.caller.routing.updateHeuristic({ pattern: 'sql', preferredLayer: 'deep' });
    await t.db.caller.routing.updateHeuristic({ pattern: 'hello', preferredLayer: 'fast', active: false });

    const analysis = await t.db.caller.modelPerformance.analyze({ taskType: 'coding', includeReport: true });
    expect(analysis.summary).toEqual({ regressionTests: 1, bugPatterns: 1, routingHeuristics: 1 });
    expect(analysis.report.endsWith('')).toBe(true);
    expect(analysis.report).toContain('Self-Improvement Summary:\n  Regression Tests: 1\n  Bug Patterns: 1\n  Routing Heuristics: 1');
    const under = analysis.recommendations!.find((r) => r.kind === 'underperforming-model');
    expect(under?.evidence).toMatchObject({
      modelId: 'llama-3',
      taskType: 'coding',
      successRate: 70,
      bestModelId: 'gpt-4o',
      bestSuccessRate: 90,
      gapPoints: 20,
    });
    expect(analysis.recommendations!.some((r) => r.kind === 'low-sample' && r.evidence.modelId === 'tiny')).toBe(true);

    const bare = await t.db.caller.modelPerformance.analyze({ taskType: 'coding', includeReport: false });
    expect(bare.summary).toBeNull();
    expect(bare.recommendations).toBeNull();
    expect(bare.report).not.toContain('Self-Improvement Summary');
    expect(bare.report.startsWith('Model Performance Analysis:\n\ngpt-4o (coding):')).toBe(true);
  });

  it('points out a cheaper model within 2 points of the best, and recurring severe bugs without a test', async () => {
    const many = (n: number, successes: number, latencyMs: number, cost: number) =>
      Array.from({ length: n }, (_, i) => ({ success: i < successes, latencyMs, cost }));
    await record('premium', 'chat', many(50, 49, 800, 0.01)); // 98%
    await record('budget', 'chat', many(50, 48, 900, 0.002)); // 96%, a fifth of the cost
    for (let i = 0; i < 3; i++) await t.db.caller.bugPatterns.record({ category: 'rate-limit', pattern: '429', severity: 'critical' });
    const { recommendations } = await t.db.caller.modelPerformance.analyze({ taskType: 'chat' });
    expect(recommendations).toContainEqual(
      expect.objectContaining({
        kind: 'cheaper-alternative',
        evidence: expect.objectContaining({
          modelId: 'budget',
          bestModelId: 'premium',
          avgCost: expect.closeTo(0.002, 12),
          bestAvgCost: expect.closeTo(0.01, 12),
        }),
      }),
    );
    expect(recommendations).toContainEqual(
      expect.objectContaining({
        kind: 'untested-bug-pattern',
        evidence: { category: 'rate-limit', pattern: '429', occurrences: 3, severity: 'critical' },
      }),
    );
  });

  it('reports an empty database plainly', async () => {
    const analysis = await t.db.caller.modelPerformance.analyze();
    expect(analysis.models).toEqual([]);
    expect(analysis.report).toBe(
      'Model Performance Analysis:\n\n  No calls recorded yet.\n\nSelf-Improvement Summary:\n  Regression Tests: 0\n  Bug Patterns: 0\n  Routing Heuristics: 0',
    );
  });

  it('refuses a bad minCalls, and a misspelt parameter by name', async () => {
    await expectBadRequest(t.db.caller.modelPerformance.analyze({ minCalls: 0 }), 'minCalls');
    await expectBadRequest(t.db.caller.modelPerformance.analyze({ task_type: 'coding' } as never), 'task_type');
  });
});

describe('generate_report', () => {
  it('counts with COUNT queries, lists top models for the task type and recent bugs by last seen', async () => {
    for (let i = 0; i < 5; i++) await call('gpt-4o', 'coding', true, 1000, 0.01);
    for (let i = 0; i < 5; i++) await call('claude-sonnet-4', 'coding', i < 4, 1000, 0.01);
    for (let i = 0; i < 5; i++) await call('gemini', 'chat', true, 500, 0.001);
    await t.db.caller.bugPatterns.record({ category: 'api', pattern: 'older', severity: 'low' });
    await t.db.caller.bugPatterns.record({ category: 'api', pattern: 'newer', severity: 'critical' });
    await t.db.caller.bugPatterns.record({ category: 'api', pattern: 'older', severity: 'low' });

    const report = await t.db.caller.modelPerformance.report({ taskType: 'coding' });
    expect(report).toMatchObject({ regressionTests: 0, bugPatterns: 2, routingHeuristics: 0, taskType: 'coding' });
    expect(report.topModels.map((m) => [m.model, m.successRate])).toEqual([
      ['gpt-4o', 100],
      ['claude-sonnet-4', 80],
    ]);
    expect(report.recentBugs.map((b) => [b.pattern, b.occurrences])).toEqual([
      ['older', 2],
      ['newer', 1],
    ]);
    expect(report.report).toContain('Top Performing Models (coding):\n  gpt-4o: 100.00%\n  claude-sonnet-4: 80.00%');
    expect(report.report).toContain('Recent Bugs:\n  [low] older (2x)\n  [critical] newer (1x)');

    const all = await t.db.caller.modelPerformance.report();
    expect(all.topModels.map((m) => m.model)).toEqual(['gemini', 'gpt-4o', 'claude-sonnet-4']);
    expect(all.report).toContain(
      'Top Performing Models:\n  gemini (chat): 100.00%\n  gpt-4o (coding): 100.00%\n  claude-sonnet-4 (coding): 80.00%',
    );
  });
});

describe('one model ranking', () => {
  it('orders models the same in analyze_metrics, generate_report and the leaderboard: success, then average latency, then cost', async () => {
    // Same success rate; 'spiky' has the lower p50 but the higher average latency, 'steady' the reverse.
    await record(
      'spiky',
      'coding',
      [100, 100, 100, 5000].map((latencyMs) => ({ success: true, latencyMs, cost: 0.001 })),
    );
    await record(
      'steady',
      'coding',
      [500, 500, 500, 500].map((latencyMs) => ({ success: true, latencyMs, cost: 0.01 })),
    );
    await record(
      'cheap-twin',
      'coding',
      [500, 500, 500, 500].map((latencyMs) => ({ success: true, latencyMs, cost: 0.001 })),
    );
    await record(
      'flaky',
      'coding',
      [50, 50, 50, 50].map((latencyMs, i) => ({ success: i > 0, latencyMs, cost: 0 })),
    );
    await record(
      'solo',
      'chat',
      [700, 700, 700, 700].map((latencyMs) => ({ success: true, latencyMs, cost: 0.001 })),
    );
    const expected = ['cheap-twin', 'steady', 'spiky', 'flaky'];

    const analysis = await t.db.caller.modelPerformance.analyze({ taskType: 'coding', minCalls: 4 });
    expect(analysis.models.map((m) => [m.modelId, m.rank])).toEqual(expected.map((m, i) => [m, i + 1]));
    const report = await t.db.caller.modelPerformance.report({ taskType: 'coding', minCalls: 4 });
    expect(report.topModels.map((m) => [m.model, m.modelId, m.rank])).toEqual(expected.map((m, i) => [m, m, i + 1]));
    const board = await t.db.caller.modelPerformance.leaderboard({ minCalls: 4 });
    expect(board.rows.filter((r) => r.taskType === 'coding').map((r) => [r.modelId, r.rank])).toEqual(expected.map((m, i) => [m, i + 1]));
    expect(board.rows.find((r) => r.modelId === 'spiky')!.p50LatencyMs).toBeLessThan(
      board.rows.find((r) => r.modelId === 'steady')!.p50LatencyMs!,
    );

    // Ranks are per task type everywhere: the chat model leads its own task type.
    const all = await t.db.caller.modelPerformance.analyze({ minCalls: 4 });
    expect(all.models.find((m) => m.modelId === 'solo')!.rank).toBe(1);
    expect(Object.fromEntries(Object.entries(all.bestByTaskType).map(([task, m]) => [task, m.modelId]))).toEqual({
      chat: 'solo',
      coding: 'cheap-twin',
    });
    expect(board.rows.find((r) => r.modelId === 'solo')!.rank).toBe(1);
  });

  it('gives lifetime and range figures the same field names', async () => {
    await call('m', 'coding', true, 100, 0.5);
    const [lifetime] = (await t.db.caller.modelPerformance.analyze()).models;
    const [range] = (await t.db.caller.modelPerformance.leaderboard()).rows;
    const shared = [
      'modelId',
      'taskType',
      'totalCalls',
      'successes',
      'successRate',
      'avgLatencyMs',
      'avgCost',
      'totalCost',
      'rank',
      'lowSample',
    ];
    for (const figures of [lifetime, range]) expect(Object.keys(figures!)).toEqual(expect.arrayContaining(shared));
    expect(lifetime).toMatchObject({ modelId: 'm', totalCalls: 1, totalCost: 0.5 });
    expect(range).toMatchObject({ modelId: 'm', totalCalls: 1, totalCost: 0.5 });
  });

  it('cuts the analysis at MAX_MODEL_ROWS models and says so in the answer and the report', async () => {
    await t.db.prisma.modelPerformance.createMany({
      data: Array.from({ length: MAX_MODEL_ROWS + 1 }, (_, i) => ({
        modelId: `m${i}`,
        taskType: 'chat',
        totalCalls: 10,
        successes: 10,
        latencySumMs: 1000,
        costSum: 0.1,
        successRate: 100,
        avgLatencyMs: 100 + i,
        avgCost: 0.01,
      })),
    });
    const analysis = await t.db.caller.modelPerformance.analyze({ includeReport: false });
    expect(analysis.truncated).toBe(true);
    expect(analysis.models).toHaveLength(MAX_MODEL_ROWS);
    expect(analysis.models.at(-1)!.modelId).toBe(`m${MAX_MODEL_ROWS - 1}`);
    expect(analysis.report.endsWith('… and 1 more (model, task type) pairs not shown: filter by taskType.')).toBe(true);
  });
});
