import { CreateExperimentInput, GetExperimentInput, ListExperimentsInput, StopExperimentInput } from '../schemas/experiments';
import { createExperiment, getExperiment, listExperiments, stopExperiment, type ExperimentDto } from '../services/experiments/experiments';
import { defineTool, type ToolCaller } from './define';
import { updateRoutingHeuristicTool } from './routing';

const pct = (rate: number | null) => (rate === null ? '-' : `${(rate * 100).toFixed(1)}%`);
const pts = (value: number) => `${value >= 0 ? '+' : ''}${(value * 100).toFixed(1)}`;
const num = (value: number, digits: number) => value.toFixed(digits);

function variantText(variant: ExperimentDto['arms'][number]['variant']): string {
  switch (variant.kind) {
    case 'control':
      return 'the rule as it is';
    case 'model':
      return `model ${variant.model}`;
    case 'layer':
      return `layer ${variant.layer}${variant.model === undefined ? '' : ` / ${variant.model ?? "the layer's default model"}`}`;
    case 'policy':
      return `adaptive policy #${variant.policyId}`;
    case 'rule':
      return [
        variant.pattern !== undefined && `pattern /${variant.pattern}/`,
        variant.priority !== undefined && `priority ${variant.priority}`,
        variant.layer && `layer ${variant.layer}`,
        variant.model !== undefined && `model ${variant.model ?? 'none'}`,
      ]
        .filter(Boolean)
        .join(', ');
  }
}

/** An experiment as a person or agent reads it: state, verdict, then one line per arm. */
export function experimentText(experiment: ExperimentDto): string {
  const rule = experiment.rule
    ? `rule #${experiment.rule.id} /${experiment.rule.pattern}/ (v${experiment.rule.version})`
    : `rule #${experiment.ruleId} (deleted)`;
  const lines = [
    `Experiment #${experiment.id} "${experiment.name}" on ${rule}${experiment.taskType ? `, task type ${experiment.taskType}` : ''}: ${experiment.status}.`,
    `Verdict (${experiment.verdict.status}): ${experiment.verdict.text}`,
  ];
  if (experiment.promotedArmId !== null)
    lines.push(`Promoted arm #${experiment.promotedArmId} as rule version id ${experiment.promotedVersionId ?? '-'}.`);
  for (const arm of experiment.arms) {
    const parts = [
      `${arm.position === 0 ? 'Control' : 'Arm'} #${arm.id} "${arm.name}" (${variantText(arm.variant)}, weight ${arm.weight}):`,
      `${arm.decisions} decisions, ${arm.outcomes} outcomes, success ${pct(arm.successRate)}`,
      arm.successCi ? `[${pct(arm.successCi.low)}, ${pct(arm.successCi.high)}]` : '',
      arm.latency ? `, latency ${num(arm.latency.mean, 0)} ms` : '',
      arm.cost ? `, cost $${num(arm.cost.mean, 5)}` : '',
      arm.diff
        ? `; vs control ${pts(arm.diff.effect)} points [${pts(arm.diff.ci.low)}, ${pts(arm.diff.ci.high)}], p = ${arm.pValue.toPrecision(3)}`
        : '',
      arm.stopped ? `; STOPPED${arm.stopReason ? ` (${arm.stopReason})` : ''}` : '',
    ];
    lines.push(`- ${parts.filter(Boolean).join(' ').replace(' ,', ',').replace(' ;', ';')}`);
  }
  return lines.join('\n');
}

/** A rule to experiment on, made through the face under test (examples run on an empty database). */
async function exampleRule(call: ToolCaller, pattern: string): Promise<number> {
  const { heuristic } = await call(updateRoutingHeuristicTool, { pattern, preferredLayer: 'balanced', preferredModel: 'gpt-4o-mini' });
  return heuristic.id;
}

const exampleArms = [
  { name: 'control', variant: { kind: 'control' as const } },
  { name: 'sonnet', variant: { kind: 'model' as const, model: 'claude-sonnet-4' } },
];

export const createExperimentTool = defineTool({
  name: 'create_experiment',
  description:
    "Start an A/B experiment on an active routing rule: the rule's decisions (of one task type, if given) are split between arms by a stable hash " +
    'of the request key (resolve_route requestKey; a conversation stays in one arm). The first arm is the control {kind: "control"}; the others change ' +
    'the model {kind: "model", model}, the layer {kind: "layer", layer, model?}, the adaptive policy {kind: "policy", policyId} or the rule itself ' +
    '{kind: "rule", pattern?, priority?, layer?, model?} (inputs either pattern matches are in the experiment). Outcomes (record_route_outcome) are compared with an always-valid sequential test (mSPRT), so the verdict may be ' +
    'read at any time; a guard stops an arm that is significantly worse. At most one running experiment per rule and task type.',
  input: CreateExperimentInput,
  readOnly: false,
  example: async (call) => ({
    name: 'Sonnet for algorithms',
    ruleId: await exampleRule(call, '^an experiment example$'),
    arms: exampleArms,
  }),
  handler: ({ prisma, callerName }, input) => createExperiment(prisma, input, { changedBy: callerName }),
  toText: experimentText,
});

export const getExperimentTool = defineTool({
  name: 'get_experiment',
  description:
    'An experiment with, per arm: decisions, outcomes, success rate with its 95% Wilson interval, mean latency and cost with 95% intervals, the ' +
    'difference in success against the control with its always-valid interval, the always-valid p-value and whether the guard stopped it; and the ' +
    'verdict (collecting, running, winner, control_wins, no_difference, stopped, promoted) with the effect size in points.',
  input: GetExperimentInput,
  readOnly: true,
  example: async (call) => {
    const experiment = await call(createExperimentTool, {
      name: 'Read me',
      ruleId: await exampleRule(call, '^an experiment to read$'),
      arms: exampleArms,
    });
    return { id: experiment.id };
  },
  handler: ({ prisma }, input) => getExperiment(prisma, input),
  toText: experimentText,
});

export const listExperimentsTool = defineTool({
  name: 'list_experiments',
  description: 'Experiments (running first, newest first) with their arms, figures and verdicts; filter by status or rule.',
  input: ListExperimentsInput,
  readOnly: true,
  example: { status: 'running' },
  handler: ({ prisma }, input) => listExperiments(prisma, input),
  toText: (experiments) => (experiments.length === 0 ? 'No experiments.' : experiments.map(experimentText).join('\n\n')),
});

export const stopExperimentTool = defineTool({
  name: 'stop_experiment',
  description:
    "Stop a running experiment. With promoteArmId, that arm's variant is applied to the rule (a new rule version, recorded on the experiment) " +
    'and the experiment is marked promoted; without it the rule stays as it was. Decisions go back to the rule at once.',
  input: StopExperimentInput,
  readOnly: false,
  destructive: true,
  example: async (call) => {
    const experiment = await call(createExperimentTool, {
      name: 'Promote me',
      ruleId: await exampleRule(call, '^an experiment to promote$'),
      arms: exampleArms,
    });
    return { id: experiment.id, promoteArmId: experiment.arms[1]?.id ?? 0, reason: 'the example promotes its second arm' };
  },
  handler: ({ prisma, callerName }, input) => stopExperiment(prisma, input, { changedBy: callerName }),
  toText: experimentText,
});
