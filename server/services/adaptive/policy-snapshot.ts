import type { PrismaClient } from '../../db/client';
import type { PolicyArmParams, SnapshotPolicy } from '../routing/engine';

interface PolicyRow {
  policyId: number;
  name: string;
  taskType: string | null;
  candidates: string[];
  explorationCap: number;
  minSamples: number;
  params: { taskType: string; computedAt: string; arms: PolicyArmParams[] }[] | null;
}

/** Enabled adaptive policies with their current parameters per task type, as decisions use them. */
export async function policySnapshot(prisma: PrismaClient): Promise<SnapshotPolicy[]> {
  const rows = await prisma.$queryRaw<PolicyRow[]>`
    SELECT p.id AS "policyId", p.name, p.task_type AS "taskType", p.candidates, p.exploration_cap AS "explorationCap",
           p.min_samples AS "minSamples",
           (SELECT json_agg(json_build_object('taskType', x.task_type, 'computedAt', x.computed_at, 'arms', x.arms))
            FROM routing_policy_params x WHERE x.policy_id = p.id) AS params
    FROM routing_policies p WHERE p.enabled ORDER BY p.id`;
  return rows.map(({ params, ...policy }) => ({
    ...policy,
    params: Object.fromEntries((params ?? []).map(({ taskType, computedAt, arms }) => [taskType, { computedAt, arms }])),
  }));
}
