import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKET_COUNT, latencyBucketIndex, percentileFromHistogram } from '../services/latency-histogram';
import { applyMigrations, readMigrationList } from '../db/schema-engine';
import { countModelCall, recordModelCalls, type ModelCall } from '../services/model-performance';
import { mulberry32 } from '../services/seeded-random';
import { useTestDatabase } from './database';

// Long ranges are read from the daily rollups (whole days), the hourly ones around them and, for
// metric values and bug occurrences, the raw rows of the partial hours at either end. Each test writes a history the
// way the write paths do (one upsert per call, so hourly rows are updated many times, and set-based multi-row
// statements), reads it back through the tools over ranges that start and end mid-day and mid-hour, and compares
// with figures computed here from the history itself.

const t = useTestDatabase();

/** A reproducible pseudo-random sequence in [0, 1). */
const random = mulberry32;

const HOUR = 3_600_000;
const DAY = 86_400_000;
const START = Date.parse('2026-01-01T00:00:00Z');
const floorTo = (ms: number, size: number) => Math.floor(ms / size) * size;
const iso = (ms: number) => new Date(ms).toISOString();

/** The bucket of an instant as the tools answer it (hour up to 48 hours, day beyond). */
const bucketOf = (ms: number, range: { from: string; to: string }) =>
  iso(floorTo(ms, Date.parse(range.to) - Date.parse(range.from) <= 48 * HOUR ? HOUR : DAY));

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);

const DAY_OF = (column: string) => `date_bin('1 day', ${column}, '2000-01-01 00:00:00+00')`;
const HOUR_OF = (column: string) => `date_bin('1 hour', ${column}, '2000-01-01 00:00:00+00')`;
/** Floats summed in another order differ in the last bits. */
const differs = (a: string, b: string) => `(${a} IS NULL) <> (${b} IS NULL) OR abs(${a} - ${b}) > 1e-9 * greatest(abs(${a}), abs(${b}), 1)`;

/**
 * Each rollup table against the sums of the rows it rolls up, computed here in SQL: the names of those out of step.
 * (Only while no raw row has been deleted: the rollups keep what retention deletes.)
 */
