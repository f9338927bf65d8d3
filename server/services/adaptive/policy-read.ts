import type { z } from 'zod';
import type { PrismaClient } from '../../db/client';
import type { GetRoutingPoliciesInput } from '../../schemas/adaptive';
import { resolveRange } from '../../schemas/time-range';
import type { PolicyArmParams } from '../routing/engine';
import { listRoutingPolicies, type RoutingPolicyDto } from './policy-store';

/** Most points of a task type's share series: a longer range is averaged into this many time buckets. */
export const MAX_SHARE_POINTS = 400;

export interface PolicyShareSeries {
  taskType: string;
  models: string[];
  /** Oldest first: the start of each bucket and each model's mean share in it (absent: no recompute gave it a share). */
  points: { at: string; shares: Record<string, number> }[];
}

export interface RoutingPolicyView extends RoutingPolicyDto {
  /** Current parameters per task type ('' = all task types of the policy); empty until outcomes were recomputed. */
  params: { taskType: string; computedAt: string; arms: PolicyArmParams[] }[];
  /** With `history`: each task type's shares over the range. */
  history?: PolicyShareSeries[];
}

/** Policies with their current parameters and, when asked, their share history within [from, to). */
export async function getRoutingPolicies(
  prisma: PrismaClient,
  input: z.output<typeof GetRoutingPoliciesInput>,
): Promise<{ policies: RoutingPolicyView[]; range?: { from: string; to: string; bucketSeconds: number } }> {
  const policies = await listRoutingPolicies(prisma, input.id);
  const ids = policies.map((policy) => policy.id);
  const params = await prisma.routingPolicyParams.findMany({
    where: { policyId: { in: ids } },
    orderBy: [{ policyId: 'asc' }, { taskType: 'asc' }],
  });
  const views: RoutingPolicyView[] = policies.map((policy) => ({
    ...policy,
    params: params
      .filter((row) => row.policyId === policy.id)
      .map((row) => ({ taskType: row.taskType, computedAt: row.computedAt.toISOString(), arms: row.arms as unknown as PolicyArmParams[] })),
  }));
  if (!input.history) return { policies: views };
  const { range } = resolveRange(input);
  const bucketSeconds = Math.max(1, Math.ceil((range.to.getTime() - range.from.getTime()) / 1000 / MAX_SHARE_POINTS));
  const rows = await prisma.$queryRaw<{ policyId: number; taskType: string; bucket: number; model: string; share: number }[]>`
    SELECT policy_id AS "policyId", task_type AS "taskType",
           floor(extract(epoch FROM at - ${range.from}::timestamptz) / ${bucketSeconds})::int AS bucket, model, avg(share) AS share
    FROM routing_policy_shares
    WHERE policy_id = ANY(${ids}::int[]) AND at >= ${range.from} AND at < ${range.to}
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`;
  for (const view of views) {
    const series = new Map<string, PolicyShareSeries & { byBucket: Map<number, Record<string, number>> }>();
    for (const row of rows) {
      if (row.policyId !== view.id) continue;
      let entry = series.get(row.taskType);
      if (!entry) series.set(row.taskType, (entry = { taskType: row.taskType, models: [], points: [], byBucket: new Map() }));
      if (!entry.models.includes(row.model)) entry.models.push(row.model);
      let shares = entry.byBucket.get(row.bucket);
      if (!shares) entry.byBucket.set(row.bucket, (shares = {}));
      shares[row.model] = Number(row.share);
    }
    view.history = [...series.values()].map(({ byBucket, ...entry }) => ({
      ...entry,
      points: [...byBucket.entries()].map(([bucket, shares]) => ({
        at: new Date(range.from.getTime() + bucket * bucketSeconds * 1000).toISOString(),
        shares,
      })),
    }));
  }
  return { policies: views, range: { from: range.from.toISOString(), to: range.to.toISOString(), bucketSeconds } };
}
