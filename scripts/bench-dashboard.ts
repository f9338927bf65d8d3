// Gateway-scale history for the analytics benchmark, written straight into the tables with SQL
// (generate_series): in the 90 days before the current hour ~1M model calls as hourly rollups
// (model_performance holds their exact sums), 10M metric values, bug patterns with ~590K dated
// occurrences, regression tests, and 40 routing rules with decisions and hits per hour and task type.
// The history runs on at the same density for AHEAD_DAYS after the current hour, so that a saved copy of the
// database (bench-analytics.ts keeps one) still has data up to the end of every range for a week: a range ending at
// "now" never reads those rows, and their share of the tables is small.
import { performance } from 'node:perf_hooks';
import { addDays, subDays } from 'date-fns';
import type { PrismaClient } from '../server/db/client';
import { latencyBucketBounds, latencyBucketIndex, LATENCY_BUCKET_COUNT } from '../server/services/latency-histogram';
import { rollUpModelCallDays } from '../server/services/model-performance';
import type { createCaller } from '../server/trpc/routers/_app';

type Caller = ReturnType<typeof createCaller>;

export const HISTORY_DAYS = 90;
/** Days of history after the current hour (see above). */
export const AHEAD_DAYS = 7;
const SPAN_DAYS = HISTORY_DAYS + AHEAD_DAYS;
/** Change it whenever what writeAnalyticsHistory writes changes: saved copies of another version are not reused. */
export const HISTORY_VERSION = 3;
export const TASK_TYPES = ['coding', 'chat', 'analysis', 'summarization'];
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
/** Calls per (model, task type) and hour run from MIN_CALLS to MIN_CALLS + CALL_SPREAD - 1 (mean 39: 12 x 2,160 x 39 ≈ 1.01M calls). */
const MIN_CALLS = 33;
const CALL_SPREAD = 13;
/** Latencies spread over 25 histogram buckets around the median (a factor of about 2.8 either side), as real calls do. */
const SPREAD_BUCKETS = 12;

/** A histogram of `calls` calls around a median: a discrete bell over ±SPREAD_BUCKETS buckets, the rounding remainder in the middle. */
function bellHistogram(calls: number, medianMs: number): { buckets: number[]; minMs: number; maxMs: number } {
  const centre = latencyBucketIndex(medianMs);
  const weights = Array.from({ length: 2 * SPREAD_BUCKETS + 1 }, (_, i) => Math.exp(-((i - SPREAD_BUCKETS) ** 2) / 32));
  const total = weights.reduce((a, b) => a + b, 0);
  const buckets = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
  weights.forEach((w, i) => (buckets[centre - SPREAD_BUCKETS + i] = Math.floor((calls * w) / total)));
  buckets[centre]! += calls - buckets.reduce((a, b) => a + b, 0);
  const used = buckets.flatMap((count, i) => (count ? [i] : []));
  return { buckets, minMs: latencyBucketBounds(used[0]!)[0], maxMs: latencyBucketBounds(used.at(-1)!)[1] * 0.999 };
}

export interface HistoryFigures {
  modelCalls: number;
  modelHourlyRows: number;
  metricValues: number;
  bugPatterns: number;
  bugOccurrences: number;
  regressionTests: number;
  routingRules: number;
  ruleHitRows: number;
  experiments: number;
  /** Seconds each part took to write. */
  seconds: Record<string, number>;
}

async function timedPart<T>(seconds: Record<string, number>, part: string, work: () => Promise<T>): Promise<T> {
  console.log(`  writing ${part}…`);
  const started = performance.now();
  const result = await work();
  seconds[part] = (performance.now() - started) / 1000;
  return result;
}

