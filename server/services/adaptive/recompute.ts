import type { PrismaClient } from '../../db/client';
import { Prisma } from '../../db/generated/client';
import { scheduleRepeating } from '../background-job';
import { announceRoutingChange } from '../routing/change-feed';
import type { PolicyArmParams } from '../routing/engine';
import { mulberry32 } from '../seeded-random';
import { computePolicyArms, type PolicyModelStats } from './policy-maths';

import { HALF_LIVES_READ, LONG_HALF_LIFE_FACTOR, RECENT_WINDOWS } from './recompute-settings';

export { HALF_LIVES_READ, LONG_HALF_LIFE_FACTOR };

/**
 * How long a transaction that recomputes may wait for a connection and run: it queues behind the advisory lock while
 * another recompute runs, and reads every policy's latest outcomes.
 */
export const RECOMPUTE_TRANSACTION = { maxWait: 30_000, timeout: 60_000 };

/** Serializes recomputes across servers sharing a database: one at a time writes a set of parameters. */
const RECOMPUTE_LOCK = 0x486f6e65_03n;

interface StatsRow extends PolicyModelStats {
  policyId: number;
  taskType: string;
}

export interface RecomputedTaskType {
  taskType: string;
  arms: (PolicyArmParams & { previousShare: number | null })[];
}

export interface RecomputeResult {
  computedAt: string;
  policies: { policyId: number; name: string; taskTypes: RecomputedTaskType[] }[];
}

/**
 * Recomputes every enabled policy's parameters from the latest outcomes of its decisions: one read of the outcomes
 * (per policy and task type, and per policy over all task types as task type ''), newest first (outcomes reported in
 * one batch share their outcome_at, so among them the later decision counts as newer, by its decided_at and then by its
 * time-ordered id, packages/client/src/routing/decision-id.js), each weighing
 * 0.5^(rank / half-life) by its rank among the same model's outcomes (a model that gets little traffic keeps its
 * evidence, rather than seeing it discounted by the other models' traffic), read up to HALF_LIVES_READ half-lives back,
 * summed per model, with long-run sums at LONG_HALF_LIFE_FACTOR half-lives beside (used while a model does not drift) and the
 * unweighted counts of its latest RECENT_WINDOWS outcomes (used when they show a sudden change); then the pure maths
 * (computePolicyArms); then the parameters are replaced and the shares appended to the history, in one transaction under
 * an advisory lock (so concurrent recomputes queue rather than interleave). Announced to routers once committed.
 */
export async function recomputePolicyParams(prisma: PrismaClient, options: RecomputeOptions = {}): Promise<RecomputeResult> {
  const result = await prisma.$transaction((tx) => recomputeWithin(tx, options), RECOMPUTE_TRANSACTION);
  if (result.policies.length > 0) await announceRoutingChange(prisma, { change: 'updated' });
  return result;
}

export interface RecomputeOptions {
  /** The time the parameters are computed at; default: the database's clock. */
  now?: Date;
  /** Seeds the Monte-Carlo draws (tests); default: random. */
  seed?: number;
  /** Only policies with an outcome or an edit since their last recompute (the background job). */
  onlyChanged?: boolean;
  /** Only these policies (a policy just saved). */
  policyIds?: number[];
}

/**
 * The recompute within a caller's transaction, unannounced: saving a policy recomputes it in the transaction that
 * changes its settings, so no router ever reads the policy without parameters.
 */
