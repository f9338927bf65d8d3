import { Prisma } from '../../db/generated/client';

/**
 * Running experiments with their arms (control first; a stopped arm has weight 0), as one JSON array of
 * SnapshotExperiment. An expression, so the routing snapshot reads it in the same statement as the rules and its
 * version (see routingSnapshot).
 */
export const experimentSnapshotSql = Prisma.sql`
  (SELECT coalesce(json_agg(json_build_object(
            'experimentId', e.id, 'name', e.name, 'ruleId', e.rule_id, 'taskType', e.task_type, 'salt', e.salt,
            'arms', (SELECT json_agg(json_build_object('armId', a.id, 'name', a.name,
                                                       'weight', CASE WHEN a.stopped_at IS NULL THEN a.weight ELSE 0 END,
                                                       'variant', a.variant) ORDER BY a.position)
                     FROM routing_experiment_arms a WHERE a.experiment_id = e.id)) ORDER BY e.id), '[]'::json)
   FROM routing_experiments e WHERE e.status = 'running')`;
