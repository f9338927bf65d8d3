// The parameter maths of adaptive policies: from each candidate's discounted outcomes to its share of the traffic.
// Server-only (the recompute job): decisions only read the shares (chooseModel, packages/client/src/routing/adaptive.js),
// so the client package gateways install does not carry it. Pure: randomness comes from the given generator.
import type { PolicyArmParams } from '../routing/engine';
import { RECENT_WINDOWS } from './recompute-settings';

/** What a policy's parameters are computed from (a subset of the stored policy). */
export interface PolicyRewardSettings {
  candidates: string[];
  /** Reward lost per USD of cost, and per second of latency. */
  costWeight: number;
  latencyWeight: number;
  /** USD per call; a model measured above it gets no traffic. Null: none. */
  costCeiling: number | null;
  /** Most traffic, 0..1, that goes to models unlikely to be best (not contenders, see computePolicyArms). */
  explorationCap: number;
  /** Outcomes a model needs before it is trusted (shares in the Thompson split beyond the exploration budget). */
  minSamples: number;
  /** Reward within which models count as equally good (GOOD_ENOUGH_MARGIN unless given; 0: textbook Thompson sampling). */
  goodEnoughMargin?: number;
}

/** The (discounted) outcomes of one model under a policy and task type, as the server reads them. */
export interface PolicyModelStats {
  model: string;
  /** Sum of the outcomes' weights (0.5^(rank / half-life)), and the weighted successes. */
  effectiveSamples: number;
  successes: number;
  /** Outcomes read (raw count within the window): what the minimum sample is checked against. */
  outcomes: number;
  /** The same outcomes weighed with a longer half-life: used when the short-term rate agrees with it (no drift). */
  longEffectiveSamples?: number;
  longSuccesses?: number;
  /** Of the model's latest RECENT_WINDOWS[i] outcomes (unweighted): how many were read, and how many succeeded. */
  windowOutcomes?: number[];
  windowSuccesses?: number[];
  /** Weighted mean and standard deviation of cost (USD) and latency (ms); null when no outcome reported one. */
  costMean: number | null;
  costSd: number | null;
  latencyMsMean: number | null;
  latencyMsSd: number | null;
}

/** Monte-Carlo draws behind each recompute's shares: the share's standard error is at most 0.8 points. */
export const POLICY_DRAWS = 4000;

/**
 * Standard normal and Gamma draws from a uniform generator: Box–Muller (both values used) and Marsaglia–Tsang.
 */