async function rollupsOutOfStep(): Promise<string[]> {
  const checks: Record<string, string> = {
    model_call_daily: `
      WITH days AS (
        SELECT model_id, task_type, ${DAY_OF('hour')} AS day, sum(calls) AS calls, sum(successes) AS successes, sum(latency_sum_ms) AS latency_sum_ms,
               min(latency_min_ms) AS latency_min_ms, max(latency_max_ms) AS latency_max_ms, sum(cost_sum) AS cost_sum
        FROM model_call_hourly GROUP BY 1, 2, 3
      ), hour_cells AS (
        SELECT model_id, task_type, ${DAY_OF('hour')} AS day, u.i, sum(u.n) AS n
        FROM model_call_hourly, unnest(latency_buckets) WITH ORDINALITY AS u(n, i) GROUP BY 1, 2, 3, 4
      ), day_cells AS (
        SELECT model_id, task_type, day, u.i, u.n FROM model_call_daily, unnest(latency_buckets) WITH ORDINALITY AS u(n, i)
      )
      SELECT count(*) AS n FROM model_call_daily d FULL JOIN days h USING (model_id, task_type, day)
      WHERE d.calls IS DISTINCT FROM h.calls OR d.successes IS DISTINCT FROM h.successes
         OR d.latency_min_ms IS DISTINCT FROM h.latency_min_ms OR d.latency_max_ms IS DISTINCT FROM h.latency_max_ms
         OR ${differs('d.latency_sum_ms', 'h.latency_sum_ms')} OR ${differs('d.cost_sum', 'h.cost_sum')}
         OR (SELECT count(*) FROM hour_cells h FULL JOIN day_cells d USING (model_id, task_type, day, i) WHERE h.n IS DISTINCT FROM d.n) > 0`,
    routing_decision_daily: `
      SELECT count(*) AS n FROM routing_decision_daily d
      FULL JOIN (SELECT ${DAY_OF('hour')} AS day, task_type, sum(decisions) AS decisions, sum(misses) AS misses
                 FROM routing_decision_hourly GROUP BY 1, 2) h USING (day, task_type)
      WHERE d.decisions IS DISTINCT FROM h.decisions OR d.misses IS DISTINCT FROM h.misses`,
    routing_rule_hits_daily: `
      SELECT count(*) AS n FROM routing_rule_hits_daily d
      FULL JOIN (SELECT rule_id, ${DAY_OF('hour')} AS day, task_type, sum(hits) AS hits FROM routing_rule_hits_hourly GROUP BY 1, 2, 3) h
        USING (rule_id, day, task_type)
      WHERE d.hits IS DISTINCT FROM h.hits`,
    ...Object.fromEntries(
      (['hour', 'day'] as const).map((size) => [
        `metric_${size === 'hour' ? 'hourly' : 'daily'}`,
        `SELECT count(*) AS n FROM metric_${size === 'hour' ? 'hourly' : 'daily'} m
         FULL JOIN (SELECT metric_name, ${size === 'hour' ? HOUR_OF('recorded_at') : DAY_OF('recorded_at')} AS ${size}, metric_unit,
                           md5(context::text)::uuid AS context_hash, context::text AS context_text, count(*) AS value_count,
                           sum(metric_value) AS value_sum, max(recorded_at) AS last_recorded_at
                    FROM performance_metrics GROUP BY 1, 2, 3, 4, 5) p USING (metric_name, ${size}, metric_unit, context_hash)
         WHERE m.context::text IS DISTINCT FROM p.context_text OR m.value_count IS DISTINCT FROM p.value_count
            OR m.last_recorded_at IS DISTINCT FROM p.last_recorded_at OR ${differs('m.value_sum', 'p.value_sum')}`,
      ]),
    ),
    ...Object.fromEntries(
      (['hour', 'day'] as const).map((size) => [
        `bug_occurrence_${size === 'hour' ? 'hourly' : 'daily'}`,
        `SELECT count(*) AS n FROM bug_occurrence_${size === 'hour' ? 'hourly' : 'daily'} b
         FULL JOIN (SELECT bug_pattern_id, ${size === 'hour' ? HOUR_OF('occurred_at') : DAY_OF('occurred_at')} AS ${size}, severity,
                           count(*) AS occurrences
                    FROM bug_pattern_occurrences GROUP BY 1, 2, 3) o USING (bug_pattern_id, ${size}, severity)
         WHERE b.occurrences IS DISTINCT FROM o.occurrences`,
      ]),
    ),
    ...Object.fromEntries(
      (['hour', 'day'] as const).map((size) => [
        `bug_category_${size === 'hour' ? 'hourly' : 'daily'}`,
        `SELECT count(*) AS n FROM bug_category_${size === 'hour' ? 'hourly' : 'daily'} c
         FULL JOIN (SELECT ${size === 'hour' ? HOUR_OF('o.occurred_at') : DAY_OF('o.occurred_at')} AS ${size}, b.category, o.severity,
                           count(*) AS occurrences
                    FROM bug_pattern_occurrences o JOIN bug_patterns b ON b.id = o.bug_pattern_id GROUP BY 1, 2, 3) o
           USING (${size}, category, severity)
         WHERE c.occurrences IS DISTINCT FROM o.occurrences`,
      ]),
    ),
  };
  const outOfStep: string[] = [];
  for (const [table, sql] of Object.entries(checks)) {
    const [row] = await t.db.prisma.$queryRawUnsafe<{ n: bigint }[]>(sql);
    if (Number(row!.n)) outOfStep.push(table);
  }
  return outOfStep;
}

interface Call {
  modelId: string;
  taskType: string;
  at: number;
  success: boolean;
  latencyMs: number;
  cost: number;
}

/** Calls over five days: latencies from under 1 ms to about 40 s, so histograms are wide. */
function modelCallHistory(count: number, seed: number): Call[] {
  const next = random(seed);
  const keys = [
    ['sonnet', 'coding'],
    ['mini', 'coding'],
    ['mini', 'chat'],
  ] as const;
  return Array.from({ length: count }, () => {
    const [modelId, taskType] = keys[Math.floor(next() * keys.length)]!;
    return {
      modelId,
      taskType,
      at: START + Math.floor(next() * 5 * DAY),
      success: next() < 0.85,
      latencyMs: Math.round(2 ** (next() * 15.3 - 0.5) * 100) / 100,
      cost: Math.round(next() * 1000) / 100_000,
    };
  });
}

