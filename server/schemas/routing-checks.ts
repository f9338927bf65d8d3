import { z } from 'zod';
import { nonBlank, rulePriority, storableText } from './common';
import { MAX_PATTERN_LENGTH, ROUTING_LAYERS, ruleId } from './routing';

export const ROUTING_RULE_STATES = ['active', 'shadow', 'inactive'] as const;

/**
 * A rule as it would be saved, checked in place among the stored ones. Its pattern is not refused when the engine
 * cannot run it: that is one of the warnings the check reports.
 */
export const RoutingRuleCandidate = z
  .strictObject({
    id: ruleId
      .optional()
      .describe('Id of the stored rule this candidate edits; omit for a new rule (or the stored rule with the same pattern)'),
    pattern: storableText(
      z
        .string()
        .min(1, 'must not be empty')
        .max(MAX_PATTERN_LENGTH, `must be at most ${MAX_PATTERN_LENGTH.toLocaleString('en')} characters`),
    ).describe('Regular expression to check, as update_routing_heuristic would store it'),
    preferredLayer: z.enum(ROUTING_LAYERS).optional().describe("Layer it routes to (default: the stored rule's, or balanced)"),
    preferredModel: nonBlank(200).nullable().optional().describe("Model it routes to (default: the stored rule's, or none)"),
    priority: rulePriority().optional().describe("Higher is checked first (default: the stored rule's, or 0)"),
    active: z.boolean().optional().describe("Whether it decides (default: the stored rule's state, or active)"),
    state: z.enum(ROUTING_RULE_STATES).optional().describe('active, shadow (counted, never decides) or inactive; do not contradict active'),
  })
  .superRefine((candidate, ctx) => {
    if (candidate.state !== undefined && candidate.active !== undefined && (candidate.state === 'active') !== candidate.active) {
      ctx.addIssue({ code: 'custom', path: ['state'], message: `contradicts active: ${candidate.active}` });
    }
  });

export const CheckRoutingRulesInput = z
  .strictObject({
    almostEverythingShare: z
      .number()
      .min(0.5, 'must be from 0.5 to 1')
      .max(1, 'must be from 0.5 to 1')
      .optional()
      .describe('Share of inputs (0.5..1, default 0.9) from which a pattern is reported as matching almost everything'),
    candidate: RoutingRuleCandidate.optional().describe(
      'An unsaved rule, or an edit of a stored one, checked in place among the stored rules',
    ),
  })
  .prefault({});