export function sampler(rng: () => number) {
  let spare = NaN;
  const normal = () => {
    if (!Number.isNaN(spare)) {
      const value = spare;
      spare = NaN;
      return value;
    }
    let u = rng();
    while (u <= 0) u = rng();
    const radius = Math.sqrt(-2 * Math.log(u));
    const angle = 2 * Math.PI * rng();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
  const gamma = (shape: number): number => {
    if (shape < 1) {
      let u = rng();
      while (u <= 0) u = rng();
      return gamma(shape + 1) * Math.pow(u, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = rng();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  };
  const beta = (a: number, b: number) => {
    const x = gamma(a);
    return x / (x + gamma(b));
  };
  return { normal, beta };
}

/**
 * A policy's parameters for one task type from the discounted outcomes of its candidates: each candidate's Beta(1 + s,
 * 1 + n − s) posterior on success (s, n discounted), normal posteriors of its mean cost and latency, and by Monte-Carlo
 * the probability that its sampled reward (success − costWeight·cost − latencyWeight·latency/1000) is the best
 * (Thompson sampling by probability matching). Then:
 * - a model measured above the cost ceiling gets 0 (`excluded: 'cost_ceiling'`);
 * - the draws are won as satisficing Thompson sampling: by the first model, in order of preference (trusted before
 *   untrusted, then by posterior mean reward), whose sampled reward is within `goodEnoughMargin` of the draw's best;
 * - a model with fewer outcomes than `minSamples` is untrusted; while no model is trusted, each gets cap / (allowed
 *   models) and the rest goes by Thompson sampling;
 * - otherwise the greedy model (best posterior mean reward among the trusted) gets what the others leave. A contender,
 *   a model with at least CONTENDER_PROBABILITY of being the best, keeps its Thompson share: a near tie is only settled
 *   by traffic, and starving the runner-up is how an unlucky start becomes a lasting wrong choice. The rest, models
 *   unlikely to be best, are exploration: they share what the contenders leave of explorationCap (scaled down), each
 *   untrusted one keeping at least cap / (allowed models), so a new model is measured until it is trusted, unless it
 *   is ruled out (at least RULED_OUT_OUTCOMES outcomes and under RULED_OUT_PROBABILITY of being best); a model judged on
 *   a change its latest 100 outcomes do not confirm keeps that floor too.
 * Candidates keep their order; models in `stats` that are not candidates are ignored. Pure: `rng` gives the randomness.
 */
export function computePolicyArms(
  policy: PolicyRewardSettings,
  stats: readonly PolicyModelStats[],
  rng: () => number,
  draws = POLICY_DRAWS,
): PolicyArmParams[] {
  const { costWeight, latencyWeight, costCeiling, explorationCap, minSamples } = policy;
  const cap = Math.min(1, Math.max(0, explorationCap));
  const byModel = new Map(stats.map((row) => [row.model, row]));
  const models = [...new Set(policy.candidates)];
  const unconfirmedChanges = new Set<PolicyArmParams>();
  const arms: PolicyArmParams[] = models.map((model) => {
    const row = byModel.get(model);
    let n = row ? Math.max(0, row.effectiveSamples) : 0;
    let s = row ? Math.min(n, Math.max(0, row.successes)) : 0;
    let unconfirmed = false;
    if (row) [n, s, unconfirmed] = steadyOrRecent(n, s, row);
    const successMean = (PRIOR_STRENGTH * PRIOR_MEAN + s) / (PRIOR_STRENGTH + n);
    const costMean = row?.costMean ?? null;
    const latencyMsMean = row?.latencyMsMean ?? null;
    const outcomes = row?.outcomes ?? 0;
    const arm: PolicyArmParams = {
      model,
      share: 0,
      trusted: outcomes >= minSamples,
      effectiveSamples: n,
      outcomes,
      successMean,
      costMean,
      latencyMsMean,
      rewardMean: successMean - costWeight * (costMean ?? 0) - (latencyWeight * (latencyMsMean ?? 0)) / 1000,
    };
    if (costCeiling !== null && costMean !== null && outcomes > 0 && costMean > costCeiling) arm.excluded = 'cost_ceiling';
    if (unconfirmed) unconfirmedChanges.add(arm);
    return arm;
  });
  const allowed = arms.filter((arm) => !arm.excluded);
  if (allowed.length === 0) {
    // Every candidate costs more than the ceiling: the cheapest still answers.
    const cheapest = arms.reduce((best, arm) => ((arm.costMean ?? 0) < (best.costMean ?? 0) ? arm : best));
    cheapest.share = 1;
    delete cheapest.excluded;
    return arms;
  }
  const trusted = allowed.filter((arm) => arm.trusted);
  if (allowed.length === 1 || allowed.every((arm) => arm.outcomes === 0)) {
    for (const arm of allowed) arm.share = 1 / allowed.length;
    return arms;
  }
  // Each allowed model's probability of winning a draw (of being the best, or as good as the best within the margin).
  const thompson = Array.from(thompsonWins(allowed, stats, policy, rng, draws), (wins) => wins / draws);
  const floor = cap / allowed.length;
  if (trusted.length === 0) {
    // No model is trusted yet: each keeps the untrusted floor and the rest goes by Thompson sampling.
    allowed.forEach((arm, i) => {
      arm.share = floor + (1 - cap) * thompson[i]!;
    });
    return arms;
  }
  let greedy = trusted[0]!;
  for (const arm of trusted) if (arm.rewardMean > greedy.rewardMean) greedy = arm;
  let contenders = 0;
  const explored: PolicyArmParams[] = [];
  let exploredShare = 0;
  let floors = 0;
  // The models that keep the floor: untrusted ones not yet ruled out, and any judged on an unconfirmed change.
  const floored = new Set(
    allowed.filter(
      (arm, i) =>
        unconfirmedChanges.has(arm) || (!arm.trusted && !(arm.outcomes >= RULED_OUT_OUTCOMES && thompson[i]! < RULED_OUT_PROBABILITY)),
    ),
  );
  allowed.forEach((arm, i) => {
    if (arm === greedy) return;
    arm.share = floored.has(arm) ? Math.max(thompson[i]!, floor) : thompson[i]!;
    if (thompson[i]! >= CONTENDER_PROBABILITY) {
      contenders += arm.share;
      return;
    }
    explored.push(arm);
    exploredShare += arm.share;
    if (floored.has(arm)) floors += floor;
  });
  // Exploration gets what the contenders leave of the cap, never less than its floors.
  const room = Math.max(floors, cap - contenders);
  if (exploredShare > room) {
    // Scale what lies above the floors so that the explored models' shares sum to the room.
    const above = exploredShare - floors;
    const scale = above > 0 ? (room - floors) / above : 0;
    exploredShare = 0;
    for (const arm of explored) {
      const base = floored.has(arm) ? floor : 0;
      arm.share = base + (arm.share - base) * scale;
      exploredShare += arm.share;
    }
  }
  const others = contenders + exploredShare;
  greedy.share = Math.max(0, 1 - others);
  return arms;
}

/** How far (in standard deviations) the recent success rate may stray from the long-run one before it counts as drift. */
export const DRIFT_Z = 2.5;

/**
 * A model's success counts as its posterior reads them:
 * - when its latest RECENT_WINDOWS outcomes break from its long-run rate (changedWindow), the window that shows it most
 *   (and whether the change is unconfirmed);
 * - else the long-run (longer half-life) counts while the recent rate agrees with them, else the recent ones.
 * So a model that does not drift gets a narrow posterior, one that drifts slowly is judged on its recent outcomes, and
 * one that changes at once on the outcomes since. The recent outcomes are part of the long run, so their difference has
 * the variance p(1 − p)(1/n_recent − 1/n_long).
 */
function steadyOrRecent(n: number, s: number, row: PolicyModelStats): [number, number, boolean] {
  const { longEffectiveSamples: longN, longSuccesses: longS } = row;
  if (longN === undefined || longS === undefined || !(longN > n) || !(n > 0)) return [n, s, false];
  const long = Math.min(1, Math.max(0, longS / longN));
  const change = changedWindow(row, long);
  if (change) return change;
  const recent = s / n;
  const p = Math.min(0.99, Math.max(0.01, long));
  const sd = Math.sqrt(p * (1 - p) * Math.max(1e-12, 1 / n - 1 / longN));
  return Math.abs(recent - long) > DRIFT_Z * sd ? [n, s, false] : [longN, Math.min(longN, Math.max(0, longS)), false];
}

/**
 * How strong the evidence of a sudden change must be: twice the log-likelihood ratio of a window's own rate against the
 * long-run one, 2·w·KL(rate_w ‖ rate_long). 20 is beyond 4 standard deviations for one window (χ² with one degree of
 * freedom), so the three windows read at every recompute of every model seldom raise a false alarm, which would judge a
 * good model on a few unlucky outcomes. Chosen on the replay sweep (scripts/learning/replay-sweep.ts, seeds 1-20): at 12,
 * `coding` seed 4 judged deepseek-v3, the best debugging model, on an unlucky window of 100 and starved it (18.2%); at 20
 * the worst and median runs of every row were below those without windows, and the degradation was noticed within 901
 * requests instead of 1,429.
 */
export const CHANGE_EVIDENCE = 20;

/** Bernoulli KL divergence KL(q ‖ p), p kept off 0 and 1. */
function bernoulliKl(q: number, p: number): number {
  const term = (a: number, b: number) => (a <= 0 ? 0 : a * Math.log(a / b));
  const bounded = Math.min(1 - 1e-9, Math.max(1e-9, p));
  return term(q, bounded) + term(1 - q, 1 - bounded);
}

/**
 * The full window of latest outcomes whose rate breaks most clearly from the long-run rate, if one does, and whether the
 * change is still unconfirmed: the largest window (100) does not break. A model judged on an unconfirmed change keeps
 * the exploration floor (computePolicyArms), or a false alarm would starve it on the same few outcomes for good.
 */
function changedWindow(row: PolicyModelStats, long: number): [number, number, boolean] | null {
  const { windowOutcomes, windowSuccesses } = row;
  if (!windowOutcomes || !windowSuccesses) return null;
  let change: [number, number] | null = null;
  let strongest = CHANGE_EVIDENCE;
  let confirmed = false;
  RECENT_WINDOWS.forEach((size, i) => {
    const outcomes = windowOutcomes[i] ?? 0;
    const successes = Math.min(outcomes, Math.max(0, windowSuccesses[i] ?? 0));
    if (outcomes < size) return;
    const evidence = 2 * outcomes * bernoulliKl(successes / outcomes, long);
    if (i === RECENT_WINDOWS.length - 1 && evidence > CHANGE_EVIDENCE) confirmed = true;
    if (evidence > strongest) {
      strongest = evidence;
      change = [outcomes, successes];
    }
  });
  return change ? [change[0], change[1], !confirmed] : null;
}

/**
 * A model at least this likely to be the best is a contender: it keeps its Thompson share beyond the exploration cap.
 * Chosen on the replay sweep (scripts/learning/replay-sweep.ts, both scenarios, seeds 1-20): the worst run's regret was
 * 14.2 % of the static rules' at 2 %, 19.5 % at 5 % and 22.3 % without contenders (10 %: no better than 5 % on 10 seeds).
 */
export const CONTENDER_PROBABILITY = 0.02;

/**
 * An untrusted model loses its minimum-sample floor once it has at least RULED_OUT_OUTCOMES outcomes and is under
 * RULED_OUT_PROBABILITY likely to be the best: it still gets its Thompson share, but no model needs 20 calls at 12 times
 * the price to show it cannot win. Chosen on the replay sweep (scripts/learning/replay-sweep.ts, both scenarios, four
 * event times, seeds 1-8): worst run 24.7 % -> 19.0 % of the static rules' regret, median 10.8 % -> 9.8 %.
 */
export const RULED_OUT_OUTCOMES = 5;
export const RULED_OUT_PROBABILITY = 0.001;

/**
 * Models whose rewards differ by less than this (one point of success) count as equally good: a draw goes to the
 * preferred model unless another beats it by more (satisficing Thompson sampling, Russo & Van Roy 2018). Telling near
 * equals apart costs traffic that cannot pay back within a horizon of thousands of requests. Chosen on the replay sweep
 * (seeds 1-8, both scenarios, late degradation; ruling out on in both): medians 11.9 % -> 9.8 % (`support`, D 30k N 12k),
 * 8.1 % -> 6.0 % (`coding`), 16.5 % -> 14.8 % (`support`, D 45k N 5k); at 0.02 the worst `support` run rose to 27.7 %.
 */
export const GOOD_ENOUGH_MARGIN = 0.01;

/** The success prior Beta(1, 1): its weight in outcomes, and its mean. */
export const PRIOR_STRENGTH = 2;
const PRIOR_MEAN = 0.5;

/**
 * How many of `draws` joint posterior draws each arm wins: has the best sampled reward, or is preferred to the model that
 * has it by less than the good-enough margin.
 */
function thompsonWins(
  arms: readonly PolicyArmParams[],
  stats: readonly PolicyModelStats[],
  policy: PolicyRewardSettings,
  rng: () => number,
  draws: number,
) {
  const { normal, beta } = sampler(rng);
  const byModel = new Map(stats.map((row) => [row.model, row]));
  const k = arms.length;
  const alpha = new Float64Array(k);
  const betaParam = new Float64Array(k);
  const costMean = new Float64Array(k);
  const costSe = new Float64Array(k);
  const latencyMean = new Float64Array(k);
  const latencySe = new Float64Array(k);
  arms.forEach((arm, i) => {
    const row = byModel.get(arm.model);
    const n = arm.effectiveSamples;
    // successMean = (a₀ + s) / (PRIOR_STRENGTH + n): the Beta posterior's parameters are its mean times the total.
    alpha[i] = Math.max(1e-6, arm.successMean * (PRIOR_STRENGTH + n));
    betaParam[i] = Math.max(1e-6, (1 - arm.successMean) * (PRIOR_STRENGTH + n));
    const root = Math.sqrt(Math.max(1, n));
    costMean[i] = policy.costWeight * (arm.costMean ?? 0);
    costSe[i] = arm.costMean === null ? 0 : (policy.costWeight * (row?.costSd ?? 0)) / root;
    latencyMean[i] = (policy.latencyWeight * (arm.latencyMsMean ?? 0)) / 1000;
    latencySe[i] = arm.latencyMsMean === null ? 0 : (policy.latencyWeight * (row?.latencyMsSd ?? 0)) / 1000 / root;
  });
  const margin = policy.goodEnoughMargin ?? GOOD_ENOUGH_MARGIN;
  // The order of preference among models within the margin: trusted first, then by posterior mean reward.
  const preference = arms
    .map((_, i) => i)
    .sort((a, b) => Number(arms[b]!.trusted) - Number(arms[a]!.trusted) || arms[b]!.rewardMean - arms[a]!.rewardMean);
  const sampled = new Float64Array(k);
  const wins = new Float64Array(k);
  for (let draw = 0; draw < draws; draw++) {
    let bestReward = -Infinity;
    for (let i = 0; i < k; i++) {
      let reward = beta(alpha[i]!, betaParam[i]!) - costMean[i]! - latencyMean[i]!;
      if (costSe[i]! > 0) reward -= costSe[i]! * normal();
      if (latencySe[i]! > 0) reward -= latencySe[i]! * normal();
      sampled[i] = reward;
      if (reward > bestReward) bestReward = reward;
    }
    const winner = preference.find((i) => sampled[i]! >= bestReward - margin)!;
    wins[winner]! += 1;
  }
  return wins;
}
