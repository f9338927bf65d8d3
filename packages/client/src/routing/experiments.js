/**
 * Experiment arms at decision time: a request key is hashed with the experiment's salt to a point in [0, 1), which
 * falls in one arm by the arms' weights, so a conversation (one key) stays in one arm. Plain JavaScript, no imports:
 * the server and `hone.router()` run this very code. No side effects.
 */

/**
 * FNV-1a (32-bit) over the UTF-16 code units of the text, then a murmur3 finalizer for an even spread of similar keys.
 * @param {string} text
 * @returns {number} in [0, 1)
 */
export function stableUnitHash(text) {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 0x100000000;
}

/**
 * The arm a request key falls in. A stopped arm (weight 0) takes no traffic: what it would have had goes to the control.
 * @param {import('./types.js').SnapshotExperiment} experiment
 * @param {string} requestKey
 * @returns {import('./types.js').SnapshotExperimentArm}
 */
export function assignArm(experiment, requestKey) {
  const arms = experiment.arms;
  const total = arms.reduce((sum, arm) => sum + Math.max(0, arm.weight), 0);
  if (!(total > 0)) return arms[0];
  let point = stableUnitHash(`${experiment.salt}:${requestKey}`) * total;
  for (const arm of arms) {
    point -= Math.max(0, arm.weight);
    if (point < 0) return arm;
  }
  return arms[0];
}

/**
 * The running experiment on a rule for a task type, if any (at most one is expected; the first wins).
 * @param {readonly import('./types.js').SnapshotExperiment[] | undefined} experiments
 * @param {number} ruleId
 * @param {string} taskType
 */
export function experimentFor(experiments, ruleId, taskType) {
  if (!experiments) return undefined;
  for (const experiment of experiments) {
    if (experiment.ruleId === ruleId && (experiment.taskType === null || experiment.taskType === taskType)) return experiment;
  }
  return undefined;
}