export async function recomputeWithin(
  tx: Prisma.TransactionClient,
  { now, seed, onlyChanged = false, policyIds }: RecomputeOptions = {},
): Promise<RecomputeResult> {
  const rng = mulberry32(seed ?? Math.floor(Math.random() * 2 ** 32));
  await tx.$queryRaw`SELECT 1 AS locked FROM pg_advisory_xact_lock(${RECOMPUTE_LOCK}::bigint)`;
  // The database's clock, as outcome_at and updated_at are on it.
  const at = now ?? (await tx.$queryRaw<{ at: Date }[]>`SELECT clock_timestamp() AS at`)[0]!.at;
  // With onlyChanged (the background job), a policy with no outcome and no edit since its last recompute keeps its
  // parameters: its routers are not made to reload a snapshot that would change by Monte-Carlo noise alone.
  const changed = onlyChanged
    ? await tx.$queryRaw<{ id: number }[]>`
        SELECT p.id FROM routing_policies p
        LEFT JOIN LATERAL (SELECT min(computed_at) AS oldest, max(computed_at) AS newest FROM routing_policy_params x WHERE x.policy_id = p.id) c ON true
        WHERE p.enabled AND (c.newest IS NULL OR p.updated_at >= c.oldest OR EXISTS (
          SELECT 1 FROM routing_decisions d WHERE d.policy_id = p.id AND d.outcome_at >= c.newest AND d.success IS NOT NULL))`
    : null;
  const ids = changed ? changed.map((row) => row.id).filter((id) => !policyIds || policyIds.includes(id)) : policyIds;
  const policies = await tx.routingPolicy.findMany({
    where: { enabled: true, ...(ids && { id: { in: ids } }) },
    orderBy: { id: 'asc' },
  });
  if (policies.length === 0) return { computedAt: at.toISOString(), policies: [] };
  const rows = await tx.$queryRaw<StatsRow[]>`
    WITH ranked AS (
      SELECT d.policy_id, d.task_type, d.outcome_model AS model, d.success, d.cost, d.latency_ms, p.half_life,
             row_number() OVER (PARTITION BY d.policy_id, d.task_type, d.outcome_model ORDER BY d.outcome_at DESC, d.decided_at DESC, d.decision_id DESC) - 1 AS type_rank,
             row_number() OVER (PARTITION BY d.policy_id, d.outcome_model ORDER BY d.outcome_at DESC, d.decided_at DESC, d.decision_id DESC) - 1 AS all_rank
      FROM routing_decisions d JOIN routing_policies p ON p.id = d.policy_id
      WHERE d.policy_id = ANY(${policies.map((policy) => policy.id)}::int[]) AND d.outcome_at IS NOT NULL AND d.success IS NOT NULL
    ),
    weighted AS (
      SELECT policy_id, task_type, model, success, cost, latency_ms, type_rank AS rank, power(0.5, type_rank::float8 / half_life) AS w,
             power(0.5, type_rank::float8 / (${LONG_HALF_LIFE_FACTOR} * half_life)) AS wl
      FROM ranked WHERE task_type <> '' AND type_rank < ${HALF_LIVES_READ} * half_life
      UNION ALL
      SELECT policy_id, '', model, success, cost, latency_ms, all_rank, power(0.5, all_rank::float8 / half_life),
             power(0.5, all_rank::float8 / (${LONG_HALF_LIFE_FACTOR} * half_life))
      FROM ranked WHERE all_rank < ${HALF_LIVES_READ} * half_life
    ),
    summed AS (
      SELECT policy_id, task_type, model, sum(w) AS n, coalesce(sum(w) FILTER (WHERE success), 0) AS s, count(*) AS outcomes,
             sum(wl) AS long_n, coalesce(sum(wl) FILTER (WHERE success), 0) AS long_s,
             ARRAY[${windowCounts(Prisma.empty)}]::int[] AS window_n, ARRAY[${windowCounts(Prisma.sql`AND success`)}]::int[] AS window_s,
             sum(w * cost) AS cost_w, sum(w * cost * cost) AS cost_w2, sum(w) FILTER (WHERE cost IS NOT NULL) AS cost_n,
             sum(w * latency_ms) AS latency_w, sum(w * latency_ms * latency_ms) AS latency_w2,
             sum(w) FILTER (WHERE latency_ms IS NOT NULL) AS latency_n
      FROM weighted GROUP BY policy_id, task_type, model
    )
    SELECT policy_id AS "policyId", task_type AS "taskType", model, n AS "effectiveSamples", s AS successes,
           outcomes::int AS outcomes, long_n AS "longEffectiveSamples", long_s AS "longSuccesses",
           window_n AS "windowOutcomes", window_s AS "windowSuccesses",
           cost_w / cost_n AS "costMean", sqrt(greatest(0, cost_w2 / cost_n - (cost_w / cost_n) ^ 2)) AS "costSd",
           latency_w / latency_n AS "latencyMsMean",
           sqrt(greatest(0, latency_w2 / latency_n - (latency_w / latency_n) ^ 2)) AS "latencyMsSd"
    FROM summed ORDER BY policy_id, task_type, model`;
  const previous = await tx.routingPolicyParams.findMany({ where: { policyId: { in: policies.map((policy) => policy.id) } } });
  const previousShares = new Map(
    previous.map((row) => [
      `${row.policyId}\u0000${row.taskType}`,
      new Map((row.arms as unknown as PolicyArmParams[]).map((arm) => [arm.model, arm.share])),
    ]),
  );
  const grouped = new Map<string, StatsRow[]>();
  for (const row of rows) {
    const key = `${row.policyId}\u0000${row.taskType}`;
    grouped.set(key, [...(grouped.get(key) ?? []), row]);
  }
  const answer: RecomputeResult = { computedAt: at.toISOString(), policies: [] };
  const params: { policyId: number; taskType: string; arms: PolicyArmParams[] }[] = [];
  for (const policy of policies) {
    const taskTypes: RecomputedTaskType[] = [];
    // Every enabled policy gets its all-task-types row, uniform while it has no outcome: its history starts there.
    const groups = [...grouped].filter(([, stats]) => stats[0]!.policyId === policy.id);
    if (!grouped.has(`${policy.id}\u0000`)) groups.unshift([`${policy.id}\u0000`, []]);
    for (const [key, stats] of groups) {
      const taskType = stats[0]?.taskType ?? '';
      const arms = computePolicyArms(policy, stats.map(toNumbers), rng);
      params.push({ policyId: policy.id, taskType, arms });
      const before = previousShares.get(key);
      taskTypes.push({ taskType, arms: arms.map((arm) => ({ ...arm, previousShare: before?.get(arm.model) ?? null })) });
    }
    answer.policies.push({ policyId: policy.id, name: policy.name, taskTypes });
  }
  await tx.$executeRaw`
    DELETE FROM routing_policy_params x
    WHERE x.policy_id = ANY(${policies.map((policy) => policy.id)}::int[])
      AND (x.policy_id, x.task_type) NOT IN (SELECT * FROM unnest(${params.map((p) => p.policyId)}::int[], ${params.map((p) => p.taskType)}::text[]))`;
  if (params.length > 0) {
    await tx.$executeRaw`
      INSERT INTO routing_policy_params (policy_id, task_type, computed_at, arms)
      SELECT * FROM unnest(${params.map((p) => p.policyId)}::int[], ${params.map((p) => p.taskType)}::text[],
                           ${params.map(() => at)}::timestamptz[], ${params.map((p) => JSON.stringify(p.arms))}::jsonb[])
      ON CONFLICT (policy_id, task_type) DO UPDATE SET computed_at = EXCLUDED.computed_at, arms = EXCLUDED.arms`;
    const shares = params.flatMap((p) =>
      p.arms.map((arm) => ({ policyId: p.policyId, taskType: p.taskType, model: arm.model, share: arm.share })),
    );
    await tx.$executeRaw`
      INSERT INTO routing_policy_shares (policy_id, task_type, at, model, share)
      SELECT g.policy_id, g.task_type, ${at}, g.model, g.share
      FROM unnest(${shares.map((s) => s.policyId)}::int[], ${shares.map((s) => s.taskType)}::text[], ${shares.map((s) => s.model)}::text[],
                  ${shares.map((s) => s.share)}::float8[]) AS g(policy_id, task_type, model, share)
      ON CONFLICT (policy_id, task_type, at, model) DO UPDATE SET share = EXCLUDED.share`;
  }
  return answer;
}

