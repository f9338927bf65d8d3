/**
 * The statistics of an A/B experiment on routing, pure and synchronous (the simulator runs hundreds of experiments in
 * process with it).
 *
 * Sequential test: mSPRT with a normal mixture (Johari, Pekelis, Walsh 2017, "Always valid inference"). For each arm
 * against the control, θ̂ = p̂_B − p̂_A with V = p̂_A(1 − p̂_A)/n_A + p̂_B(1 − p̂_B)/n_B;
 *   Λ = sqrt(V / (V + τ²)) · exp(τ² θ̂² / (2 V (V + τ²)))
 * and the always-valid p-value is the running minimum of 1/Λ (capped at 1), so looking after every outcome does not
 * raise the false-positive rate above α. Several arms: Bonferroni, α/(k − 1) per comparison against the control.
 *
 * Intervals: the difference of success rates comes with the mSPRT's own confidence sequence at 1 − α/(k − 1) (valid at
 * every look, consistent with the p-value: it excludes 0 exactly when 1/Λ ≤ α/(k − 1)). Per-arm success rates are plain
 * 95% Wilson intervals; latency and cost means and their differences are plain 95% normal (Welch) intervals.
 */

const Z95 = 1.959963984540054;

export interface ArmCounters {
  /** For the verdict text (default "arm <index>"). */
  name?: string;
  outcomes: number;
  successes: number;
  latencySum: number;
  latencySumsq: number;
  latencyCount: number;
  costSum: number;
  costSumsq: number;
  costCount: number;
  /** The running minimum of the always-valid p-value so far (1 at the start). */
  minPValue: number;
  /** Whether the arm is stopped already (guard or by hand). */
  stopped: boolean;
}

/** An arm before its first outcome. */
export function emptyArm(name?: string): ArmCounters {
  return {
    ...(name !== undefined && { name }),
    outcomes: 0,
    successes: 0,
    latencySum: 0,
    latencySumsq: 0,
    latencyCount: 0,
    costSum: 0,
    costSumsq: 0,
    costCount: 0,
    minPValue: 1,
    stopped: false,
  };
}

export interface EvaluateOptions {
  alpha: number;
  mixtureVariance: number;
  minOutcomes: number;
  guard: boolean;
  /** 'stopped' / 'promoted' experiments get that verdict (the figures are still computed). */
  status?: 'running' | 'stopped' | 'promoted';
}

export interface Interval {
  low: number;
  high: number;
}

export interface MeanWithInterval {
  mean: number;
  n: number;
  /** Plain 95% normal interval; null with fewer than 2 values. */
  ci: Interval | null;
}

export interface ArmStatistics {
  index: number;
  outcomes: number;
  successes: number;
  /** Success rate in [0, 1]; null without outcomes. */
  successRate: number | null;
  /** Wilson 95% interval of the success rate, in [0, 1]. */
  successCi: Interval | null;
  latency: MeanWithInterval | null;
  cost: MeanWithInterval | null;
  /** Against the control (null for the control itself, or without outcomes on either side). */
  diff: {
    /** p̂_arm − p̂_control, in [−1, 1]. */
    effect: number;
    /** The mSPRT confidence sequence at 1 − alpha (Bonferroni): valid at every look. */
    ci: Interval;
    /** Plain 95% normal difference of the latency / cost means (null when either side has < 2 values). */
    latency: { effect: number; ci: Interval } | null;
    cost: { effect: number; ci: Interval } | null;
  } | null;
  /** Always-valid p-value against the control (running minimum); 1 for the control. */
  pValue: number;
  /** The mixture likelihood ratio Λ now (1 for the control). */
  likelihoodRatio: number;
  /** Set when the guard stops the arm now (it was running): why. */
  guardStop?: string;
  stopped: boolean;
}

export type VerdictStatus = 'collecting' | 'running' | 'winner' | 'control_wins' | 'no_difference' | 'stopped' | 'promoted';

export interface Verdict {
  status: VerdictStatus;
  /** The arm the verdict names (the winner), by index. */
  armIndex?: number;
  /** Effect of that arm against the control, in percentage points, and its always-valid interval. */
  effect?: number;
  effectCi?: Interval;
  text: string;
}

export interface ExperimentEvaluation {
  /** α per comparison against the control: α / (k − 1). */
  comparisonAlpha: number;
  arms: ArmStatistics[];
  verdict: Verdict;
}

/** A difference smaller than this (in success rate) with confidence counts as "no difference" (1 point). */
export const NO_DIFFERENCE_MARGIN = 0.01;

