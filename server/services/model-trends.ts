import type { z } from 'zod';
import type { PrismaClient } from '../db/client';
import { Prisma } from '../db/generated/client';
import type { GetModelTrendsInput } from '../schemas/model-performance';
import { BUCKETS_PER_DOUBLING, LATENCY_BUCKET_COUNT, percentilesFromHistogram } from './latency-histogram';
import type { ModelFigures } from './model-analysis';
import { bucketStart, echoRange, resolveTimeRange, rollupRows, rollupSpans, type BucketSize, type RangeEcho } from './time-buckets';

// A model's figures over a date range and over time, read from the rollups (model_call_daily for whole days,
// model_call_hourly for the hours around them).

/** Figures of one (model, task type) over a stretch of time: the one figures shape plus latency percentiles from the histograms. */
export interface ModelRangeFigures extends ModelFigures {
  p50LatencyMs: number | null;
  p95LatencyMs: number | null;
  p99LatencyMs: number | null;
}

/** A rollup row with the slice of its histogram that holds calls. */
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
  /** The 0-based histogram bucket of `counts[0]`. */
  first_index: number;
  /** The row's histogram counts from the bucket of its min latency to that of its max (give or take one). */
  counts: number[] | null;
  series_count: bigint;
}

/** The rollup rows of one (model, task type) over the whole range, summed, their histogram slices as text. */
interface WholeRangeRow extends Omit<RollupRow, 'first_index' | 'counts'> {
  /** Each row's slice as `first index:count,count,…`, rows joined by `;`. */
  histograms: string | null;
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

/** A group's sums and its histogram, summed over its rollup rows. */
interface Group {
  bucket: Date;
  modelId: string;
  taskType: string;
  calls: number;
  successes: number;
  latencySumMs: number;
  latencyMinMs: number;
  latencyMaxMs: number;
  costSum: number;
  histogram: number[];
}

/** The rollup rows of the busiest series, as `selection` picks from `source` joined with the series `kept`. */
const fromKeptSeries = (q: RollupQuery, selection: Prisma.Sql) => Prisma.sql`
  WITH source AS MATERIALIZED (${modelCallRows(q)}), kept AS (
    -- The window counts every series before LIMIT cuts them, so the caller learns how many there were.
    SELECT model_id, task_type, count(*) OVER () AS series_count
    FROM source GROUP BY model_id, task_type
    ORDER BY sum(calls) DESC, model_id, task_type LIMIT ${q.maxSeries ?? null}::int
  )
  ${selection}
  FROM source JOIN kept USING (model_id, task_type)
  -- PostgreSQL arrays are 1-based; the histogram layout is 0-based.
  CROSS JOIN LATERAL (SELECT greatest(1, ${approximateSlot('latency_min_ms')} - 1) AS lo,
                             least(${LATENCY_BUCKET_COUNT}, ${approximateSlot('latency_max_ms')} + 1) AS hi) AS s`;

const emptyHistogram = () => new Array<number>(LATENCY_BUCKET_COUNT).fill(0);

/** The rollup rows of one (model, task type), each encoded as text (see bucketedGroups). */
interface SeriesRowsRow {
  model_id: string;
  task_type: string;
  /** Rows joined by `;`, each `epoch seconds,calls,successes,latency sum,min,max,cost,first index:count,count,…`, in bucket order. */
  rows: string;
  series_count: bigint;
}

/**
 * Bucketed: a row per (model, task type) carrying its rollup rows as text, each with the slice of its histogram that
 * holds calls, summed here per bucket. A bucket is mostly one rollup row (an hour, or a whole day from the daily
 * rollup), so grouping in SQL would save nothing; and a row per rollup row would cost far more to hand over than to
 * read (over 90 days, ~1,400 rows with an int array each took ten times the query's execution on PGlite), so each
 * series comes as one text value, parsed here. float8 prints its shortest exact form, so the numbers are unchanged.
 * Rows are put in their bucket here (bucketStart, as date_bin would), which spares SQL a numeric per row.
 */
async function bucketedGroups(prisma: PrismaClient, q: RollupQuery, bucket: BucketSize) {
  const series = await prisma.$queryRaw<SeriesRowsRow[]>`${fromKeptSeries(
    q,
    Prisma.sql`SELECT model_id, task_type,
                      string_agg(concat(date_part('epoch', at)::int8, ',', calls, ',', successes, ',',
                                        latency_sum_ms, ',', latency_min_ms, ',', latency_max_ms, ',', cost_sum, ',', s.lo - 1, ':',
                                        array_to_string(latency_buckets[s.lo:s.hi], ',')), ';' ORDER BY at) AS rows,
                      (SELECT max(series_count) FROM kept)::bigint AS series_count`,
  )} GROUP BY model_id, task_type ORDER BY model_id, task_type`;
  const groups: Group[] = [];
  for (const r of series) {
    let group: Group | undefined;
    for (const encoded of r.rows.split(';')) {
      const [figures, counts] = encoded.split(':') as [string, string];
      const [seconds, calls, successes, latencySumMs, latencyMinMs, latencyMaxMs, costSum, firstIndex] = figures.split(',').map(Number) as [
        number,
        number,
        number,
        number,
        number,
        number,
        number,
        number,
      ];
      const start = bucketStart(new Date(seconds * 1000), bucket);
      if (!group || +group.bucket !== +start) {
        group = {
          bucket: start,
          modelId: r.model_id,
          taskType: r.task_type,
          calls: 0,
          successes: 0,
          latencySumMs: 0,
          latencyMinMs: Infinity,
          latencyMaxMs: -Infinity,
          costSum: 0,
          histogram: emptyHistogram(),
        };
        groups.push(group);
      }
      group.calls += calls;
      group.successes += successes;
      group.latencySumMs += latencySumMs;
      group.latencyMinMs = Math.min(group.latencyMinMs, latencyMinMs);
      group.latencyMaxMs = Math.max(group.latencyMaxMs, latencyMaxMs);
      group.costSum += costSum;
      if (counts) counts.split(',').forEach((count, i) => (group!.histogram[firstIndex + i]! += Number(count)));
    }
  }
  return { groups, seriesCount: Number(series[0]?.series_count ?? 0) };
}

/**
 * The whole range: the rows summed per (model, task type) in SQL, so the answer is a row per series however many
 * days the range holds (over 90 days, ~90 int arrays per series cost several times the query to print and parse);
 * the histogram slices travel as text and are summed here.
 */
async function wholeRangeGroups(prisma: PrismaClient, q: RollupQuery) {
  const rows = await prisma.$queryRaw<WholeRangeRow[]>`${fromKeptSeries(
    q,
    Prisma.sql`SELECT ${q.from}::timestamptz AS bucket, model_id, task_type, sum(calls)::bigint AS calls, sum(successes)::bigint AS successes,
                      sum(latency_sum_ms)::float8 AS latency_sum_ms, min(latency_min_ms) AS latency_min_ms,
                      max(latency_max_ms) AS latency_max_ms, sum(cost_sum)::float8 AS cost_sum,
                      string_agg((s.lo - 1) || ':' || array_to_string(latency_buckets[s.lo:s.hi], ','), ';') AS histograms,
                      (SELECT max(series_count) FROM kept)::bigint AS series_count`,
  )} GROUP BY model_id, task_type ORDER BY model_id, task_type`;
  const groups = rows.map((r): Group => {
    const histogram = emptyHistogram();
    for (const slice of r.histograms?.split(';') ?? []) {
      const [first, counts] = slice.split(':');
      if (counts) counts.split(',').forEach((count, i) => (histogram[Number(first) + i]! += Number(count)));
    }
    return {
      bucket: r.bucket,
      modelId: r.model_id,
      taskType: r.task_type,
      calls: Number(r.calls),
      successes: Number(r.successes),
      latencySumMs: r.latency_sum_ms,
      latencyMinMs: r.latency_min_ms,
      latencyMaxMs: r.latency_max_ms,
      costSum: r.cost_sum,
      histogram,
    };
  });
  return { groups, seriesCount: Number(rows[0]?.series_count ?? 0) };
}

const PERCENTILES = [0.5, 0.95, 0.99];

/** ONE query over the rollups of the busiest series; the percentiles are read from the summed histograms. */
async function queryRollups(prisma: PrismaClient, q: RollupQuery): Promise<{ rows: BucketedFigures[]; seriesCount: number }> {
  const { groups, seriesCount } = q.bucket ? await bucketedGroups(prisma, q, q.bucket) : await wholeRangeGroups(prisma, q);
  return {
    seriesCount,
    rows: groups.map((g) => {
      const [p50, p95, p99] = percentilesFromHistogram(g.histogram, PERCENTILES, g.latencyMinMs, g.latencyMaxMs) as [
        number | null,
        number | null,
        number | null,
      ];
      return {
        bucket: g.bucket,
        modelId: g.modelId,
        taskType: g.taskType,
        totalCalls: g.calls,
        successes: g.successes,
        successRate: g.calls ? (g.successes * 100) / g.calls : 0,
        avgLatencyMs: g.calls ? g.latencySumMs / g.calls : 0,
        avgCost: g.calls ? g.costSum / g.calls : 0,
        totalCost: g.costSum,
        p50LatencyMs: p50,
        p95LatencyMs: p95,
        p99LatencyMs: p99,
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
