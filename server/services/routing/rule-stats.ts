import type { z } from 'zod';
import type { PrismaClient } from '../../db/client';
import type { RoutingRuleVersion } from '../../db/generated/client';
import type { GetRoutingRuleStatsInput, RoutingLayerValue, RoutingRuleStateValue } from '../../schemas/routing';
import { resolveTimeRange } from '../time-buckets';
import { flushRouteDecisions } from './decision-recorder';
import { RULE_EVALUATION_ORDER, toRoutingRuleDto } from './rule-dto';
import { wilsonInterval } from './wilson';

/** What outcomes measured: the success rate (percent) with its Wilson 95% interval and sample size, mean latency and cost. */
export interface MeasuredOutcomes {
  /** Outcomes reported. */
  n: number;
  successes: number;
  successRate: number | null;
  successRateInterval: { low: number; high: number } | null;
  meanLatencyMs: number | null;
  /** Outcomes that reported a latency (the mean's sample size). */
  latencySamples: number;
  meanCost: number | null;
  costSamples: number;
}

export interface VersionStats {
  versionId: number;
  version: number;
  change: string;
  changedAt: string;
  changedBy: string | null;
  /** Whether it is the rule's version now. */
  current: boolean;
  state: RoutingRuleStateValue;
  pattern: string;
  preferredLayer: RoutingLayerValue;
  preferredModel: string | null;
  priority: number;
  /** Decisions it made (active). */
  hits: number;
  /** Decisions it matched as a shadow rule ("would have matched"). */
  shadowHits: number;
  /** Of those, the ones it would have decided (it ranked ahead of the deciding rule, or no active rule matched). */
  wouldDecide: number;
  /** Whom it would have displaced: a rule version, or the default layer (versionId and ruleId null). */
  displaced: { versionId: number | null; ruleId: number | null; decisions: number }[];
  outcomes: MeasuredOutcomes;
  /** The same, per model that served the requests ('' when none was named). */
  byModel: ({ model: string } & MeasuredOutcomes)[];
  /** The success rate the client stated (the spec's successRate), the prior beside the measured one. */
  statedSuccessRate: number | null;
}

export interface RuleStats {
  ruleId: number;
  exists: boolean;
  state: RoutingRuleStateValue | 'deleted';
  pattern: string;
  versionId: number | null;
  hits: number;
  shadowHits: number;
  wouldDecide: number;
  outcomes: MeasuredOutcomes;
  statedSuccessRate: number | null;
  /** Its current version and every version with figures in the range, newest first. */
  versions: VersionStats[];
}

export interface RoutingRuleStats {
  from: string;
  to: string;
  taskType: string | null;
  /** Decisions no rule matched: the default layer decided. */
  defaultLayer: { decisions: number; outcomes: MeasuredOutcomes };
  /** Existing rules in evaluation order, then deleted rules that have figures in the range. */
  rules: RuleStats[];
}

interface OutcomeSums {
  outcomes: number;
  successes: number;
  latencySum: number;
  latencyCount: number;
  costSum: number;
  costCount: number;
}

const NO_OUTCOMES: OutcomeSums = { outcomes: 0, successes: 0, latencySum: 0, latencyCount: 0, costSum: 0, costCount: 0 };

const addSums = (a: OutcomeSums, b: OutcomeSums): OutcomeSums => ({
  outcomes: a.outcomes + b.outcomes,
  successes: a.successes + b.successes,
  latencySum: a.latencySum + b.latencySum,
  latencyCount: a.latencyCount + b.latencyCount,
  costSum: a.costSum + b.costSum,
  costCount: a.costCount + b.costCount,
});

