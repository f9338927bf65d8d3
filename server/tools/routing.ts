import {
  DeleteRoutingRuleInput,
  GetRoutingHitRatesInput,
  GetRoutingRuleHistoryInput,
  GetRoutingRuleStatsInput,
  ListRoutingRulesInput,
  PreviewRouteInput,
  RecordRouteOutcomeInput,
  ResolveRouteInput,
  SaveRoutingRuleInput,
} from '../schemas/routing';
import { getRoutingHitRates } from '../services/routing/hit-rates';
import { getRoutingRuleHistory } from '../services/routing/rule-history';
import { recordRouteOutcome } from '../services/routing/record-outcome';
import { getRoutingRuleStats } from '../services/routing/rule-stats';
import { resolveRoute } from '../services/routing/resolve-route';
import { warningsForSavedRule } from '../services/routing/check-rules';
import { deleteRoutingRule, listRoutingRules, saveRoutingRule } from '../services/routing/rule-store';
import { defineTool } from './define';

export const updateRoutingHeuristicTool = defineTool({
  name: 'update_routing_heuristic',
  description:
    'Create or update a routing rule: requests whose input matches the regex pattern go to a layer (fast, balanced, deep) and optionally a named model. ' +
    'Keyed on pattern; fields you omit keep their stored values and metadata is merged. Higher priority rules are checked first. ' +
    'Give id (from get_routing_heuristics) to edit that rule instead, its pattern included. ' +
    'Patterns run on RE2 in linear time: lookaround, backreferences and huge counted repetitions are refused with the reason. ' +
    'The answer carries the check_routing_rules warnings concerning the saved rule (it is saved all the same).',
  input: SaveRoutingRuleInput,
  readOnly: false,
  // The spec's wire shape names the rule "heuristic".
  // The spec's example.
  example: {
    pattern: '.*implement.*algorithm.*',
    preferredLayer: 'deep',
    preferredModel: 'claude-sonnet-4',
    reasoning: 'Algorithm implementation requires deep reasoning',
    successRate: 92.5,
    usageCount: 45,
    active: true,
  },
  handler: async ({ prisma, callerName }, input) => {
    const { created, rule } = await saveRoutingRule(prisma, input, { changedBy: callerName });
    // Checked after the save: a warning informs, it never refuses.
    return { created, heuristic: rule, warnings: await warningsForSavedRule(prisma, rule.id) };
  },
});

export const getRoutingHeuristicsTool = defineTool({
  name: 'get_routing_heuristics',
  description: 'List routing rules in evaluation order (priority descending, then most recently updated). By default only active rules.',
  input: ListRoutingRulesInput,
  readOnly: true,
  // The spec's example.
  example: { activeOnly: true },
  handler: ({ prisma }, input) => listRoutingRules(prisma, input),
});

export const previewRouteTool = defineTool({
  name: 'preview_route',
  description:
    'Where resolve_route would send a request, without counting it: the matching rule, layer and model. ' +
    'Use it to test a rule or an input; it only reads, so a read key may call it.',
  input: PreviewRouteInput,
  readOnly: true,
  example: { input: 'Please implement a sorting algorithm in Rust' },
  handler: ({ prisma }, input) => resolveRoute(prisma, { ...input, dryRun: true }),
});

export const resolveRouteTool = defineTool({
  name: 'resolve_route',
  description:
    'Decide where a request should go: the highest-priority active rule whose pattern matches the input gives the layer and model; ' +
    'with no match, the default layer. Each decision is counted for hit-rate statistics unless dryRun is true.',
  input: ResolveRouteInput,
  readOnly: false,
  example: { input: 'Please implement a sorting algorithm in Rust', taskType: 'coding' },
  handler: ({ prisma }, input) => resolveRoute(prisma, input),
});