const asModelCall = (c: Call): ModelCall => ({ ...c, at: new Date(c.at) });

/**
 * The calls as the write paths store them: a statement of one call as update_model_performance counts it
 * (countModelCall), several as ONE set-based statement, pre-aggregated per (model, task type, hour)
 * (recordModelCalls, the statement ingest's batches are counted with).
 */
async function storeModelCalls(statements: Call[][]) {
  for (const calls of statements) {
    if (calls.length === 1) await countModelCall(t.db.prisma, asModelCall(calls[0]!));
    else await recordModelCalls(t.db.prisma, calls.map(asModelCall));
  }
}

/** The calls written straight into model_call_hourly, one upsert per statement: the table as it was before the rollups. */
async function storeHourlyRowsDirectly(statements: Call[][]) {
  for (const calls of statements) {
    const rows = [...groupBy(calls, (c) => `${c.modelId}|${c.taskType}|${floorTo(c.at, HOUR)}`).values()].map((group) => {
      const buckets = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
      for (const c of group) buckets[latencyBucketIndex(c.latencyMs)]!++;
      const latencies = group.map((c) => c.latencyMs);
      return {
        model_id: group[0]!.modelId,
        task_type: group[0]!.taskType,
        hour: iso(floorTo(group[0]!.at, HOUR)),
        calls: group.length,
        successes: group.filter((c) => c.success).length,
        latency_sum_ms: sum(latencies),
        latency_min_ms: Math.min(...latencies),
        latency_max_ms: Math.max(...latencies),
        cost_sum: sum(group.map((c) => c.cost)),
        latency_buckets: buckets,
      };
    });
    await t.db.prisma.$executeRaw`
      INSERT INTO model_call_hourly AS h
        (model_id, task_type, hour, calls, successes, latency_sum_ms, latency_min_ms, latency_max_ms, cost_sum, latency_buckets)
      SELECT * FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS r(model_id text, task_type text, hour timestamptz,
        calls int, successes int, latency_sum_ms float8, latency_min_ms float8, latency_max_ms float8, cost_sum float8, latency_buckets int[])
      ON CONFLICT (model_id, task_type, hour) DO UPDATE SET
        calls = h.calls + EXCLUDED.calls,
        successes = h.successes + EXCLUDED.successes,
        latency_sum_ms = h.latency_sum_ms + EXCLUDED.latency_sum_ms,
        latency_min_ms = LEAST(h.latency_min_ms, EXCLUDED.latency_min_ms),
        latency_max_ms = GREATEST(h.latency_max_ms, EXCLUDED.latency_max_ms),
        cost_sum = h.cost_sum + EXCLUDED.cost_sum,
        latency_buckets = (SELECT array_agg(a + b ORDER BY i) FROM unnest(h.latency_buckets, EXCLUDED.latency_buckets) WITH ORDINALITY AS u(a, b, i))`;
  }
}

