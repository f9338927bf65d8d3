import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKET_COUNT, percentileFromHistogram, percentilesFromHistogram } from './latency-histogram';

describe('percentilesFromHistogram', () => {
  it('gives what percentileFromHistogram gives for each quantile', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const qs = [0, 0.01, 0.5, 0.95, 0.99, 1];
    for (let n = 0; n < 300; n++) {
      const counts = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
      const used = Math.floor(random() * 6);
      for (let k = 0; k < used; k++) counts[Math.floor(random() * LATENCY_BUCKET_COUNT)]! += 1 + Math.floor(random() * (k % 2 ? 3 : 500));
      const [min, max] = [1 + random() * 10, 100 + random() * 5000];
      expect(percentilesFromHistogram(counts, qs, min, max)).toEqual(qs.map((q) => percentileFromHistogram(counts, q, min, max)));
    }
  });

  it('answers null for every quantile of an empty histogram', () => {
    expect(percentilesFromHistogram(new Array<number>(LATENCY_BUCKET_COUNT).fill(0), [0.5, 0.95], 1, 2)).toEqual([null, null]);
  });
});
