import type { z } from 'zod';
import type { PrismaClient } from '../../db/client';
import type { GetRoutingHitRatesInput } from '../../schemas/routing';
import { Prisma } from '../../db/generated/client';
import { alignToBuckets, binned, echoRange, resolveTimeRange, rollupRows, rollupSpans, type RangeEcho } from '../time-buckets';
import { flushRouteDecisions } from './decision-recorder';
import { RULE_EVALUATION_ORDER } from './rule-dto';

export interface RuleHitRates {
  ruleId: number;
  pattern: string;
  hits: number;
  /** Share of all decisions in the range this rule decided, in percent; null without decisions. */
  hitRate: number | null;
  /** Hit rate per bucket, aligned with `buckets`; null where there was no decision. */
  rates: (number | null)[];
}

export interface RoutingHitRates extends RangeEcho {
  decisions: number;
  misses: number;
  hitRate: number | null;
  /** Decisions and overall hit rate per bucket, aligned with `buckets`. */
  decisionsPerBucket: number[];
  overallRates: (number | null)[];
  /** Every rule that still exists, in evaluation order, with its hits in the range (0 when it never fired). */
  rules: RuleHitRates[];
  /** Rule versions made in the range, oldest first (at most MAX_EDITS, the most recent kept): where a chart marks edits. */
  edits: RuleEdit[];
}

/** A rule version made in the range: the moment figures before and after it stop being comparable. */
export interface RuleEdit {
  at: string;
  ruleId: number;
  version: number;
  versionId: number;
  change: 'created' | 'updated' | 'deleted';
  /** The version's pattern (the rule's, for a deletion). */
  pattern: string;
  /** The versioned fields it changed from the version before (empty for a creation or a deletion). */
  fields: string[];
  changedBy: string | null;
}

/** Beyond this many edits in one range a chart's markers would be a solid wall; the most recent ones are kept. */
export const MAX_EDITS = 200;

/** `part` as a percentage of `whole`; null when there is no whole to speak of. */
export const percentOf = (part: number, whole: number): number | null => (whole ? (part * 100) / whole : null);

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

const DECISION_ROLLUPS = {
  hourly: { table: 'routing_decision_hourly', time: 'hour', columns: 'decisions, misses' },
  daily: { table: 'routing_decision_daily', time: 'day', columns: 'decisions, misses' },
};
const HIT_ROLLUPS = {
  hourly: { table: 'routing_rule_hits_hourly', time: 'hour', columns: 'rule_id, hits' },
  daily: { table: 'routing_rule_hits_daily', time: 'day', columns: 'rule_id, hits' },
};

/**
 * Hit rate over time, overall and per rule: ONE query over the decision and hit rollups (whole days from the daily
 * ones unless bucketed by hour), plus the rule list.
 */