/** One count per RECENT_WINDOWS size, in its order: of the outcomes ranked within the window (and meeting `also`). */
function windowCounts(also: Prisma.Sql): Prisma.Sql {
  return Prisma.join(RECENT_WINDOWS.map((size) => Prisma.sql`count(*) FILTER (WHERE rank < ${size} ${also})`));
}

/** Sums come back from SQL as numbers or decimals, depending on the driver: plain numbers here. */
function toNumbers(row: StatsRow): PolicyModelStats {
  const num = (value: unknown) => (value === null || value === undefined ? null : Number(value));
  return {
    model: row.model,
    effectiveSamples: Number(row.effectiveSamples),
    successes: Number(row.successes),
    outcomes: Number(row.outcomes),
    longEffectiveSamples: Number(row.longEffectiveSamples),
    longSuccesses: Number(row.longSuccesses),
    windowOutcomes: (row.windowOutcomes ?? []).map(Number),
    windowSuccesses: (row.windowSuccesses ?? []).map(Number),
    costMean: num(row.costMean),
    costSd: num(row.costSd),
    latencyMsMean: num(row.latencyMsMean),
    latencyMsSd: num(row.latencyMsSd),
  };
}

/**
 * Recomputes every `intervalMs` (each run after the previous one ended), until the returned function is called. Timers
 * are unref'd. A failed run is logged and retried at the next interval.
 */
export function scheduleAdaptiveRecompute(prisma: PrismaClient, { intervalMs }: { intervalMs: number }): () => void {
  return scheduleRepeating(
    async () => {
      await recomputePolicyParams(prisma, { onlyChanged: true });
    },
    { intervalMs, failure: 'recomputing adaptive routing policies failed' },
  );
}
