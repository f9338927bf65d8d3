import { Prisma, type RoutingRule } from '../../db/generated/client';
import type { RoutingLayerValue, RoutingRuleStateValue } from '../../schemas/routing';

/** A routing rule as every face returns it (the spec calls it a routing heuristic). */
export interface RoutingRuleDto {
  id: number;
  pattern: string;
  preferredLayer: RoutingLayerValue;
  preferredModel: string | null;
  /** The adaptive policy choosing the model among its candidates (wins over preferredModel); null: none. */
  policyId: number | null;
  priority: number;
  /** The spec's field: whether the rule decides (state 'active'). */
  active: boolean;
  /** active: decides; shadow: evaluated and counted as "would have matched", never decides; inactive: ignored. */
  state: RoutingRuleStateValue;
  /** The rule's current immutable version (routing_rule_versions.id), to which decisions and outcomes are attributed. */
  versionId: number | null;
  /** That version's number: 1 on creation, one more for each change of pattern, layer, model, priority or state. */
  version: number;
  reasoning: string | null;
  successRate: number | null;
  usageCount: number | null;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

export function toRoutingRuleDto(row: RoutingRule): RoutingRuleDto {
  const metadata = (row.metadata ?? {}) as Record<string, unknown>;
  const numberOrNull = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    id: row.id,
    pattern: row.pattern,
    preferredLayer: row.preferredLayer,
    preferredModel: row.preferredModel,
    policyId: row.policyId ?? null,
    priority: row.priority,
    active: row.state === 'active',
    state: row.state,
    versionId: row.versionId,
    version: row.version,
    reasoning: typeof metadata.reasoning === 'string' ? metadata.reasoning : null,
    successRate: numberOrNull(metadata.successRate),
    usageCount: numberOrNull(metadata.usageCount),
    metadata,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Evaluation order: priority descending, then most recently updated, then id: total and stable. */
export const RULE_EVALUATION_ORDER = [{ priority: 'desc' }, { updatedAt: 'desc' }, { id: 'asc' }] as const;

/** The columns of a `routing_rules AS r` row under the names of the Prisma model, for RETURNING clauses. */
export const RETURNED_RULE_COLUMNS = Prisma.sql`r.id, r.pattern, r.preferred_layer AS "preferredLayer", r.preferred_model AS "preferredModel",
  r.policy_id AS "policyId", r.priority, r.state, r.version_id AS "versionId", r.version, r.metadata, r.created_at AS "createdAt", r.updated_at AS "updatedAt"`;