export async function getRoutingHitRates(prisma: PrismaClient, input: z.output<typeof GetRoutingHitRatesInput>): Promise<RoutingHitRates> {
  // Read-your-writes within a process: the decisions this server answered are written before they are read.
  await flushRouteDecisions(prisma);
  const range = resolveTimeRange(input);
  const echo = echoRange(range);
  const task = input.taskType ?? null;
  const spans = rollupSpans(range.from, range.to, { daily: range.bucket === 'day', raw: false });
  const ofTask = Prisma.sql`(${task}::text IS NULL OR task_type = ${task}::text)`;
  const [rows, rules, edits] = await Promise.all([
    prisma.$queryRaw<{ bucket: Date; decisions: bigint; misses: bigint; rule_ids: number[] | null; hits: number[] | null }[]>`
      WITH decisions AS (
        SELECT ${binned('at', range.bucket)} AS bucket, sum(decisions)::bigint AS decisions, sum(misses)::bigint AS misses
        FROM (${rollupRows(DECISION_ROLLUPS, spans, ofTask)}) AS d
        GROUP BY 1
      ), hits AS (
        SELECT ${binned('at', range.bucket)} AS bucket, rule_id, sum(hits)::float8 AS hits
        FROM (${rollupRows(HIT_ROLLUPS, spans, ofTask)}) AS h
        GROUP BY 1, 2
      )
      -- A row per bucket, its rules' hits as arrays: a few hundred rows for any range, however many rules.
      SELECT d.bucket, d.decisions, d.misses, h.rule_ids, h.hits
      FROM decisions d
      LEFT JOIN (SELECT bucket, array_agg(rule_id) AS rule_ids, array_agg(hits) AS hits FROM hits GROUP BY bucket) h USING (bucket)`,
    prisma.routingRule.findMany({ select: { id: true, pattern: true }, orderBy: [...RULE_EVALUATION_ORDER] }),
    ruleEdits(prisma, range.from, range.to),
  ]);
  const decisionsAt = new Map<string, number>();
  const matchedAt = new Map<string, number>();
  const hitsAt = new Map<number, Map<string, number>>();
  for (const r of rows) {
    const t = r.bucket.toISOString();
    decisionsAt.set(t, Number(r.decisions));
    matchedAt.set(t, Number(r.decisions) - Number(r.misses));
    r.rule_ids?.forEach((ruleId, i) => {
      const perRule = hitsAt.get(ruleId) ?? new Map<string, number>();
      perRule.set(t, r.hits![i]!);
      hitsAt.set(ruleId, perRule);
    });
  }
  const decisionsPerBucket = alignToBuckets(echo.buckets, decisionsAt, 0);
  const matchedPerBucket = alignToBuckets(echo.buckets, matchedAt, 0);
  const decisions = sum(decisionsPerBucket);
  const matched = sum(matchedPerBucket);
  const ratesOf = (hitsPerBucket: number[]) => hitsPerBucket.map((h, i) => percentOf(h, decisionsPerBucket[i]!));
  const ruleRates = rules.map((rule) => {
    const hitsPerBucket = alignToBuckets(echo.buckets, hitsAt.get(rule.id) ?? new Map<string, number>(), 0);
    const hits = sum(hitsPerBucket);
    return { ruleId: rule.id, pattern: rule.pattern, hits, hitRate: percentOf(hits, decisions), rates: ratesOf(hitsPerBucket) };
  });
  return {
    ...echo,
    decisions,
    misses: decisions - matched,
    hitRate: percentOf(matched, decisions),
    decisionsPerBucket,
    overallRates: ratesOf(matchedPerBucket),
    rules: ruleRates,
    edits,
  };
}

/**
 * The versions made in [from, to), each with the fields it changed from its predecessor: one query (the predecessor is
 * found through the (rule_id, version) key), whatever the number of rules.
 */
async function ruleEdits(prisma: PrismaClient, from: Date, to: Date): Promise<RuleEdit[]> {
  const rows = await prisma.$queryRaw<
    {
      at: Date;
      rule_id: number;
      version: number;
      version_id: number;
      change: RuleEdit['change'];
      pattern: string;
      fields: string[];
      changed_by: string | null;
    }[]
  >`
    SELECT * FROM (
      SELECT v.changed_at AS at, v.rule_id, v.version, v.id AS version_id, v.change, v.pattern, v.changed_by,
        CASE WHEN v.change <> 'updated' THEN ARRAY[]::text[] ELSE array_remove(ARRAY[
          CASE WHEN v.pattern IS DISTINCT FROM p.pattern THEN 'pattern' END,
          CASE WHEN v.preferred_layer IS DISTINCT FROM p.preferred_layer THEN 'preferredLayer' END,
          CASE WHEN v.preferred_model IS DISTINCT FROM p.preferred_model THEN 'preferredModel' END,
          CASE WHEN v.priority IS DISTINCT FROM p.priority THEN 'priority' END,
          CASE WHEN v.state IS DISTINCT FROM p.state THEN 'state' END
        ], NULL) END AS fields
      FROM routing_rule_versions v
      LEFT JOIN routing_rule_versions p ON p.rule_id = v.rule_id AND p.version = v.version - 1
      WHERE v.changed_at >= ${from} AND v.changed_at < ${to}
      ORDER BY v.changed_at DESC, v.id DESC
      LIMIT ${MAX_EDITS}
    ) AS recent
    ORDER BY at, version_id`;
  return rows.map((r) => ({
    at: r.at.toISOString(),
    ruleId: r.rule_id,
    version: r.version,
    versionId: r.version_id,
    change: r.change,
    pattern: r.pattern,
    fields: r.fields,
    changedBy: r.changed_by,
  }));
}
