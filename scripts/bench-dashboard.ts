// The dashboard over a million recorded calls: writes ~1M calls' worth of rollup history straight
// into the tables with SQL (model_performance totals are the rollups' exact sums), then times the
// queries each page makes, for each preset range. Used by scripts/bench.ts.
import { performance } from 'node:perf_hooks';
import { addHours, subDays } from 'date-fns';
import type { PrismaClient } from '../server/db/client';
import { latencyBucketIndex, LATENCY_BUCKET_COUNT } from '../server/services/latency-histogram';
import type { createCaller } from '../server/trpc/routers/_app';

type Caller = ReturnType<typeof createCaller>;

const DAYS = 30;
const TASK_TYPES = ['coding', 'chat', 'analysis', 'summarization'];
const MODELS: [model: string, task: string, success: number, medianMs: number, cost: number][] = [
  ['claude-sonnet-4', 'coding', 0.955, 1850, 0.012],
  ['gpt-4o', 'coding', 0.93, 1420, 0.0085],
  ['gpt-4o-mini', 'coding', 0.82, 780, 0.0009],
  ['llama-3.1-70b', 'coding', 0.79, 950, 0.0011],
  ['claude-sonnet-4', 'analysis', 0.94, 2600, 0.018],
  ['gemini-2.5-pro', 'analysis', 0.925, 2100, 0.011],
  ['gpt-4o', 'analysis', 0.9, 1900, 0.01],
  ['gpt-4o-mini', 'chat', 0.975, 420, 0.0004],
  ['gpt-4o', 'chat', 0.982, 650, 0.004],
  ['llama-3.1-8b', 'chat', 0.91, 210, 0.0001],
  ['gemini-2.5-flash', 'summarization', 0.96, 540, 0.0006],
  ['claude-sonnet-4', 'summarization', 0.97, 1500, 0.009],
];

/** Writes the history ending at the current hour; returns the number of calls it stands for. */
export async function writeMillionCallHistory(prisma: PrismaClient, caller: Caller, now = new Date()): Promise<number> {
  const end = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
  const start = subDays(end, DAYS);
  const range = `'${start.toISOString()}'::timestamptz, '${addHours(end, -1).toISOString()}'::timestamptz, interval '1 hour'`;
  const models = MODELS.map(([m, t, s, ms, c]) => `('${m}', '${t}', ${s}, ${ms}, ${c}, ${latencyBucketIndex(ms)})`).join(', ');
  // Calls per hour 113..119 (mean 116): 12 series x 720 hours x 116 ≈ 1.0M calls, spread over five
  // latency buckets around each model's median (10/20/40/20/10%).
  await prisma.$executeRawUnsafe(`
    INSERT INTO model_call_hourly (model_id, task_type, hour, calls, successes, latency_sum_ms, latency_min_ms, latency_max_ms, cost_sum, latency_buckets)
    SELECT m.model_id, m.task_type, h.hour, c.calls, round(c.calls * m.success)::int, c.calls * m.median_ms,
           m.median_ms * 0.6, m.median_ms * 1.6, c.calls * m.cost,
           ARRAY(SELECT CASE i - m.bucket WHEN -2 THEN c.calls / 10 WHEN -1 THEN c.calls / 5
                                          WHEN 0 THEN c.calls - 2 * (c.calls / 10) - 2 * (c.calls / 5)
                                          WHEN 1 THEN c.calls / 5 WHEN 2 THEN c.calls / 10 ELSE 0 END
                 FROM generate_series(0, ${LATENCY_BUCKET_COUNT - 1}) AS i ORDER BY i)
    FROM (VALUES ${models}) AS m(model_id, task_type, success, median_ms, cost, bucket)
    CROSS JOIN generate_series(${range}) AS h(hour)
    CROSS JOIN LATERAL (SELECT 113 + (extract(hour FROM h.hour)::int % 7) AS calls) AS c`);
  await prisma.$executeRawUnsafe(`
    INSERT INTO model_performance (model_id, task_type, total_calls, successes, latency_sum_ms, cost_sum, success_rate, avg_latency_ms, avg_cost, first_call_at, last_call_at)
    SELECT model_id, task_type, sum(calls), sum(successes), sum(latency_sum_ms), sum(cost_sum),
           sum(successes) * 100.0 / sum(calls), sum(latency_sum_ms) / sum(calls), sum(cost_sum) / sum(calls), min(hour), max(hour)
    FROM model_call_hourly GROUP BY model_id, task_type`);

  for (let i = 0; i < 8; i++) await caller.routing.updateHeuristic({ pattern: `\\bbench${i}\\b`, preferredLayer: 'balanced', priority: i });
  // 200 decisions per hour and task type: 8 rules x 15 hits, 80 misses.
  await prisma.$executeRawUnsafe(`
    INSERT INTO routing_decision_hourly (hour, task_type, decisions, misses)
    SELECT h, t, 200, 80 FROM generate_series(${range}) AS h, unnest(ARRAY['${TASK_TYPES.join("','")}']) AS t`);
  await prisma.$executeRawUnsafe(`
    INSERT INTO routing_rule_hits_hourly (rule_id, hour, task_type, hits)
    SELECT r.id, h, t, 15 FROM routing_rules r, generate_series(${range}) AS h, unnest(ARRAY['${TASK_TYPES.join("','")}']) AS t`);

  for (let i = 0; i < 9; i++)
    await caller.bugPatterns.record({ category: ['timeout', 'parsing', 'api'][i % 3]!, pattern: `bench bug ${i}`, severity: 'medium' });
  await prisma.$executeRawUnsafe(`
    INSERT INTO bug_pattern_occurrences (bug_pattern_id, severity, occurred_at)
    SELECT b.id, b.severity, '${start.toISOString()}'::timestamptz + (i * interval '1 second' * ${(DAYS * 86_400) / 5000})
    FROM bug_patterns b, generate_series(1, 5000) AS i`);
  await prisma.$executeRawUnsafe(`
    INSERT INTO performance_metrics (metric_name, metric_value, metric_unit, context, recorded_at)
    SELECT 'routing_latency', 40 + (i % 300), 'ms', jsonb_build_object('layer', (ARRAY['fast','balanced','deep'])[1 + i % 3]),
           '${start.toISOString()}'::timestamptz + i * interval '1 second' * ${(DAYS * 86_400) / 100_000}
    FROM generate_series(1, 100000) AS i`);
  const [row] = await prisma.$queryRaw<{ calls: bigint }[]>`SELECT sum(total_calls)::bigint AS calls FROM model_performance`;
  return Number(row!.calls);
}

