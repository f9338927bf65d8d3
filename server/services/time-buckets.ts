import { addDays, addHours, differenceInHours } from 'date-fns';
import { Prisma } from '../db/generated/client';
import { HoneError } from '../errors';
import { MAX_RANGE_DAYS, resolveRange } from '../schemas/time-range';

// Dashboard reads bucket their rollups by hour for short ranges and by day otherwise, in SQL
// (date_bin + GROUP BY): one query per chart whatever the number of buckets.

export type BucketSize = 'hour' | 'day';

export interface TimeRange {
  from: Date;
  to: Date;
  bucket: BucketSize;
}

/** Ranges up to this many hours are bucketed by hour. */
export const HOURLY_UP_TO_HOURS = 48;

/** The most buckets any range can have: MAX_RANGE_DAYS days, plus one for a start that is not on a whole day. */
export const MAX_BUCKETS = MAX_RANGE_DAYS + 1;

/** The most series a read answers (one per model, category, context value…); the rest are cut and `truncated` says so. */
export const MAX_SERIES = 50;

/** Buckets start on whole UTC hours and days. */
const BUCKET_ORIGIN = new Date('2000-01-01T00:00:00Z');

export function bucketSizeFor(from: Date, to: Date): BucketSize {
  return differenceInHours(to, from) <= HOURLY_UP_TO_HOURS ? 'hour' : 'day';
}

/**
 * The input's range with its defaults filled in (to = now, from = 7 days before to), refused when the resolved
 * range is empty or longer than MAX_RANGE_DAYS. The schemas check the same rule at parse time; checking here
 * too keeps every read bounded even when a service is called with an input no schema parsed.
 */
export function resolveTimeRange(input: { from?: string; to?: string }, now: Date = new Date()): TimeRange {
  const { range, issue } = resolveRange(input, now);
  if (issue) throw HoneError.invalidField('from', issue.message);
  return { ...range, bucket: bucketSizeFor(range.from, range.to) };
}

const step = (bucket: BucketSize) => (bucket === 'hour' ? addHours : addDays);

/** Start of the bucket holding `instant` (UTC-aligned). */
export function bucketStart(instant: Date, bucket: BucketSize): Date {
  const size = bucket === 'hour' ? 3_600_000 : 86_400_000;
  return new Date(Math.floor(instant.getTime() / size) * size);
}

/** Every bucket start overlapping [from, to), as ISO strings: the x axis of a chart, empty buckets included. */
export function bucketStarts({ from, to, bucket }: TimeRange): string[] {
  const starts: string[] = [];
  for (let t = bucketStart(from, bucket); t < to; t = step(bucket)(t, 1)) {
    // resolveTimeRange makes this unreachable; the guard keeps a future caller from building an unbounded axis.
    if (starts.length === MAX_BUCKETS)
      throw new HoneError('BAD_REQUEST', `a range may have at most ${MAX_BUCKETS} buckets`, [
        { path: ['from'], message: 'range too long' },
      ]);
    starts.push(t.toISOString());
  }
  return starts;
}

/** SQL: the start of the bucket holding `column`, matching bucketStart. */
export function binned(column: string, bucket: BucketSize): Prisma.Sql {
  return Prisma.sql`date_bin(${bucket === 'hour' ? '1 hour' : '1 day'}::interval, ${Prisma.raw(column)}, ${BUCKET_ORIGIN}::timestamptz)`;
}

/** Maps rows keyed by bucket start onto the full axis, filling gaps with `empty`. */
export function alignToBuckets<T>(buckets: string[], values: Map<string, T>, empty: T): T[] {
  return buckets.map((t) => values.get(t) ?? empty);
}

/** A range echoed back to callers (ISO strings), with its bucket axis. */
export interface RangeEcho {
  from: string;
  to: string;
  bucket: BucketSize;
  buckets: string[];
}

export function echoRange(range: TimeRange): RangeEcho {
  return { from: range.from.toISOString(), to: range.to.toISOString(), bucket: range.bucket, buckets: bucketStarts(range) };
}

