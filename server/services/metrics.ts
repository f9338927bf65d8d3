import type { z } from 'zod';
import type { PrismaClient, SqlClient } from '../db/client';
import type { GetMetricSeriesInput, RecordMetricInput } from '../schemas/metrics';
import { Prisma } from '../db/generated/client';
import { MAX_LISTED } from './pagination';
import { alignToBuckets, binned, echoRange, MAX_SERIES, resolveTimeRange, rollupRows, rollupSpans, type RangeEcho } from './time-buckets';

export interface MetricDto {
  id: number;
  name: string;
  value: number;
  unit: string;
  context: Record<string, unknown>;
  recordedAt: string;
}

/** One metric value to store: what record_metric and ingest take, with the instant it was recorded. */
export interface MetricValue {
  name: string;
  value: number;
  unit: string;
  context: Record<string, unknown>;
  recordedAt: Date;
}

/**
 * Stores metric values, any number, in ONE set-wise insert (unnest), returning them in the order given. The one
 * write path of metric values: record_metric is a batch of one, ingest a batch of many.
 */
export async function insertMetrics(db: SqlClient, values: readonly MetricValue[]): Promise<MetricDto[]> {
  if (values.length === 0) return [];
  const rows = await db.$queryRaw<{ id: bigint; name: string; value: number; unit: string; context: unknown; recorded_at: Date }[]>`
    INSERT INTO performance_metrics (metric_name, metric_value, metric_unit, context, recorded_at)
    SELECT name, value, unit, context, recorded_at
    FROM unnest(${values.map((v) => v.name)}::text[], ${values.map((v) => v.value)}::float8[], ${values.map((v) => v.unit)}::text[],
                ${values.map((v) => JSON.stringify(v.context))}::jsonb[], ${values.map((v) => v.recordedAt.toISOString())}::timestamptz[])
         WITH ORDINALITY AS u(name, value, unit, context, recorded_at, n)
    ORDER BY n
    RETURNING id, metric_name AS name, metric_value AS value, metric_unit AS unit, context, recorded_at`;
  return rows.map((row) => ({
    id: Number(row.id),
    name: row.name,
    value: row.value,
    unit: row.unit,
    context: row.context as Record<string, unknown>,
    recordedAt: row.recorded_at.toISOString(),
  }));
}

/** Records one value (record_metric): a batch of one through insertMetrics. */
export async function recordMetric(prisma: PrismaClient, input: z.output<typeof RecordMetricInput>): Promise<MetricDto> {
  const [metric] = await insertMetrics(prisma, [{ ...input, recordedAt: input.recordedAt ? new Date(input.recordedAt) : new Date() }]);
  return metric!;
}

export interface MetricName {
  name: string;
  values: number;
  /** Unit of the newest value. */
  unit: string;
  lastRecordedAt: string;
  /** Context keys seen on this metric, to group its chart by. */
  contextKeys: string[];
}

/** Context keys are read from this many newest daily rollup rows per metric (one per day and context), not from its whole history. */
const CONTEXT_KEYS_FROM_NEWEST = 1000;

/** The metrics recorded, alphabetically: the first MAX_LISTED. From the rollups, so a metric's count and its keys outlive the raw values retention deletes. */
export async function listMetricNames(prisma: PrismaClient): Promise<MetricName[]> {
  const rows = await prisma.$queryRaw<{ name: string; values: bigint; unit: string; last_recorded_at: Date; context_keys: string[] }[]>`
    SELECT d.metric_name AS name, sum(d.value_count)::bigint AS values,
           (array_agg(d.metric_unit ORDER BY d.last_recorded_at DESC))[1] AS unit, max(d.last_recorded_at) AS last_recorded_at,
           ARRAY(SELECT DISTINCT k FROM (SELECT context FROM metric_daily n WHERE n.metric_name = d.metric_name
                                          ORDER BY n.day DESC LIMIT ${CONTEXT_KEYS_FROM_NEWEST}) AS newest,
                                         jsonb_object_keys(newest.context) AS k
                 WHERE jsonb_typeof(newest.context) = 'object' ORDER BY k) AS context_keys
    FROM metric_daily d GROUP BY d.metric_name ORDER BY d.metric_name LIMIT ${MAX_LISTED}`;
  return rows.map((r) => ({
    name: r.name,
    values: Number(r.values),
    unit: r.unit,
    lastRecordedAt: r.last_recorded_at.toISOString(),
    contextKeys: r.context_keys,
  }));
}

