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
