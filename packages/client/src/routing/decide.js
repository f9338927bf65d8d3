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
  return {
    snapshot,
    unusable,
    /** @param {string} input */
    match(input) {
      const first = activeSet.firstMatchIndex(input);
      return {
        ruleIndex: first === -1 ? -1 : activeAt[first],
        shadowIndices: shadowTests.filter((shadow) => shadow.test(input)).map((shadow) => shadow.index),
      };
    },
  };
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
  const decisionId = globalThis.crypto.randomUUID();
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
  const rule = match.ruleIndex === -1 ? null : snapshot.rules[match.ruleIndex];
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
  if (!rule) return byDefaultLayer(`No active routing rule matched; using the default layer "${defaultLayer}".`, shadow);
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
  const experiment = experimentFor(snapshot.experiments, rule.ruleId, taskType);
  if (experiment) {
    const keyed = options.requestKey !== undefined && options.requestKey !== '';
    const arm = assignArm(experiment, keyed ? /** @type {string} */ (options.requestKey) : decisionId);
    decision.experimentId = experiment.experimentId;
    decision.armId = arm.armId;
    const variant = arm.variant;
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
      (keyed ? ' (by the request key).' : ' (no request key: by the decision id).');
  }
  return withPolicy(snapshot, decision, policyId, taskType, random);
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