/** The tool calls each page's server component makes (in parallel, as the page does). */
export function pageQueries(caller: Caller, range: { from: string; to: string }): Record<string, () => Promise<unknown>> {
  return {
    overview: () =>
      Promise.all([
        caller.modelPerformance.report({}),
        caller.routing.hitRates(range),
        caller.bugPatterns.trends(range),
        caller.modelPerformance.taskTypes(),
      ]),
    models: () =>
      Promise.all([caller.modelPerformance.leaderboard(range), caller.modelPerformance.trends(range), caller.modelPerformance.taskTypes()]),
    bugs: () => Promise.all([caller.bugPatterns.trends(range), caller.bugPatterns.list({ limit: 20 })]),
    heuristics: () =>
      Promise.all([
        caller.routing.listHeuristics({ activeOnly: false }),
        caller.routing.hitRates(range),
        caller.modelPerformance.taskTypes(),
      ]),
    metrics: () => Promise.all([caller.metrics.names(), caller.metrics.series({ ...range, name: 'routing_latency', groupBy: 'layer' })]),
  };
}

export async function medianMs(runs: number, task: () => Promise<unknown>): Promise<{ median: number; max: number }> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await task();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(runs / 2)]!, max: samples[runs - 1]! };
}

export const PRESETS = { '24h': 24, '7d': 7 * 24, '30d': 30 * 24 } as const;

export function presetRange(hours: number, now = new Date()) {
  const to = new Date(Math.ceil(now.getTime() / 3_600_000) * 3_600_000);
  return { from: new Date(to.getTime() - hours * 3_600_000).toISOString(), to: to.toISOString() };
}

/** Prints the median time of each page's queries per range. */
export async function benchDashboardQueries(caller: Caller, runs = 5): Promise<void> {
  for (const [preset, hours] of Object.entries(PRESETS)) {
    const queries = pageQueries(caller, presetRange(hours));
    const figures: string[] = [];
    for (const [page, run] of Object.entries(queries)) {
      await run(); // warm
      const { median } = await medianMs(runs, run);
      figures.push(`${page} ${median.toFixed(0)}`);
    }
    console.log(`  ${`dashboard page queries, ${preset} (median ms)`.padEnd(58)} ${figures.join(', ')}`);
  }
}
