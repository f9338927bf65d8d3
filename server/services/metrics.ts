import type { z } from 'zod';
import type { PrismaClient } from '../db/client';
import type { GetMetricSeriesInput, RecordMetricInput } from '../schemas/metrics';
import { MAX_LISTED } from './pagination';
import { alignToBuckets, binned, echoRange, MAX_SERIES, resolveTimeRange, type RangeEcho } from './time-buckets';

export interface MetricDto {
  id: number;
  name: string;
  value: number;
  unit: string;
  context: Record<string, unknown>;
  recordedAt: string;
}

export async function recordMetric(prisma: PrismaClient, input: z.output<typeof RecordMetricInput>): Promise<MetricDto> {
  const row = await prisma.performanceMetric.create({
    data: {
      metricName: input.name,
      metricValue: input.value,
      metricUnit: input.unit,
      context: input.context,
      ...(input.recordedAt && { recordedAt: new Date(input.recordedAt) }),
    },
  });
  return {
    id: Number(row.id),
    name: row.metricName,
    value: row.metricValue,
    unit: row.metricUnit,
    context: row.context as Record<string, unknown>,
    recordedAt: row.recordedAt.toISOString(),
  };
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

/** Context keys are read from this many newest values per metric (an index scan), not from its whole history. */
const CONTEXT_KEYS_FROM_NEWEST = 1000;

/** The metrics recorded, alphabetically: the first MAX_LISTED. */
export async function listMetricNames(prisma: PrismaClient): Promise<MetricName[]> {
  const rows = await prisma.$queryRaw<{ name: string; values: number; unit: string; last_recorded_at: Date; context_keys: string[] }[]>`
    SELECT p.metric_name AS name, count(*)::int AS values,
           (array_agg(p.metric_unit ORDER BY p.recorded_at DESC))[1] AS unit, max(p.recorded_at) AS last_recorded_at,
           ARRAY(SELECT DISTINCT k FROM (SELECT context FROM performance_metrics c WHERE c.metric_name = p.metric_name
                                          ORDER BY c.recorded_at DESC LIMIT ${CONTEXT_KEYS_FROM_NEWEST}) AS newest,
                                         jsonb_object_keys(newest.context) AS k
                 WHERE jsonb_typeof(newest.context) = 'object' ORDER BY k) AS context_keys
    FROM performance_metrics p GROUP BY p.metric_name ORDER BY p.metric_name LIMIT ${MAX_LISTED}`;
  return rows.map((r) => ({
    name: r.name,
    values: r.values,
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

/**
 * A metric's average per bucket, split by a context key: one query. A key such as a request id can have a
 * value per row, so only the MAX_SERIES most recorded values are bucketed (chosen in SQL, before any bucketing).
 */
export async function getMetricSeries(prisma: PrismaClient, input: z.output<typeof GetMetricSeriesInput>): Promise<MetricSeriesResult> {
  const range = resolveTimeRange(input);
  const echo = echoRange(range);
  const groupKey = input.groupBy ?? null;
  const rows = await prisma.$queryRaw<{ bucket: Date; key: string; unit: string; average: number; count: number; key_count: number }[]>`
    WITH keyed AS (
      SELECT recorded_at, metric_unit, metric_value,
             CASE WHEN ${groupKey}::text IS NULL THEN 'all' ELSE COALESCE(context ->> ${groupKey}::text, '(none)') END AS key
      FROM performance_metrics
      WHERE metric_name = ${input.name} AND recorded_at >= ${range.from} AND recorded_at < ${range.to}
    ), kept AS (
      -- The window counts every key before LIMIT cuts them, so the answer can say it was cut.
      SELECT key, count(*) OVER ()::int AS key_count FROM keyed GROUP BY key ORDER BY count(*) DESC, key LIMIT ${MAX_SERIES}
    )
    SELECT ${binned('recorded_at', range.bucket)} AS bucket, key, metric_unit AS unit, avg(metric_value) AS average,
           count(*)::int AS count, max(kept.key_count) AS key_count
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
