import { describe, expect, it } from 'vitest';
import type { BugPatternTrends } from '@/server/services/bug-trends';
import type { RoutingHitRates } from '@/server/services/routing/hit-rates';
import type { LeaderboardRow } from '@/server/services/model-analysis';
import type { ModelTrends } from '@/server/services/model-trends';
import type { MetricSeriesResult } from '@/server/services/metrics';
import { risingKeys, stackedOccurrences } from './bugs';
import { metricLines } from './metrics';
import { costVsSuccess, rankingsByTaskType, trendLines } from './models';
import { decisionEndLabel, replayTakeoverBars, TAKEOVERS_KEY, UNCHANGED_KEY } from './replay';
import { hitRateLines, rulesWithHits } from './routing';
import { isEmpty, rowsFromAligned } from './rows';

const buckets = ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z'];

function row(modelId: string, taskType: string, successRate: number, avgCost: number, rank: number | null, calls = 100): LeaderboardRow {
  return {
    modelId,
    taskType,
    totalCalls: calls,
    successes: Math.round((calls * successRate) / 100),
    successRate,
    avgLatencyMs: 1000,
    avgCost,
    totalCost: avgCost * calls,
    p50LatencyMs: 900,
    p95LatencyMs: 2000,
    p99LatencyMs: 2500,
    rank,
    lowSample: rank === null,
  };
}

describe('rows', () => {
  it('aligns series on the bucket axis, null where a value is missing', () => {
    const data = rowsFromAligned(buckets, [{ spec: { key: 'a', label: 'A' }, values: [1, null] }]);
    expect(data.rows).toEqual([
      { t: buckets[0], a: 1 },
      { t: buckets[1], a: null },
      { t: buckets[2], a: null },
    ]);
    expect(isEmpty(data)).toBe(false);
    expect(isEmpty(rowsFromAligned(buckets, [{ spec: { key: 'a', label: 'A' }, values: [0, null, 0] }]))).toBe(true);
    expect(isEmpty(rowsFromAligned(buckets, []))).toBe(true);
  });
});

describe('model charts', () => {
  const rows = [
    row('mini', 'coding', 82, 0.001, 3),
    row('sonnet', 'coding', 95, 0.012, 1),
    row('gpt', 'coding', 94, 0.004, 2),
    row('trial', 'coding', 100, 0.02, null, 3),
    row('flash', 'chat', 96, 0.0005, 1),
  ];

  it('ranks per task type, best first, low-sample last', () => {
    expect(rankingsByTaskType(rows).map((g) => [g.taskType, g.bars.map((b) => b.modelId)])).toEqual([
      ['chat', ['flash']],
      ['coding', ['sonnet', 'gpt', 'mini', 'trial']],
    ]);
  });

  it('names the cheapest model within 2 points of the best, ignoring low-sample ones', () => {
    const coding = costVsSuccess(rows).find((g) => g.taskType === 'coding')!;
    expect(coding.cheapestGoodEnough).toBe('gpt');
    expect(coding.points).toHaveLength(4);
    expect(costVsSuccess(rows, 0).find((g) => g.taskType === 'coding')!.cheapestGoodEnough).toBe('sonnet');
  });

  it('draws one line per chosen model and metric, with gaps where it had no call', () => {
    const point = (t: string, successRate: number) => ({
      t,
      totalCalls: 1,
      successes: 1,
      successRate,
      avgLatencyMs: 1,
      avgCost: 1,
      totalCost: 1,
      p50LatencyMs: 10,
      p95LatencyMs: 20,
      p99LatencyMs: 30,
    });
    const trends: ModelTrends = {
      from: buckets[0]!,
      to: '2026-01-04T00:00:00.000Z',
      bucket: 'day',
      buckets,
      series: [
        { modelId: 'sonnet', taskType: 'coding', points: [point(buckets[0]!, 90), point(buckets[2]!, 95)] },
        { modelId: 'mini', taskType: 'chat', points: [point(buckets[1]!, 80)] },
      ],
      truncated: false,
    };
    const success = trendLines(trends, ['successRate'], ['sonnet · coding']);
    expect(success.series).toEqual([{ key: 's_sonnet_coding_successRate', label: 'sonnet · coding' }]);
    expect(success.rows.map((r) => r.s_sonnet_coding_successRate)).toEqual([90, null, 95]);
    const latency = trendLines(trends, ['p50LatencyMs', 'p95LatencyMs']);
    expect(latency.series.map((s) => s.label)).toEqual([
      'sonnet · coding p50',
      'sonnet · coding p95',
      'mini · chat p50',
      'mini · chat p95',
    ]);
  });
});

