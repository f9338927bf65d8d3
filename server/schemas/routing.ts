import { z } from 'zod';
import { patternProblem } from '../services/routing/matcher';
import {
  boundedNumber,
  databaseId,
  jsonDescription,
  jsonObject,
  MAX_CALL_COST,
  MAX_INT32,
  MAX_LATENCY_MS,
  nonBlank,
  optionalText,
  rulePriority,
  storableText,
} from './common';
import { withTimeRange } from './time-range';

export const ROUTING_LAYERS = ['fast', 'balanced', 'deep'] as const;
export type RoutingLayerValue = (typeof ROUTING_LAYERS)[number];

export const ROUTING_RULE_STATES = ['active', 'shadow', 'inactive'] as const;
export type RoutingRuleStateValue = (typeof ROUTING_RULE_STATES)[number];

export const MAX_PATTERN_LENGTH = 1000;

/**
 * Checked here with the matcher itself (browser and server alike): a pattern RE2 cannot run in linear time
 * (lookaround, backreferences, huge counted repetitions) is refused with the engine's reason.
 */
export const routingPattern = storableText(
  z
    .string()
    .min(1, 'must not be empty')
    .max(MAX_PATTERN_LENGTH, `must be at most ${MAX_PATTERN_LENGTH.toLocaleString('en')} characters`),
).superRefine((pattern, ctx) => {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_LENGTH) return; // already refused, and not worth compiling
  const problem = patternProblem(pattern);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

export const ruleId = databaseId();

/** The save's fields without the cross-field rule (zod cannot omit fields of a refined object: the form omits some). */
export const SaveRoutingRuleFields = z.strictObject({
  id: ruleId.optional().describe('Id of the rule to edit, so its pattern can change; omit to upsert keyed on pattern as the spec says'),
  pattern: routingPattern.describe(
    'Regular expression (JavaScript syntax, run by the linear-time RE2 engine: no lookaround or backreferences) tested against the request input; the upsert key',
  ),
  preferredLayer: z.enum(ROUTING_LAYERS).describe('Layer to route matching requests to'),
  preferredModel: nonBlank(200).nullable().optional().describe('Specific model to use; null clears it'),
  policyId: databaseId()
    .nullable()
    .optional()
    .describe(
      'An adaptive routing policy (save_routing_policy) choosing the model among its candidates; wins over preferredModel; null clears it',
    ),
  reasoning: optionalText(5000).optional().describe('Why this rule exists'),
  successRate: z.number().min(0).max(100).optional().describe('Observed success rate of the rule, 0..100'),
  usageCount: z.number().int().min(0).max(MAX_INT32).optional().describe('How often the rule has been used'),
  active: z
    .boolean()
    .optional()
    .describe('Whether the rule is applied (default true on creation); false makes it inactive. Same as state active/inactive'),
  state: z
    .enum(ROUTING_RULE_STATES)
    .optional()
    .describe(
      'active: decides; shadow: evaluated on every decision and counted as "would have matched", never decides; inactive: ignored (default active on creation)',
    ),
  priority: rulePriority().optional().describe('Higher is checked first (default 0)'),
  metadata: jsonObject.optional().describe(jsonDescription('Extra keys, merged into the stored metadata')),
});

/** `active` and `state` may both be given only when they agree. */
export function refuseContradictoryState(rule: { active?: boolean; state?: RoutingRuleStateValue }, ctx: z.RefinementCtx): void {
  if (rule.active !== undefined && rule.state !== undefined && rule.active !== (rule.state === 'active'))
    ctx.addIssue({ code: 'custom', path: ['state'], message: `contradicts active: ${rule.active}; give one of the two` });
}

export const SaveRoutingRuleInput = SaveRoutingRuleFields.superRefine(refuseContradictoryState);

/** The state a save asks for: `state`, else the spec's `active` flag, else unchanged (undefined). */
export function requestedRuleState(rule: { active?: boolean; state?: RoutingRuleStateValue }): RoutingRuleStateValue | undefined {
  return rule.state ?? (rule.active === undefined ? undefined : rule.active ? 'active' : 'inactive');
}

export const ListRoutingRulesInput = z
  .strictObject({
    activeOnly: z.boolean().default(true).describe('Return only active heuristics (default true)'),
  })
  .prefault({});

export const ResolveRouteInput = z.strictObject({
  input: storableText(z.string().max(1_000_000, 'must be at most 1,000,000 characters')).describe('The request text to route'),
  taskType: nonBlank(100).optional().describe('Task type of the request, for the decision statistics'),
  dryRun: z.boolean().default(false).describe('Decide without counting the decision in the statistics'),
  requestKey: nonBlank(200)
    .optional()
    .describe('Keeps a conversation in one experiment arm (e.g. the conversation id); without it the decision id is used'),
});

export const PreviewRouteInput = ResolveRouteInput.omit({ dryRun: true });

export const DeleteRoutingRuleInput = z.strictObject({
  id: ruleId.describe('Id of the rule to delete (from get_routing_heuristics)'),
});

export const GetRoutingRuleHistoryInput = z.strictObject({
  id: ruleId.describe('Id of the rule (from get_routing_heuristics); a deleted rule keeps its history'),
});

export const GetRoutingHitRatesInput = withTimeRange({
  taskType: optionalText(100).optional().describe('Only decisions of this task type ("" = decisions made without one)'),
}).prefault({});

export const decisionId = z
  .guid('must be a UUID')
  // A UUID is 36 characters; the bound says so to every face's schema (and refuses a huge string before the pattern runs).
  .max(36, 'must be a UUID')
  .describe("The decisionId a routing decision answered with (resolve_route, or a gateway's hone.router())");

export const RecordRouteOutcomeInput = z.strictObject({
  decisionId,
  success: z.boolean().describe('Whether the request routed by this decision succeeded'),
  latencyMs: boundedNumber(0, MAX_LATENCY_MS).optional().describe('Response time in milliseconds, 0..86,400,000 (one day)'),
  cost: boundedNumber(0, MAX_CALL_COST).optional().describe('Cost of the request in USD, 0..1,000,000'),
  modelId: nonBlank(200)
    .optional()
    .describe("The model that served the request, when it is not the decision's own (a layer decision names none)"),
});

const shadowMatch = z.strictObject({
  ruleId: databaseId().describe('The shadow rule that matched'),
  versionId: databaseId().describe('Its version'),
  displacedVersionId: databaseId()
    .nullable()
    .describe('The version it would have displaced had it been active; null for the default layer (or when it would not decide)'),
  wouldDecide: z.boolean().describe('Whether it ranks ahead of the deciding rule (or no active rule matched)'),
});

/** A decision made elsewhere (a gateway's local router), sent through `ingest` to be stored and counted. */
export const RouteDecisionFields = {
  decisionId,
  versionId: databaseId().nullable().describe('The deciding rule version; null when the default layer decided'),
  ruleId: databaseId().nullable().describe('The deciding rule; null when the default layer decided'),
  layer: z.enum(ROUTING_LAYERS).describe('The layer decided'),
  model: nonBlank(200).nullable().describe('The model decided, if the rule names one'),
  taskType: nonBlank(100).optional().describe('Task type of the request, for the decision statistics'),
  shadow: z.array(shadowMatch).max(1000, 'must contain at most 1000 items').default([]).describe('Every shadow rule that matched'),
  input: storableText(z.string().max(1_000_000, 'must be at most 1,000,000 characters'))
    .optional()
    .describe('The request input, only for decisions the router sampled for replay (stored bounded to the matched prefix)'),
  policyId: databaseId().nullable().optional().describe('The adaptive policy that chose the model, if one did'),
  experimentId: databaseId().nullable().optional().describe('The experiment the decision fell in, if any'),
  armId: databaseId().nullable().optional().describe('The experiment arm the decision fell in (with experimentId)'),
};

export const GetRoutingRuleStatsInput = withTimeRange({
  taskType: optionalText(100).optional().describe('Only decisions of this task type ("" = decisions made without one)'),
  ruleId: ruleId.optional().describe('Only this rule (a deleted rule included)'),
}).prefault({});
