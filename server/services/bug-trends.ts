import type { z } from 'zod';
import type { PrismaClient } from '../db/client';
import { Prisma } from '../db/generated/client';
import { HoneError } from '../errors';
import { SEVERITIES, type GetBugPatternInput, type GetBugPatternTrendsInput } from '../schemas/bug-patterns';
import { toBugPatternDto, type BugPatternDto } from './bug-patterns';
import { toRegressionTestDto, type RegressionTestDto } from './regression-tests';
import {
  alignToBuckets,
  binned,
  echoRange,
  MAX_SERIES,
  resolveTimeRange,
  rollupRows,
  rollupSpans,
  type RangeEcho,
  type TimeRange,
} from './time-buckets';

export type TrendDirection = 'rising' | 'falling' | 'steady';

export interface BugTrendSeries {
  /** A category or a severity. */
  key: string;
  total: number;
  /** Occurrences in the second half of the range against the first half. */
  direction: TrendDirection;
  /** Occurrences per bucket, aligned with `buckets`. */
  counts: number[];
}

export interface BugPatternTrends extends RangeEcho {
  groupBy: 'category' | 'severity';
  /** At most MAX_SERIES, the categories with the most occurrences in the range. */
  series: BugTrendSeries[];
  /** True when more than MAX_SERIES categories had occurrences: the rarer ones are left out. */
  truncated: boolean;
}

/** Rising or falling when the second half of the range differs from the first by over a quarter (and by at least 2). */
export function trendDirection(counts: readonly number[]): TrendDirection {
  const half = Math.floor(counts.length / 2);
  const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
  const first = sum(counts.slice(0, half));
  const second = sum(counts.slice(counts.length - half));
  if (Math.abs(second - first) < 2) return 'steady';
  if (second > first * 1.25) return 'rising';
  if (second < first * 0.75) return 'falling';
  return 'steady';
}

function toSeries(key: string, buckets: string[], byBucket: Map<string, number>): BugTrendSeries {
  const counts = alignToBuckets(buckets, byBucket, 0);
  return { key, total: counts.reduce((a, b) => a + b, 0), direction: trendDirection(counts), counts };
}

const OCCURRENCE_ROLLUPS = {
  raw: { table: 'bug_pattern_occurrences', time: 'occurred_at', columns: 'bug_pattern_id, severity, 1::bigint AS occurrences' },
  hourly: { table: 'bug_occurrence_hourly', time: 'hour', columns: 'bug_pattern_id, severity, occurrences' },
  daily: { table: 'bug_occurrence_daily', time: 'day', columns: 'bug_pattern_id, severity, occurrences' },
};

/**
 * The occurrences in a range as (at, bug_pattern_id, severity, occurrences): whole days from bug_occurrence_daily
 * (unless bucketed by hour), whole hours from bug_occurrence_hourly, the partial hours at either end from the dated
 * occurrences. The rollups outlive the occurrences retention deletes.
 */
function occurrenceRows(range: TimeRange, where: Prisma.Sql): Prisma.Sql {
  return rollupRows(OCCURRENCE_ROLLUPS, rollupSpans(range.from, range.to, { daily: range.bucket === 'day', raw: true }), where);
}

/** The same by category: the per-category rollups, the raw occurrences of the partial hours joined to their pattern's category. */
const CATEGORY_ROLLUPS = {
  raw: {
    table: `(SELECT o.occurred_at, b.category, o.severity FROM bug_pattern_occurrences AS o JOIN bug_patterns AS b ON b.id = o.bug_pattern_id) AS raw`,
    time: 'occurred_at',
    columns: 'category, severity, 1::bigint AS occurrences',
  },
  hourly: { table: 'bug_category_hourly', time: 'hour', columns: 'category, severity, occurrences' },
  daily: { table: 'bug_category_daily', time: 'day', columns: 'category, severity, occurrences' },
};

/**
 * Occurrences per bucket stacked by category or severity: one query over the per-category rollups (a row per category,
 * severity and day or hour, whatever the number of patterns).
 */