describe('bug charts', () => {
  it('stacks one series per key and lists the rising ones, biggest first', () => {
    const trends: Pick<BugPatternTrends, 'buckets' | 'series'> = {
      buckets,
      series: [
        { key: 'timeout', total: 4, direction: 'rising', counts: [0, 1, 3] },
        { key: 'rate-limit', total: 9, direction: 'rising', counts: [1, 2, 6] },
        { key: 'parsing', total: 3, direction: 'steady', counts: [1, 1, 1] },
      ],
    };
    const chart = stackedOccurrences(trends);
    expect(chart.series.map((s) => s.label)).toEqual(['timeout', 'rate-limit', 'parsing']);
    expect(chart.rows[2]).toEqual({ t: buckets[2], s_timeout: 3, 's_rate-limit': 6, s_parsing: 1 });
    expect(risingKeys(trends)).toEqual(['rate-limit', 'timeout']);
  });
});

describe('routing charts', () => {
  const rates: RoutingHitRates = {
    from: buckets[0]!,
    to: '2026-01-04T00:00:00.000Z',
    bucket: 'day',
    buckets,
    decisions: 30,
    misses: 12,
    hitRate: 60,
    decisionsPerBucket: [10, 0, 20],
    overallRates: [50, null, 65],
    rules: [
      { ruleId: 1, pattern: 'a.c', hits: 18, hitRate: 60, rates: [50, null, 65] },
      { ruleId: 2, pattern: 'never', hits: 0, hitRate: 0, rates: [0, null, 0] },
    ],
    edits: [],
  };

  it('draws the overall line and one per rule that fired', () => {
    const chart = hitRateLines(rates);
    expect(chart.series).toEqual([
      { key: 'overall', label: 'overall (any rule)' },
      { key: 's_rule_1', label: '#1 /a.c/' },
    ]);
    expect(chart.rows.map((r) => r.overall)).toEqual([50, null, 65]);
  });

  it('joins hits onto the rules in their listed order; a rule with no hit shows 0', () => {
    const rule = (id: number, pattern: string) => ({
      id,
      pattern,
      preferredLayer: 'fast' as const,
      preferredModel: null,
      policyId: null,
      priority: 0,
      active: true,
      state: 'active' as const,
      versionId: id,
      version: 1,
      reasoning: null,
      successRate: null,
      usageCount: null,
      metadata: {},
      createdAt: '',
      updatedAt: '',
    });
    const joined = rulesWithHits([rule(2, 'never'), rule(1, 'a.c'), rule(3, 'new')], rates);
    expect(joined.map((r) => [r.id, r.hits, r.hitRate])).toEqual([
      [2, 0, 0],
      [1, 18, 60],
      [3, 0, 0],
    ]);
    expect(rulesWithHits([rule(3, 'new')], undefined)[0]).toMatchObject({ hits: 0, hitRate: null });
  });
});

describe('metric charts', () => {
  it('labels grouped series with the key and value', () => {
    const result: MetricSeriesResult = {
      from: buckets[0]!,
      to: '2026-01-04T00:00:00.000Z',
      bucket: 'day',
      buckets,
      name: 'routing_latency',
      groupBy: 'layer',
      units: ['ms'],
      series: [{ key: 'fast', count: 2, averages: [20, null, 30] }],
      truncated: false,
    };
    const chart = metricLines(result);
    expect(chart.series).toEqual([{ key: 's_fast', label: 'layer=fast' }]);
    expect(chart.rows.map((r) => r.s_fast)).toEqual([20, null, 30]);
    expect(metricLines({ ...result, groupBy: null }).series[0]!.label).toBe('routing_latency');
  });
});

describe('replay', () => {
  it('stacks taken-over and unchanged decisions per day', () => {
    const series = {
      bucket: 'day' as const,
      points: [
        { t: buckets[0]!, samples: 5, takeovers: 2 },
        { t: buckets[1]!, samples: 0, takeovers: 0 },
        { t: buckets[2]!, samples: 3, takeovers: 3 },
      ],
    };
    const data = replayTakeoverBars({ series });
    expect(data.series.map((s) => s.key)).toEqual([TAKEOVERS_KEY, UNCHANGED_KEY]);
    expect(data.rows).toEqual([
      { t: buckets[0], [TAKEOVERS_KEY]: 2, [UNCHANGED_KEY]: 3 },
      { t: buckets[1], [TAKEOVERS_KEY]: 0, [UNCHANGED_KEY]: 0 },
      { t: buckets[2], [TAKEOVERS_KEY]: 3, [UNCHANGED_KEY]: 0 },
    ]);
    expect(isEmpty(replayTakeoverBars({ series: { bucket: 'day', points: [{ t: buckets[0]!, samples: 0, takeovers: 0 }] } }))).toBe(true);
  });

  it('names where a decision goes: a stored rule, the replayed rule, or the default layer', () => {
    expect(decisionEndLabel({ ruleId: 3, versionId: 7, layer: 'fast', model: 'small' })).toBe('rule #3 (fast / small)');
    expect(decisionEndLabel({ ruleId: -1, versionId: -1, layer: 'deep', model: null })).toBe('this rule (deep)');
    expect(decisionEndLabel({ ruleId: 3, versionId: -1, layer: 'deep', model: null })).toBe('this rule (deep)');
    expect(decisionEndLabel({ ruleId: null, versionId: null, layer: 'balanced', model: null })).toBe('default layer (balanced)');
  });
});
