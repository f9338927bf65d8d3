/**
 * Adaptive model choice at decision time: a policy's candidate models get traffic in proportion to their shares, which
 * Hone recomputes from outcomes (each model's posterior probability of being best, Thompson sampling by probability
 * matching, after the exploration cap and the minimum sample). Plain JavaScript, no imports: the server and
 * `hone.router()` run this very code. No side effects.
 */

/**
 * The parameters a policy decides with for a task type: its own row, else the policy's all-task-types row ('').
 * @param {import('./types.js').SnapshotPolicy} policy
 * @param {string} taskType
 */
function paramsFor(policy, taskType) {
  if (Object.prototype.hasOwnProperty.call(policy.params, taskType)) return { key: taskType, params: policy.params[taskType] };
  if (Object.prototype.hasOwnProperty.call(policy.params, '')) return { key: '', params: policy.params[''] };
  return { key: null, params: undefined };
}

/**
 * Chooses a model for one decision by the policy's shares for the task type; uniform over the candidates while no
 * parameters exist yet. `random` is uniform in [0, 1).
 * @param {import('./types.js').SnapshotPolicy} policy
 * @param {string} taskType
 * @param {() => number} random
 * @returns {import('./types.js').ModelChoice}
 */
export function chooseModel(policy, taskType, random) {
  const { key, params } = paramsFor(policy, taskType);
  const arms =
    params && params.arms.length > 0
      ? params.arms
      : policy.candidates.map((model) => ({
          model,
          share: 1 / policy.candidates.length,
          trusted: false,
          effectiveSamples: 0,
          outcomes: 0,
          successMean: 0.5,
          costMean: null,
          latencyMsMean: null,
          rewardMean: 0.5,
        }));
  const total = arms.reduce((sum, arm) => sum + Math.max(0, arm.share), 0);
  let chosen = arms[arms.length - 1];
  if (total > 0) {
    let point = random() * total;
    for (const arm of arms) {
      point -= Math.max(0, arm.share);
      if (point < 0) {
        chosen = arm;
        break;
      }
    }
  } else {
    chosen = arms[Math.min(arms.length - 1, Math.floor(random() * arms.length))];
  }
  /** The model with the best posterior mean reward among trusted ones: choosing another is exploring. */
  let greedy = null;
  for (const arm of arms) if (arm.trusted && !arm.excluded && (!greedy || arm.rewardMean > greedy.rewardMean)) greedy = arm;
  return {
    policyId: policy.policyId,
    policyName: policy.name,
    paramsTaskType: key,
    model: chosen.model,
    share: total > 0 ? Math.max(0, chosen.share) / total : 1 / arms.length,
    explored: greedy === null || greedy.model !== chosen.model,
    arms: arms.map((arm) => ({
      model: arm.model,
      share: arm.share,
      rewardMean: arm.rewardMean,
      successMean: arm.successMean,
      effectiveSamples: arm.effectiveSamples,
      trusted: arm.trusted,
    })),
  };
}

/**
 * One line saying why: the choice, its share and the posterior figures of each candidate.
 * @param {import('./types.js').ModelChoice} choice
 */
export function choiceReasoning(choice) {
  const figures = choice.arms
    .map(
      (arm) =>
        `${arm.model} ${(arm.share * 100).toFixed(0)}% (success ${(arm.successMean * 100).toFixed(1)}%, reward ${arm.rewardMean.toFixed(3)}, n=${arm.effectiveSamples.toFixed(0)}${arm.trusted ? '' : ', untrusted'})`,
    )
    .join('; ');
  const basis =
    choice.paramsTaskType === null
      ? 'no outcomes yet, uniform'
      : choice.paramsTaskType === ''
        ? 'all task types'
        : `task type "${choice.paramsTaskType}"`;
  return `Adaptive policy "${choice.policyName}" chose ${choice.model} (${choice.explored ? 'exploring' : 'best posterior reward'}; ${basis}): ${figures}.`;
}

/** Monte-Carlo draws behind each recompute's shares: the share's standard error is at most 0.8 points. */
export const POLICY_DRAWS = 4000;

/**
 * A seeded uniform generator in [0, 1) (mulberry32): the same seed gives the same shares, in tests and simulations.
 * @param {number} seed
 * @returns {() => number}
 */
export function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Standard normal and Gamma draws from a uniform generator: Box–Muller (both values used) and Marsaglia–Tsang.
 * @param {() => number} rng
 */
