import type { MetricSeriesResult } from '@/server/services/metrics';
import { rowsFromAligned, seriesKey, type ChartData } from './rows';

/** One line per group value of the metric's averages. */
export function metricLines(result: MetricSeriesResult): ChartData {
  return rowsFromAligned(
    result.buckets,
    result.series.map((s) => ({
      spec: { key: seriesKey(s.key), label: result.groupBy ? `${result.groupBy}=${s.key}` : result.name },
      values: s.averages,
    })),
  );
}
