import type { z } from 'zod';
import type { PrismaClient } from '../db/client';
import { Prisma } from '../db/generated/client';
import type { GetModelTrendsInput } from '../schemas/model-performance';
import { BUCKETS_PER_DOUBLING, LATENCY_BUCKET_COUNT, percentileFromBuckets } from './latency-histogram';
import type { ModelFigures } from './model-analysis';
import { binned, echoRange, resolveTimeRange, rollupRows, rollupSpans, type BucketSize, type RangeEcho } from './time-buckets';

// A model's figures over a date range and over time, read from the rollups (model_call_daily for whole days,
// model_call_hourly for the hours around them).

/** Figures of one (model, task type) over a stretch of time: the one figures shape plus latency percentiles from the histograms. */
export interface ModelRangeFigures extends ModelFigures {
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  p99LatencyMs: number | null;
}

interface RollupRow {
  bucket: Date;
  model_id: string;
  task_type: string;
  calls: bigint;
  successes: bigint;
  latency_sum_ms: number;
  latency_min_ms: number;
  latency_max_ms: number;
  cost_sum: number;
  /** The non-empty histogram buckets (0-based, ascending) and their counts, summed over the group's rows. */
  bucket_indexes: number[] | null;
  bucket_counts: number[] | null;
  series_count: bigint;
}

export interface RollupQuery {
  from: Date;
  to: Date;
  taskType?: string;
  modelIds?: string[];
  /** Group rows by hour or day; null puts the whole range in one group. */
  bucket: BucketSize | null;
  /** Keep only this many (model, task type) series, those with the most calls in the range; default all. */
  maxSeries?: number;
}

type BucketedFigures = ModelRangeFigures & { bucket: Date };

const COLUMNS = 'model_id, task_type, calls, successes, latency_sum_ms, latency_min_ms, latency_max_ms, cost_sum, latency_buckets';
const MODEL_CALL_ROLLUPS = {
  hourly: { table: 'model_call_hourly', time: 'hour', columns: COLUMNS },
  daily: { table: 'model_call_daily', time: 'day', columns: COLUMNS },
};

/** The rollup rows covering the range: whole UTC days from model_call_daily unless bucketed by hour, the hours around them. */
function modelCallRows(q: RollupQuery): Prisma.Sql {
  const task = q.taskType ?? null;
  const models = q.modelIds?.length ? q.modelIds : null;
  return rollupRows(
    MODEL_CALL_ROLLUPS,
    rollupSpans(q.from, q.to, { daily: q.bucket !== 'hour', raw: false }),
    Prisma.sql`(${task}::text IS NULL OR task_type = ${task}::text) AND (${models}::text[] IS NULL OR model_id = ANY(${models}::text[]))`,
  );
}

/**
 * SQL: the 1-based histogram slot of a latency in ms, give or take one (log2 in floating point can land either side
 * of a bucket boundary; latencyBucketIndex is the exact one). Every call of a row lies between the slots of its
 * min and max latency, so only that slice of the 170 counts needs reading.
 */
const approximateSlot = (column: string) =>
  Prisma.sql`floor(ln(greatest(${Prisma.raw(column)}, 1)) / ln(2) * ${BUCKETS_PER_DOUBLING})::int + 2`;

/**
 * ONE query: per (bucket, model, task type) the sums of the rollups and their latency histogram, summed bucket by
 * bucket over the group's rows and answered as its non-empty buckets only; the percentiles are read from that here.
 */
