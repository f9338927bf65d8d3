// Fixed log-spaced latency buckets, stored per (model, task type, hour) as an integer array.
// Eight buckets per doubling: each bucket spans a factor of 2^(1/8) ≈ 1.09, so a percentile read
// from the histogram is within about ±4.5% of the true value. The layout is part of the stored
// data: changing it needs a migration that rewrites model_call_hourly.latency_buckets.
//
//   bucket 0                : latency < 1 ms
//   bucket k (1..LAST - 1)  : 2^((k-1)/8) ms <= latency < 2^(k/8) ms
//   bucket LAST             : latency >= 2^21 ms (about 35 minutes)

export const BUCKETS_PER_DOUBLING = 8;
export const MAX_EXPONENT = 21;
export const LATENCY_BUCKET_COUNT = MAX_EXPONENT * BUCKETS_PER_DOUBLING + 2;
const LAST = LATENCY_BUCKET_COUNT - 1;

export function latencyBucketIndex(latencyMs: number): number {
  if (latencyMs < 1) return 0;
  const k = Math.floor(Math.log2(latencyMs) * BUCKETS_PER_DOUBLING) + 1;
  return Math.min(k, LAST);
}

/** [lower, upper) bounds of a bucket in ms; the open-ended last bucket reports its lower bound twice. */
export function latencyBucketBounds(index: number): [number, number] {
  if (index <= 0) return [0, 1];
  const lower = 2 ** ((index - 1) / BUCKETS_PER_DOUBLING);
  return index >= LAST ? [lower, lower] : [lower, 2 ** (index / BUCKETS_PER_DOUBLING)];
}

/** The nearest rank of quantile q (0..1) among `total` values, 1-based. */
export const nearestRank = (q: number, total: number) => Math.max(1, Math.ceil(q * total));

/**
 * The estimate for the value at `rank` of `total`, given the bucket holding that rank: the geometric
 * middle of the bucket, clamped to the exact min and max seen (and equal to them at the first and last rank).
 */
export function estimateInBucket(index: number, rank: number, total: number, minMs: number, maxMs: number): number {
  // The extremes are stored exactly: no need to estimate them from a bucket.
  if (rank === total) return maxMs;
  if (rank === 1) return minMs;
  const [lower, upper] = latencyBucketBounds(index);
  const estimate = index === 0 ? upper / 2 : Math.sqrt(lower * upper);
  return Math.min(maxMs, Math.max(minMs, estimate));
}

/** Nearest-rank percentile (q in 0..1) from bucket counts (see estimateInBucket). Null when there is no call. */
export function percentileFromHistogram(counts: readonly number[], q: number, minMs: number, maxMs: number): number | null {
  const total = counts.reduce((sum, c) => sum + c, 0);
  if (total === 0) return null;
  const rank = nearestRank(q, total);
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    seen += counts[i]!;
    if (seen >= rank) return estimateInBucket(i, rank, total, minMs, maxMs);
  }
  return maxMs;
}

/**
 * percentileFromHistogram for several quantiles at once, in one pass over the counts (a trend reads three per point,
 * for every point of every series). `qs` ascending.
 */
export function percentilesFromHistogram(
  counts: readonly number[],
  qs: readonly number[],
  minMs: number,
  maxMs: number,
): (number | null)[] {
  let total = 0;
  for (const count of counts) total += count;
  if (total === 0) return qs.map(() => null);
  const ranks = qs.map((q) => nearestRank(q, total));
  const found: number[] = [];
  let seen = 0;
  for (let i = 0; i < counts.length && found.length < ranks.length; i++) {
    seen += counts[i]!;
    while (found.length < ranks.length && seen >= ranks[found.length]!)
      found.push(estimateInBucket(i, ranks[found.length]!, total, minMs, maxMs));
  }
  while (found.length < ranks.length) found.push(maxMs);
  return found;
}
