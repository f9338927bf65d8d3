import type { z } from 'zod';
import type { PrismaClient } from '../../db/client';
import { HoneError } from '../../errors';
import type { GetRoutingRuleHistoryInput, RoutingLayerValue, RoutingRuleStateValue } from '../../schemas/routing';

/** The fields whose change makes a new version, under their DTO names. */
export const VERSIONED_FIELDS = ['pattern', 'preferredLayer', 'preferredModel', 'priority', 'state'] as const;
export type VersionedField = (typeof VERSIONED_FIELDS)[number];

export interface RuleFieldChange {
  field: VersionedField;
  /** null for a field of a rule being created. */
  from: string | number | null;
  to: string | number | null;
}

export interface RuleVersionDto {
  versionId: number;
  version: number;
  change: 'created' | 'updated' | 'deleted';
  /** The API key's name when authentication was on; null otherwise. */
  changedBy: string | null;
  changedAt: string;
  pattern: string;
  preferredLayer: RoutingLayerValue;
  preferredModel: string | null;
  priority: number;
  state: RoutingRuleStateValue;
  reasoning: string | null;
  /** The success rate the client stated when this version was made (the prior shown beside the measured one). */
  statedSuccessRate: number | null;
  /** What this version changed from the one before ('deleted' versions change nothing: they end the rule). */
  changes: RuleFieldChange[];
}

export interface RuleHistory {
  ruleId: number;
  /** False once the rule was deleted: its history stays. */
  exists: boolean;
  /** Newest first. */
  versions: RuleVersionDto[];
}

/** Every version of a rule, newest first, each with what it changed; a deleted rule's history included. */
export async function getRoutingRuleHistory(
  prisma: PrismaClient,
  { id }: z.output<typeof GetRoutingRuleHistoryInput>,
): Promise<RuleHistory> {
  const [rows, rule] = await Promise.all([
    prisma.routingRuleVersion.findMany({ where: { ruleId: id }, orderBy: { version: 'asc' } }),
    prisma.routingRule.findUnique({ where: { id }, select: { id: true } }),
  ]);
  if (rows.length === 0) {
    throw new HoneError('NOT_FOUND', `No routing rule with id ${id}, now or in the past`, [
      { path: ['id'], message: `no routing rule with id ${id} has any history` },
    ]);
  }
  const versions = rows.map((row, index): RuleVersionDto => {
    const previous = index === 0 ? null : rows[index - 1]!;
    const values = (v: typeof row | null): Record<VersionedField, string | number | null> => ({
      pattern: v?.pattern ?? null,
      preferredLayer: v?.preferredLayer ?? null,
      preferredModel: v?.preferredModel ?? null,
      priority: v?.priority ?? null,
      state: v?.state ?? null,
    });
    const [before, after] = [values(row.change === 'created' ? null : previous), values(row)];
    return {
      versionId: row.id,
      version: row.version,
      change: row.change as RuleVersionDto['change'],
      changedBy: row.changedBy,
      changedAt: row.changedAt.toISOString(),
      pattern: row.pattern,
      preferredLayer: row.preferredLayer,
      preferredModel: row.preferredModel,
      priority: row.priority,
      state: row.state,
      reasoning: row.reasoning,
      statedSuccessRate: row.statedSuccessRate,
      changes:
        row.change === 'deleted'
          ? []
          : VERSIONED_FIELDS.filter((field) => before[field] !== after[field]).map((field) => ({
              field,
              from: before[field],
              to: after[field],
            })),
    };
  });
  return { ruleId: id, exists: rule !== null, versions: versions.reverse() };
}