async function queryRollups(prisma: PrismaClient, q: RollupQuery): Promise<{ rows: BucketedFigures[]; seriesCount: number }> {
  const bucketOf = q.bucket ? binned('at', q.bucket) : Prisma.sql`${q.from}::timestamptz`;
  const rows = await prisma.$queryRaw<RollupRow[]>`
    WITH source AS MATERIALIZED (${modelCallRows(q)}), kept AS (
      -- The window counts every series before LIMIT cuts them, so the caller learns how many there were.
      SELECT model_id, task_type, count(*) OVER () AS series_count
      FROM source GROUP BY model_id, task_type
      ORDER BY sum(calls) DESC, model_id, task_type LIMIT ${q.maxSeries ?? null}::int
    ), picked AS (
      SELECT ${bucketOf} AS bucket, source.* FROM source JOIN kept USING (model_id, task_type)
    ), totals AS (
      SELECT bucket, model_id, task_type, sum(calls)::bigint AS calls, sum(successes)::bigint AS successes,
             sum(latency_sum_ms) AS latency_sum_ms, min(latency_min_ms) AS latency_min_ms,
             max(latency_max_ms) AS latency_max_ms, sum(cost_sum) AS cost_sum
      FROM picked GROUP BY bucket, model_id, task_type
    ), cells AS (
      -- PostgreSQL arrays are 1-based; the histogram layout is 0-based.
      SELECT bucket, model_id, task_type, (s.lo + u.k - 2)::int AS idx, sum(u.count)::float8 AS count
      FROM picked
      CROSS JOIN LATERAL (SELECT greatest(1, ${approximateSlot('latency_min_ms')} - 1) AS lo,
                                 least(${LATENCY_BUCKET_COUNT}, ${approximateSlot('latency_max_ms')} + 1) AS hi) AS s
      CROSS JOIN LATERAL unnest(latency_buckets[s.lo:s.hi]) WITH ORDINALITY AS u(count, k)
      WHERE u.count > 0
      GROUP BY 1, 2, 3, 4
    ), histograms AS (
      SELECT bucket, model_id, task_type, array_agg(idx ORDER BY idx) AS bucket_indexes, array_agg(count ORDER BY idx) AS bucket_counts
      FROM cells GROUP BY 1, 2, 3
    )
    SELECT t.*, h.bucket_indexes, h.bucket_counts, (SELECT max(series_count) FROM kept)::bigint AS series_count
    FROM totals t LEFT JOIN histograms h USING (bucket, model_id, task_type)
    ORDER BY t.bucket, t.model_id, t.task_type`;
  const seriesCount = Number(rows[0]?.series_count ?? 0);
  return {
    seriesCount,
    rows: rows.map((r) => {
      const calls = Number(r.calls);
      const pct = (q: number) =>
        r.bucket_indexes && r.bucket_counts
          ? percentileFromBuckets(r.bucket_indexes, r.bucket_counts, q, r.latency_min_ms, r.latency_max_ms)
          : null;
      return {
        bucket: r.bucket,
        modelId: r.model_id,
        taskType: r.task_type,
        totalCalls: calls,
        successes: Number(r.successes),
        successRate: calls ? (Number(r.successes) * 100) / calls : 0,
        avgLatencyMs: calls ? r.latency_sum_ms / calls : 0,
        avgCost: calls ? r.cost_sum / calls : 0,
        totalCost: r.cost_sum,
        p50LatencyMs: pct(0.5),
        p95LatencyMs: pct(0.95),
        p99LatencyMs: pct(0.99),
      };
    }),
  };
}

/** Per (model, task type) figures over [from, to), percentiles included, in one query. */
export async function modelCallFigures(
  prisma: PrismaClient,
  range: { from: Date; to: Date; taskType?: string; modelIds?: string[] },
): Promise<ModelRangeFigures[]> {
  const { rows } = await queryRollups(prisma, { ...range, bucket: null });
  return rows.map(({ bucket: _bucket, ...figures }) => figures);
}

export type ModelTrendPoint = Omit<ModelRangeFigures, 'modelId' | 'taskType'> & { t: string };

/**
 * The most (model, task type) series get_model_trends answers: each can hold a point per bucket (up to
 * MAX_BUCKETS of about 280 bytes), so this keeps the answer under about 3 MB. The busiest series are kept.
 */
export const MAX_MODEL_TREND_SERIES = 25;

export interface ModelTrendSeries {
  modelId: string;
  taskType: string;
  /** Only buckets with calls; the axis is `buckets`. */
  points: ModelTrendPoint[];
}

export interface ModelTrends extends RangeEcho {
  series: ModelTrendSeries[];
  /** True when more than MAX_MODEL_TREND_SERIES series had calls: only the busiest are in `series`; filter by modelIds or taskType for others. */
  truncated: boolean;
}

/** Success rate, latency percentiles and cost per bucket for each (model, task type): one query. */
export async function getModelTrends(prisma: PrismaClient, input: z.output<typeof GetModelTrendsInput>): Promise<ModelTrends> {
  const range = resolveTimeRange(input);
  const { rows, seriesCount } = await queryRollups(prisma, {
    ...range,
    taskType: input.taskType,
    modelIds: input.modelIds,
    bucket: range.bucket,
    maxSeries: MAX_MODEL_TREND_SERIES,
  });
  const series = new Map<string, ModelTrendSeries>();
  for (const { bucket, modelId, taskType, ...figures } of rows) {
    const key = `${modelId}\u0000${taskType}`;
    const entry = series.get(key) ?? { modelId, taskType, points: [] };
    entry.points.push({ t: bucket.toISOString(), ...figures });
    series.set(key, entry);
  }
  const ordered = [...series.values()].sort((a, b) => a.taskType.localeCompare(b.taskType) || a.modelId.localeCompare(b.modelId));
  return { ...echoRange(range), series: ordered, truncated: seriesCount > MAX_MODEL_TREND_SERIES };
}