describe('model call rollups', () => {
  /** Figures of a group of calls, as the tools compute them from a histogram. */
  function figures(calls: readonly Call[]) {
    const latencies = calls.map((c) => c.latencyMs);
    const buckets = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
    for (const l of latencies) buckets[latencyBucketIndex(l)]!++;
    const [min, max] = [Math.min(...latencies), Math.max(...latencies)];
    const successes = calls.filter((c) => c.success).length;
    return {
      totalCalls: calls.length,
      successes,
      successRate: (successes * 100) / calls.length,
      avgLatencyMs: sum(latencies) / calls.length,
      avgCost: sum(calls.map((c) => c.cost)) / calls.length,
      p50LatencyMs: percentileFromHistogram(buckets, 0.5, min, max),
      p95LatencyMs: percentileFromHistogram(buckets, 0.95, min, max),
      p99LatencyMs: percentileFromHistogram(buckets, 0.99, min, max),
    };
  }

  function expectFigures(actual: object, expected: ReturnType<typeof figures>) {
    expect(actual).toMatchObject({ totalCalls: expected.totalCalls, successes: expected.successes });
    for (const key of ['successRate', 'avgLatencyMs', 'avgCost', 'p50LatencyMs', 'p95LatencyMs', 'p99LatencyMs'] as const)
      expect((actual as Record<string, number>)[key], key).toBeCloseTo(expected[key]!, 6);
  }

  /** A range's calls as the hourly rollups count them: those whose hour starts in it. */
  const inRange = (calls: readonly Call[], range: { from: string; to: string }) =>
    calls.filter((c) => floorTo(c.at, HOUR) >= Date.parse(range.from) && floorTo(c.at, HOUR) < Date.parse(range.to));

  async function expectReadsMatch(calls: readonly Call[], range: { from: string; to: string }) {
    const kept = inRange(calls, range);
    const board = await t.db.caller.modelPerformance.leaderboard(range);
    const perKey = groupBy(kept, (c) => `${c.modelId}|${c.taskType}`);
    expect(board.rows.map((r) => `${r.modelId}|${r.taskType}`).sort()).toEqual([...perKey.keys()].sort());
    for (const row of board.rows) expectFigures(row, figures(perKey.get(`${row.modelId}|${row.taskType}`)!));

    const trends = await t.db.caller.modelPerformance.trends(range);
    for (const series of trends.series) {
      const byBucket = groupBy(perKey.get(`${series.modelId}|${series.taskType}`)!, (c) => bucketOf(floorTo(c.at, HOUR), range));
      expect(series.points.map((p) => p.t)).toEqual([...byBucket.keys()].sort());
      for (const point of series.points) expectFigures(point, figures(byBucket.get(point.t)!));
    }
    expect(trends.series).toHaveLength(perKey.size);
  }

  const RANGES = [
    { from: '2026-01-01T05:00:00Z', to: '2026-01-05T07:00:00Z' },
    { from: '2026-01-01T05:20:00Z', to: '2026-01-04T22:40:00Z' },
    { from: '2026-01-01T00:00:00Z', to: '2026-01-06T00:00:00Z' },
    // 48 hours holding one whole day, bucketed by hour: read from the hourly rollup alone.
    { from: '2026-01-02T12:00:00Z', to: '2026-01-04T12:00:00Z' },
  ];

  it('answers long ranges from the daily rollup exactly as the calls give them, one upsert per call', async () => {
    const calls = modelCallHistory(400, 1);
    await storeModelCalls(calls.map((c) => [c]));
    const [updatedTwice] = await t.db.prisma.$queryRaw<{ rows: bigint }[]>`SELECT count(*) AS rows FROM model_call_hourly WHERE calls >= 3`;
    expect(Number(updatedTwice!.rows)).toBeGreaterThan(0);
    expect(await rollupsOutOfStep()).toEqual([]);
    for (const range of RANGES) await expectReadsMatch(calls, range);
  });

  it('answers the same after set-based multi-row upserts that insert and update in one statement', async () => {
    const calls = modelCallHistory(600, 2);
    // Batches of 50 calls in time order: each statement both inserts new hours and updates hours earlier batches began.
    const ordered = [...calls].sort((a, b) => a.at - b.at);
    await storeModelCalls(Array.from({ length: 12 }, (_, i) => ordered.slice(i * 50, i * 50 + 50)));
    expect(await rollupsOutOfStep()).toEqual([]);
    for (const range of RANGES) await expectReadsMatch(calls, range);
  });

  it('loses nothing and never deadlocks when single calls and batches count the same rows at once', async () => {
    const calls = modelCallHistory(480, 7);
    // 16 writers at once over three keys and five days: even ones count their calls one by one, odd ones in batches of 10.
    const writers = Array.from({ length: 16 }, (_, w) => calls.filter((_, i) => i % 16 === w));
    await Promise.all(
      writers.map(async (own, w) => {
        if (w % 2 === 0) for (const c of own) await countModelCall(t.db.prisma, asModelCall(c));
        else for (let i = 0; i < own.length; i += 10) await recordModelCalls(t.db.prisma, own.slice(i, i + 10).map(asModelCall));
      }),
    );
    const lifetime = await t.db.prisma.modelPerformance.findMany();
    for (const [key, group] of groupBy(calls, (c) => `${c.modelId}|${c.taskType}`)) {
      const row = lifetime.find((r) => `${r.modelId}|${r.taskType}` === key)!;
      expect(Number(row.totalCalls), key).toBe(group.length);
      expect(Number(row.successes), key).toBe(group.filter((c) => c.success).length);
    }
    expect(await rollupsOutOfStep()).toEqual([]);
    await expectReadsMatch(calls, RANGES[2]!);
  });

  it('keeps each day the exact sum of its hours, histograms included, after an hourly row is updated twice', async () => {
    const hour = Date.parse('2026-01-02T10:00:00Z');
    const call = (latencyMs: number, success: boolean): Call => ({
      modelId: 'm',
      taskType: 'coding',
      at: hour + 60_000,
      success,
      latencyMs,
      cost: 0.5,
    });
    await storeModelCalls([[call(120, true)]]);
    await storeModelCalls([[call(0.4, false)]]);
    await storeModelCalls([[call(9000, true), call(130, true)]]);
    await storeModelCalls([[{ ...call(50, true), at: hour + 5 * HOUR }]]);
    const [row] = await t.db.prisma.modelCallDaily.findMany();
    expect(row).toMatchObject({
      day: new Date('2026-01-02T00:00:00Z'),
      calls: 5n,
      successes: 4n,
      latencyMinMs: 0.4,
      latencyMaxMs: 9000,
      costSum: 2.5,
    });
    expect(row!.latencySumMs).toBeCloseTo(120 + 0.4 + 9000 + 130 + 50, 9);
    const expected = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
    for (const l of [120, 0.4, 9000, 130, 50]) expected[latencyBucketIndex(l)]!++;
    expect(row!.latencyBuckets).toEqual(expected);

    expect(await rollupsOutOfStep()).toEqual([]);
    await expectReadsMatch(
      [call(120, true), call(0.4, false), call(9000, true), call(130, true), { ...call(50, true), at: hour + 5 * HOUR }],
      { from: '2026-01-01T00:00:00Z', to: '2026-01-04T00:00:00Z' },
    );
  });
});