export const deleteRoutingHeuristicTool = defineTool({
  name: 'delete_routing_heuristic',
  description:
    'Delete a routing rule by id, with its hit history. Irreversible; to stop a rule temporarily, set active to false with update_routing_heuristic instead.',
  input: DeleteRoutingRuleInput,
  readOnly: false,
  destructive: true,
  example: async (call) => {
    const { heuristic } = await call(updateRoutingHeuristicTool, { pattern: '^a rule made to be deleted$', preferredLayer: 'fast' });
    return { id: heuristic.id };
  },
  handler: ({ prisma, callerName }, input) => deleteRoutingRule(prisma, input, { changedBy: callerName }),
});

export const getRoutingHitRatesTool = defineTool({
  name: 'get_routing_hit_rates',
  description:
    'How often routing rules fire: over a date range (default the last 7 days), the number of resolve_route decisions, the overall hit rate ' +
    "(share of decisions some rule matched) and each rule's hits and hit rate, in total and per time bucket. Dry runs are not counted. " +
    'edits lists the rule versions made in the range (when, rule, version, created/updated/deleted, the fields changed, by whom), ' +
    'where figures before and after stop being comparable.',
  input: GetRoutingHitRatesInput,
  readOnly: true,
  example: { from: '2026-01-01T00:00:00Z', to: '2026-01-08T00:00:00Z' },
  handler: ({ prisma }, input) => getRoutingHitRates(prisma, input),
});

export const getRoutingRuleHistoryTool = defineTool({
  name: 'get_routing_rule_history',
  description:
    "A routing rule's versions, newest first: every change of its pattern, layer, model, priority or state makes an immutable version, " +
    'to which decisions, hits and outcomes are attributed. Each version says what it changed (field, from, to), who changed it ' +
    "(the API key's name when keys are required) and when. A deleted rule's history is kept.",
  input: GetRoutingRuleHistoryInput,
  readOnly: true,
  example: async (call) => {
    const { heuristic } = await call(updateRoutingHeuristicTool, { pattern: '^a rule with a history$', preferredLayer: 'fast' });
    await call(updateRoutingHeuristicTool, { id: heuristic.id, pattern: '^a rule with a history$', preferredLayer: 'deep' });
    return { id: heuristic.id };
  },
  handler: ({ prisma }, input) => getRoutingRuleHistory(prisma, input),
});

export const recordRouteOutcomeTool = defineTool({
  name: 'record_route_outcome',
  description:
    'Report what a routed request came to, by the decisionId resolve_route (or a gateway router) answered: success, and optionally latency, ' +
    "cost and the model that served it (default: the decision's model). It is attributed to the rule version that decided, feeding the " +
    'measured success rate, latency and cost of get_routing_rule_stats. One outcome per decision: a repeat answers duplicate: true and ' +
    'counts nothing; an unknown decisionId is a 404.',
  input: RecordRouteOutcomeInput,
  readOnly: false,
  example: async (call) => {
    const { decisionId } = await call(resolveRouteTool, { input: 'Please implement a sorting algorithm in Rust', taskType: 'coding' });
    return { decisionId, success: true, latencyMs: 2340, cost: 0.0125, modelId: 'claude-sonnet-4' };
  },
  handler: ({ prisma }, input) => recordRouteOutcome(prisma, input),
});

export const getRoutingRuleStatsTool = defineTool({
  name: 'get_routing_rule_stats',
  description:
    "What each routing rule and each of its versions measured over a date range (default the last 7 days): hits, shadow rules' " +
    'would-have-matched and would-have-decided counts with the versions (or default layer) they would have displaced, and from reported ' +
    'outcomes (record_route_outcome) the measured success rate in percent with its Wilson 95% interval and sample size, mean latency and ' +
    'mean cost, overall and per model, beside the stated successRate the client gave. Deleted rules appear while they have figures.',
  input: GetRoutingRuleStatsInput,
  readOnly: true,
  example: { from: '2026-01-01T00:00:00Z', to: '2026-01-08T00:00:00Z' },
  handler: ({ prisma }, input) => getRoutingRuleStats(prisma, input),
});
