import { z } from 'zod';
import { CONTENDER_PROBABILITY } from '../services/adaptive/policy-maths';
import { boundedNumber, databaseId, MAX_CALL_COST, nonBlank } from './common';
import { timeRangeShape, resolveRange } from './time-range';

// Adaptive policies: Thompson sampling among candidate models (server/services/adaptive, packages/client/src/routing/adaptive.js).

export const MAX_POLICY_CANDIDATES = 20;
export const policyId = databaseId();

/** The fields of a policy a save may give; omitted ones keep their stored value (or take the default on creation). */
export const SaveRoutingPolicyInput = z.strictObject({
  id: policyId.optional().describe('Id of the policy to edit (its name may then change); omit to upsert keyed on name'),
  name: nonBlank(100).describe('Unique name of the policy; the upsert key'),
  taskType: nonBlank(100)
    .nullable()
    .optional()
    .describe(
      'Task type the policy chooses the model for wherever no rule names a model or a policy (one enabled policy per task type); ' +
        'null: only rules (policyId) or experiment arms naming the policy use it',
    ),
  candidates: z
    .array(nonBlank(200))
    .min(2, 'must name at least 2 models')
    .max(MAX_POLICY_CANDIDATES, `must name at most ${MAX_POLICY_CANDIDATES} models`)
    .superRefine((models, ctx) => {
      const seen = new Set<string>();
      models.forEach((model, index) => {
        if (seen.has(model)) ctx.addIssue({ code: 'custom', path: [index], message: `names ${model} twice` });
        seen.add(model);
      });
    })
    .optional()
    .describe('Candidate models (at least 2, distinct); required when creating'),
  costWeight: boundedNumber(0, 1_000_000)
    .optional()
    .describe('Reward lost per USD a call costs (default 0); reward = success (0/1) - costWeight * cost - latencyWeight * seconds'),
  latencyWeight: boundedNumber(0, 1_000_000).optional().describe('Reward lost per second of latency (default 0)'),
  costCeiling: z
    .number()
    .gt(0, 'must be > 0')
    .max(MAX_CALL_COST, `must be <= ${MAX_CALL_COST.toLocaleString('en')}`)
    .nullable()
    .optional()
    .describe('USD per call: a model whose measured mean cost exceeds it gets no traffic; null: none (default)'),
  explorationCap: boundedNumber(0, 1)
    .optional()
    .describe(
      `Most traffic (0..1) that goes to models unlikely to be best (under ${CONTENDER_PROBABILITY * 100}% by Thompson sampling; default 0.1). The best trusted model gets the rest, less the Thompson shares of near equals`,
    ),
  minSamples: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be >= 1')
    .max(1_000_000, 'must be <= 1,000,000')
    .optional()
    .describe('Outcomes a model needs before it is trusted beyond exploration traffic (default 20)'),
  halfLife: z
    .number()
    .int('must be a whole number')
    .min(1, 'must be >= 1')
    .max(1_000_000, 'must be <= 1,000,000')
    .optional()
    .describe(
      "Outcomes: one this many of its model's outcomes old weighs half as much as that model's latest, so the choice follows drift; a model whose recent success agrees with its long run (8 half-lives) is judged on the long run (default 200)",
    ),
  enabled: z.boolean().optional().describe('Whether the policy chooses models (default true)'),
});

export const DeleteRoutingPolicyInput = z.strictObject({
  id: policyId.describe('Id of the policy to delete (from get_routing_policies)'),
});

export const GetRoutingPoliciesInput = z
  .strictObject({
    id: policyId.optional().describe('Only this policy'),
    history: z.boolean().default(false).describe("Also answer each task type's shares over time within from..to (the models page chart)"),
    ...timeRangeShape,
  })
  .superRefine((input, ctx) => {
    const { issue } = resolveRange({ from: input.from, to: input.to });
    if (issue) ctx.addIssue({ code: 'custom', ...issue });
  })
  .prefault({});

export const RecomputeRoutingPoliciesInput = z
  .strictObject({
    seed: z
      .number()
      .int('must be a whole number')
      .min(0, 'must be >= 0')
      .max(4_294_967_295, 'must be <= 4294967295')
      .optional()
      .describe('Seeds the Monte-Carlo draws, for reproducible shares (default random)'),
  })
  .prefault({});
