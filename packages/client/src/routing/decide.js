/**
 * The one routing decision, run wherever a decision is made: the server's match worker and resolve_route, the
 * gateway's local router (`hone.router()` in the client package) and the dashboard's preview. Plain JavaScript with
 * no imports beyond the matcher, so each of them runs the very same code. No side effects.
 *
 * A snapshot lists the active and shadow rules in evaluation order. Matching answers the first active rule that
 * matches and every shadow rule that matches; the decision comes from the active rule alone (a shadow rule never
 * decides). A matching shadow rule "would have decided" when it ranks ahead of the deciding rule, or when no active
 * rule matched (it would then have displaced the default layer).
 */
import { chooseModel, choiceReasoning } from './adaptive.js';
import { newDecisionId } from './decision-id.js';
import { assignArm, experimentFor } from './experiments.js';
import { compilePattern } from './pattern-compiler.js';
import { compilePatternSet } from './pattern-set.js';

/**
 * Compiles a snapshot's rules. Patterns that do not compile are left out and listed in `unusable` (by index into
 * `snapshot.rules`), never thrown: a stored rule the engine refuses must not stop routing.
 * @param {import('./types.js').RoutingSnapshot} snapshot
 * @returns {import('./types.js').CompiledSnapshot}
 */
export function compileSnapshot(snapshot) {
  /** @type {number[]} */ const activeAt = [];
  /** @type {number[]} */ const shadowAt = [];
  snapshot.rules.forEach((rule, index) => (rule.state === 'shadow' ? shadowAt : activeAt).push(index));
  const activeSet = compilePatternSet(activeAt.map((index) => snapshot.rules[index].pattern));
  const unusable = activeSet.unusable.map(({ index, reason }) => ({ index: activeAt[index], reason }));
  // Shadow rules are few (they are being tried out) and every one that matches is wanted, so each runs on its own.
  /** @type {{ index: number, test: (input: string) => boolean }[]} */
  const shadowTests = [];
  for (const index of shadowAt) {
    const compilation = compilePattern(snapshot.rules[index].pattern);
    if (compilation.ok) shadowTests.push({ index, test: (input) => compilation.compiled.test(input) });
    else unusable.push({ index, reason: compilation.reason });
  }
  unusable.sort((a, b) => a.index - b.index);
  const patternExperiments = compilePatternVariants(snapshot, activeAt);
  return {
    snapshot,
    unusable,
    /** @param {string} input */
    match(input) {
      const first = activeSet.firstMatchIndex(input);
      /** @type {import('./types.js').SnapshotMatch} */
      const result = {
        ruleIndex: first === -1 ? -1 : activeAt[first],
        shadowIndices: shadowTests.filter((shadow) => shadow.test(input)).map((shadow) => shadow.index),
      };
      if (patternExperiments.length === 0) return result;
      // Only here, for experiments whose arms change the rule's pattern or priority: every active match is needed to
      // know what decides in each arm (the next match when the rule's variant does not match).
      /** @type {number[] | undefined} */
      let all;
      for (const experiment of patternExperiments) {
        const variantArmIds = experiment.variants.filter((variant) => variant.test(input)).map((variant) => variant.armId);
        const ruleFirst = result.ruleIndex === experiment.ruleIndex;
        if (variantArmIds.length === 0 && !ruleFirst) continue;
        all ??= activeSet.allMatchIndexes(input).map((index) => activeAt[index]);
        (result.experiments ??= []).push({ experimentId: experiment.experimentId, variantArmIds, activeIndices: all });
      }
      return result;
    },
  };
}

/**
 * The running experiments with an arm that changes the rule's pattern or priority, their variant patterns compiled
 * once per snapshot. A variant pattern that does not compile never matches (the server refuses one at creation).
 * @param {import('./types.js').RoutingSnapshot} snapshot
 * @param {number[]} activeAt
 */
function compilePatternVariants(snapshot, activeAt) {
  /** @type {{ experimentId: number, ruleIndex: number, variants: { armId: number, test: (input: string) => boolean }[] }[]} */
  const compiled = [];
  for (const experiment of snapshot.experiments ?? []) {
    const ruleIndex = activeAt.find((index) => snapshot.rules[index].ruleId === experiment.ruleId);
    if (ruleIndex === undefined) continue;
    const rule = snapshot.rules[ruleIndex];
    const variants = [];
    for (const arm of experiment.arms) {
      const variant = arm.variant;
      if (!isPatternVariant(variant)) continue;
      const compilation = compilePattern(variant.pattern ?? rule.pattern);
      const test = compilation.ok ? (/** @type {string} */ input) => compilation.compiled.test(input) : () => false;
      variants.push({ armId: arm.armId, test });
    }
    if (variants.length > 0) compiled.push({ experimentId: experiment.experimentId, ruleIndex, variants });
  }
  return compiled;
}

/**
 * @param {import('./types.js').ExperimentVariant} variant
 * @returns {variant is { kind: 'rule', pattern?: string, layer?: import('./types.js').RoutingLayer, model?: string | null, priority?: number }}
 */
