import { describe, expect, it } from 'vitest';
import { wilsonInterval } from './wilson';

describe('wilsonInterval', () => {
  it('matches published values', () => {
    // 8 of 10: Wilson 95% interval [49.0%, 94.3%] (Newcombe 1998, Table I's method 3 gives 0.4902–0.9433).
    const interval = wilsonInterval(8, 10)!;
    expect(interval.low).toBeCloseTo(49.02, 1);
    expect(interval.high).toBeCloseTo(94.33, 1);
    // 0 of 10: [0, 27.8%].
    expect(wilsonInterval(0, 10)!.low).toBe(0);
    expect(wilsonInterval(0, 10)!.high).toBeCloseTo(27.75, 1);
  });

  it('stays inside [0, 100], narrows as n grows, and is null without observations', () => {
    const all = wilsonInterval(5, 5)!;
    expect(all.high).toBeCloseTo(100, 10);
    expect(all.low).toBeGreaterThan(0);
    const small = wilsonInterval(50, 100)!;
    const large = wilsonInterval(5000, 10000)!;
    expect(large.high - large.low).toBeLessThan(small.high - small.low);
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});
