/** z for a two-sided 95% interval. */
const Z95 = 1.959963984540054;

/**
 * The Wilson score interval of a success rate, in percent: honest at small n and near 0 or 100, where the normal
 * approximation gives intervals outside [0, 100] or of width zero. Null without observations.
 */
export function wilsonInterval(successes: number, n: number, z: number = Z95): { low: number; high: number } | null {
  if (n <= 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { low: Math.max(0, center - half) * 100, high: Math.min(1, center + half) * 100 };
}
