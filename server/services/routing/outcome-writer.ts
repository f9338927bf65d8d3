import type { PrismaClient, SqlClient } from '../../db/client';

/** What a request routed by a decision came to (record_route_outcome, or an `ingest` item). */
export interface RouteOutcomeRecord {
  decisionId: string;
  success: boolean;
  latencyMs?: number;
  cost?: number;
  /** The model that served the request; the decision's own model when absent. */
  modelId?: string;
}

export type OutcomeVerdict =
  | {
      status: 'stored';
      /** The version that decided (null: the default layer); the outcome is counted under it. */
      versionId: number | null;
      ruleId: number | null;
      /** The model it is counted under ('' when neither the outcome nor the decision named one). */
      model: string;
      taskType: string;
    }
  /** The decision already has an outcome (or the batch repeats it): nothing is counted again. */
  | { status: 'duplicate' }
  /** No decision with this id is stored (never made, not yet written by its router, or deleted by retention). */
  | { status: 'unknown' };

export async function recordRouteOutcomes(prisma: PrismaClient, outcomes: readonly RouteOutcomeRecord[]): Promise<OutcomeVerdict[]> {
  if (outcomes.length === 0) return [];
  return prisma.$transaction((tx) => writeRouteOutcomes(tx, outcomes), { maxWait: 10_000, timeout: 30_000 });
}

/**
 * Attributes outcomes to the version, model and task type that decided, in one statement: a decision's outcome is
 * taken only while its `outcome_at` is null, so a repeat (even one racing the first: it waits on the row's lock and
 * then finds it set) is a duplicate, never a second count. Outcomes are counted in the hour of their decision, so they
 * line up with that hour's hits. Verdicts come in the order given.
 */
export async function writeRouteOutcomes(tx: SqlClient, outcomes: readonly RouteOutcomeRecord[]): Promise<OutcomeVerdict[]> {
  if (outcomes.length === 0) return [];
  const ids = outcomes.map((o) => o.decisionId.toLowerCase());
  const firstAt = new Map<string, number>();
  ids.forEach((id, index) => firstAt.has(id) || firstAt.set(id, index));
  const unique = [...firstAt.values()].map((index) => outcomes[index]!);
  const rows = await tx.$queryRaw<
    {
      decisionId: string;
      recorded: boolean;
      known: boolean;
      versionId: number | null;
      ruleId: number | null;
      model: string;
      taskType: string;
    }[]
  >`
    WITH given AS (
      SELECT * FROM unnest(${unique.map((o) => o.decisionId.toLowerCase())}::text[]::uuid[], ${unique.map((o) => o.success)}::boolean[],
                           ${unique.map((o) => o.latencyMs ?? null)}::float8[], ${unique.map((o) => o.cost ?? null)}::float8[],
                           ${unique.map((o) => o.modelId ?? null)}::text[])
        AS g(decision_id, success, latency_ms, cost, model_id)
    ),
    marked AS (
      UPDATE routing_decisions d SET outcome_at = now(), success = g.success, latency_ms = g.latency_ms, cost = g.cost,
                                     outcome_model = coalesce(g.model_id, d.model, '')
      FROM given g
      WHERE d.decision_id = g.decision_id AND d.outcome_at IS NULL
      RETURNING d.decision_id, d.version_id, d.rule_id, coalesce(g.model_id, d.model, '') AS model, d.task_type,
                date_trunc('hour', d.decided_at, 'UTC') AS hour, g.success, g.latency_ms, g.cost, d.arm_id
    ),
    arm_outcomes AS (
      UPDATE routing_experiment_arms a SET
        outcomes = a.outcomes + c.outcomes, successes = a.successes + c.successes,
        latency_sum = a.latency_sum + c.latency_sum, latency_sumsq = a.latency_sumsq + c.latency_sumsq,
        latency_count = a.latency_count + c.latency_count,
        cost_sum = a.cost_sum + c.cost_sum, cost_sumsq = a.cost_sumsq + c.cost_sumsq, cost_count = a.cost_count + c.cost_count
      FROM (
        SELECT arm_id, count(*)::int AS outcomes, (count(*) FILTER (WHERE success))::int AS successes,
               coalesce(sum(latency_ms), 0) AS latency_sum, coalesce(sum(latency_ms * latency_ms), 0) AS latency_sumsq,
               count(latency_ms)::int AS latency_count,
               coalesce(sum(cost), 0) AS cost_sum, coalesce(sum(cost * cost), 0) AS cost_sumsq, count(cost)::int AS cost_count
        FROM marked WHERE arm_id IS NOT NULL GROUP BY arm_id
      ) c
      WHERE a.id = c.arm_id
    ),
    counted AS (
      INSERT INTO routing_outcomes_hourly AS o (version_id, model, task_type, hour, outcomes, successes, latency_ms_sum, latency_count,
                                                cost_sum, cost_count)
      SELECT coalesce(version_id, 0), model, task_type, hour, count(*)::int, (count(*) FILTER (WHERE success))::int,
             coalesce(sum(latency_ms), 0), count(latency_ms)::int, coalesce(sum(cost), 0), count(cost)::int
      FROM marked GROUP BY 1, 2, 3, 4
      ON CONFLICT (version_id, model, task_type, hour) DO UPDATE SET
        outcomes = o.outcomes + EXCLUDED.outcomes, successes = o.successes + EXCLUDED.successes,
        latency_ms_sum = o.latency_ms_sum + EXCLUDED.latency_ms_sum, latency_count = o.latency_count + EXCLUDED.latency_count,
        cost_sum = o.cost_sum + EXCLUDED.cost_sum, cost_count = o.cost_count + EXCLUDED.cost_count
    )
    SELECT g.decision_id::text AS "decisionId", m.decision_id IS NOT NULL AS recorded, d.decision_id IS NOT NULL AS known,
           m.version_id AS "versionId", m.rule_id AS "ruleId", m.model, m.task_type AS "taskType"
    FROM given g LEFT JOIN marked m USING (decision_id) LEFT JOIN routing_decisions d USING (decision_id)`;
  const byId = new Map(rows.map((row) => [row.decisionId, row]));
  return ids.map((id, index): OutcomeVerdict => {
    const row = byId.get(id)!;
    if (!row.known) return { status: 'unknown' };
    if (!row.recorded || firstAt.get(id) !== index) return { status: 'duplicate' };
    return { status: 'stored', versionId: row.versionId, ruleId: row.ruleId, model: row.model, taskType: row.taskType };
  });
}
