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
