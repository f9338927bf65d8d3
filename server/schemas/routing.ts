import { z } from 'zod';
import { patternProblem } from '../services/routing/matcher';
import { databaseId, jsonDescription, jsonObject, MAX_INT32, nonBlank, optionalText, storableText } from './common';
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

export const SaveRoutingRuleInput = z
  .strictObject({
    id: ruleId.optional().describe('Id of the rule to edit, so its pattern can change; omit to upsert keyed on pattern as the spec says'),
    pattern: routingPattern.describe(
      'Regular expression (JavaScript syntax, run by the linear-time RE2 engine: no lookaround or backreferences) tested against the request input; the upsert key',
    ),
    preferredLayer: z.enum(ROUTING_LAYERS).describe('Layer to route matching requests to'),
    preferredModel: nonBlank(200).nullable().optional().describe('Specific model to use; null clears it'),
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
    priority: z.number().int().min(-1_000_000).max(1_000_000).optional().describe('Higher is checked first (default 0)'),
    metadata: jsonObject.optional().describe(jsonDescription('Extra keys, merged into the stored metadata')),
  })
  .superRefine((rule, ctx) => {
    if (rule.active !== undefined && rule.state !== undefined && rule.active !== (rule.state === 'active'))
      ctx.addIssue({ code: 'custom', path: ['state'], message: `contradicts active: ${rule.active}; give one of the two` });
  });

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
