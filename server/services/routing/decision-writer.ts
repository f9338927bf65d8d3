import type { PrismaClient, SqlClient } from '../../db/client';
import { env } from '../../env';
import type { RoutingLayerValue } from '../../schemas/routing';
import type { ShadowMatch } from './engine';

/** One routing decision as it is stored and counted: made by resolve_route here, or by a gateway (ingest). */
export interface RouteDecisionRecord {
  decisionId: string;
  at: Date;
  versionId: number | null;
  ruleId: number | null;
  layer: RoutingLayerValue;
  model: string | null;
  /** '' when the caller gave none. */
  taskType: string;
  shadow: readonly ShadowMatch[];
  /** The adaptive policy that chose the model, and the experiment arm the decision fell in (null or absent: none). */
  policyId?: number | null | undefined;
  experimentId?: number | null | undefined;
  armId?: number | null | undefined;
  /** The decision's input (bounded to the matched prefix), when it is offered as a sample for replay. */
  input?: string;
}

export interface DecisionWriteResult {
  /**
   * The decisionIds stored and counted now (lowercase). The others were duplicates: stored before, or repeated in the
   * batch (whose first is stored), and counted nothing.
   */
  storedIds: Set<string>;
}

export interface SamplingSettings {
  storeInputs: boolean;
  samplesPerHour: number;
}

/** Serialises the writers that take input samples, so that two flushes cannot both fill an hour's last places. */
const SAMPLES_LOCK = 0x686f6e65_02n;

/**
 * Stores and counts decisions in one transaction: the narrow `routing_decisions` rows (an outcome reported later finds
 * its version through them), the hour's decision and miss counts, per-rule hits (the existing charts), per-version hits
 * and shadow would-have-matched counts, shadow displacements, and input samples up to HONE_DECISION_SAMPLES_PER_HOUR.
 */
export async function recordRouteDecisions(prisma: PrismaClient, decisions: readonly RouteDecisionRecord[]): Promise<DecisionWriteResult> {
  if (decisions.length === 0) return { storedIds: new Set() };
  return prisma.$transaction((tx) => writeRouteDecisions(tx, decisions), { maxWait: 10_000, timeout: 30_000 });
}

/**
 * The writer itself, inside the caller's transaction (ingest writes a whole batch in one): one statement for every
 * table, set-based, whatever the number of decisions. A decisionId stored before is a duplicate, counted nothing.
 */
