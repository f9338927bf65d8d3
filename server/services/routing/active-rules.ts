import type { PrismaClient } from '../../db/client';
import type { RoutingLayerValue } from '../../schemas/routing';
import { compileRuleSet, type RuleSet } from './matcher';
import { RULE_EVALUATION_ORDER, toRoutingRuleDto } from './rule-dto';

/** What a decision needs of an active rule. */
export interface ActiveRule {
  id: number;
  pattern: string;
  layer: RoutingLayerValue;
  model: string | null;
  priority: number;
  reasoning: string | null;
}

interface RuleCache {
  rules: Promise<RuleSet<ActiveRule>>;
  version: string;
  checkedAt: number;
}

const ruleCaches = new WeakMap<PrismaClient, RuleCache>();

/** Rules changed by another process are picked up within this many milliseconds. */
const VERSION_CHECK_INTERVAL_MS = 5000;

/** Rules whose stored pattern does not compile, by id and pattern, per database: each is reported once. */
const reportedUnusable = new WeakMap<PrismaClient, Set<string>>();

async function rulesVersion(prisma: PrismaClient): Promise<string> {
  const [row] = await prisma.$queryRaw<{ version: string }[]>`
    SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') AS version FROM routing_rules`;
  return row!.version;
}

async function loadRules(prisma: PrismaClient): Promise<RuleSet<ActiveRule>> {
  const rows = await prisma.routingRule.findMany({ where: { active: true }, orderBy: [...RULE_EVALUATION_ORDER] });
  const ruleSet = compileRuleSet(
    rows.map(toRoutingRuleDto).map((rule) => ({
      id: rule.id,
      pattern: rule.pattern,
      layer: rule.preferredLayer,
      model: rule.preferredModel,
      priority: rule.priority,
      reasoning: rule.reasoning,
    })),
  );
  // A stored pattern the matcher refuses (saved before this check, or written behind Hone's back) must not
  // break routing: the rule is skipped and said once, not on every reload.
  const reported = reportedUnusable.get(prisma) ?? new Set<string>();
  reportedUnusable.set(prisma, reported);
  for (const { rule, reason } of ruleSet.unusable) {
    const key = `${rule.id}:${rule.pattern}`;
    if (reported.has(key)) continue;
    reported.add(key);
    console.warn(`Hone: routing rule #${rule.id} /${rule.pattern}/ is skipped: its pattern ${reason}`);
  }
  return ruleSet;
}

/** The active rules, compiled once per database client and rebuilt when a rule changes. */
export async function activeRuleSet(prisma: PrismaClient): Promise<RuleSet<ActiveRule>> {
  const now = Date.now();
  let cache = ruleCaches.get(prisma);
  if (cache && now - cache.checkedAt < VERSION_CHECK_INTERVAL_MS) return cache.rules;
  const version = await rulesVersion(prisma);
  cache = ruleCaches.get(prisma);
  if (cache && cache.version === version) {
    cache.checkedAt = now;
    return cache.rules;
  }
  const rules = loadRules(prisma);
  ruleCaches.set(prisma, { rules, version, checkedAt: now });
  rules.catch(() => ruleCaches.delete(prisma));
  return rules;
}

/** Forget compiled rules, e.g. after a rule changed through another path than the rule store. */
export function invalidateRoutingRules(prisma: PrismaClient): void {
  ruleCaches.delete(prisma);
}
