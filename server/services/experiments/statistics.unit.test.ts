import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../seeded-random';
import {
  confidenceSequence,
  differenceVariance,
  emptyArm,
  evaluateExperiment,
  meanInterval,
  mixtureLikelihoodRatio,
  wilson,
  type ArmCounters,
  type EvaluateOptions,
} from './statistics';

const options: EvaluateOptions = { alpha: 0.05, mixtureVariance: 0.0025, minOutcomes: 100, guard: true };

const arm = (outcomes: number, successes: number, more: Partial<ArmCounters> = {}): ArmCounters => ({
  ...emptyArm(),
  outcomes,
  successes,
  ...more,
});

/** A small seeded generator, so the simulations are the same on every run. */
const seeded = mulberry32;

describe('Wilson 95% interval (Newcombe 1998, Statistics in Medicine 17:857, table I, method 3)', () => {
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0.0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i of %i: %f to %f', (successes, n, low, high) => {
    const ci = wilson(successes, n);
    expect(ci?.low).toBeCloseTo(low, 4);
    expect(ci?.high).toBeCloseTo(high, 4);
  });

  it('has no interval without observations', () => {
    expect(wilson(0, 0)).toBeNull();
  });
});

describe('mean with a 95% interval from count, sum and sum of squares', () => {
  it('values 1..5: mean 3, sample sd sqrt(2.5), half-width 1.96 * sqrt(2.5 / 5)', () => {
    const values = [1, 2, 3, 4, 5];
    const result = meanInterval(
      5,
      15,
      values.reduce((s, v) => s + v * v, 0),
    );
    expect(result?.mean).toBe(3);
    expect(result?.ci?.low).toBeCloseTo(3 - 1.959964 * Math.sqrt(0.5), 5);
    expect(result?.ci?.high).toBeCloseTo(3 + 1.959964 * Math.sqrt(0.5), 5);
    expect(meanInterval(1, 7, 49)?.ci).toBeNull();
  });
});

describe('mSPRT normal-mixture likelihood ratio, computed by hand', () => {
  // Λ = sqrt(V / (V + τ²)) · exp(τ² θ² / (2 V (V + τ²))), V = pA(1 − pA)/nA + pB(1 − pB)/nB.
  it.each([
    // 500/1000 vs 550/1000, τ² = 0.0025: V = 0.25/1000 + 0.2475/1000 = 0.0004975; sqrt(0.0004975/0.0029975) = 0.407397;
    // exponent = 0.0025 · 0.05² / (2 · 0.0004975 · 0.0029975) = 2.095550; Λ = 0.407397 · 8.13003 = 3.31209.
    [500, 1000, 550, 1000, 0.0025, 0.0004975, 3.31209],
    // 70/100 vs 80/100: V = 0.0021 + 0.0016 = 0.0037; sqrt(0.0037/0.0062) = 0.772505; exponent = 0.0025 · 0.01 / (2 · 0.0037 · 0.0062) = 0.544900.
    [70, 100, 80, 100, 0.0025, 0.0037, 1.33215],
    // 200/400 vs 180/400, τ² = 0.01: V = 0.000625 + 0.00061875 = 0.00124375; a small effect and a wide prior: Λ < 1.
    [200, 400, 180, 400, 0.01, 0.00124375, 0.81303],
  ])('%i/%i vs %i/%i (τ² %f)', (sa, na, sb, nb, tau2, variance, lambda) => {
    const v = differenceVariance(sa, na, sb, nb);
    expect(v).toBeCloseTo(variance, 10);
    expect(mixtureLikelihoodRatio(sb / nb - sa / na, v, tau2)).toBeCloseTo(lambda, 4);
  });

  it('is 1 with no variance at all, and the variance never collapses to 0 when the rates differ', () => {
    expect(mixtureLikelihoodRatio(0, 0, 0.0025)).toBe(1);
    expect(differenceVariance(10, 10, 0, 10)).toBeGreaterThan(0);
  });

  it('the confidence sequence excludes 0 exactly when 1/Λ <= α', () => {
    for (const [sa, sb] of [
      [500, 550],
      [500, 540],
      [500, 560],
      [500, 530],
    ] as const) {
      const theta = (sb - sa) / 1000;
      const v = differenceVariance(sa, 1000, sb, 1000);
      const ci = confidenceSequence(theta, v, 0.0025, 0.05);
      expect(ci.low > 0).toBe(1 / mixtureLikelihoodRatio(theta, v, 0.0025) <= 0.05);
    }
  });
});