export function measured(sums: OutcomeSums): MeasuredOutcomes {
  return {
    n: sums.outcomes,
    successes: sums.successes,
    successRate: sums.outcomes ? (sums.successes * 100) / sums.outcomes : null,
    successRateInterval: wilsonInterval(sums.successes, sums.outcomes),
    meanLatencyMs: sums.latencyCount ? sums.latencySum / sums.latencyCount : null,
    latencySamples: sums.latencyCount,
    meanCost: sums.costCount ? sums.costSum / sums.costCount : null,
    costSamples: sums.costCount,
  };
}

/**
 * Measured figures per rule and rule version over a range (default the last 7 days), read from the hourly tables
 * (hours starting in the range): hits, shadow would-have-matched and would-have-decided counts with whom they
 * displaced, and outcomes. Shadow displacements are kept per hour without task type: a taskType filter leaves them whole.
 */
export async function getRoutingRuleStats(
  prisma: PrismaClient,
  input: z.output<typeof GetRoutingRuleStatsInput>,
): Promise<RoutingRuleStats> {
  // Read-your-writes within a process: the decisions this server answered are written before they are read.
  await flushRouteDecisions(prisma);
  const range = resolveTimeRange(input);
  const task = input.taskType ?? null;
  const ruleFilter = input.ruleId ?? null;
  const [hitRows, displacementRows, outcomeRows, missRows, rules] = await Promise.all([
    prisma.$queryRaw<{ versionId: number; hits: number; shadowHits: number }[]>`
      SELECT version_id AS "versionId", sum(hits)::float8 AS hits, sum(shadow_hits)::float8 AS "shadowHits"
      FROM routing_version_hits_hourly
      WHERE hour >= date_trunc('hour', ${range.from}::timestamptz, 'UTC') AND hour < ${range.to}
        AND (${task}::text IS NULL OR task_type = ${task}::text)
      GROUP BY 1`,
    prisma.$queryRaw<{ versionId: number; displacedVersionId: number; decisions: number }[]>`
      SELECT version_id AS "versionId", displaced_version_id AS "displacedVersionId", sum(decisions)::float8 AS decisions
      FROM routing_shadow_displacements_hourly
      WHERE hour >= date_trunc('hour', ${range.from}::timestamptz, 'UTC') AND hour < ${range.to}
      GROUP BY 1, 2`,
    prisma.$queryRaw<({ versionId: number; model: string } & OutcomeSums)[]>`
      SELECT version_id AS "versionId", model, sum(outcomes)::float8 AS outcomes, sum(successes)::float8 AS successes,
             sum(latency_ms_sum) AS "latencySum", sum(latency_count)::float8 AS "latencyCount",
             sum(cost_sum) AS "costSum", sum(cost_count)::float8 AS "costCount"
      FROM routing_outcomes_hourly
      WHERE hour >= date_trunc('hour', ${range.from}::timestamptz, 'UTC') AND hour < ${range.to}
        AND (${task}::text IS NULL OR task_type = ${task}::text)
      GROUP BY 1, 2 ORDER BY 1, 2`,
    prisma.$queryRaw<{ misses: number }[]>`
      SELECT coalesce(sum(misses), 0)::float8 AS misses FROM routing_decision_hourly
      WHERE hour >= date_trunc('hour', ${range.from}::timestamptz, 'UTC') AND hour < ${range.to}
        AND (${task}::text IS NULL OR task_type = ${task}::text)`,
    prisma.routingRule.findMany({ orderBy: [...RULE_EVALUATION_ORDER], where: ruleFilter === null ? {} : { id: ruleFilter } }),
  ]);

  const withFigures = new Set([...hitRows, ...displacementRows, ...outcomeRows].map((row) => row.versionId));
  for (const row of displacementRows) withFigures.add(row.displacedVersionId);
  withFigures.delete(0);
  const versions = await prisma.routingRuleVersion.findMany({
    where: {
      OR: [{ ruleId: { in: rules.map((rule) => rule.id) } }, { id: { in: [...withFigures] } }],
      ...(ruleFilter === null ? {} : { ruleId: ruleFilter }),
    },
    orderBy: [{ ruleId: 'asc' }, { version: 'desc' }],
  });
  const versionById = new Map(versions.map((v) => [v.id, v]));

  const hitsOf = new Map(hitRows.map((row) => [row.versionId, row]));
  const outcomesOf = new Map<number, ({ model: string } & OutcomeSums)[]>();
  for (const row of outcomeRows) outcomesOf.set(row.versionId, [...(outcomesOf.get(row.versionId) ?? []), row]);
  const displacedOf = new Map<number, { versionId: number | null; ruleId: number | null; decisions: number }[]>();
  for (const row of displacementRows) {
    const displaced = row.displacedVersionId === 0 ? null : row.displacedVersionId;
    const entry = {
      versionId: displaced,
      ruleId: displaced === null ? null : (versionById.get(displaced)?.ruleId ?? null),
      decisions: row.decisions,
    };
    displacedOf.set(row.versionId, [...(displacedOf.get(row.versionId) ?? []), entry]);
  }
  const sumsOf = (versionId: number) => (outcomesOf.get(versionId) ?? []).reduce<OutcomeSums>(addSums, NO_OUTCOMES);

  const current = new Map(rules.map((rule) => [rule.id, toRoutingRuleDto(rule)]));
  const versionStats = (v: RoutingRuleVersion): VersionStats => {
    const rule = current.get(v.ruleId);
    const isCurrent = rule?.versionId === v.id;
    const displaced = displacedOf.get(v.id) ?? [];
    return {
      versionId: v.id,
      version: v.version,
      change: v.change,
      changedAt: v.changedAt.toISOString(),
      changedBy: v.changedBy,
      current: isCurrent,
      state: v.state,
      pattern: v.pattern,
      preferredLayer: v.preferredLayer,
      preferredModel: v.preferredModel,
      priority: v.priority,
      hits: hitsOf.get(v.id)?.hits ?? 0,
      shadowHits: hitsOf.get(v.id)?.shadowHits ?? 0,
      wouldDecide: displaced.reduce((sum, d) => sum + d.decisions, 0),
      displaced,
      outcomes: measured(sumsOf(v.id)),
      byModel: (outcomesOf.get(v.id) ?? []).map(({ model, ...sums }) => ({ model, ...measured(sums) })),
      // The client may restate its prior without changing the rule (no new version): the current version shows it as it is now.
      statedSuccessRate: isCurrent ? rule.successRate : v.statedSuccessRate,
    };
  };

  const ruleIds = [...rules.map((rule) => rule.id), ...new Set(versions.filter((v) => !current.has(v.ruleId)).map((v) => v.ruleId))];
  const ruleStats = ruleIds.map((ruleId): RuleStats => {
    const rule = current.get(ruleId);
    const all = versions.filter((v) => v.ruleId === ruleId);
    const shown = all.filter((v) => v.id === rule?.versionId || withFigures.has(v.id)).map(versionStats);
    const latest = all[0]!;
    return {
      ruleId,
      exists: rule !== undefined,
      state: rule?.state ?? 'deleted',
      pattern: rule?.pattern ?? latest.pattern,
      versionId: rule?.versionId ?? null,
      hits: shown.reduce((sum, v) => sum + v.hits, 0),
      shadowHits: shown.reduce((sum, v) => sum + v.shadowHits, 0),
      wouldDecide: shown.reduce((sum, v) => sum + v.wouldDecide, 0),
      outcomes: measured(all.map((v) => sumsOf(v.id)).reduce(addSums, NO_OUTCOMES)),
      statedSuccessRate: rule ? rule.successRate : latest.statedSuccessRate,
      versions: shown,
    };
  });

  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    taskType: task,
    defaultLayer: { decisions: missRows[0]?.misses ?? 0, outcomes: measured(sumsOf(0)) },
    // A deleted rule is listed only while it has figures in the range.
    rules: ruleStats.filter((rule) => rule.exists || rule.versions.length > 0),
  };
}