// Long ranges are read from rollups: whole UTC days from a daily table, the hours around them from an hourly one,
// and, for tables of timestamped raw rows (metric values, bug occurrences), the partial hours at either end from the
// raw rows. So a read touches about one row per day and series however long the range, and still covers a range
// that does not start or end on a whole hour exactly.

export interface Span {
  from: Date;
  to: Date;
}

export interface RollupSpans {
  /** Parts of the range to read from raw rows: the partial hours at either end (only for sources with raw rows). */
  raw: Span[];
  /** Parts to read from the hourly rollup: rows whose hour starts in one of them. */
  hourly: Span[];
  /** Whole UTC days to read from the daily rollup: rows whose day starts in it. */
  daily: Span | null;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const floorTo = (t: Date, size: number) => new Date(Math.floor(t.getTime() / size) * size);
const ceilTo = (t: Date, size: number) => new Date(Math.ceil(t.getTime() / size) * size);

/**
 * Splits [from, to) between the tables that answer it. `daily: false` when the answer is bucketed by hour (a day row
 * would land in its first hour). Without raw rows (`raw: false`), an hourly row counts when its hour starts in the
 * range, as the hourly rollups always have; with them, values count when they were recorded in the range, exactly.
 */
export function rollupSpans(from: Date, to: Date, { daily, raw }: { daily: boolean; raw: boolean }): RollupSpans {
  const spans: RollupSpans = { raw: [], hourly: [], daily: null };
  const add = (list: Span[], a: Date, b: Date) => {
    if (a < b) list.push({ from: a, to: b });
  };
  let [start, end] = [from, to];
  if (raw) {
    [start, end] = [ceilTo(from, HOUR_MS), floorTo(to, HOUR_MS)];
    if (start >= end) {
      add(spans.raw, from, to);
      return spans;
    }
    add(spans.raw, from, start);
    add(spans.raw, end, to);
  }
  const [firstDay, endDay] = [ceilTo(start, DAY_MS), floorTo(end, DAY_MS)];
  if (daily && firstDay < endDay) {
    add(spans.hourly, start, firstDay);
    spans.daily = { from: firstDay, to: endDay };
    add(spans.hourly, endDay, end);
  } else {
    add(spans.hourly, start, end);
  }
  return spans;
}

/** SQL: `column` falls in one of the spans (false when there is none). */
export function inSpans(column: string, spans: readonly Span[]): Prisma.Sql {
  if (!spans.length) return Prisma.sql`false`;
  const col = Prisma.raw(column);
  return Prisma.join(
    spans.map((s) => Prisma.sql`(${col} >= ${s.from} AND ${col} < ${s.to})`),
    ' OR ',
    '(',
    ')',
  );
}

/** One table of a rollup: its name, time column, and the columns it answers, lining up with the other tables'. */
export interface RollupLevel {
  table: string;
  time: string;
  columns: string;
}

/**
 * SQL: the rows covering the spans as (at, ...columns), each part from its table (raw rows for the partial hours at
 * the ends, hourly rows, daily rows for whole days) in one UNION ALL. `where` filters every part.
 */
export function rollupRows(
  levels: { raw?: RollupLevel; hourly: RollupLevel; daily: RollupLevel },
  spans: RollupSpans,
  where: Prisma.Sql,
): Prisma.Sql {
  const part = (level: RollupLevel, within: Span[]) =>
    Prisma.sql`SELECT ${Prisma.raw(level.time)} AS at, ${Prisma.raw(level.columns)} FROM ${Prisma.raw(level.table)}
      WHERE ${inSpans(level.time, within)} AND ${where}`;
  const parts = [part(levels.hourly, spans.hourly)];
  if (levels.raw && spans.raw.length) parts.push(part(levels.raw, spans.raw));
  if (spans.daily) parts.push(part(levels.daily, [spans.daily]));
  return Prisma.join(parts, ' UNION ALL ');
}