export interface MetricSeries {
  /** The context value (or "all" when not grouped, "(none)" for values without the key). */
  key: string;
  count: number;
  /** Average per bucket, aligned with `buckets`; null where nothing was recorded. */
  averages: (number | null)[];
}

export interface MetricSeriesResult extends RangeEcho {
  name: string;
  groupBy: string | null;
  /** Units recorded for this metric in the range (of the series answered), most used first. */
  units: string[];
  /** At most MAX_SERIES, the group values with the most values recorded first. */
  series: MetricSeries[];
  /** True when the context key had more than MAX_SERIES values in the range: the rarer ones are left out. */
  truncated: boolean;
}

const METRIC_ROLLUPS = {
  raw: {
    table: 'performance_metrics',
    time: 'recorded_at',
    columns: 'metric_unit, context, 1::bigint AS value_count, metric_value AS value_sum',
  },
  hourly: { table: 'metric_hourly', time: 'hour', columns: 'metric_unit, context, value_count, value_sum' },
  daily: { table: 'metric_daily', time: 'day', columns: 'metric_unit, context, value_count, value_sum' },
};

/**
 * A metric's average per bucket, split by a context key: one query over the rollups (whole days from metric_daily
 * unless bucketed by hour, whole hours from metric_hourly, the partial hours at either end from the raw values). A
 * key such as a request id can have a value per row, so only the MAX_SERIES most recorded values are bucketed
 * (chosen in SQL, before any bucketing).
 */
export async function getMetricSeries(prisma: PrismaClient, input: z.output<typeof GetMetricSeriesInput>): Promise<MetricSeriesResult> {
  const range = resolveTimeRange(input);
  const echo = echoRange(range);
  const groupKey = input.groupBy ?? null;
  const spans = rollupSpans(range.from, range.to, { daily: range.bucket === 'day', raw: true });
  const rows = await prisma.$queryRaw<{ bucket: Date; key: string; unit: string; average: number; count: number; key_count: number }[]>`
    WITH keyed AS (
      SELECT at, metric_unit, value_count, value_sum,
             CASE WHEN ${groupKey}::text IS NULL THEN 'all' ELSE COALESCE(context ->> ${groupKey}::text, '(none)') END AS key
      FROM (${rollupRows(METRIC_ROLLUPS, spans, Prisma.sql`metric_name = ${input.name}`)}) AS r
    ), kept AS (
      -- The window counts every key before LIMIT cuts them, so the answer can say it was cut.
      SELECT key, count(*) OVER ()::int AS key_count FROM keyed GROUP BY key ORDER BY sum(value_count) DESC, key LIMIT ${MAX_SERIES}
    )
    SELECT ${binned('at', range.bucket)} AS bucket, key, metric_unit AS unit, sum(value_sum) / sum(value_count) AS average,
           sum(value_count)::int AS count, max(kept.key_count) AS key_count
    FROM keyed JOIN kept USING (key)
    GROUP BY 1, 2, 3 ORDER BY 2, 1`;
  const unitCounts = new Map<string, number>();
  const byKey = new Map<string, { count: number; averages: Map<string, number> }>();
  for (const r of rows) {
    unitCounts.set(r.unit, (unitCounts.get(r.unit) ?? 0) + r.count);
    const entry = byKey.get(r.key) ?? { count: 0, averages: new Map<string, number>() };
    entry.count += r.count;
    entry.averages.set(r.bucket.toISOString(), r.average);
    byKey.set(r.key, entry);
  }
  return {
    ...echo,
    name: input.name,
    groupBy: groupKey,
    units: [...unitCounts].sort((a, b) => b[1] - a[1]).map(([unit]) => unit),
    series: [...byKey].map(([key, e]) => ({
      key,
      count: e.count,
      averages: alignToBuckets<number | null>(echo.buckets, e.averages, null),
    })),
    truncated: (rows[0]?.key_count ?? 0) > MAX_SERIES,
  };
}
