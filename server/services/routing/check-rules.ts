import type { z } from 'zod';
import type { PrismaClient } from '../../db/client';
import { HoneError } from '../../errors';
import type { CheckRoutingRulesInput } from '../../schemas/routing-checks';
import {
  checkRoutingRuleSet,
  UNSAVED_RULE_ID,
  type CheckedRule,
  type CheckedRuleState,
  type RuleCheckOptions,
  type RuleCheckReport,
  type RuleWarning,
} from './rule-checks';
import { RULE_EVALUATION_ORDER, toRoutingRuleDto, type RoutingRuleDto } from './rule-dto';

/** How many of the most recent decision inputs the checks try. */
export const CHECKED_SAMPLES = 500;

/** A warning as the tool answers it: a null rule id stands for the unsaved candidate. */
export interface RoutingRuleWarning extends Omit<RuleWarning, 'ruleId' | 'evidence'> {
  ruleId: number | null;
  evidence: Omit<RuleWarning['evidence'], 'otherRuleIds'> & { otherRuleIds?: (number | null)[] };
}

export interface RoutingRuleCheckResult {
  warnings: RoutingRuleWarning[];
  checked: RuleCheckReport['checked'];
}

/**
 * The most recent stored decision inputs, newest first.
 * TODO(lead, issue 10): `routing_decision_samples` comes with the spine's migration; until it is in this database the
 * checks run on example inputs alone. Once it is merged the existence check can go.
 */
export async function recentDecisionInputs(prisma: PrismaClient, limit: number): Promise<string[]> {
  const [table] = await prisma.$queryRaw<{ present: boolean }[]>`SELECT to_regclass('routing_decision_samples') IS NOT NULL AS present`;
  if (!table?.present) return [];
  const rows = await prisma.$queryRaw<{ input: string }[]>`
    SELECT input FROM routing_decision_samples WHERE input IS NOT NULL ORDER BY sampled_at DESC, id DESC LIMIT ${limit}`;
  return rows.map((row) => row.input);
}

/** A stored rule's state. TODO(lead, issue 10): once the DTO carries the spine's `state`, read it alone. */
function stateOf(rule: RoutingRuleDto): CheckedRuleState {
  const { state } = rule as RoutingRuleDto & { state?: CheckedRuleState };
  return state ?? (rule.active ? 'active' : 'inactive');
}

const toChecked = (rule: RoutingRuleDto): CheckedRule => ({
  id: rule.id,
  pattern: rule.pattern,
  priority: rule.priority,
  state: stateOf(rule),
  layer: rule.preferredLayer,
  model: rule.preferredModel,
});

type Candidate = NonNullable<z.output<typeof CheckRoutingRulesInput>['candidate']>;

/**
 * The stored rules in evaluation order with the candidate in the place a save would give it: it would be the most
 * recently updated, so first among its priority. A candidate without an id but with a stored rule's pattern is an
 * edit of that rule, as the upsert keyed on pattern would make it.
 */
function withCandidate(stored: readonly RoutingRuleDto[], candidate: Candidate): { rules: CheckedRule[]; candidateId: number } {
  const edited =
    candidate.id !== undefined
      ? stored.find((rule) => rule.id === candidate.id)
      : stored.find((rule) => rule.pattern === candidate.pattern);
  if (candidate.id !== undefined && !edited) {
    throw new HoneError('NOT_FOUND', `No routing rule with id ${candidate.id}`, [
      { path: ['candidate', 'id'], message: `no routing rule with id ${candidate.id}` },
    ]);
  }
  const state: CheckedRuleState =
    candidate.state ?? (candidate.active === undefined ? (edited ? stateOf(edited) : 'active') : candidate.active ? 'active' : 'inactive');
  const checked: CheckedRule = {
    id: edited?.id ?? UNSAVED_RULE_ID,
    pattern: candidate.pattern,
    priority: candidate.priority ?? edited?.priority ?? 0,
    state,
    layer: candidate.preferredLayer ?? edited?.preferredLayer ?? 'balanced',
    model: candidate.preferredModel !== undefined ? candidate.preferredModel : (edited?.preferredModel ?? null),
  };
  const others = stored.filter((rule) => rule !== edited).map(toChecked);
  const place = others.findIndex((rule) => rule.priority <= checked.priority);
  const rules = place === -1 ? [...others, checked] : [...others.slice(0, place), checked, ...others.slice(place)];
  return { rules, candidateId: checked.id };
}

const idOut = (id: number) => (id === UNSAVED_RULE_ID ? null : id);

/**
 * Checks the stored rules on the recent decision inputs and on example inputs built from each pattern: all their
 * warnings, or, with a candidate (an unsaved rule or an edit, put in place), the warnings concerning the candidate.
 * Reads only.
 */
export async function checkRoutingRules(
  prisma: PrismaClient,
  { candidate, almostEverythingShare }: z.output<typeof CheckRoutingRulesInput>,
  options: Partial<RuleCheckOptions> = {},
): Promise<RoutingRuleCheckResult> {
  const [rows, samples] = await Promise.all([
    prisma.routingRule.findMany({ orderBy: [...RULE_EVALUATION_ORDER] }),
    recentDecisionInputs(prisma, CHECKED_SAMPLES),
  ]);
  const stored = rows.map(toRoutingRuleDto);
  const { rules, candidateId } = candidate ? withCandidate(stored, candidate) : { rules: stored.map(toChecked), candidateId: undefined };
  const report = checkRoutingRuleSet(rules, samples, {
    maxSamples: CHECKED_SAMPLES,
    ...(candidateId !== undefined && { focusRuleId: candidateId }),
    ...(almostEverythingShare !== undefined && { almostEverythingShare }),
    ...options,
  });
  return {
    warnings: report.warnings.map(({ ruleId, evidence, ...warning }) => ({
      ...warning,
      ruleId: idOut(ruleId),
      evidence: { ...evidence, ...(evidence.otherRuleIds && { otherRuleIds: evidence.otherRuleIds.map(idOut) }) },
    })),
    checked: report.checked,
  };
}

/** The warnings concerning one stored rule, for the answer to its save: they never refuse it. */
export async function warningsForSavedRule(prisma: PrismaClient, ruleId: number): Promise<RoutingRuleWarning[]> {
  return (await checkRoutingRules(prisma, {}, { focusRuleId: ruleId })).warnings;
}
