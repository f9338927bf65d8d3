import type { z } from 'zod';
import type { PrismaClient } from '../../db/client';
import type { RoutingRule } from '../../db/generated/client';
import { env } from '../../env';
import { HoneError } from '../../errors';
import {
  requestedRuleState,
  type DeleteRoutingRuleInput,
  type ListRoutingRulesInput,
  type SaveRoutingRuleInput,
} from '../../schemas/routing';
import { assertPolicyExists } from '../adaptive/policy-store';
import { announceRoutingChange } from './change-feed';
import { patternProblem } from './matcher';
import { RETURNED_RULE_COLUMNS, RULE_EVALUATION_ORDER, toRoutingRuleDto, type RoutingRuleDto } from './rule-dto';

type SaveRoutingRule = z.output<typeof SaveRoutingRuleInput>;

/** Who is making a change, for the rule's history: the API key's name when authentication is on. */
export interface RuleChangeAuthor {
  changedBy?: string | null;
}

/**
 * Names the author of the transaction's rule changes. Versions are written by the routing_rules triggers (migration
 * routing_rule_versioning) in the statement that changes the rule, so every write path versions alike; they read the
 * name from this transaction-local setting.
 */
const authoredBy = (prisma: PrismaClient, changedBy: string | null | undefined) =>
  prisma.$queryRaw`SELECT set_config('hone.changed_by', ${changedBy ?? ''}, true) AS author`;

const noRule = (id: number) =>
  new HoneError('NOT_FOUND', `No routing rule with id ${id}`, [{ path: ['id'], message: `no routing rule with id ${id}` }]);

/**
 * Creates or updates a rule: by id when given (its pattern may change), else the spec's upsert keyed on pattern,
 * in one statement so concurrent callers never create two rows. A new rule beyond HONE_MAX_ROUTING_RULES is refused. Fields the caller leaves out keep their stored
 * value; metadata keys are merged.
 */
export async function saveRoutingRule(
  prisma: PrismaClient,
  input: SaveRoutingRule,
  { changedBy }: RuleChangeAuthor = {},
): Promise<{ created: boolean; rule: RoutingRuleDto }> {
  // The schema already checked this; services are also called without it (the demo seed, scripts).
  const problem = patternProblem(input.pattern);
  if (problem) throw HoneError.invalidField('pattern', problem);
  if (input.policyId !== undefined && input.policyId !== null) await assertPolicyExists(prisma, input.policyId);
  const metadataPatch = {
    ...input.metadata,
    ...(input.reasoning !== undefined && { reasoning: input.reasoning }),
    ...(input.successRate !== undefined && { successRate: input.successRate }),
    ...(input.usageCount !== undefined && { usageCount: input.usageCount }),
  };
  const result =
    input.id === undefined
      ? await upsertByPattern(prisma, input, metadataPatch, changedBy)
      : { created: false, rule: await updateById(prisma, input.id, input, metadataPatch, changedBy) };
  await announceRoutingChange(prisma, { ruleId: result.rule.id, change: result.created ? 'created' : 'updated' });
  return result;
}

/** Serializes rule creations, so that two concurrent ones cannot both take the last place under the cap. */
const RULE_CREATION_LOCK = 0x486f6e65; // "Hone"

const tooManyRules = (limit: number) =>
  new HoneError(
    'CONFLICT',
    `Hone keeps at most ${limit.toLocaleString('en')} routing rules (HONE_MAX_ROUTING_RULES); delete one before creating another`,
    [{ path: ['pattern'], message: `a new rule would exceed the limit of ${limit.toLocaleString('en')} routing rules` }],
  );