/** Wilson score interval of successes / n at level z (default 95%), in [0, 1]. Null without observations. */
export function wilson(successes: number, n: number, z: number = Z95): Interval | null {
  if (!(n > 0)) return null;
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const center = (p + z2 / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denominator;
  return { low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

/** Mean and plain 95% interval from a count, sum and sum of squares (sample variance, n − 1). */
export function meanInterval(count: number, sum: number, sumsq: number): MeanWithInterval | null {
  if (!(count > 0)) return null;
  const mean = sum / count;
  if (count < 2) return { mean, n: count, ci: null };
  const variance = Math.max(0, (sumsq - (sum * sum) / count) / (count - 1));
  const half = Z95 * Math.sqrt(variance / count);
  return { mean, n: count, ci: { low: mean - half, high: mean + half } };
}

function sampleVariance(count: number, sum: number, sumsq: number): number {
  return Math.max(0, (sumsq - (sum * sum) / count) / (count - 1));
}

function meanDifference(
  arm: { count: number; sum: number; sumsq: number },
  control: { count: number; sum: number; sumsq: number },
): { effect: number; ci: Interval } | null {
  if (arm.count < 2 || control.count < 2) return null;
  const effect = arm.sum / arm.count - control.sum / control.count;
  const se = Math.sqrt(
    sampleVariance(arm.count, arm.sum, arm.sumsq) / arm.count + sampleVariance(control.count, control.sum, control.sumsq) / control.count,
  );
  return { effect, ci: { low: effect - Z95 * se, high: effect + Z95 * se } };
}

/**
 * The variance V of θ̂ = p̂_B − p̂_A: p̂_A(1 − p̂_A)/n_A + p̂_B(1 − p̂_B)/n_B. When both rates sit at 0 or 1 the plug-in
 * variance is 0 (and Λ infinite); then each rate is shrunk by half an observation toward ½ (Agresti–Caffo style).
 */
export function differenceVariance(successesA: number, nA: number, successesB: number, nB: number): number {
  const plugIn = (successes: number, n: number) => (successes / n) * (1 - successes / n);
  const variance = plugIn(successesA, nA) / nA + plugIn(successesB, nB) / nB;
  if (variance > 0) return variance;
  const shrunk = (successes: number, n: number) => ((successes + 0.5) / (n + 1)) * (1 - (successes + 0.5) / (n + 1));
  return shrunk(successesA, nA) / nA + shrunk(successesB, nB) / nB;
}

/** The mSPRT normal-mixture likelihood ratio Λ for an observed difference θ̂ with variance V and mixture variance τ². */
export function mixtureLikelihoodRatio(theta: number, variance: number, tau2: number): number {
  if (!(variance > 0)) return 1;
  return Math.sqrt(variance / (variance + tau2)) * Math.exp((tau2 * theta * theta) / (2 * variance * (variance + tau2)));
}

/**
 * The (1 − α) confidence sequence of the mSPRT: the θ₀ with Λ(θ̂ − θ₀) < 1/α, i.e.
 * θ̂ ± sqrt( V (V + τ²) / τ² · (2 ln(1/α) + ln((V + τ²) / V)) ).
 */
export function confidenceSequence(theta: number, variance: number, tau2: number, alpha: number): Interval {
  const half = Math.sqrt(((variance * (variance + tau2)) / tau2) * (2 * Math.log(1 / alpha) + Math.log((variance + tau2) / variance)));
  return { low: theta - half, high: theta + half };
}

const points = (rate: number) => rate * 100;
const fmtPoints = (value: number) => `${value >= 0 ? '+' : ''}${points(value).toFixed(1)}`;
/** "p = 0.0123", or "p < 0.0001". */
const fmtP = (p: number) => (p < 0.0001 ? 'p < 0.0001' : `p = ${p.toFixed(4)}`);

/**
 * Per-arm figures, guard stops and the verdict of an experiment from its arms' counters (the control first). Pure: the
 * caller persists `pValue` (as the new running minimum) and `guardStop`.
 */
export function evaluateExperiment(arms: readonly ArmCounters[], options: EvaluateOptions): ExperimentEvaluation {
  const { alpha, mixtureVariance: tau2, minOutcomes, guard } = options;
  const comparisons = Math.max(1, arms.length - 1);
  const comparisonAlpha = alpha / comparisons;
  const control = arms[0];
  if (!control) throw new RangeError('an experiment has at least its control arm');
  const controlRate = control.outcomes > 0 ? control.successes / control.outcomes : null;

  const stats: ArmStatistics[] = arms.map((arm, index) => {
    const successRate = arm.outcomes > 0 ? arm.successes / arm.outcomes : null;
    const base: ArmStatistics = {
      index,
      outcomes: arm.outcomes,
      successes: arm.successes,
      successRate,
      successCi: wilson(arm.successes, arm.outcomes),
      latency: meanInterval(arm.latencyCount, arm.latencySum, arm.latencySumsq),
      cost: meanInterval(arm.costCount, arm.costSum, arm.costSumsq),
      diff: null,
      pValue: index === 0 ? 1 : Math.min(1, arm.minPValue),
      likelihoodRatio: 1,
      stopped: arm.stopped,
    };
    if (index === 0 || successRate === null || controlRate === null) return base;
    const theta = successRate - controlRate;
    const variance = differenceVariance(control.successes, control.outcomes, arm.successes, arm.outcomes);
    const lambda = mixtureLikelihoodRatio(theta, variance, tau2);
    base.likelihoodRatio = lambda;
    const enough = arm.outcomes >= minOutcomes && control.outcomes >= minOutcomes;
    // The test starts once both sides have minOutcomes (a plug-in variance of a handful of outcomes is not to be
    // trusted, and the running minimum would keep its accident forever); from then on every look is valid.
    if (enough) base.pValue = Math.min(1, arm.minPValue, 1 / lambda);
    base.diff = {
      effect: theta,
      ci: confidenceSequence(theta, variance, tau2, comparisonAlpha),
      latency: meanDifference(
        { count: arm.latencyCount, sum: arm.latencySum, sumsq: arm.latencySumsq },
        { count: control.latencyCount, sum: control.latencySum, sumsq: control.latencySumsq },
      ),
      cost: meanDifference(
        { count: arm.costCount, sum: arm.costSum, sumsq: arm.costSumsq },
        { count: control.costCount, sum: control.costSum, sumsq: control.costSumsq },
      ),
    };
    if (
      guard &&
      !arm.stopped &&
      options.status !== 'stopped' &&
      options.status !== 'promoted' &&
      enough &&
      theta < 0 &&
      base.pValue <= comparisonAlpha
    ) {
      base.guardStop =
        `worse than the control by ${(-points(theta)).toFixed(1)} points ` +
        `(${fmtP(base.pValue)} <= ${comparisonAlpha.toPrecision(3)}, n = ${arm.outcomes} vs ${control.outcomes})`;
      base.stopped = true;
    }
    return base;
  });

  return { comparisonAlpha, arms: stats, verdict: verdictOf(stats, arms, options, comparisonAlpha) };
}

function verdictOf(stats: ArmStatistics[], counters: readonly ArmCounters[], options: EvaluateOptions, comparisonAlpha: number): Verdict {
  const { minOutcomes } = options;
  const control = stats[0];
  if (!control) throw new RangeError('an experiment has at least its control arm');
  const treatments = stats.slice(1);
  const significant = (arm: ArmStatistics) =>
    arm.diff !== null && arm.pValue <= comparisonAlpha && arm.outcomes >= minOutcomes && control.outcomes >= minOutcomes;
  const winners = treatments.filter((arm) => !arm.stopped && significant(arm) && (arm.diff?.effect ?? 0) > 0);
  const best = winners.sort((a, b) => (b.diff?.effect ?? 0) - (a.diff?.effect ?? 0))[0];
  const withBest = (status: VerdictStatus, text: string): Verdict =>
    best?.diff
      ? {
          status,
          armIndex: best.index,
          effect: points(best.diff.effect),
          effectCi: { low: points(best.diff.ci.low), high: points(best.diff.ci.high) },
          text,
        }
      : { status, text };
  const winnerText = (arm: ArmStatistics) =>
    arm.diff
      ? `Arm "${counters[arm.index]?.name ?? `arm ${arm.index}`}" beats the control by ${fmtPoints(arm.diff.effect)} points of success ` +
        `(always-valid ${(100 * (1 - comparisonAlpha)).toFixed(1)}% interval ${fmtPoints(arm.diff.ci.low)} to ${fmtPoints(arm.diff.ci.high)}; ` +
        `${fmtP(arm.pValue)} <= ${comparisonAlpha.toPrecision(3)}; n = ${arm.outcomes} vs ${control.outcomes}).`
      : '';

  if (options.status === 'promoted') return withBest('promoted', 'The experiment is over: an arm was promoted to the rule.');
  if (options.status === 'stopped') return withBest('stopped', 'The experiment was stopped without promoting an arm.');
  const live = treatments.filter((arm) => !arm.stopped);
  if (control.outcomes < minOutcomes || (live.length > 0 && live.every((arm) => arm.outcomes < minOutcomes))) {
    const fewest = Math.min(control.outcomes, ...(live.length ? live : treatments).map((arm) => arm.outcomes));
    return { status: 'collecting', text: `Collecting outcomes: ${fewest} of the ${minOutcomes} each arm needs before a verdict.` };
  }
  if (best) return withBest('winner', winnerText(best));
  const worse = (arm: ArmStatistics) => arm.stopped || (significant(arm) && (arm.diff?.effect ?? 0) < 0);
  if (treatments.every(worse)) {
    return { status: 'control_wins', text: `The control wins: every other arm is significantly worse (or was stopped by the guard).` };
  }
  const within = (arm: ArmStatistics) =>
    arm.stopped || (arm.diff !== null && arm.diff.ci.low > -NO_DIFFERENCE_MARGIN && arm.diff.ci.high < NO_DIFFERENCE_MARGIN);
  if (treatments.every(within)) {
    return {
      status: 'no_difference',
      text: `No difference: every arm is within ${points(NO_DIFFERENCE_MARGIN)} point of the control with always-valid confidence.`,
    };
  }
  const smallest = Math.min(...live.map((arm) => arm.pValue));
  return {
    status: 'running',
    text: `No significant difference yet (smallest ${fmtP(smallest)}, needs p <= ${comparisonAlpha.toPrecision(3)}); keep collecting.`,
  };
}
