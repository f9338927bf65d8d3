import { z } from 'zod';
import { nonBlank } from './common';
import { withTimeRange } from './time-range';

export const SUGGESTION_KINDS = ['underperforming_rule', 'cheaper_model', 'worth_experiment', 'never_hits'] as const;
export type SuggestionKind = (typeof SUGGESTION_KINDS)[number];

export const DEFAULT_MIN_OUTCOMES = 30;

const minOutcomes = z
  .number()
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(1_000_000, 'must be at most 1,000,000')
  .default(DEFAULT_MIN_OUTCOMES)
  .describe(
    `Fewest outcomes (or model calls) a figure needs before a suggestion rests on it, 1..1,000,000 (default ${DEFAULT_MIN_OUTCOMES}); candidates below it are listed as skipped`,
  );

export const SuggestRoutingChangesInput = withTimeRange({ minOutcomes }).prefault({});

export const APPLY_SUGGESTION_AS = ['shadow_rule', 'experiment'] as const;

export const ApplyRoutingSuggestionInput = withTimeRange({
  id: nonBlank(500).describe('The suggestion id suggest_routing_changes answered (e.g. "cheaper_model:rule-3:v7:gpt-4o-mini")'),
  as: z
    .enum(APPLY_SUGGESTION_AS)
    .describe(
      'shadow_rule: save the suggested shadow rule (never_hits: sets the existing rule to shadow); experiment: create the suggested experiment',
    ),
  minOutcomes,
});
