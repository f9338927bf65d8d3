import { z } from 'zod';
import { boundedNumber, databaseId, nonBlank, rulePriority } from './common';
import { ROUTING_LAYERS, routingPattern } from './routing';

export const EXPERIMENT_STATUSES = ['running', 'stopped', 'promoted'] as const;
export type ExperimentStatusValue = (typeof EXPERIMENT_STATUSES)[number];

export const MAX_EXPERIMENT_ARMS = 10;

const modelName = nonBlank(200);

/** How one arm changes the decisions of the experiment's rule (ExperimentVariant in packages/client/src/routing/types.ts). */
export const ExperimentVariantInput = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('control').describe('The rule as it is') }),
  z.strictObject({ kind: z.literal('model').describe('The rule with another model'), model: modelName.describe('The model to use') }),
  z.strictObject({
    kind: z.literal('layer').describe('The rule with another layer'),
    layer: z.enum(ROUTING_LAYERS).describe('The layer to use'),
    model: modelName.nullable().optional().describe("The model to use with it (null: the layer's default; omitted: the rule's)"),
  }),
  z.strictObject({
    kind: z.literal('policy').describe('An adaptive policy chooses the model'),
    policyId: databaseId().describe('The adaptive policy (get_routing_policies)'),
  }),
  z.strictObject({
    kind: z.literal('rule').describe('A change of the rule itself: its pattern, priority, layer and/or model'),
    pattern: routingPattern
      .optional()
      .describe('Another pattern: in this arm the rule matches with it (inputs either pattern matches are in the experiment)'),
    layer: z.enum(ROUTING_LAYERS).optional().describe('The layer to use'),
    model: modelName.nullable().optional().describe('The model to use (null: none)'),
    priority: rulePriority().optional().describe('Another priority: in this arm the rule ranks by it among the other rules'),
  }),
]);
export type ExperimentVariantValue = z.output<typeof ExperimentVariantInput>;

export const ExperimentArmInput = z.strictObject({
  name: nonBlank(100).describe('The arm\'s name, e.g. "control" or "sonnet"'),
  weight: z
    .number()
    .gt(0, 'must be > 0')
    .max(1000, 'must be <= 1,000')
    .default(1)
    .describe('Share of the traffic relative to the other arms (default 1: an even split)'),
  variant: ExperimentVariantInput.describe("What the arm changes; the first arm must be {kind: 'control'}"),
});

export const CreateExperimentInput = z
  .strictObject({
    name: nonBlank(200).describe('A name for the experiment'),
    ruleId: databaseId().describe('The active routing rule whose decisions are split between the arms'),
    taskType: nonBlank(100).nullable().optional().describe('Only decisions of this task type (omit or null: every task type)'),
    arms: z
      .array(ExperimentArmInput)
      .min(2, 'must contain at least 2 arms (the control first)')
      .max(MAX_EXPERIMENT_ARMS, `must contain at most ${MAX_EXPERIMENT_ARMS} arms`)
      .describe('The arms, the control first'),
    alpha: boundedNumber(0.001, 0.2)
      .default(0.025)
      .describe('False-positive rate bound of the sequential test (0.001..0.2, default 0.025)'),
    mixtureVariance: boundedNumber(1e-6, 1)
      .default(0.0025)
      .describe('mSPRT mixture variance tau^2 of the success-rate difference (default 0.0025: effects around 5 points)'),
    minOutcomes: z
      .number()
      .int()
      .min(10, 'must be >= 10')
      .max(1_000_000, 'must be <= 1,000,000')
      .default(100)
      .describe('Outcomes per arm before any verdict or guard stop (default 100)'),
    guard: z.boolean().default(true).describe('Stop an arm that is significantly worse than the control (default true)'),
  })
  .superRefine((input, ctx) => {
    input.arms.forEach((arm, index) => {
      const isControl = arm.variant.kind === 'control';
      if (index === 0 && !isControl)
        ctx.addIssue({
          code: 'custom',
          path: ['arms', 0, 'variant', 'kind'],
          message: "the first arm must be the control ({kind: 'control'})",
        });
      if (index > 0 && isControl)
        ctx.addIssue({ code: 'custom', path: ['arms', index, 'variant', 'kind'], message: 'only the first arm is the control' });
      if (arm.variant.kind === 'rule') {
        const { pattern, layer, model, priority } = arm.variant;
        if (pattern === undefined && layer === undefined && model === undefined && priority === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['arms', index, 'variant'],
            message: 'a rule variant must change the pattern, priority, layer or model',
          });
      }
    });
    const names = input.arms.map((arm) => arm.name.toLowerCase());
    names.forEach((name, index) => {
      if (names.indexOf(name) !== index) ctx.addIssue({ code: 'custom', path: ['arms', index, 'name'], message: 'arm names must differ' });
    });
  });
export type CreateExperimentValue = z.output<typeof CreateExperimentInput>;

export const experimentId = databaseId();

export const GetExperimentInput = z.strictObject({ id: experimentId.describe('The experiment (list_experiments)') });

export const ListExperimentsInput = z
  .strictObject({
    status: z.enum(EXPERIMENT_STATUSES).optional().describe('Only experiments in this state'),
    ruleId: databaseId().optional().describe('Only experiments on this rule'),
  })
  .prefault({});

export const StopExperimentInput = z.strictObject({
  id: experimentId.describe('The running experiment'),
  promoteArmId: databaseId()
    .optional()
    .describe("Apply this arm's variant to the rule (a new rule version) and mark the experiment promoted; omit to just stop"),
  reason: nonBlank(500).optional().describe('Why it stops, for the record'),
});