function sampler(rng) {
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
  /** @param {number} shape */
  const gamma = (shape) => {
    if (shape < 1) {
      let u = rng();
      while (u <= 0) u = rng();
      return gamma(shape + 1) * Math.pow(u, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x;
      let v;
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
  /** @param {number} a @param {number} b */
  const beta = (a, b) => {
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
 * - a model with fewer outcomes than `minSamples` is untrusted; while no model is trusted, traffic is uniform;
 * - the greedy model (best posterior mean reward among the trusted) keeps at least 1 − explorationCap: the others'
 *   shares are scaled down to sum to the cap, but each untrusted model keeps at least cap / (allowed models), so a new
 *   model is always explored until it is trusted.
 * Candidates keep their order; models in `stats` that are not candidates are ignored. Pure: `rng` gives the randomness.
 * @param {import('./types.js').PolicyRewardSettings} policy
 * @param {readonly import('./types.js').PolicyModelStats[]} stats
 * @param {() => number} rng
 * @param {number} [draws]
 * @returns {import('./types.js').PolicyArmParams[]}
 */
export function computePolicyArms(policy, stats, rng, draws = POLICY_DRAWS) {
  const { costWeight, latencyWeight, costCeiling, explorationCap, minSamples } = policy;
  const cap = Math.min(1, Math.max(0, explorationCap));
  const byModel = new Map(stats.map((row) => [row.model, row]));
  const models = [...new Set(policy.candidates)];
  /** @type {import('./types.js').PolicyArmParams[]} */
  const arms = models.map((model) => {
    const row = byModel.get(model);
    const n = row ? Math.max(0, row.effectiveSamples) : 0;
    const s = row ? Math.min(n, Math.max(0, row.successes)) : 0;
    const successMean = (1 + s) / (2 + n);
    const costMean = row?.costMean ?? null;
    const latencyMsMean = row?.latencyMsMean ?? null;
    const outcomes = row?.outcomes ?? 0;
    /** @type {import('./types.js').PolicyArmParams} */
    const arm = {
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
  if (trusted.length === 0 || allowed.length === 1) {
    for (const arm of allowed) arm.share = 1 / allowed.length;
    return arms;
  }
  const wins = thompsonWins(allowed, stats, policy, rng, draws);
  let greedy = trusted[0];
  for (const arm of trusted) if (arm.rewardMean > greedy.rewardMean) greedy = arm;
  const floor = cap / allowed.length;
  let others = 0;
  let floors = 0;
  allowed.forEach((arm, i) => {
    if (arm === greedy) return;
    const thompson = wins[i] / draws;
    arm.share = arm.trusted ? thompson : Math.max(thompson, floor);
    others += arm.share;
    if (!arm.trusted) floors += floor;
  });
  if (others > cap) {
    // Scale what lies above the floors so that the other models' shares sum to the cap.
    const above = others - floors;
    const scale = above > 0 ? (cap - floors) / above : 0;
    others = 0;
    for (const arm of allowed) {
      if (arm === greedy) continue;
      const base = arm.trusted ? 0 : floor;
      arm.share = base + (arm.share - base) * scale;
      others += arm.share;
    }
  }
  greedy.share = Math.max(0, 1 - others);
  return arms;
}

/**
 * How many of `draws` joint posterior draws each arm has the best sampled reward in.
 * @param {readonly import('./types.js').PolicyArmParams[]} arms
 * @param {readonly import('./types.js').PolicyModelStats[]} stats
 * @param {import('./types.js').PolicyRewardSettings} policy
 * @param {() => number} rng
 * @param {number} draws
 */
function thompsonWins(arms, stats, policy, rng, draws) {
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
    const s = arm.successMean * (2 + n) - 1;
    alpha[i] = 1 + s;
    betaParam[i] = 1 + Math.max(0, n - s);
    const root = Math.sqrt(Math.max(1, n));
    costMean[i] = policy.costWeight * (arm.costMean ?? 0);
    costSe[i] = arm.costMean === null ? 0 : (policy.costWeight * (row?.costSd ?? 0)) / root;
    latencyMean[i] = (policy.latencyWeight * (arm.latencyMsMean ?? 0)) / 1000;
    latencySe[i] = arm.latencyMsMean === null ? 0 : (policy.latencyWeight * (row?.latencyMsSd ?? 0)) / 1000 / root;
  });
  const wins = new Float64Array(k);
  for (let draw = 0; draw < draws; draw++) {
    let best = -1;
    let bestReward = -Infinity;
    for (let i = 0; i < k; i++) {
      let reward = beta(alpha[i], betaParam[i]) - costMean[i] - latencyMean[i];
      if (costSe[i] > 0) reward -= costSe[i] * normal();
      if (latencySe[i] > 0) reward -= latencySe[i] * normal();
      if (reward > bestReward) {
        bestReward = reward;
        best = i;
      }
    }
    wins[best] += 1;
  }
  return wins;
}
