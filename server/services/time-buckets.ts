import { addDays, addHours, differenceInHours, subDays } from 'date-fns';
import { Prisma } from '../db/generated/client';

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
const DEFAULT_RANGE_DAYS = 7;

/** Buckets start on whole UTC hours and days. */
const BUCKET_ORIGIN = new Date('2000-01-01T00:00:00Z');

export function bucketSizeFor(from: Date, to: Date): BucketSize {
  return differenceInHours(to, from) <= HOURLY_UP_TO_HOURS ? 'hour' : 'day';
}

/** The validated input's range with its defaults filled in: to = now, from = 7 days before to. */
export function resolveTimeRange(input: { from?: string; to?: string }, now: Date = new Date()): TimeRange {
  const to = input.to ? new Date(input.to) : now;
  const from = input.from ? new Date(input.from) : subDays(to, DEFAULT_RANGE_DAYS);
  return { from, to, bucket: bucketSizeFor(from, to) };
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
  for (let t = bucketStart(from, bucket); t < to; t = step(bucket)(t, 1)) starts.push(t.toISOString());
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
