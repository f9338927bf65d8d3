import { describe, expect, it } from 'vitest';
import { chooseModel } from '../routing/engine';
import { mulberry32 } from '../seeded-random';
import { policyStatsFromOutcomes } from './outcome-stats';
import { computePolicyArms, type PolicyModelStats, type PolicyRewardSettings } from './policy-maths';

const settings = (overrides: Partial<PolicyRewardSettings> = {}): PolicyRewardSettings => ({
  candidates: ['a', 'b', 'c'],
  costWeight: 0,
  latencyWeight: 0,
  costCeiling: null,
  explorationCap: 0.1,
  minSamples: 20,
  ...overrides,
});

/** n outcomes at success rate p, undiscounted. */
const measured = (model: string, n: number, p: number, extra: Partial<PolicyModelStats> = {}): PolicyModelStats => ({
  model,
  effectiveSamples: n,
  successes: n * p,
  outcomes: n,
  costMean: null,
  costSd: null,
  latencyMsMean: null,
  latencyMsSd: null,
  ...extra,
});

/** Standard normal CDF (Abramowitz–Stegun 7.1.26 on erf, error under 1.5e-7). */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}

const shares = (arms: { model: string; share: number }[]) => Object.fromEntries(arms.map((arm) => [arm.model, arm.share]));
const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

