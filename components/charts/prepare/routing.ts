import type { RoutingHitRates } from '@/server/services/routing/hit-rates';
import type { RoutingRuleDto } from '@/server/services/routing/rule-dto';
import { rowsFromAligned, seriesKey, type ChartData } from './rows';

export const OVERALL_KEY = 'overall';

/** The overall hit rate and one line per rule that fired in the range (rules that never fired add only noise). */
export function hitRateLines(rates: RoutingHitRates): ChartData {
  const fired = rates.rules.filter((r) => r.hits > 0);
  return rowsFromAligned(rates.buckets, [
    { spec: { key: OVERALL_KEY, label: 'overall (any rule)' }, values: rates.overallRates },
    ...fired.map((r) => ({ spec: { key: seriesKey('rule', r.ruleId), label: `#${r.ruleId} /${r.pattern}/` }, values: r.rates })),
  ]);
}

export interface RuleRow extends RoutingRuleDto {
  hits: number;
  hitRate: number | null;
}

/** Rules in evaluation order (as listed) with their hits and hit rate over the range. */
export function rulesWithHits(rules: readonly RoutingRuleDto[], rates: RoutingHitRates | undefined): RuleRow[] {
  const byId = new Map(rates?.rules.map((r) => [r.ruleId, r]) ?? []);
  return rules.map((rule) => ({
    ...rule,
    hits: byId.get(rule.id)?.hits ?? 0,
    hitRate: byId.get(rule.id)?.hitRate ?? (rates?.decisions ? 0 : null),
  }));
}