function isPatternVariant(variant) {
  return variant.kind === 'rule' && (variant.pattern !== undefined || variant.priority !== undefined);
}

/**
 * Where an experiment with pattern/priority variants puts a decision. The population is every input for which, in some
 * arm, the experiment's rule (as the control has it, or as the arm's variant changes it) decides; the arm (by the
 * request key) then says which rule decides: a variant that matches and ranks at or above the first other matching
 * active rule decides; otherwise the first other match does (the default layer when none).
 * @param {import('./types.js').RoutingSnapshot} snapshot
 * @param {import('./types.js').SnapshotMatch} match
 * @param {string} taskType
 * @param {string} key
 * @returns {{ experiment: import('./types.js').SnapshotExperiment, arm: import('./types.js').SnapshotExperimentArm, ruleIndex: number, variantDecides: boolean } | undefined}
 */
function patternExperimentDecision(snapshot, match, taskType, key) {
  for (const found of match.experiments ?? []) {
    const experiment = snapshot.experiments?.find((candidate) => candidate.experimentId === found.experimentId);
    if (!experiment || (experiment.taskType !== null && experiment.taskType !== taskType)) continue;
    const experimentRuleIndex = snapshot.rules.findIndex((rule) => rule.ruleId === experiment.ruleId && rule.state !== 'shadow');
    if (experimentRuleIndex === -1) continue;
    const rule = snapshot.rules[experimentRuleIndex];
    const nextOther = found.activeIndices.find((index) => index !== experimentRuleIndex) ?? -1;
    /** Whether the arm's variant decides this input in the arm's world. */
    const variantDecides = (/** @type {import('./types.js').SnapshotExperimentArm} */ arm) => {
      const variant = arm.variant;
      if (!isPatternVariant(variant) || !found.variantArmIds.includes(arm.armId)) return false;
      if (nextOther === -1) return true;
      // Same priority: the rule keeps its place. Another priority: as if the rule were edited now (first among equals).
      if (variant.priority === undefined || variant.priority === rule.priority) return experimentRuleIndex < nextOther;
      return snapshot.rules[nextOther].priority <= variant.priority;
    };
    const controlDecides = match.ruleIndex === experimentRuleIndex;
    if (!controlDecides && !experiment.arms.some((arm) => arm.weight > 0 && variantDecides(arm))) continue;
    const arm = assignArm(experiment, key);
    if (isPatternVariant(arm.variant)) {
      const decides = variantDecides(arm);
      return { experiment, arm, ruleIndex: decides ? experimentRuleIndex : nextOther, variantDecides: decides };
    }
    return { experiment, arm, ruleIndex: match.ruleIndex, variantDecides: false };
  }
  return undefined;
}

/**
 * The decision a match makes. `match` comes from `compiled.match(input)`, here or in the server's match worker; a
 * `cutOff` reason (matching did not finish in time) answers the default layer and counts no rule.
 *
 * After the rule: a running experiment on the deciding rule puts the decision in an arm (by a stable hash of the
 * request key) whose variant may change the layer, model or policy; then an adaptive policy (the rule's, else the
 * task type's when nothing names a model) chooses the model among its candidates.
 * @param {import('./types.js').RoutingSnapshot} snapshot
 * @param {import('./types.js').SnapshotMatch | { cutOff: string }} match
 * @param {import('./types.js').DecideOptions} [options]
 * @returns {import('./types.js').Decision}
 */
