import type { PrismaClient } from '../../db/client';

/** Counts one decision in one statement: the hour's decision (and miss) count, and the deciding rule's hit count. */
export async function countRouteDecision(prisma: PrismaClient, ruleId: number | null, taskType: string): Promise<void> {
  await prisma.$executeRaw`
    WITH decision AS (
      INSERT INTO routing_decision_hourly AS d (hour, task_type, decisions, misses)
      VALUES (date_trunc('hour', now(), 'UTC'), ${taskType}, 1, ${ruleId === null ? 1 : 0}::int)
      ON CONFLICT (hour, task_type) DO UPDATE SET decisions = d.decisions + 1, misses = d.misses + EXCLUDED.misses
      RETURNING 1
    )
    INSERT INTO routing_rule_hits_hourly AS h (rule_id, hour, task_type, hits)
    SELECT id, date_trunc('hour', now(), 'UTC'), ${taskType}, 1 FROM routing_rules WHERE id = ${ruleId}::int
    ON CONFLICT (rule_id, hour, task_type) DO UPDATE SET hits = h.hits + 1`;
}