/** Two rules and 500 decisions over five days, counted one statement per decision as countRouteDecision counts them. */
async function routingHistory() {
  const { heuristic: deep } = await t.db.caller.routing.updateHeuristic({ pattern: 'algorithm', preferredLayer: 'deep', priority: 2 });
  const { heuristic: fast } = await t.db.caller.routing.updateHeuristic({ pattern: 'hello', preferredLayer: 'fast', priority: 1 });
  const next = random(3);
  const decisions = Array.from({ length: 500 }, () => ({
    at: START + Math.floor(next() * 5 * DAY),
    taskType: next() < 0.5 ? 'coding' : '',
    ruleId: [deep.id, fast.id, null][Math.floor(next() * 3)]!,
  }));
  for (const d of decisions) {
    const hour = new Date(floorTo(d.at, HOUR));
    await t.db.prisma.$executeRaw`
      WITH decision AS (
        INSERT INTO routing_decision_hourly AS d (hour, task_type, decisions, misses)
        VALUES (${hour}, ${d.taskType}, 1, ${d.ruleId === null ? 1 : 0}::int)
        ON CONFLICT (hour, task_type) DO UPDATE SET decisions = d.decisions + 1, misses = d.misses + EXCLUDED.misses
        RETURNING 1
      )
      INSERT INTO routing_rule_hits_hourly AS h (rule_id, hour, task_type, hits)
      SELECT id, ${hour}, ${d.taskType}, 1 FROM routing_rules WHERE id = ${d.ruleId}::int
      ON CONFLICT (rule_id, hour, task_type) DO UPDATE SET hits = h.hits + 1`;
  }
  return decisions;
}

describe('routing rollups', () => {
  it('answers hit rates over long ranges as the hourly counts give them, the hourly rows upserted again and again', async () => {
    const decisions = await routingHistory();
    expect(await rollupsOutOfStep()).toEqual([]);
    for (const range of [
      { from: '2026-01-01T05:00:00Z', to: '2026-01-05T07:00:00Z' },
      { from: '2026-01-01T05:20:00Z', to: '2026-01-05T22:40:00Z', taskType: 'coding' },
    ]) {
      const kept = decisions.filter(
        (d) =>
          floorTo(d.at, HOUR) >= Date.parse(range.from) &&
          floorTo(d.at, HOUR) < Date.parse(range.to) &&
          (!range.taskType || d.taskType === range.taskType),
      );
      const rates = await t.db.caller.routing.hitRates(range);
      expect(rates.decisions).toBe(kept.length);
      expect(rates.misses).toBe(kept.filter((d) => d.ruleId === null).length);
      const perBucket = groupBy(kept, (d) => bucketOf(floorTo(d.at, HOUR), range));
      expect(rates.decisionsPerBucket).toEqual(rates.buckets.map((b) => perBucket.get(b)?.length ?? 0));
      for (const rule of rates.rules) {
        expect(rule.hits).toBe(kept.filter((d) => d.ruleId === rule.ruleId).length);
        expect(rule.rates).toEqual(
          rates.buckets.map((b) => {
            const inBucket = perBucket.get(b) ?? [];
            return inBucket.length ? (inBucket.filter((d) => d.ruleId === rule.ruleId).length * 100) / inBucket.length : null;
          }),
        );
      }
    }
  });
});

