import type { PrismaClient } from '../../db/client';
import type { SnapshotExperiment } from '../routing/engine';

/** Running experiments with their arms (control first); a stopped arm has weight 0. */
export async function experimentSnapshot(prisma: PrismaClient): Promise<SnapshotExperiment[]> {
  return prisma.$queryRaw<SnapshotExperiment[]>`
    SELECT e.id AS "experimentId", e.name, e.rule_id AS "ruleId", e.task_type AS "taskType", e.salt,
           (SELECT json_agg(json_build_object('armId', a.id, 'name', a.name,
                                              'weight', CASE WHEN a.stopped_at IS NULL THEN a.weight ELSE 0 END,
                                              'variant', a.variant) ORDER BY a.position)
            FROM routing_experiment_arms a WHERE a.experiment_id = e.id) AS arms
    FROM routing_experiments e WHERE e.status = 'running' ORDER BY e.id`;
}