export async function writeRouteDecisions(
  tx: SqlClient,
  decisions: readonly RouteDecisionRecord[],
  sampling: SamplingSettings = { storeInputs: env().HONE_STORE_DECISION_INPUTS, samplesPerHour: env().HONE_DECISION_SAMPLES_PER_HOUR },
): Promise<DecisionWriteResult> {
  if (decisions.length === 0) return { storedIds: new Set() };
  const seen = new Set<string>();
  const unique = decisions.filter((d) => !seen.has(d.decisionId.toLowerCase()) && seen.add(d.decisionId.toLowerCase()));
  const sampleInputs = sampling.storeInputs && sampling.samplesPerHour > 0;
  const inputs = unique.map((d) => (sampleInputs ? (d.input ?? null) : null));
  if (inputs.some((input) => input !== null)) await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(${SAMPLES_LOCK}::bigint)`;
  const shadows = unique.flatMap((d) => d.shadow.map((s) => ({ decisionId: d.decisionId, ...s })));
  const rows = await tx.$queryRaw<{ decisionId: string }[]>`
    WITH batch AS (
      SELECT * FROM unnest(${unique.map((d) => d.decisionId.toLowerCase())}::text[]::uuid[], ${unique.map((d) => d.at.toISOString())}::text[]::timestamptz[],
                           ${unique.map((d) => d.versionId)}::int[], ${unique.map((d) => d.ruleId)}::int[],
                           ${unique.map((d) => d.layer)}::text[]::routing_layer[], ${unique.map((d) => d.model)}::text[],
                           ${unique.map((d) => d.taskType)}::text[], ${inputs}::text[],
                           ${unique.map((d) => d.policyId ?? null)}::int[], ${unique.map((d) => d.experimentId ?? null)}::int[],
                           ${unique.map((d) => (d.experimentId == null ? null : (d.armId ?? null)))}::int[])
        AS b(decision_id, decided_at, version_id, rule_id, layer, model, task_type, input, policy_id, experiment_id, arm_id)
    ),
    inserted AS (
      INSERT INTO routing_decisions (decision_id, decided_at, version_id, rule_id, layer, model, task_type, policy_id, experiment_id, arm_id)
      -- A policy is kept only when it exists, an arm only when it is an arm of the experiment named: a stale or forged id
      -- is dropped, never learnt from or counted.
      SELECT b.decision_id, b.decided_at, b.version_id, b.rule_id, b.layer, b.model, b.task_type,
             (SELECT p.id FROM routing_policies p WHERE p.id = b.policy_id), a.experiment_id, a.id
      FROM batch b LEFT JOIN routing_experiment_arms a ON a.id = b.arm_id AND a.experiment_id = b.experiment_id
      ON CONFLICT (decision_id) DO NOTHING
      RETURNING decision_id, decided_at, date_trunc('hour', decided_at, 'UTC') AS hour, version_id, rule_id, task_type, arm_id
    ),
    arm_decisions AS (
      UPDATE routing_experiment_arms a SET decisions = a.decisions + c.decisions
      FROM (SELECT arm_id, count(*)::int AS decisions FROM inserted WHERE arm_id IS NOT NULL GROUP BY 1) c
      WHERE a.id = c.arm_id
    ),
    shadow AS (
      SELECT s.version_id, i.hour, i.task_type, s.would_decide, s.displaced_version_id
      FROM unnest(${shadows.map((s) => s.decisionId)}::text[]::uuid[], ${shadows.map((s) => s.versionId)}::int[],
                  ${shadows.map((s) => s.wouldDecide)}::boolean[], ${shadows.map((s) => s.displacedVersionId)}::int[])
        AS s(decision_id, version_id, would_decide, displaced_version_id)
      JOIN inserted i USING (decision_id)
    ),
    decision_counts AS (
      INSERT INTO routing_decision_hourly AS d (hour, task_type, decisions, misses)
      SELECT hour, task_type, count(*)::int, (count(*) FILTER (WHERE rule_id IS NULL))::int FROM inserted GROUP BY hour, task_type
      ON CONFLICT (hour, task_type) DO UPDATE SET decisions = d.decisions + EXCLUDED.decisions, misses = d.misses + EXCLUDED.misses
    ),
    rule_hits AS (
      -- A rule deleted since it decided has no hit history left to add to (deleting a rule deletes it). The rules are
      -- locked (KEY SHARE) as they are read: a delete committing meanwhile is waited for and its rule skipped, where a
      -- plain join would still see the rule and the insert then fail its foreign key, losing the whole batch.
      INSERT INTO routing_rule_hits_hourly AS h (rule_id, hour, task_type, hits)
      SELECT i.rule_id, i.hour, i.task_type, count(*)::int
      FROM inserted i JOIN (SELECT id FROM routing_rules WHERE id IN (SELECT rule_id FROM inserted) FOR KEY SHARE) r ON r.id = i.rule_id
      GROUP BY 1, 2, 3
      ON CONFLICT (rule_id, hour, task_type) DO UPDATE SET hits = h.hits + EXCLUDED.hits
    ),
    version_hits AS (
      INSERT INTO routing_version_hits_hourly AS v (version_id, hour, task_type, hits, shadow_hits)
      SELECT version_id, hour, task_type, sum(hits)::int, sum(shadow_hits)::int FROM (
        SELECT version_id, hour, task_type, 1 AS hits, 0 AS shadow_hits FROM inserted WHERE version_id IS NOT NULL
        UNION ALL
        SELECT version_id, hour, task_type, 0, 1 FROM shadow
      ) AS counted GROUP BY 1, 2, 3
      ON CONFLICT (version_id, hour, task_type) DO UPDATE SET hits = v.hits + EXCLUDED.hits, shadow_hits = v.shadow_hits + EXCLUDED.shadow_hits
    ),
    displacements AS (
      INSERT INTO routing_shadow_displacements_hourly AS x (version_id, hour, displaced_version_id, decisions)
      SELECT version_id, hour, coalesce(displaced_version_id, 0), count(*)::int FROM shadow WHERE would_decide GROUP BY 1, 2, 3
      ON CONFLICT (version_id, hour, displaced_version_id) DO UPDATE SET decisions = x.decisions + EXCLUDED.decisions
    ),
    samples AS (
      -- First come, first kept per hour (in random order within a batch), up to the hour's cap across all writers.
      INSERT INTO routing_decision_samples (sampled_at, input, task_type, version_id, rule_id, layer, model)
      SELECT decided_at, input, task_type, version_id, rule_id, layer, model FROM (
        SELECT b.*, date_trunc('hour', b.decided_at, 'UTC') AS hour,
               row_number() OVER (PARTITION BY date_trunc('hour', b.decided_at, 'UTC') ORDER BY random()) AS n
        FROM batch b JOIN inserted USING (decision_id) WHERE b.input IS NOT NULL
      ) AS c
      WHERE c.n <= ${sampling.samplesPerHour}::int - (
        SELECT count(*) FROM routing_decision_samples s WHERE s.sampled_at >= c.hour AND s.sampled_at < c.hour + interval '1 hour')
    )
    SELECT decision_id::text AS "decisionId" FROM inserted`;
  return { storedIds: new Set(rows.map((row) => row.decisionId)) };
}