interface MetricValue {
  value: number;
  layer: string | null;
  at: number;
}

/** 600 values of routing_latency over five days, by layer (a quarter without one): 100 through record_metric, the rest in multi-row INSERTs. */
async function metricHistory(): Promise<MetricValue[]> {
  const next = random(4);
  const values: MetricValue[] = Array.from({ length: 600 }, () => ({
    value: Math.round(next() * 100_000) / 100,
    layer: [null, 'fast', 'balanced', 'deep'][Math.floor(next() * 4)]!,
    at: START + Math.floor(next() * 5 * DAY),
  }));
  const context = (v: MetricValue): Record<string, string> => (v.layer ? { layer: v.layer, request: `r${v.at}` } : {});
  for (const v of values.slice(0, 100))
    await t.db.caller.metrics.record({ name: 'routing_latency', value: v.value, unit: 'ms', context: context(v), recordedAt: iso(v.at) });
  for (let i = 100; i < values.length; i += 125)
    await t.db.prisma.performanceMetric.createMany({
      data: values.slice(i, i + 125).map((v) => ({
        metricName: 'routing_latency',
        metricValue: v.value,
        metricUnit: 'ms',
        context: context(v),
        recordedAt: new Date(v.at),
      })),
    });
  return values;
}

describe('metric rollups', () => {
  it('averages long ranges from the rollups exactly as the values give them, the ends mid-hour', async () => {
    const values = await metricHistory();
    expect(await rollupsOutOfStep()).toEqual([]);
    for (const range of [
      { from: '2026-01-01T05:20:00Z', to: '2026-01-04T22:40:10Z' },
      { from: '2026-01-01T00:00:00Z', to: '2026-01-06T00:00:00Z' },
      { from: '2026-01-02T12:30:00Z', to: '2026-01-04T12:30:00Z' },
      { from: '2026-01-03T07:10:00Z', to: '2026-01-03T07:50:00Z' },
    ]) {
      const kept = values.filter((v) => v.at >= Date.parse(range.from) && v.at < Date.parse(range.to));
      const expectSeries = (actual: { count: number; averages: (number | null)[] }, buckets: string[], mine: MetricValue[]) => {
        expect(actual.count).toBe(mine.length);
        const byBucket = groupBy(mine, (v) => bucketOf(v.at, range));
        expect(actual.averages).toHaveLength(buckets.length);
        actual.averages.forEach((average, i) => {
          const inBucket = byBucket.get(buckets[i]!);
          if (!inBucket) expect(average).toBeNull();
          else expect(average).toBeCloseTo(sum(inBucket.map((v) => v.value)) / inBucket.length, 9);
        });
      };
      const grouped = await t.db.caller.metrics.series({ ...range, name: 'routing_latency', groupBy: 'layer' });
      const byKey = groupBy(kept, (v) => v.layer ?? '(none)');
      expect(grouped.series.map((s) => s.key).sort()).toEqual([...byKey.keys()].sort());
      for (const series of grouped.series) expectSeries(series, grouped.buckets, byKey.get(series.key)!);
      const all = await t.db.caller.metrics.series({ ...range, name: 'routing_latency' });
      expect(all.series.map((s) => s.key)).toEqual(['all']);
      expectSeries(all.series[0]!, all.buckets, kept);
    }
  });

  it('keeps counts, keys and averages of whole days after retention deletes the raw values', async () => {
    const values = await metricHistory();
    const range = { from: '2026-01-01T00:00:00Z', to: '2026-01-06T00:00:00Z' };
    const before = await t.db.caller.metrics.series({ ...range, name: 'routing_latency', groupBy: 'layer' });
    const names = await t.db.caller.metrics.names();
    expect(names).toEqual([
      {
        name: 'routing_latency',
        values: values.length,
        unit: 'ms',
        lastRecordedAt: iso(Math.max(...values.map((v) => v.at))),
        contextKeys: ['layer', 'request'],
      },
    ]);
    await t.db.prisma.performanceMetric.deleteMany({});
    expect(await t.db.caller.metrics.series({ ...range, name: 'routing_latency', groupBy: 'layer' })).toEqual(before);
    expect(await t.db.caller.metrics.names()).toEqual(names);
  });
});

