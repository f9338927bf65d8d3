import { randomUUID } from 'node:crypto';
import { ApplyRoutingSuggestionInput, SuggestRoutingChangesInput } from '../schemas/suggestions';
import { applyRoutingSuggestion } from '../services/suggestions/apply';
import { suggestRoutingChanges, type RoutingSuggestions } from '../services/suggestions/suggest';
import { defineTool } from './define';
import { ingestTool } from './ingest';
import { resolveRouteTool, updateRoutingHeuristicTool } from './routing';

export const suggestRoutingChangesTool = defineTool({
  name: 'suggest_routing_changes',
  description:
    'Suggested routing changes from measured figures over a date range (default the last 7 days), each with evidence (a sentence with ' +
    'the figures), sample size and Wilson 95% interval, and an action: a shadow rule (update_routing_heuristic input) and/or an ' +
    'experiment (create_experiment input). Kinds: underperforming_rule (a rule whose success interval lies below the rest of its layer), ' +
    'cheaper_model (a model as good as the rule’s model on its task types, at a lower mean cost), worth_experiment (a model better by ' +
    'its point estimate: test it), never_hits (an active rule that decided nothing over at least 1,000 decisions: set it to shadow, an edit ' +
    'of that rule). Never from fewer than minOutcomes outcomes or calls; such candidates are listed under skipped. ' +
    'Apply one with apply_routing_suggestion.',
  input: SuggestRoutingChangesInput,
  readOnly: true,
  example: { minOutcomes: 30 },
  handler: ({ prisma }, input) => suggestRoutingChanges(prisma, input),
  toText: (answer: RoutingSuggestions) =>
    [
      answer.suggestions.length
        ? `${answer.suggestions.length} suggestion(s):`
        : `No suggestion from ${answer.minOutcomes} or more outcomes between ${answer.from} and ${answer.to}.`,
      ...answer.suggestions.map((s) => `- [${s.kind}] ${s.title} (id ${s.id}): ${s.evidence}`),
      ...(answer.skipped.length
        ? [
            'Skipped for too few outcomes:',
            ...answer.skipped.map((s) => `- [${s.kind}] rule ${s.ruleId}${s.model ? ` / ${s.model}` : ''}: ${s.reason}`),
          ]
        : []),
    ].join('\n'),
});

export const applyRoutingSuggestionTool = defineTool({
  name: 'apply_routing_suggestion',
  description:
    'Turn a suggestion of suggest_routing_changes into a shadow rule (as: shadow_rule; for never_hits, the existing rule is edited to ' +
    'state shadow) or an experiment (as: experiment). The suggestions are recomputed over the range given (default the last 7 days): ' +
    'an id that no longer applies is a 404.',
  input: ApplyRoutingSuggestionInput,
  readOnly: false,
  example: async (call) => {
    // A rule sending a task type to one model (24 of 30 calls succeed) and a cheaper model (30 of 30): a cheaper_model suggestion.
    const pattern = `^suggestion example ${randomUUID().slice(0, 8)}`;
    const { heuristic } = await call(updateRoutingHeuristicTool, { pattern, preferredLayer: 'deep', preferredModel: 'example-large' });
    await call(resolveRouteTool, { input: `${pattern.slice(1)}: summarise this`, taskType: 'example-summaries' });
    const calls = (modelId: string, successes: number, cost: number) =>
      Array.from({ length: 30 }, (_, i) => ({ modelId, taskType: 'example-summaries', success: i < successes, latencyMs: 800, cost }));
    await call(ingestTool, { modelCalls: [...calls('example-large', 24, 0.02), ...calls('example-small', 30, 0.002)] });
    const { suggestions } = await call(suggestRoutingChangesTool, { minOutcomes: 30 });
    const id = suggestions.find((s) => s.ruleId === heuristic.id && s.kind === 'cheaper_model')?.id ?? `cheaper_model:rule-${heuristic.id}`;
    return { id, as: 'shadow_rule' as const };
  },
  handler: ({ prisma, callerName }, input) => applyRoutingSuggestion(prisma, input, { changedBy: callerName }),
});
