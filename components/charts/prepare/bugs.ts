import type { BugPatternTrends } from '@/server/services/bug-trends';
import { rowsFromAligned, seriesKey, type ChartData } from './rows';

/** Occurrence counts per bucket, one stacked series per category or severity. */
export function stackedOccurrences(trends: Pick<BugPatternTrends, 'buckets' | 'series'>): ChartData {
  return rowsFromAligned(
    trends.buckets,
    trends.series.map((s) => ({ spec: { key: seriesKey(s.key), label: s.key }, values: s.counts })),
  );
}

/** The series marked rising, most occurrences first: what the page headlines. */
export function risingKeys(trends: Pick<BugPatternTrends, 'series'>): string[] {
  return trends.series
    .filter((s) => s.direction === 'rising')
    .sort((a, b) => b.total - a.total)
    .map((s) => s.key);
}