export async function getBugPatternTrends(
  prisma: PrismaClient,
  input: z.output<typeof GetBugPatternTrendsInput>,
): Promise<BugPatternTrends> {
  const range = resolveTimeRange(input);
  const echo = echoRange(range);
  const key = input.groupBy === 'category' ? Prisma.sql`category` : Prisma.sql`severity::text`;
  const severity = input.severity ?? null;
  const category = input.category ?? null;
  const where = Prisma.sql`(${severity}::text IS NULL OR severity::text = ${severity}::text) AND (${category}::text IS NULL OR category = ${category}::text)`;
  const spans = rollupSpans(range.from, range.to, { daily: range.bucket === 'day', raw: true });
  const rows = await prisma.$queryRaw<{ key: string; buckets: number[]; counts: number[]; key_count: number }[]>`
    WITH keyed AS (
      SELECT o.at, o.occurrences, ${key} AS key FROM (${rollupRows(CATEGORY_ROLLUPS, spans, where)}) AS o
    ), kept AS (
      -- The window counts every key before LIMIT cuts them, so the answer can say it was cut.
      SELECT key, count(*) OVER ()::int AS key_count FROM keyed GROUP BY key ORDER BY sum(occurrences) DESC, key LIMIT ${MAX_SERIES}
    )
    , bucketed AS (
      SELECT key, ${binned('at', range.bucket)} AS bucket, sum(occurrences)::int AS occurrences
      FROM keyed JOIN kept USING (key) GROUP BY 1, 2
    )
    -- A row per series, its buckets (epoch ms) and counts as arrays: at most MAX_SERIES rows for any range.
    SELECT key, array_agg(extract(epoch FROM bucket)::float8 * 1000) AS buckets, array_agg(occurrences) AS counts,
           (SELECT max(key_count) FROM kept) AS key_count
    FROM bucketed GROUP BY key`;
  const series = rows.map((r) =>
    toSeries(r.key, echo.buckets, new Map(r.buckets.map((ms, i) => [new Date(ms).toISOString(), r.counts[i]!]))),
  );
  // Severities in rank order (critical on top of the stack); categories biggest first.
  if (input.groupBy === 'severity') series.sort((a, b) => SEVERITIES.indexOf(a.key as never) - SEVERITIES.indexOf(b.key as never));
  else series.sort((a, b) => b.total - a.total || a.key.localeCompare(b.key));
  return { ...echo, groupBy: input.groupBy, series, truncated: (rows[0]?.key_count ?? 0) > MAX_SERIES };
}

export interface BugPatternDetail {
  pattern: BugPatternDto;
  trend: RangeEcho & BugTrendSeries;
  /** Regression tests of the pattern's category, newest first, at most CATEGORY_TESTS_SHOWN. */
  regressionTests: RegressionTestDto[];
  /** True when the category has more tests than CATEGORY_TESTS_SHOWN (get_regression_tests pages through them all). */
  regressionTestsTruncated: boolean;
}

export const CATEGORY_TESTS_SHOWN = 100;

export async function getBugPattern(prisma: PrismaClient, input: z.output<typeof GetBugPatternInput>): Promise<BugPatternDetail> {
  const row = await prisma.bugPattern.findUnique({ where: { id: input.id } });
  if (!row)
    throw new HoneError('NOT_FOUND', `No bug pattern with id ${input.id}`, [
      { path: ['id'], message: `no bug pattern with id ${input.id}` },
    ]);
  const range = resolveTimeRange(input);
  const echo = echoRange(range);
  const [counts, tests] = await Promise.all([
    prisma.$queryRaw<{ bucket: Date; occurrences: number }[]>`
      SELECT ${binned('at', range.bucket)} AS bucket, sum(occurrences)::int AS occurrences
      FROM (${occurrenceRows(range, Prisma.sql`bug_pattern_id = ${row.id}`)}) AS o
      GROUP BY 1`,
    prisma.regressionTest.findMany({
      where: { category: row.category },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: CATEGORY_TESTS_SHOWN + 1,
    }),
  ]);
  const byBucket = new Map(counts.map((c) => [c.bucket.toISOString(), c.occurrences]));
  return {
    pattern: toBugPatternDto(row),
    trend: { ...echo, ...toSeries(row.category, echo.buckets, byBucket) },
    regressionTests: tests.slice(0, CATEGORY_TESTS_SHOWN).map(toRegressionTestDto),
    regressionTestsTruncated: tests.length > CATEGORY_TESTS_SHOWN,
  };
}
