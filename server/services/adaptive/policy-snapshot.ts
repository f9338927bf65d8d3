import { Prisma } from '../../db/generated/client';
import type { PolicyArmParams, SnapshotPolicy } from '../routing/engine';

/** A policy as policySnapshotSql answers it: its parameters as rows rather than keyed by task type. */
export type PolicySnapshotRow = Omit<SnapshotPolicy, 'params'> & {
  params: { taskType: string; computedAt: string; arms: PolicyArmParams[] }[] | null;
};

/**
 * The enabled adaptive policies with their current parameters per task type, as decisions use them: one JSON array
 * (PolicySnapshotRow[]). An expression, so the routing snapshot reads it in the statement that reads the rules and the
 * snapshot's version, and all three come from one database snapshot (see routingSnapshot).
 */
export const policySnapshotSql = Prisma.sql`
  (SELECT coalesce(json_agg(json_build_object(
            'policyId', p.id, 'name', p.name, 'taskType', p.task_type, 'candidates', p.candidates,
            'explorationCap', p.exploration_cap, 'minSamples', p.min_samples,
            'params', (SELECT json_agg(json_build_object('taskType', x.task_type, 'computedAt', x.computed_at, 'arms', x.arms))
                       FROM routing_policy_params x WHERE x.policy_id = p.id)) ORDER BY p.id), '[]'::json)
   FROM routing_policies p WHERE p.enabled)`;

/** policySnapshotSql's rows as the snapshot carries them: parameters keyed by task type. */
export function snapshotPolicies(rows: readonly PolicySnapshotRow[]): SnapshotPolicy[] {
  return rows.map(({ params, ...policy }) => ({
    ...policy,
    params: Object.fromEntries((params ?? []).map(({ taskType, computedAt, arms }) => [taskType, { computedAt, arms }])),
  }));
}