async function upsertByPattern(
  prisma: PrismaClient,
  input: SaveRoutingRule,
  metadataPatch: Record<string, unknown>,
  changedBy: string | null | undefined,
) {
  const modelGiven = input.preferredModel !== undefined;
  const policyGiven = input.policyId !== undefined;
  const limit = env().HONE_MAX_ROUTING_RULES;
  // A new pattern is inserted only below the cap; an existing one is always updated. The lock is taken by a statement
  // of its own so that the upsert's snapshot, taken after it, counts the rules committed by the previous holder.
  const [, , [row]] = await prisma.$transaction([
    authoredBy(prisma, changedBy),
    prisma.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(${RULE_CREATION_LOCK}::bigint)`,
    prisma.$queryRaw<(RoutingRule & { inserted: boolean })[]>`
    INSERT INTO routing_rules AS r (pattern, preferred_layer, preferred_model, policy_id, priority, state, metadata, updated_at)
    SELECT ${input.pattern}, ${input.preferredLayer}::routing_layer, ${input.preferredModel ?? null}, ${input.policyId ?? null}::int,
           COALESCE(${input.priority ?? null}::int, 0), COALESCE(${requestedRuleState(input) ?? null}::routing_rule_state, 'active'),
           ${JSON.stringify(metadataPatch)}::jsonb, clock_timestamp()
    WHERE (SELECT count(*) FROM routing_rules) < ${limit} OR EXISTS (SELECT 1 FROM routing_rules WHERE pattern = ${input.pattern})
    ON CONFLICT (pattern) DO UPDATE SET
      preferred_layer = EXCLUDED.preferred_layer,
      preferred_model = CASE WHEN ${modelGiven} THEN EXCLUDED.preferred_model ELSE r.preferred_model END,
      policy_id = CASE WHEN ${policyGiven} THEN EXCLUDED.policy_id ELSE r.policy_id END,
      priority = COALESCE(${input.priority ?? null}::int, r.priority),
      state = COALESCE(${requestedRuleState(input) ?? null}::routing_rule_state, r.state),
      metadata = r.metadata || EXCLUDED.metadata,
      updated_at = clock_timestamp()
    RETURNING ${RETURNED_RULE_COLUMNS}, (xmax = 0) AS inserted`,
  ]);
  if (!row) throw tooManyRules(limit);
  const { inserted, ...rule } = row;
  return { created: inserted, rule: toRoutingRuleDto(rule) };
}

async function updateById(
  prisma: PrismaClient,
  id: number,
  input: SaveRoutingRule,
  metadataPatch: Record<string, unknown>,
  changedBy: string | null | undefined,
): Promise<RoutingRuleDto> {
  const modelGiven = input.preferredModel !== undefined;
  const policyGiven = input.policyId !== undefined;
  // The pattern is unique: refuse taking another rule's pattern by name rather than by a constraint error.
  const [, [row]] = await prisma.$transaction([
    authoredBy(prisma, changedBy),
    prisma.$queryRaw<RoutingRule[]>`
    UPDATE routing_rules AS r SET
      pattern = ${input.pattern}, preferred_layer = ${input.preferredLayer}::routing_layer,
      preferred_model = CASE WHEN ${modelGiven} THEN ${input.preferredModel ?? null} ELSE r.preferred_model END,
      policy_id = CASE WHEN ${policyGiven} THEN ${input.policyId ?? null}::int ELSE r.policy_id END,
      priority = COALESCE(${input.priority ?? null}::int, r.priority), state = COALESCE(${requestedRuleState(input) ?? null}::routing_rule_state, r.state),
      metadata = r.metadata || ${JSON.stringify(metadataPatch)}::jsonb, updated_at = clock_timestamp()
    WHERE r.id = ${id} AND NOT EXISTS (SELECT 1 FROM routing_rules o WHERE o.pattern = ${input.pattern} AND o.id <> ${id})
    RETURNING ${RETURNED_RULE_COLUMNS}`,
  ]);
  if (!row) {
    if (!(await prisma.routingRule.findUnique({ where: { id }, select: { id: true } }))) throw noRule(id);
    throw new HoneError('CONFLICT', `Another routing rule already has the pattern ${input.pattern}`, [
      { path: ['pattern'], message: 'another rule already has this pattern' },
    ]);
  }
  return toRoutingRuleDto(row);
}

/** Deletes a rule; its versions stay (a 'deleted' one is added), so its history and attributed figures survive. */
export async function deleteRoutingRule(
  prisma: PrismaClient,
  { id }: z.output<typeof DeleteRoutingRuleInput>,
  { changedBy }: RuleChangeAuthor = {},
): Promise<{ deleted: RoutingRuleDto }> {
  const [, [row]] = await prisma.$transaction([
    authoredBy(prisma, changedBy),
    prisma.$queryRaw<RoutingRule[]>`DELETE FROM routing_rules AS r WHERE r.id = ${id} RETURNING ${RETURNED_RULE_COLUMNS}`,
  ]);
  if (!row) throw noRule(id);
  await announceRoutingChange(prisma, { ruleId: row.id, change: 'deleted' });
  return { deleted: toRoutingRuleDto(row) };
}

export async function listRoutingRules(
  prisma: PrismaClient,
  { activeOnly }: z.output<typeof ListRoutingRulesInput>,
): Promise<RoutingRuleDto[]> {
  const rows = await prisma.routingRule.findMany({ where: activeOnly ? { state: 'active' } : {}, orderBy: [...RULE_EVALUATION_ORDER] });
  return rows.map(toRoutingRuleDto);
}
