import { z } from 'zod';
import { nonBlank, rulePriority } from './common';
import { ROUTING_LAYERS, ROUTING_RULE_STATES, routingPattern, ruleId } from './routing';
import { withTimeRange } from './time-range';

/** Replays read at most this many samples: each is matched twice, and inputs run up to 32 KB. */
export const MAX_REPLAY_SAMPLES = 50_000;
export const DEFAULT_REPLAY_SAMPLES = 10_000;

const FIELDS_OF_A_RULE = ['pattern', 'preferredLayer', 'preferredModel', 'priority', 'active', 'state'] as const;

export const ReplayRoutingRuleInput = withTimeRange({
  id: ruleId
    .optional()
    .describe(
      'Id of an existing rule to replay an edit of (give only the fields that change) or, with delete, its removal; omit for an unsaved rule',
    ),
  delete: z.boolean().optional().describe('true, with id: replay removing the rule'),
  pattern: routingPattern
    .optional()
    .describe(
      "The rule's regular expression (RE2, as update_routing_heuristic takes it); required without id. An existing rule's pattern without id replays an edit of that rule, as the save would",
    ),
  preferredLayer: z.enum(ROUTING_LAYERS).optional().describe('Layer the rule routes to; required without id'),
  preferredModel: nonBlank(200).nullable().optional().describe('Model the rule routes to; null: layer only'),
  priority: rulePriority().optional().describe('Higher is checked first (default 0 for a new rule)'),
  active: z.boolean().optional().describe('Same as state active/inactive'),
  state: z
    .enum(ROUTING_RULE_STATES)
    .optional()
    .describe('active (default for a new rule) decides; shadow never decides, so it changes no decision; inactive takes the rule out'),
  sampleLimit: z
    .number()
    .int()
    .min(1)
    .max(MAX_REPLAY_SAMPLES)
    .default(DEFAULT_REPLAY_SAMPLES)
    .describe(
      `Replay at most this many stored decision samples of the range (default ${DEFAULT_REPLAY_SAMPLES.toLocaleString('en')}, at most ${MAX_REPLAY_SAMPLES.toLocaleString('en')}); with more, an evenly spread subset`,
    ),
}).superRefine((input, ctx) => {
  if (input.active !== undefined && input.state !== undefined && input.active !== (input.state === 'active'))
    ctx.addIssue({ code: 'custom', path: ['state'], message: `contradicts active: ${input.active}; give one of the two` });
  if (input.delete) {
    if (input.id === undefined) ctx.addIssue({ code: 'custom', path: ['id'], message: 'delete needs the id of the rule to remove' });
    for (const field of FIELDS_OF_A_RULE)
      if (input[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'a deletion takes no rule fields' });
    return;
  }
  if (input.id !== undefined) return;
  if (input.pattern === undefined)
    ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'required for an unsaved rule (or give id)' });
  if (input.preferredLayer === undefined)
    ctx.addIssue({ code: 'custom', path: ['preferredLayer'], message: 'required for an unsaved rule (or give id)' });
});