const count = async (prisma: PrismaClient, table: string) =>
  Number((await prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM ${table}`))[0]!.n);

/**
 * Writes the whole history, HISTORY_DAYS before the current hour and AHEAD_DAYS after it; returns what was written.
 * `metricValues` is the number in the HISTORY_DAYS before the current hour.
 */
export async function writeAnalyticsHistory(
  prisma: PrismaClient,
  caller: Caller,
  { now = new Date(), metricValues = 10_000_000 }: { now?: Date; metricValues?: number } = {},
): Promise<HistoryFigures> {
  const currentHour = new Date(Math.floor(now.getTime() / 3_600_000) * 3_600_000);
  const start = subDays(currentHour, HISTORY_DAYS);
  const end = addDays(currentHour, AHEAD_DAYS);
  const startSql = `'${start.toISOString()}'::timestamptz`;
  const hours = `generate_series(${startSql}, '${end.toISOString()}'::timestamptz - interval '1 hour', interval '1 hour')`;
  const seconds: Record<string, number> = {};

  await timedPart(seconds, 'model calls', () => writeModelCalls(prisma, hours));
  await timedPart(seconds, 'metric values', () =>
    writeMetricValues(prisma, startSql, Math.round((metricValues * SPAN_DAYS) / HISTORY_DAYS)),
  );
  await timedPart(seconds, 'bug patterns', () => writeBugPatterns(prisma, startSql));
  await timedPart(seconds, 'routing', () => writeRouting(prisma, caller, hours));

  const [row] = await prisma.$queryRaw<{ calls: bigint }[]>`SELECT sum(total_calls)::bigint AS calls FROM model_performance`;
  return {
    modelCalls: Number(row!.calls),
    modelHourlyRows: await count(prisma, 'model_call_hourly'),
    metricValues: await count(prisma, 'performance_metrics'),
    bugPatterns: await count(prisma, 'bug_patterns'),
    bugOccurrences: await count(prisma, 'bug_pattern_occurrences'),
    regressionTests: await count(prisma, 'regression_tests'),
    routingRules: await count(prisma, 'routing_rules'),
    ruleHitRows: await count(prisma, 'routing_rule_hits_hourly'),
    experiments: await count(prisma, 'routing_experiments'),
    seconds,
  };
}

/** Every (model, task type) every hour; the daily rows and the lifetime totals are the hours' exact sums. */
async function writeModelCalls(prisma: PrismaClient, hours: string) {
  const shapes = MODELS.flatMap(([model, task, success, medianMs, cost]) =>
    Array.from({ length: CALL_SPREAD }, (_, i) => {
      const calls = MIN_CALLS + i;
      const { buckets, minMs, maxMs } = bellHistogram(calls, medianMs);
      return `('${model}', '${task}', ${calls}, ${Math.round(calls * success)}, ${calls * medianMs}, ${minMs}, ${maxMs}, ${calls * cost}, ARRAY[${buckets.join(',')}])`;
    }),
  );
  await prisma.$executeRawUnsafe(`
    INSERT INTO model_call_hourly (model_id, task_type, hour, calls, successes, latency_sum_ms, latency_min_ms, latency_max_ms, cost_sum, latency_buckets)
    SELECT s.model_id, s.task_type, h.hour, s.calls, s.successes, s.latency_sum_ms, s.latency_min_ms, s.latency_max_ms, s.cost_sum, s.latency_buckets
    FROM ${hours} AS h(hour)
    CROSS JOIN (SELECT DISTINCT model_id, task_type FROM (VALUES ${shapes.join(', ')}) AS v(model_id, task_type)) AS m
    JOIN (VALUES ${shapes.join(', ')})
      AS s(model_id, task_type, calls, successes, latency_sum_ms, latency_min_ms, latency_max_ms, cost_sum, latency_buckets)
      ON s.model_id = m.model_id AND s.task_type = m.task_type
         AND s.calls = ${MIN_CALLS} + ((extract(epoch FROM h.hour)::bigint / 3600 + length(m.model_id || m.task_type)) % ${CALL_SPREAD})`);
  await rollUpModelCallDays(prisma);
  await prisma.$executeRawUnsafe(`
    INSERT INTO model_performance (model_id, task_type, total_calls, successes, latency_sum_ms, cost_sum, success_rate, avg_latency_ms, avg_cost, first_call_at, last_call_at)
    SELECT model_id, task_type, sum(calls), sum(successes), sum(latency_sum_ms), sum(cost_sum),
           sum(successes) * 100.0 / sum(calls), sum(latency_sum_ms) / sum(calls), sum(cost_sum) / sum(calls), min(hour), max(hour) + interval '59 minutes'
    FROM model_call_hourly GROUP BY model_id, task_type`);
}

/**
 * Bulk-loads a table the way PostgreSQL loads fastest, on PGlite above all (where every index entry costs about as
 * much as the row itself): its secondary indexes are dropped while `load` runs and built again after (a sorted
 * build, not millions of single inserts). With `fold`, its rollup trigger is off during the load and `fold` does the
 * trigger's work over the whole load at once; without, the trigger folds each statement's rows as usual (better when
 * the whole load's groups would not fit in memory: the metric values' 77K hour and context groups spill to disk).
 */
async function bulkLoad(prisma: PrismaClient, table: string, load: () => Promise<void>, fold?: { trigger: string; statements: string[] }) {
  const indexes = await prisma.$queryRawUnsafe<{ name: string; definition: string }[]>(
    `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
     WHERE i.schemaname = current_schema() AND i.tablename = $1
       AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conname = i.indexname)`,
    table,
  );
  if (fold) await prisma.$executeRawUnsafe(`ALTER TABLE ${table} DISABLE TRIGGER ${fold.trigger}`);
  for (const { name } of indexes) await prisma.$executeRawUnsafe(`DROP INDEX "${name}"`);
  await load();
  for (const statement of fold?.statements ?? []) await prisma.$executeRawUnsafe(statement);
  for (const { definition } of indexes) await prisma.$executeRawUnsafe(definition);
  if (fold) await prisma.$executeRawUnsafe(`ALTER TABLE ${table} ENABLE TRIGGER ${fold.trigger}`);
}

/** bug_occurrence_rollups_fold's work over every stored occurrence at once. */
const FOLD_BUG_OCCURRENCES = {
  trigger: 'bug_occurrence_rollups_on_insert',
  statements: [
    `INSERT INTO bug_occurrence_hourly (bug_pattern_id, hour, severity, occurrences)
     SELECT bug_pattern_id, date_bin('1 hour', occurred_at, '2000-01-01 00:00:00+00'), severity, count(*)
     FROM bug_pattern_occurrences GROUP BY 1, 2, 3`,
    `INSERT INTO bug_occurrence_daily (bug_pattern_id, day, severity, occurrences)
     SELECT bug_pattern_id, date_bin('1 day', hour, '2000-01-01 00:00:00+00'), severity, sum(occurrences)
     FROM bug_occurrence_hourly GROUP BY 1, 2, 3`,
    `INSERT INTO bug_category_hourly (hour, category, severity, occurrences)
     SELECT h.hour, p.category, h.severity, sum(h.occurrences)
     FROM bug_occurrence_hourly h JOIN bug_patterns p ON p.id = h.bug_pattern_id GROUP BY 1, 2, 3`,
    `INSERT INTO bug_category_daily (day, category, severity, occurrences)
     SELECT date_bin('1 day', hour, '2000-01-01 00:00:00+00'), category, severity, sum(occurrences)
     FROM bug_category_hourly GROUP BY 1, 2, 3`,
  ],
};

/** Rows per INSERT … SELECT: big enough that per-statement costs vanish, small enough to keep each transaction modest. */
const METRIC_VALUES_PER_STATEMENT = 500_000;

/**
 * Evenly spaced values over the history: half routing_latency (by layer and model, 18 contexts), a fifth
 * api_latency (by endpoint), a tenth each tokens_per_request (by model), queue_depth (by region) and
 * cache_hit_ratio (no context). The 33 contexts are built once, not once per value.
 */
async function writeMetricValues(prisma: PrismaClient, startSql: string, total: number) {
  const spacingSeconds = (SPAN_DAYS * 86_400) / total;
  const models = `ARRAY['claude-sonnet-4','gpt-4o','gpt-4o-mini','llama-3.1-70b','gemini-2.5-pro','gemini-2.5-flash']`;
  // contexts[k + 1][n + 1]: the n-th context of metric kind k (the value's i % 10), n being j % (its context count).
  const contexts = `(SELECT array_agg(ctx ORDER BY k, n) FROM (
      SELECT k, n, CASE WHEN k < 5 THEN jsonb_build_object('layer', (ARRAY['fast','balanced','deep'])[1 + n % 3], 'model', (${models})[1 + (n / 3) % 6])
                        WHEN k < 7 THEN jsonb_build_object('endpoint', (ARRAY['/route','/complete','/embed','/chat','/tools'])[1 + n % 5])
                        WHEN k = 7 THEN jsonb_build_object('model', (${models})[1 + n % 6])
                        WHEN k = 8 THEN jsonb_build_object('region', (ARRAY['eu','us','ap'])[1 + n % 3])
                        ELSE '{}'::jsonb END AS ctx
      FROM generate_series(0, 9) AS k, generate_series(0, 17) AS n) AS c)`;
  const load = async () => {
    for (let first = 0; first < total; first += METRIC_VALUES_PER_STATEMENT) {
      const last = Math.min(total, first + METRIC_VALUES_PER_STATEMENT) - 1;
      await prisma.$executeRawUnsafe(`
        INSERT INTO performance_metrics (metric_name, metric_value, metric_unit, context, recorded_at)
        SELECT (ARRAY['routing_latency','routing_latency','routing_latency','routing_latency','routing_latency',
                      'api_latency','api_latency','tokens_per_request','queue_depth','cache_hit_ratio'])[k + 1],
               CASE WHEN k < 5 THEN 20 + (i * 7919) % 400 * (1 + (j % 3))
                    WHEN k < 7 THEN 50 + (i * 104729) % 2000
                    WHEN k = 7 THEN 200 + (i * 31) % 6000
                    WHEN k = 8 THEN (i * 13) % 40
                    ELSE ((i * 17) % 100) / 100.0 END,
               (ARRAY['ms','ms','ms','ms','ms','ms','ms','tokens','requests','ratio'])[k + 1],
               ctx.all_contexts[k * 18 + 1 + CASE WHEN k < 5 THEN j % 18 WHEN k < 7 THEN j % 5 WHEN k = 7 THEN j % 6 WHEN k = 8 THEN j % 3 ELSE 0 END],
               ${startSql} + i * interval '${spacingSeconds} seconds'
        FROM (SELECT ${contexts} AS all_contexts) AS ctx,
             generate_series(${first}::bigint, ${last}::bigint) AS i, LATERAL (SELECT (i % 10)::int AS k, (i / 10)::int AS j) AS kj`);
    }
  };
  await bulkLoad(prisma, 'performance_metrics', load);
}

const BUG_CATEGORIES = [
  'timeout',
  'parsing',
  'api',
  'auth',
  'rate-limit',
  'routing',
  'tokenizer',
  'streaming',
  'tool-call',
  'context-length',
];

/**
 * 200 patterns in 10 categories, pattern k seen 100,000 / k times in HISTORY_DAYS (Zipf, ~590K occurrences), evenly
 * over the history; 300 regression tests.
 */
async function writeBugPatterns(prisma: PrismaClient, startSql: string) {
  await prisma.$executeRawUnsafe(`
    INSERT INTO bug_patterns (category, pattern, description, solution, occurrences, severity, first_seen, last_seen)
    SELECT (ARRAY['${BUG_CATEGORIES.join("','")}'])[1 + k % ${BUG_CATEGORIES.length}], 'bench bug ' || k, 'seen in the benchmark', '',
           100000 * ${SPAN_DAYS} / (k * ${HISTORY_DAYS}), (ARRAY['low','medium','high','critical'])[1 + k % 4]::bug_severity,
           ${startSql}, ${startSql} + interval '${SPAN_DAYS} days' - interval '1 second'
    FROM generate_series(1, 200) AS k`);
  await bulkLoad(
    prisma,
    'bug_pattern_occurrences',
    async () => {
      await prisma.$executeRawUnsafe(`
        INSERT INTO bug_pattern_occurrences (bug_pattern_id, severity, occurred_at)
        SELECT b.id, b.severity, ${startSql} + (n - 0.5) * (interval '${SPAN_DAYS} days' / b.occurrences)
        FROM bug_patterns b, generate_series(1, b.occurrences) AS n`);
    },
    FOLD_BUG_OCCURRENCES,
  );
  await prisma.$executeRawUnsafe(`
    INSERT INTO regression_tests (test_name, category, description, test_code, expected_behavior, discovered_from, created_at)
    SELECT 'bench_test_' || k, (ARRAY['${BUG_CATEGORIES.join("','")}'])[1 + k % ${BUG_CATEGORIES.length}],
           'Benchmark regression test ' || k, 'it(''bench ' || k || ''', () => {' || chr(10) || '  expect(route(''input ' || k || ''')).toBeDefined();' || chr(10) || '});',
           'passes', 'bug', ${startSql} + k * interval '7 hours'
    FROM generate_series(1, 300) AS k`);
}

const ROUTING_RULES = 40;
/** Of the ROUTING_RULES experiments, how many are still running (evaluated, and their guard applied, on every read). */
const RUNNING_EXPERIMENTS = 5;
const LAYERS = ['fast', 'balanced', 'deep'] as const;

/**
 * 40 rules, each firing in two of the five task types ("" included) every hour; 400 decisions per hour and
 * task type, the ones no rule decided counted as misses.
 */
async function writeRouting(prisma: PrismaClient, caller: Caller, hours: string) {
  for (let i = 0; i < ROUTING_RULES; i++)
    await caller.routing.updateHeuristic({ pattern: `\\bbench${i}\\b`, preferredLayer: LAYERS[i % 3]!, priority: i });
  const taskTypes = `ARRAY['${[...TASK_TYPES, ''].join("','")}']`;
  await prisma.$executeRawUnsafe(`
    INSERT INTO routing_rule_hits_hourly (rule_id, hour, task_type, hits)
    SELECT r.id, h, (${taskTypes})[1 + (r.id + t) % 5], 1 + r.id % 5 + (extract(hour FROM h)::int % 3)
    FROM routing_rules r, ${hours} AS h, generate_series(0, 1) AS t`);
  await prisma.$executeRawUnsafe(`
    INSERT INTO routing_decision_hourly (hour, task_type, decisions, misses)
    SELECT h, t, 400, 400 - coalesce((SELECT sum(hits) FROM routing_rule_hits_hourly x WHERE x.hour = h AND x.task_type = t), 0)
    FROM ${hours} AS h, unnest(${taskTypes}) AS t`);
  await writeExperiments(prisma, caller);
}

/**
 * One experiment per rule (create_experiment), three arms each, with a million decisions' worth of counters per
 * experiment; all but RUNNING_EXPERIMENTS stopped, as a history of experiments would leave them. What the experiments
 * page reads (its figures are the arms' running counters, so their size does not depend on how many decisions there were).
 */
async function writeExperiments(prisma: PrismaClient, caller: Caller) {
  const rules = await prisma.routingRule.findMany({ select: { id: true }, orderBy: { id: 'asc' } });
  for (const [i, rule] of rules.entries())
    await caller.experiments.create({
      name: `bench experiment ${i}`,
      ruleId: rule.id,
      arms: [
        { name: 'control', variant: { kind: 'control' } },
        { name: 'flash', variant: { kind: 'model', model: 'gemini-2.5-flash' } },
        { name: 'sonnet', variant: { kind: 'model', model: 'claude-sonnet-4' } },
      ],
    });
  // Success rates 0.90, 0.91 and 0.88 (the third arm clearly worse, the second not yet clearly better), latency ~1.2 s
  // and cost ~0.004 USD with a spread.
  await prisma.$executeRawUnsafe(`
    UPDATE routing_experiment_arms SET
      decisions = 333000, outcomes = 330000, successes = round(330000 * (0.90 + CASE position WHEN 1 THEN 0.01 WHEN 2 THEN -0.02 ELSE 0 END)),
      latency_count = 330000, latency_sum = 330000 * 1200.0, latency_sumsq = 330000 * (1200.0 * 1200 + 400.0 * 400),
      cost_count = 330000, cost_sum = 330000 * 0.004, cost_sumsq = 330000 * (0.004 * 0.004 + 0.001 * 0.001)`);
  await prisma.$executeRawUnsafe(`
    UPDATE routing_experiments SET status = 'stopped', stopped_at = now(), stop_reason = 'bench history'
    WHERE id NOT IN (SELECT id FROM routing_experiments ORDER BY id DESC LIMIT ${RUNNING_EXPERIMENTS})`);
}

export interface Timing {
  p50: number;
  p95: number;
  max: number;
}

/** Runs `task` `runs` times in a row (after one unmeasured warm-up when asked) and gives nearest-rank percentiles in ms. */
export async function timeRuns(runs: number, task: () => Promise<unknown>, { warm = false } = {}): Promise<Timing> {
  if (warm) await task();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await task();
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.max(0, Math.ceil(q * runs) - 1)]!;
  return { p50: at(0.5), p95: at(0.95), max: samples[runs - 1]! };
}