export function decisionFrom(snapshot, match, options = {}) {
  const decisionId = newDecisionId();
  const taskType = options.taskType ?? '';
  const random = options.random ?? Math.random;
  const defaultLayer = snapshot.defaultLayer;
  /** The default layer decides: no rule matched, or matching did not finish. */
  const byDefaultLayer = (/** @type {string} */ reasoning, /** @type {import('./types.js').ShadowMatch[]} */ shadow) =>
    withPolicy(
      snapshot,
      {
        decisionId,
        layer: defaultLayer,
        model: null,
        ruleId: null,
        versionId: null,
        pattern: null,
        reasoning,
        shadow,
        policyId: null,
        choice: null,
        experimentId: null,
        armId: null,
      },
      null,
      taskType,
      random,
    );
  if ('cutOff' in match) {
    return {
      ...byDefaultLayer(`Rule matching was cut off because ${match.cutOff}; using the default layer "${defaultLayer}".`, []),
      cutOff: match.cutOff,
    };
  }
  const keyed = options.requestKey !== undefined && options.requestKey !== '';
  const key = keyed ? /** @type {string} */ (options.requestKey) : decisionId;
  // An experiment whose arms change the rule's pattern or priority may change which rule decides.
  const patternPlaced = match.experiments ? patternExperimentDecision(snapshot, match, taskType, key) : undefined;
  const decidingIndex = patternPlaced ? patternPlaced.ruleIndex : match.ruleIndex;
  const rule = decidingIndex === -1 ? null : snapshot.rules[decidingIndex];
  const shadow = match.shadowIndices.map((index) => {
    const shadowRule = snapshot.rules[index];
    const wouldDecide = match.ruleIndex === -1 || index < match.ruleIndex;
    return {
      ruleId: shadowRule.ruleId,
      versionId: shadowRule.versionId,
      wouldDecide,
      displacedVersionId: wouldDecide && rule ? rule.versionId : null,
    };
  });
  if (!rule) {
    const decision = byDefaultLayer(`No active routing rule matched; using the default layer "${defaultLayer}".`, shadow);
    if (patternPlaced) placeInArm(decision, patternPlaced.experiment, patternPlaced.arm, keyed, ' (in this arm no rule decides)');
    return decision;
  }
  /** @type {import('./types.js').Decision} */
  const decision = {
    decisionId,
    layer: rule.layer,
    model: rule.model,
    ruleId: rule.ruleId,
    versionId: rule.versionId,
    pattern: rule.pattern,
    reasoning:
      `Matched rule #${rule.ruleId} v${rule.version} /${rule.pattern}/ (priority ${rule.priority}) -> ${rule.layer}` +
      (rule.model ? ` / ${rule.model}` : '') +
      (rule.reasoning ? `: ${rule.reasoning}` : '.'),
    shadow,
    policyId: null,
    choice: null,
    experimentId: null,
    armId: null,
  };
  let policyId = rule.policyId ?? null;
  const experiment = patternPlaced ? patternPlaced.experiment : experimentFor(snapshot.experiments, rule.ruleId, taskType);
  // A pattern-placed decision made by another rule is in the experiment (its arm's outcome) but changes nothing.
  const onExperimentRule = experiment !== undefined && experiment.ruleId === rule.ruleId;
  if (patternPlaced && !onExperimentRule) {
    placeInArm(decision, patternPlaced.experiment, patternPlaced.arm, keyed, ` (in this arm rule #${rule.ruleId} decides)`);
  } else if (experiment) {
    const arm = patternPlaced ? patternPlaced.arm : assignArm(experiment, key);
    decision.experimentId = experiment.experimentId;
    decision.armId = arm.armId;
    const variant = arm.variant;
    if (patternPlaced?.variantDecides && isPatternVariant(variant) && variant.pattern !== undefined) decision.pattern = variant.pattern;
    if (variant.kind === 'model') {
      decision.model = variant.model;
      policyId = null;
    } else if (variant.kind === 'layer') {
      decision.layer = variant.layer;
      if (variant.model !== undefined) decision.model = variant.model;
      policyId = null;
    } else if (variant.kind === 'policy') {
      policyId = variant.policyId;
    } else if (variant.kind === 'rule') {
      if (variant.layer !== undefined) decision.layer = variant.layer;
      if (variant.model !== undefined) {
        decision.model = variant.model;
        policyId = null;
      }
    }
    decision.reasoning +=
      ` Experiment #${experiment.experimentId} "${experiment.name}": arm "${arm.name}"` +
      (patternPlaced?.variantDecides ? ' (its variant of the rule matched)' : '') +
      (keyed ? ' (by the request key).' : ' (no request key: by the decision id).');
  }
  return withPolicy(snapshot, decision, policyId, taskType, random);
}

/**
 * Tags a decision another rule (or the default layer) made with the experiment arm it falls in.
 * @param {import('./types.js').Decision} decision
 * @param {import('./types.js').SnapshotExperiment} experiment
 * @param {import('./types.js').SnapshotExperimentArm} arm
 * @param {boolean} keyed
 * @param {string} why
 */
function placeInArm(decision, experiment, arm, keyed, why) {
  decision.experimentId = experiment.experimentId;
  decision.armId = arm.armId;
  decision.reasoning +=
    ` Experiment #${experiment.experimentId} "${experiment.name}": arm "${arm.name}"${why}` +
    (keyed ? ' (by the request key).' : ' (no request key: by the decision id).');
}

/**
 * Lets an adaptive policy choose the model: `policyId` when given (the rule's, or its experiment arm's), else the task
 * type's policy when nothing named a model.
 * @param {import('./types.js').RoutingSnapshot} snapshot
 * @param {import('./types.js').Decision} decision
 * @param {number | null} policyId
 * @param {string} taskType
 * @param {() => number} random
 * @returns {import('./types.js').Decision}
 */
function withPolicy(snapshot, decision, policyId, taskType, random) {
  const policies = snapshot.policies;
  if (!policies || policies.length === 0) return decision;
  let policy;
  if (policyId !== null) policy = policies.find((candidate) => candidate.policyId === policyId);
  else if (decision.model === null && taskType !== '') policy = policies.find((candidate) => candidate.taskType === taskType);
  if (!policy) return decision;
  const choice = chooseModel(policy, taskType, random);
  decision.model = choice.model;
  decision.policyId = policy.policyId;
  decision.choice = choice;
  decision.reasoning += ` ${choiceReasoning(choice)}`;
  return decision;
}

/**
 * Decides in process: match, then decision.
 * @param {import('./types.js').CompiledSnapshot} compiled
 * @param {string} input
 * @param {import('./types.js').DecideOptions} [options]
 * @returns {import('./types.js').Decision}
 */
export function decide(compiled, input, options) {
  return decisionFrom(compiled.snapshot, compiled.match(input), options);
}