describe('evaluateExperiment', () => {
  it('collects until both sides have minOutcomes, and keeps p at 1 meanwhile', () => {
    const result = evaluateExperiment([arm(99, 99), arm(99, 0)], options);
    expect(result.verdict.status).toBe('collecting');
    expect(result.arms[1]?.pValue).toBe(1);
    expect(result.arms[1]?.guardStop).toBeUndefined();
  });

  it('names a winner with its effect in points and the always-valid interval', () => {
    const result = evaluateExperiment([arm(3000, 2100, { name: 'control' }), arm(3000, 2400, { name: 'sonnet' })], options);
    expect(result.verdict.status).toBe('winner');
    expect(result.verdict.armIndex).toBe(1);
    expect(result.verdict.effect).toBeCloseTo(10, 6);
    expect(result.verdict.effectCi?.low).toBeGreaterThan(0);
    expect(result.verdict.effectCi?.high).toBeGreaterThan(10);
    expect(result.verdict.text).toContain('"sonnet" beats the control by +10.0 points');
    expect(result.arms[1]?.successCi?.low).toBeCloseTo(wilson(2400, 3000)?.low ?? 0, 12);
  });

  it('stops a clearly worse arm (guard), and the control wins when every arm is worse', () => {
    const result = evaluateExperiment([arm(1000, 800), arm(1000, 600)], options);
    expect(result.arms[1]?.guardStop).toMatch(/worse than the control by 20.0 points/);
    expect(result.verdict.status).toBe('control_wins');
    expect(evaluateExperiment([arm(1000, 800), arm(1000, 600)], { ...options, guard: false }).arms[1]?.guardStop).toBeUndefined();
  });

  it('keeps the running minimum of the p-value: a later look cannot raise it', () => {
    const result = evaluateExperiment([arm(1000, 700), arm(1000, 700, { minPValue: 0.2 })], options);
    expect(result.arms[1]?.pValue).toBe(0.2);
  });

  it('splits alpha between the arms (Bonferroni) against the control', () => {
    const result = evaluateExperiment([arm(200, 100), arm(200, 100), arm(200, 100)], options);
    expect(result.comparisonAlpha).toBeCloseTo(0.025, 12);
    expect(result.verdict.status).toBe('running');
  });

  it('says no difference once every interval is within a point', () => {
    const result = evaluateExperiment([arm(400_000, 280_000), arm(400_000, 280_100)], options);
    expect(result.verdict.status).toBe('no_difference');
  });

  it('stopped and promoted experiments say so', () => {
    expect(evaluateExperiment([arm(0, 0), arm(0, 0)], { ...options, status: 'stopped' }).verdict.status).toBe('stopped');
    expect(evaluateExperiment([arm(0, 0), arm(0, 0)], { ...options, status: 'promoted' }).verdict.status).toBe('promoted');
  });

  it('reports latency and cost means with intervals, and their difference against the control', () => {
    const result = evaluateExperiment(
      [
        arm(2, 1, { latencyCount: 2, latencySum: 300, latencySumsq: 100 ** 2 + 200 ** 2, costCount: 2, costSum: 0.02, costSumsq: 0.0002 }),
        arm(2, 1, { latencyCount: 2, latencySum: 500, latencySumsq: 200 ** 2 + 300 ** 2, costCount: 2, costSum: 0.04, costSumsq: 0.0008 }),
      ],
      options,
    );
    expect(result.arms[0]?.latency?.mean).toBe(150);
    expect(result.arms[1]?.diff?.latency?.effect).toBe(100);
    expect(result.arms[1]?.diff?.cost?.effect).toBeCloseTo(0.01, 12);
  });
});

/**
 * Simulated experiments with a known truth, looked at after every 100 outcomes per arm (the peeking that breaks a
 * fixed-horizon test), up to n per arm. Answers whether it ever declared a winner, and which arm.
 */
function simulate(seed: number, rates: number[], n: number): { declared: boolean; winner: number | undefined; guardStopped: boolean } {
  const random = seeded(seed);
  const counters = rates.map(() => arm(0, 0));
  for (let look = 100; look <= n; look += 100) {
    for (const [index, rate] of rates.entries()) {
      const counter = counters[index];
      if (!counter || counter.stopped) continue;
      for (let i = 0; i < 100; i++) if (random() < rate) counter.successes += 1;
      counter.outcomes += 100;
    }
    const result = evaluateExperiment(counters, options);
    result.arms.forEach((stats, index) => {
      const counter = counters[index];
      if (!counter) return;
      counter.minPValue = stats.pValue;
      if (stats.guardStop) return { declared: true, winner: undefined, guardStopped: true };
    });
    if (result.arms.some((stats) => stats.guardStop)) return { declared: true, winner: undefined, guardStopped: true };
    if (result.verdict.status === 'winner') return { declared: true, winner: result.verdict.armIndex, guardStopped: false };
  }
  return { declared: false, winner: undefined, guardStopped: false };
}

describe('simulations with fixed seeds', () => {
  it('A/A: the false-positive rate stays under alpha though the test is looked at every 100 outcomes (100 runs, 5,000 per arm)', () => {
    let falsePositives = 0;
    for (let seed = 1; seed <= 100; seed++) if (simulate(seed, [0.7, 0.7], 5000).declared) falsePositives += 1;
    expect(falsePositives / 100).toBeLessThan(0.05);
  });

  it('A/B: a 5-point improvement (70% → 75%) is found, in the right arm, in at least 95 of 100 runs by 5,000 per arm', () => {
    let found = 0;
    for (let seed = 1001; seed <= 1100; seed++) if (simulate(seed, [0.7, 0.75], 5000).winner === 1) found += 1;
    expect(found).toBeGreaterThanOrEqual(95);
  });

  it('A/B: a 5-point degradation is stopped by the guard in at least 95 of 100 runs', () => {
    let stopped = 0;
    for (let seed = 2001; seed <= 2100; seed++) if (simulate(seed, [0.75, 0.7], 5000).guardStopped) stopped += 1;
    expect(stopped).toBeGreaterThanOrEqual(95);
  });
});
