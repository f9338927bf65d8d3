import { ReplayRoutingRuleInput } from '../schemas/routing-replay';
import { replayRoutingRule, type ReplayChange, type RoutingReplay } from '../services/routing/replay';
import type { DecisionEnd, MetricProjection } from '../services/routing/replay-compare';
import { defineTool } from './define';

export const replayRoutingRuleTool = defineTool({
  name: 'replay_routing_rule',
  description:
    'What a rule change would have done, before you save it: replays the stored sample of recent decision inputs (default the last 7 days) ' +
    'with the current rules and with the change (an unsaved rule; an edit: id plus the fields that change; or id with delete: true), ' +
    'and reports the sample size and period, how many decisions it takes over, from which rule/layer/model to which per task type, ' +
    "the projected change in success rate, mean latency and mean cost from the models' measured figures for those task types " +
    '(with how many changed decisions had none), and takeovers per day. Reads only.',
  input: ReplayRoutingRuleInput,
  readOnly: true,
  example: { pattern: '\\b(prove|theorem|lemma)\\b', preferredLayer: 'deep', preferredModel: 'claude-sonnet-4' },
  handler: ({ prisma }, input) => replayRoutingRule(prisma, input),
  toText: replayText,
});

const endText = (end: DecisionEnd) =>
  (end.ruleId === null ? 'default layer' : end.versionId === -1 ? 'the candidate' : `rule #${end.ruleId} (version ${end.versionId})`) +
  ` → ${end.layer}${end.model ? ` / ${end.model}` : ''}`;

const deltaText = (name: string, p: MetricProjection | null, digits: number, unit: string) =>
  p
    ? `${name}: ${p.before.toFixed(digits)}${unit} → ${p.after.toFixed(digits)}${unit} on the changed decisions ` +
      `(${p.delta >= 0 ? '+' : ''}${p.delta.toFixed(digits)}${unit}; over the whole sample ${p.deltaOverSample >= 0 ? '+' : ''}${p.deltaOverSample.toFixed(digits)}${unit})`
    : `${name}: no measured figures`;

const changeText = (c: ReplayChange) => `  ${c.decisions} × [${c.taskType || 'no task type'}] ${endText(c.from)}  ⇒  ${endText(c.to)}`;

function replayText(r: RoutingReplay): string {
  const what =
    r.candidate.kind === 'delete' ? `Deleting rule #${r.candidate.ruleId}` : `Rule /${r.candidate.pattern}/ (${r.candidate.kind})`;
  const lines = [
    `${what}, replayed on ${r.sample.size} sampled decision(s) from ${r.sample.firstAt ?? r.from} to ${r.sample.lastAt ?? r.to}` +
      (r.sample.truncated ? ` (of ${r.sample.inRange} in the range)` : '') +
      `: ${r.takeovers} decided differently${r.takeoverRate === null ? '' : ` (${(r.takeoverRate * 100).toFixed(1)}%)`}.`,
    ...r.changes.map(changeText),
    ...(r.changesTruncated ? ['  …'] : []),
    `Projected (${r.projected.decisionsWithFigures} changed decision(s) with figures, ${r.projected.decisionsWithoutFigures} without):`,
    `  ${deltaText('success rate', r.projected.successRate, 2, ' pts')}`,
    `  ${deltaText('mean latency', r.projected.latencyMs, 1, ' ms')}`,
    `  ${deltaText('mean cost', r.projected.cost, 6, ' USD')}`,
    ...r.notes,
  ];
  return lines.join('\n');
}