describe('computePolicyArms', () => {
  it('gives a clear winner at least 1 - cap, the rest at most the cap, shares summing to 1', () => {
    const arms = computePolicyArms(settings(), [measured('a', 500, 0.9), measured('b', 500, 0.6), measured('c', 500, 0.5)], mulberry32(1));
    const s = shares(arms);
    expect(s.a).toBeGreaterThanOrEqual(0.9 - 1e-9);
    expect(s.b! + s.c!).toBeLessThanOrEqual(0.1 + 1e-9);
    expect(sum(arms.map((arm) => arm.share))).toBeCloseTo(1, 9);
    // Posterior means: Beta(1 + 450, 1 + 50).
    expect(arms[0]!.successMean).toBeCloseTo(451 / 502, 9);
    expect(arms.every((arm) => arm.trusted)).toBe(true);
  });

  it('is reproducible with a seed', () => {
    const stats = [measured('a', 40, 0.7), measured('b', 40, 0.65), measured('c', 40, 0.6)];
    expect(computePolicyArms(settings({ explorationCap: 1 }), stats, mulberry32(7))).toEqual(
      computePolicyArms(settings({ explorationCap: 1 }), stats, mulberry32(7)),
    );
  });

  it('splits equal arms about equally without a cap or margin (Thompson: each is best a third of the time)', () => {
    const arms = computePolicyArms(
      settings({ explorationCap: 1, goodEnoughMargin: 0 }),
      [measured('a', 300, 0.7), measured('b', 300, 0.7), measured('c', 300, 0.7)],
      mulberry32(3),
    );
    for (const arm of arms) expect(arm.share).toBeGreaterThan(0.3);
    for (const arm of arms) expect(arm.share).toBeLessThan(0.37);
  });

  it('matches the exact probability that one Beta beats another', () => {
    // P(X > Y) for X ~ Beta(2, 1), Y ~ Beta(1, 1) is 2/3: one success against no data.
    const arms = computePolicyArms(
      settings({ candidates: ['a', 'b'], explorationCap: 1, minSamples: 1, goodEnoughMargin: 0 }),
      [measured('a', 1, 1), { ...measured('b', 0, 0), outcomes: 1 }],
      mulberry32(11),
      40_000,
    );
    expect(arms[0]!.share).toBeCloseTo(2 / 3, 2);
  });

  it('counts models within the good-enough margin as equally good, preferring the better posterior mean', () => {
    // a and b are equal on 300 outcomes each; a is listed first (equal means keep the candidates' order). A draw goes
    // to b only when b's sample beats a's by more than 0.01: P(Z > 0.01 / sd(b - a)), sd = sqrt(2 * 0.21 / 302).
    const stats = [measured('a', 300, 0.7), measured('b', 300, 0.7)];
    const pair = settings({ candidates: ['a', 'b'], explorationCap: 1 });
    const arms = computePolicyArms(pair, stats, mulberry32(4), 40_000);
    const expected = 1 - normalCdf(0.01 / Math.sqrt((2 * 0.21) / 302));
    expect(arms[1]!.share).toBeCloseTo(expected, 2);
    expect(arms[0]!.share).toBeCloseTo(1 - expected, 2);
    // Without the margin the split is even; a clearly better model wins whatever the order.
    expect(computePolicyArms({ ...pair, goodEnoughMargin: 0 }, stats, mulberry32(4), 40_000)[1]!.share).toBeCloseTo(0.5, 2);
    const better = computePolicyArms(pair, [measured('a', 300, 0.7), measured('b', 300, 0.8)], mulberry32(4));
    expect(better[1]!.share).toBeGreaterThan(0.99);
  });

  it('rules an untrusted model out of the minimum sample once 5 outcomes make it under 0.1 % likely to be best', () => {
    const ruledOut = computePolicyArms(settings(), [measured('a', 300, 0.9), measured('b', 300, 0.85), measured('c', 8, 0)], mulberry32(1));
    expect(ruledOut[2]!.trusted).toBe(false);
    expect(ruledOut[2]!.share).toBeLessThan(0.001);
    expect(sum(ruledOut.map((arm) => arm.share))).toBeCloseTo(1, 9);
    // Four failures are not enough to rule a model out, and eight at 80 % leave it a chance: both keep the floor.
    const young = computePolicyArms(settings(), [measured('a', 300, 0.9), measured('b', 300, 0.85), measured('c', 4, 0)], mulberry32(1));
    expect(young[2]!.share).toBeGreaterThanOrEqual(0.1 / 3 - 1e-12);
    const hopeful = computePolicyArms(
      settings(),
      [measured('a', 300, 0.9), measured('b', 300, 0.85), measured('c', 8, 0.875)],
      mulberry32(1),
    );
    expect(hopeful[2]!.share).toBeGreaterThanOrEqual(0.1 / 3 - 1e-12);
  });

  it('is uniform without outcomes', () => {
    const arms = computePolicyArms(settings(), [], mulberry32(1));
    expect(arms.map((arm) => arm.share)).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('while no model has the minimum sample, gives each cap / models and the rest by Thompson sampling', () => {
    const arms = computePolicyArms(settings(), [measured('a', 19, 1), measured('b', 5, 0)], mulberry32(1));
    expect(arms.every((arm) => !arm.trusted)).toBe(true);
    for (const arm of arms) expect(arm.share).toBeGreaterThanOrEqual(0.1 / 3 - 1e-12);
    // b: 0 of 5, P(best) about 0 → just its floor; a (19 of 19) beats c (no data) in about 95% of draws.
    expect(arms[1]!.share).toBeCloseTo(0.1 / 3, 3);
    expect(arms[0]!.share).toBeGreaterThan(0.85);
    expect(sum(arms.map((arm) => arm.share))).toBeCloseTo(1, 9);
  });

  it('judges a steady model on its long-run outcomes and a drifting one on its recent ones', () => {
    // Recent 289 effective outcomes at 0.9, long-run 2,000 at 0.9: no drift, the posterior has the long-run weight.
    const steady = computePolicyArms(
      settings({ candidates: ['a'] }),
      [{ ...measured('a', 289, 0.9), longEffectiveSamples: 2000, longSuccesses: 1800 }],
      mulberry32(1),
    );
    expect(steady[0]!.effectiveSamples).toBe(2000);
    // Recent at 0.6 against a long run at 0.86: more than DRIFT_Z standard deviations apart, the recent ones count.
    const drifting = computePolicyArms(
      settings({ candidates: ['a'] }),
      [{ ...measured('a', 289, 0.6), longEffectiveSamples: 2000, longSuccesses: 1720 }],
      mulberry32(1),
    );
    expect(drifting[0]!.effectiveSamples).toBe(289);
    expect(drifting[0]!.successMean).toBeCloseTo((1 + 289 * 0.6) / 291, 9);
  });

  it('judges a model on its latest outcomes when they break at once from its long run, and not on an unlucky few', () => {
    // Steady at 0.93 (the recent discounted rate still agrees), but its latest 25 outcomes held 15 successes: the
    // evidence 2·25·KL(0.6 ‖ 0.93) ≈ 21 is over CHANGE_EVIDENCE, so those 25 count (the 50 and 100 show less).
    const steadyUntilNow = { ...measured('a', 289, 0.9), longEffectiveSamples: 2000, longSuccesses: 1860 };
    const changed = computePolicyArms(
      settings({ candidates: ['a'] }),
      [{ ...steadyUntilNow, windowOutcomes: [25, 50, 100], windowSuccesses: [15, 38, 83] }],
      mulberry32(1),
    );
    expect(changed[0]!.effectiveSamples).toBe(25);
    expect(changed[0]!.successMean).toBeCloseTo((1 + 15) / 27, 9);
    // 21 of 25 against 0.93 (evidence about 2.3) is within what chance gives: the long run still counts.
    const unlucky = computePolicyArms(
      settings({ candidates: ['a'] }),
      [{ ...steadyUntilNow, windowOutcomes: [25, 50, 100], windowSuccesses: [21, 45, 92] }],
      mulberry32(1),
    );
    expect(unlucky[0]!.effectiveSamples).toBe(2000);
    // A window not yet full (a model with 20 outcomes in all) is no evidence of a change.
    const young = computePolicyArms(
      settings({ candidates: ['a'] }),
      [
        {
          ...measured('a', 20, 0.5),
          longEffectiveSamples: 20.5,
          longSuccesses: 10,
          windowOutcomes: [20, 20, 20],
          windowSuccesses: [0, 0, 0],
        },
      ],
      mulberry32(1),
    );
    expect(young[0]!.effectiveSamples).not.toBe(20);
  });

  it('keeps the floor for a model judged on a change its latest 100 outcomes do not yet confirm', () => {
    // A false alarm (15 of 25 from a model at 0.93) would otherwise starve the model on those 25 outcomes for good: no
    // new outcome would ever slide them out of the window. At the floor, fresh outcomes correct or confirm it.
    const steadyUntilNow = { ...measured('a', 289, 0.9), longEffectiveSamples: 2000, longSuccesses: 1860 };
    const other = measured('b', 1000, 0.85);
    const unconfirmed = computePolicyArms(
      settings({ candidates: ['a', 'b'] }),
      [{ ...steadyUntilNow, windowOutcomes: [25, 50, 100], windowSuccesses: [15, 38, 83] }, other],
      mulberry32(1),
    );
    expect(unconfirmed[0]!.effectiveSamples).toBe(25);
    expect(unconfirmed[0]!.share).toBeCloseTo(0.1 / 2, 3);
    // 60 of the latest 100 (evidence about 87): the change is confirmed, and the model gets only its Thompson share.
    const confirmed = computePolicyArms(
      settings({ candidates: ['a', 'b'] }),
      [{ ...steadyUntilNow, windowOutcomes: [25, 50, 100], windowSuccesses: [15, 30, 60] }, other],
      mulberry32(1),
    );
    expect(confirmed[0]!.effectiveSamples).toBe(100);
    expect(confirmed[0]!.share).toBeLessThan(0.001);
  });

  it('explores an untrusted model with at least cap / models, however good the trusted one', () => {
    const arms = computePolicyArms(settings(), [measured('a', 1000, 0.95), measured('b', 1000, 0.2)], mulberry32(1));
    const s = shares(arms);
    expect(arms[2]!.trusted).toBe(false);
    expect(s.c).toBeGreaterThanOrEqual(0.1 / 3 - 1e-9);
    expect(s.a).toBeGreaterThanOrEqual(0.9 - 1e-9);
    expect(s.b! + s.c!).toBeLessThanOrEqual(0.1 + 1e-9);
  });

  it('gives a contender (at least 2 % likely to be best) its Thompson share beyond the cap', () => {
    // b trails a by one point on 300 outcomes each: a near tie that only traffic settles. c is clearly worse.
    const arms = computePolicyArms(settings(), [measured('a', 300, 0.8), measured('b', 300, 0.79), measured('c', 300, 0.5)], mulberry32(5));
    const s = shares(arms);
    expect(s.b).toBeGreaterThan(0.25);
    expect(s.a).toBeGreaterThan(0.5);
    expect(s.a).toBeGreaterThan(s.b!);
    expect(s.c).toBeLessThan(0.001);
    expect(sum(arms.map((arm) => arm.share))).toBeCloseTo(1, 9);
  });

  it('keeps the untrusted floor when contenders take more than the cap, and no other exploration', () => {
    const arms = computePolicyArms(
      settings({ candidates: ['a', 'b', 'c', 'd'] }),
      [measured('a', 300, 0.8), measured('b', 300, 0.79), measured('c', 300, 0.6), measured('d', 5, 0.2)],
      mulberry32(6),
    );
    const s = shares(arms);
    expect(s.b).toBeGreaterThan(0.2);
    expect(s.d).toBeCloseTo(0.1 / 4, 9);
    expect(s.c).toBe(0);
    expect(sum(arms.map((arm) => arm.share))).toBeCloseTo(1, 9);
  });

  it('excludes a model measured above the cost ceiling', () => {
    const arms = computePolicyArms(
      settings({ costCeiling: 0.01 }),
      [
        measured('a', 100, 0.95, { costMean: 0.05, costSd: 0.001 }),
        measured('b', 100, 0.8, { costMean: 0.002, costSd: 0.0005 }),
        measured('c', 100, 0.7, { costMean: 0.001, costSd: 0 }),
      ],
      mulberry32(1),
    );
    expect(arms[0]).toMatchObject({ model: 'a', share: 0, excluded: 'cost_ceiling' });
    expect(arms[1]!.share).toBeGreaterThanOrEqual(0.9 - 1e-9);
  });

  it('weighs cost and latency into the reward', () => {
    // b succeeds slightly less often but costs far less: with 10 reward points lost per USD, b is best.
    const stats = [
      measured('a', 400, 0.9, { costMean: 0.03, costSd: 0.002, latencyMsMean: 2000, latencyMsSd: 300 }),
      measured('b', 400, 0.85, { costMean: 0.002, costSd: 0.0005, latencyMsMean: 800, latencyMsSd: 100 }),
    ];
    const arms = computePolicyArms(settings({ candidates: ['a', 'b'], costWeight: 10 }), stats, mulberry32(2));
    expect(arms[1]!.rewardMean).toBeCloseTo(arms[1]!.successMean - 0.02, 9);
    expect(arms[1]!.share).toBeGreaterThanOrEqual(0.9 - 1e-9);
    const byLatency = computePolicyArms(settings({ candidates: ['a', 'b'], latencyWeight: 0.1 }), stats, mulberry32(2));
    expect(byLatency[0]!.rewardMean).toBeCloseTo(byLatency[0]!.successMean - 0.2, 9);
    expect(byLatency[1]!.share).toBeGreaterThanOrEqual(0.9 - 1e-9);
  });
});

describe('adaptive choice under drift (outcomes discounted by rank, as the server reads them)', () => {
  /** The recompute's statistics of the outcomes so far (no cost or latency in these simulations). */
  const statsOf = (history: readonly { model: string; success: boolean }[], halfLife: number) =>
    policyStatsFromOutcomes(
      history.map(({ model, success }) => ({ model, success, cost: 0, latencyMs: 0 })),
      halfLife,
    );

  /** Simulates decisions by the shares, recomputing every `every` outcomes with half-life discounting. */
  function simulate({
    outcomes,
    every,
    halfLife,
    truth,
    candidatesAt = () => ['a', 'b', 'c'],
  }: {
    outcomes: number;
    every: number;
    halfLife: number;
    truth: (model: string, t: number) => number;
    /** The policy's candidates at outcome t (an operator adding a model). */
    candidatesAt?: (t: number) => string[];
  }) {
    let policy = settings({ candidates: candidatesAt(0) });
    const rng = mulberry32(42);
    const history: { model: string; success: boolean }[] = [];
    let arms = computePolicyArms(policy, [], rng);
    const trace: { t: number; shares: Record<string, number> }[] = [];
    for (let t = 0; t < outcomes; t++) {
      if (candidatesAt(t).length !== policy.candidates.length) {
        policy = settings({ candidates: candidatesAt(t) });
        arms = computePolicyArms(policy, statsOf(history, halfLife), rng);
      }
      const snapshotPolicy = {
        policyId: 1,
        name: 'p',
        taskType: null,
        candidates: policy.candidates,
        explorationCap: 0.1,
        minSamples: 20,
        params: { '': { computedAt: '', arms } },
      };
      const { model } = chooseModel(snapshotPolicy, '', rng);
      history.push({ model, success: rng() < truth(model, t) });
      if ((t + 1) % every === 0) {
        arms = computePolicyArms(policy, statsOf(history, halfLife), rng);
        trace.push({ t: t + 1, shares: shares(arms) });
      }
    }
    return trace;
  }

  it('moves traffic off the best model within a few hundred outcomes of it degrading', () => {
    const degradeAt = 3000;
    const truth = (model: string, t: number) => (model === 'a' ? (t < degradeAt ? 0.9 : 0.5) : model === 'b' ? 0.8 : 0.6);
    const trace = simulate({ outcomes: 4000, every: 50, halfLife: 200, truth });
    const before = trace.find((point) => point.t === degradeAt)!;
    expect(before.shares.a).toBeGreaterThanOrEqual(0.9 - 1e-9);
    const moved = trace.find((point) => point.t > degradeAt && point.shares.b! >= 0.9 - 1e-9);
    expect(moved).toBeDefined();
    expect(moved!.t - degradeAt).toBeLessThanOrEqual(400);
    expect(trace.at(-1)!.shares.a).toBeLessThanOrEqual(0.1);
  });

  it('lets a better model added late take over', () => {
    const truth = (model: string) => (model === 'c' ? 0.95 : model === 'a' ? 0.8 : 0.7);
    const trace = simulate({
      outcomes: 3000,
      every: 50,
      halfLife: 200,
      truth,
      candidatesAt: (t) => (t < 1000 ? ['a', 'b'] : ['a', 'b', 'c']),
    });
    expect(trace.at(-1)!.shares.c).toBeGreaterThanOrEqual(0.9 - 1e-9);
  });
});