/** Three patterns in two categories and 500 occurrences over five days, written in multi-row INSERTs. */
async function bugHistory() {
  const patterns = await Promise.all(
    [
      ['timeout', 'slow', 'high'],
      ['timeout', 'hang', 'low'],
      ['parsing', 'bad json', 'medium'],
    ].map(([category, pattern, severity]) =>
      t.db.prisma.bugPattern.create({ data: { category: category!, pattern: pattern!, severity: severity as 'low' } }),
    ),
  );
  const next = random(5);
  const occurrences = Array.from({ length: 500 }, () => {
    const p = patterns[Math.floor(next() * patterns.length)]!;
    return {
      bugPatternId: p.id,
      category: p.category,
      severity: (['low', 'medium', 'high'] as const)[Math.floor(next() * 3)]!,
      at: START + Math.floor(next() * 5 * DAY),
    };
  });
  for (let i = 0; i < occurrences.length; i += 50)
    await t.db.prisma.bugPatternOccurrence.createMany({
      data: occurrences.slice(i, i + 50).map((o) => ({ bugPatternId: o.bugPatternId, severity: o.severity, occurredAt: new Date(o.at) })),
    });
  return { patterns, occurrences };
}

describe('bug occurrence rollups', () => {
  it('counts occurrences over long ranges as the occurrences give them, and keeps whole days after retention', async () => {
    const { patterns, occurrences } = await bugHistory();
    expect(await rollupsOutOfStep()).toEqual([]);

    const check = async (range: { from: string; to: string }) => {
      const kept = occurrences.filter((o) => o.at >= Date.parse(range.from) && o.at < Date.parse(range.to));
      for (const groupBy_ of ['category', 'severity'] as const) {
        const trends = await t.db.caller.bugPatterns.trends({ ...range, groupBy: groupBy_ });
        const byKey = groupBy(kept, (o) => (groupBy_ === 'category' ? o.category : o.severity));
        expect(trends.series.map((s) => s.key).sort()).toEqual([...byKey.keys()].sort());
        for (const series of trends.series) {
          const perBucket = groupBy(byKey.get(series.key)!, (o) => bucketOf(o.at, range));
          expect(series.counts).toEqual(trends.buckets.map((b) => perBucket.get(b)?.length ?? 0));
        }
      }
      const detail = await t.db.caller.bugPatterns.get({ ...range, id: patterns[0]!.id });
      const perBucket = groupBy(
        kept.filter((o) => o.bugPatternId === patterns[0]!.id),
        (o) => bucketOf(o.at, range),
      );
      expect(detail.trend.counts).toEqual(detail.trend.buckets.map((b) => perBucket.get(b)?.length ?? 0));
    };
    for (const range of [
      { from: '2026-01-01T05:20:00Z', to: '2026-01-04T22:40:10Z' },
      { from: '2026-01-02T12:30:00Z', to: '2026-01-04T12:30:00Z' },
    ])
      await check(range);

    const days = { from: '2026-01-01T00:00:00Z', to: '2026-01-06T00:00:00Z' };
    await check(days);
    const before = await t.db.caller.bugPatterns.trends(days);
    await t.db.prisma.bugPatternOccurrence.deleteMany({});
    expect(await t.db.caller.bugPatterns.trends(days)).toEqual(before);
  });

  it('takes a deleted pattern out of its category over time, and the category with it once it has no other pattern', async () => {
    const { patterns, occurrences } = await bugHistory();
    const days = { from: '2026-01-01T00:00:00Z', to: '2026-01-06T00:00:00Z' };
    const [slow, hang, badJson] = patterns as [(typeof patterns)[0], (typeof patterns)[0], (typeof patterns)[0]];
    // A statement inserting several patterns' occurrences at once, folded per category in one go.
    await t.db.prisma.bugPatternOccurrence.createMany({
      data: [slow, hang, badJson, hang].map((p) => ({ bugPatternId: p.id, severity: 'high' as const, occurredAt: new Date(START + DAY) })),
    });
    await t.db.prisma.bugPattern.delete({ where: { id: hang.id } });
    expect(await rollupsOutOfStep()).toEqual([]);
    const left = (category: string) => occurrences.filter((o) => o.category === category && o.bugPatternId !== hang.id).length;
    const totals = async (groupBy_: 'category' | 'severity') =>
      Object.fromEntries((await t.db.caller.bugPatterns.trends({ ...days, groupBy: groupBy_ })).series.map((s) => [s.key, s.total]));
    expect(await totals('category')).toEqual({ timeout: left('timeout') + 1, parsing: left('parsing') + 1 });
    await t.db.prisma.bugPattern.delete({ where: { id: slow.id } });
    expect(await totals('category')).toEqual({ parsing: left('parsing') + 1 });
    const [rows] = await t.db.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT (SELECT count(*) FROM bug_category_hourly WHERE category = 'timeout') + (SELECT count(*) FROM bug_category_daily WHERE category = 'timeout') AS n`;
    expect(Number(rows!.n)).toBe(0);
    expect(await rollupsOutOfStep()).toEqual([]);
    expect(Object.values(await totals('severity')).reduce((a, b) => a + b, 0)).toBe(left('parsing') + 1);
  });
});

describe('the rollups migration', () => {
  it('backfills every rollup from what was stored before it (and the check above notices a rollup out of step)', async () => {
    const { migrationDirectories } = await readMigrationList();
    const rollups = migrationDirectories.find((m) => m.path.endsWith('_rollups'))!.path;
    const categoryRollups = migrationDirectories.find((m) => m.path.endsWith('_bug_category_rollups'))!.path;
    // Back to the schema before the migration, then a history written without any trigger.
    for (const statement of [
      'DROP TABLE model_call_daily, routing_decision_daily, routing_rule_hits_daily, metric_hourly, metric_daily, bug_occurrence_hourly, bug_occurrence_daily',
      'DROP TABLE bug_category_hourly, bug_category_daily',
      // model_call_daily_fold is gone since model calls are counted into the day by their writers (model_call_counting).
      'DROP FUNCTION routing_decision_daily_fold, routing_rule_hits_daily_fold, metric_rollups_fold, bug_occurrence_rollups_fold CASCADE',
      'DROP FUNCTION bug_category_rollups_forget CASCADE',
      'DROP AGGREGATE int_array_sum(int[], int)',
      'DROP FUNCTION int_array_add',
      `DELETE FROM _prisma_migrations WHERE migration_name IN ('${rollups}', '${categoryRollups}')`,
    ])
      await t.db.prisma.$executeRawUnsafe(statement);
    await storeHourlyRowsDirectly(modelCallHistory(300, 6).map((c) => [c]));
    await routingHistory();
    await metricHistory();
    await bugHistory();

    expect(await applyMigrations(t.db.connection.adapterFactory)).toEqual([rollups, categoryRollups]);
    expect(await rollupsOutOfStep()).toEqual([]);
    const [filled] = await t.db.prisma.$queryRaw<{ rows: bigint }[]>`
      SELECT (SELECT count(*) FROM model_call_daily) * (SELECT count(*) FROM routing_decision_daily) * (SELECT count(*) FROM routing_rule_hits_daily)
           * (SELECT count(*) FROM metric_hourly) * (SELECT count(*) FROM metric_daily) * (SELECT count(*) FROM bug_occurrence_hourly)
           * (SELECT count(*) FROM bug_occurrence_daily) * (SELECT count(*) FROM bug_category_hourly) * (SELECT count(*) FROM bug_category_daily) AS rows`;
    expect(Number(filled!.rows)).toBeGreaterThan(0);

    await t.db.prisma.$executeRaw`UPDATE metric_daily SET value_count = value_count + 1 WHERE day = '2026-01-03T00:00:00Z'`;
    await t.db.prisma.$executeRaw`UPDATE model_call_daily SET latency_buckets[100] = latency_buckets[100] + 1`;
    expect(await rollupsOutOfStep()).toEqual(['model_call_daily', 'metric_daily']);
  });
});
