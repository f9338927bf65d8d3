import type { z } from 'zod';
import type { PrismaClient } from '../../db/client';
import { HoneError } from '../../errors';
import type { ApplyRoutingSuggestionInput } from '../../schemas/suggestions';
import { createExperiment, type ExperimentDto } from '../experiments/experiments';
import type { RoutingRuleDto } from '../routing/rule-dto';
import { saveRoutingRule } from '../routing/rule-store';
import { suggestRoutingChanges, type RoutingSuggestion } from './suggest';

export type AppliedSuggestion =
  | { applied: 'shadow_rule'; suggestion: RoutingSuggestion; created: boolean; rule: RoutingRuleDto }
  | { applied: 'experiment'; suggestion: RoutingSuggestion; experiment: ExperimentDto };

/**
 * apply_routing_suggestion: recomputes the suggestions over the same range, finds the one by id (404 when it no longer
 * applies) and makes its shadow rule through the rule store, or its experiment through the experiments service.
 */
export async function applyRoutingSuggestion(
  prisma: PrismaClient,
  { id, as, ...range }: z.output<typeof ApplyRoutingSuggestionInput>,
  { changedBy }: { changedBy?: string | null } = {},
): Promise<AppliedSuggestion> {
  const { suggestions } = await suggestRoutingChanges(prisma, range);
  const suggestion = suggestions.find((s) => s.id === id);
  if (!suggestion)
    throw new HoneError('NOT_FOUND', `No routing suggestion ${id} applies now`, [
      { path: ['id'], message: `no suggestion with id ${id} applies over this range (suggest_routing_changes lists those that do)` },
    ]);

  if (as === 'experiment') {
    const experiment = suggestion.action.experiment;
    if (!experiment) throw HoneError.invalidField('as', `suggestion ${id} suggests no experiment; apply it as shadow_rule`);
    return { applied: 'experiment', suggestion, experiment: await createExperiment(prisma, experiment, { changedBy }) };
  }

  const shadowRule = suggestion.action.shadowRule;
  if (!shadowRule) throw HoneError.invalidField('as', `suggestion ${id} suggests no shadow rule; apply it as experiment`);
  if (shadowRule.id === undefined) {
    // A new rule: the save upserts by pattern, so a pattern taken since the suggestion was computed would edit that rule.
    const taken = await prisma.routingRule.findUnique({ where: { pattern: shadowRule.pattern }, select: { id: true } });
    if (taken)
      throw new HoneError('CONFLICT', `Routing rule ${taken.id} already has the suggested pattern ${shadowRule.pattern}`, [
        { path: ['id'], message: `rule ${taken.id} already has the suggested pattern` },
      ]);
  }
  const { created, rule } = await saveRoutingRule(prisma, shadowRule, { changedBy });
  return { applied: 'shadow_rule', suggestion, created, rule };
}
