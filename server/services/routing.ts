import { setFlagsFromString } from 'node:v8';
import type { z } from 'zod';
import type { PrismaClient } from '../db/client';
import type { RoutingRule } from '../db/generated/client';
import { env } from '../env';
import { HoneError } from '../errors';
import type {
  DeleteRoutingHeuristicInput,
  GetRoutingHeuristicsInput,
  GetRoutingHitRatesInput,
  ResolveRouteInput,
  RoutingLayerValue,
  UpdateRoutingHeuristicInput,
} from '../schemas/routing';
import { assertNoCatastrophicBacktracking } from './regex-safety';
import { alignToBuckets, binned, echoRange, resolveTimeRange, type RangeEcho } from './time-buckets';

// Let V8 switch a regex to its linear-time engine when it backtracks excessively, so an accepted
// polynomial pattern cannot stall the event loop on a long adversarial prompt.
setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

export interface RoutingHeuristicDto {
  id: number;
  pattern: string;
  preferredLayer: RoutingLayerValue;
  preferredModel: string | null;
  priority: number;
  active: boolean;
  reasoning: string | null;
  successRate: number | null;
  usageCount: number | null;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

function toDto(row: RoutingRule): RoutingHeuristicDto {
  const metadata = (row.metadata ?? {}) as Record<string, unknown>;
  const numberOrNull = (v: unknown) => (typeof v === 'number' ? v : null);
  return {
    id: row.id,
    pattern: row.pattern,
    preferredLayer: row.preferredLayer,
    preferredModel: row.preferredModel,
    priority: row.priority,
    active: row.active,
    reasoning: typeof metadata.reasoning === 'string' ? metadata.reasoning : null,
    successRate: numberOrNull(metadata.successRate),
    usageCount: numberOrNull(metadata.usageCount),
    metadata,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

/** Evaluation order: priority descending, then most recently updated, then id: total and stable. */
const EVALUATION_ORDER = [{ priority: 'desc' }, { updatedAt: 'desc' }, { id: 'asc' }] as const;

/**
 * Upsert keyed on pattern, in one statement so concurrent callers never create two rows.
 * Fields the caller leaves out keep their stored value; metadata keys are merged.
 */
export async function updateRoutingHeuristic(
  prisma: PrismaClient,
  input: z.output<typeof UpdateRoutingHeuristicInput>,
): Promise<{ created: boolean; heuristic: RoutingHeuristicDto }> {
  assertNoCatastrophicBacktracking(input.pattern);
  const metadataPatch = {
    ...input.metadata,
    ...(input.reasoning !== undefined && { reasoning: input.reasoning }),
    ...(input.successRate !== undefined && { successRate: input.successRate }),
    ...(input.usageCount !== undefined && { usageCount: input.usageCount }),
  };
  if (input.id !== undefined) return { created: false, heuristic: await updateRoutingHeuristicById(prisma, input.id, input, metadataPatch) };
  const modelGiven = input.preferredModel !== undefined;
  const [row] = await prisma.$queryRaw<(RoutingRule & { inserted: boolean })[]>`
    INSERT INTO routing_rules AS r (pattern, preferred_layer, preferred_model, priority, active, metadata, updated_at)
    VALUES (${input.pattern}, ${input.preferredLayer}::routing_layer, ${input.preferredModel ?? null},
            COALESCE(${input.priority ?? null}::int, 0), COALESCE(${input.active ?? null}::boolean, true),
            ${JSON.stringify(metadataPatch)}::jsonb, clock_timestamp())
    ON CONFLICT (pattern) DO UPDATE SET
      preferred_layer = EXCLUDED.preferred_layer,
      preferred_model = CASE WHEN ${modelGiven} THEN EXCLUDED.preferred_model ELSE r.preferred_model END,
      priority = COALESCE(${input.priority ?? null}::int, r.priority),
      active = COALESCE(${input.active ?? null}::boolean, r.active),
      metadata = r.metadata || EXCLUDED.metadata,
      updated_at = clock_timestamp()
    RETURNING r.id, r.pattern, r.preferred_layer AS "preferredLayer", r.preferred_model AS "preferredModel",
              r.priority, r.active, r.metadata, r.created_at AS "createdAt", r.updated_at AS "updatedAt",
              (xmax = 0) AS inserted`;
  invalidateRoutingRules(prisma);
  const { inserted, ...rule } = row!;
  return { created: inserted, heuristic: toDto(rule) };
}

const RETURNED_RULE = `r.id, r.pattern, r.preferred_layer AS "preferredLayer", r.preferred_model AS "preferredModel",
  r.priority, r.active, r.metadata, r.created_at AS "createdAt", r.updated_at AS "updatedAt"`;

const noRule = (id: number) => new HoneError('NOT_FOUND', `No routing rule with id ${id}`, [{ path: ['id'], message: `no routing rule with id ${id}` }]);

/** Edits one rule by id, its pattern included; the same omitted-fields-stay rules as the upsert. */
async function updateRoutingHeuristicById(
  prisma: PrismaClient,
  id: number,
  input: z.output<typeof UpdateRoutingHeuristicInput>,
  metadataPatch: Record<string, unknown>,
): Promise<RoutingHeuristicDto> {
  const modelGiven = input.preferredModel !== undefined;
  // The pattern is unique: refuse taking another rule's pattern by name rather than by a constraint error.
  const [row] = await prisma.$queryRawUnsafe<RoutingRule[]>(
    `UPDATE routing_rules AS r SET
       pattern = $2, preferred_layer = $3::routing_layer,
       preferred_model = CASE WHEN $4 THEN $5 ELSE r.preferred_model END,
       priority = COALESCE($6::int, r.priority), active = COALESCE($7::boolean, r.active),
       metadata = r.metadata || $8::jsonb, updated_at = clock_timestamp()
     WHERE r.id = $1 AND NOT EXISTS (SELECT 1 FROM routing_rules o WHERE o.pattern = $2 AND o.id <> $1)
     RETURNING ${RETURNED_RULE}`,
    id, input.pattern, input.preferredLayer, modelGiven, input.preferredModel ?? null,
    input.priority ?? null, input.active ?? null, JSON.stringify(metadataPatch),
  );
  if (!row) {
    if (!(await prisma.routingRule.findUnique({ where: { id }, select: { id: true } }))) throw noRule(id);
    throw new HoneError('CONFLICT', `Another routing rule already has the pattern ${input.pattern}`, [
      { path: ['pattern'], message: 'another rule already has this pattern' },
    ]);
  }
  invalidateRoutingRules(prisma);
  return toDto(row);
}

export async function deleteRoutingHeuristic(
  prisma: PrismaClient,
  { id }: z.output<typeof DeleteRoutingHeuristicInput>,
): Promise<{ deleted: RoutingHeuristicDto }> {
  const [row] = await prisma.$queryRawUnsafe<RoutingRule[]>(`DELETE FROM routing_rules AS r WHERE r.id = $1 RETURNING ${RETURNED_RULE}`, id);
  if (!row) throw noRule(id);
  invalidateRoutingRules(prisma);
  return { deleted: toDto(row) };
}

export async function getRoutingHeuristics(
  prisma: PrismaClient,
  { activeOnly }: z.output<typeof GetRoutingHeuristicsInput>,
): Promise<RoutingHeuristicDto[]> {
  const rows = await prisma.routingRule.findMany({
    where: activeOnly ? { active: true } : {},
    orderBy: [...EVALUATION_ORDER],
  });
  return rows.map(toDto);
}

// ---------------------------------------------------------------------------------------------
// The router: active rules compiled once per database client and kept in memory.

interface CompiledRule {
  id: number;
  pattern: string;
  regex: RegExp;
  layer: RoutingLayerValue;
  model: string | null;
  priority: number;
  reasoning: string | null;
}

interface RuleCache {
  rules: Promise<CompiledRule[]>;
  version: string;
  checkedAt: number;
}

const ruleCaches = new WeakMap<PrismaClient, RuleCache>();

/** Rules changed by another process are picked up within this many milliseconds. */
const VERSION_CHECK_INTERVAL_MS = 5000;

/** Rules look at this many leading characters of the input: a bound on matching cost per request. */
export const MATCHED_INPUT_CHARS = 32_768;

/**
 * A leading or trailing unescaped `.*` never changes whether RegExp.test() matches (it may match
 * the empty string), but it multiplies the backtracking work: drop it before compiling.
 */
export function compileForMatching(pattern: string): RegExp {
  let source = pattern;
  if (source.startsWith('.*') && !/^\.\*[?*+{]/.test(source)) source = source.slice(2);
  if (/(?<!\\)(?:\\\\)*\.\*\??$/.test(source) && !/[|(]\.\*\??$/.test(source)) source = source.replace(/\.\*\??$/, '');
  try {
    return new RegExp(source);
  } catch {
    return new RegExp(pattern);
  }
}

async function rulesVersion(prisma: PrismaClient): Promise<string> {
  const [row] = await prisma.$queryRaw<{ version: string }[]>`
    SELECT count(*) || ':' || coalesce(max(updated_at)::text, '') AS version FROM routing_rules`;
  return row!.version;
}

async function loadRules(prisma: PrismaClient): Promise<CompiledRule[]> {
  const rows = await prisma.routingRule.findMany({ where: { active: true }, orderBy: [...EVALUATION_ORDER] });
  return rows.map((row) => {
    const dto = toDto(row);
    return {
      id: dto.id,
      pattern: dto.pattern,
      regex: compileForMatching(dto.pattern),
      layer: dto.preferredLayer,
      model: dto.preferredModel,
      priority: dto.priority,
      reasoning: dto.reasoning,
    };
  });
}

async function activeRules(prisma: PrismaClient): Promise<CompiledRule[]> {
  const now = Date.now();
  let cache = ruleCaches.get(prisma);
  if (cache && now - cache.checkedAt < VERSION_CHECK_INTERVAL_MS) return cache.rules;
  const version = await rulesVersion(prisma);
  cache = ruleCaches.get(prisma);
  if (cache && cache.version === version) {
    cache.checkedAt = now;
    return cache.rules;
  }
  const rules = loadRules(prisma);
  ruleCaches.set(prisma, { rules, version, checkedAt: now });
  rules.catch(() => ruleCaches.delete(prisma));
  return rules;
}

/** Forget compiled rules, e.g. after a rule changed through another path than this module. */
export function invalidateRoutingRules(prisma: PrismaClient): void {
  ruleCaches.delete(prisma);
}

export interface RouteDecision {
  layer: RoutingLayerValue;
  model: string | null;
  ruleId: number | null;
  pattern: string | null;
  reasoning: string;
  counted: boolean;
}

export async function resolveRoute(
  prisma: PrismaClient,
  { input, taskType, dryRun }: z.output<typeof ResolveRouteInput>,
  defaultLayer: RoutingLayerValue = env().HONE_DEFAULT_LAYER,
): Promise<RouteDecision> {
  const text = input.length > MATCHED_INPUT_CHARS ? input.slice(0, MATCHED_INPUT_CHARS) : input;
  const rule = (await activeRules(prisma)).find((r) => r.regex.test(text));
  if (!dryRun) await countDecision(prisma, rule?.id ?? null, taskType ?? '');
  if (!rule) {
    return {
      layer: defaultLayer,
      model: null,
      ruleId: null,
      pattern: null,
      reasoning: `No active routing rule matched; using the default layer "${defaultLayer}".`,
      counted: !dryRun,
    };
  }
  return {
    layer: rule.layer,
    model: rule.model,
    ruleId: rule.id,
    pattern: rule.pattern,
    reasoning:
      `Matched rule #${rule.id} /${rule.pattern}/ (priority ${rule.priority}) -> ${rule.layer}` +
      (rule.model ? ` / ${rule.model}` : '') +
      (rule.reasoning ? `: ${rule.reasoning}` : '.'),
    counted: !dryRun,
  };
}

/** One statement: the hour's decision (and miss) count, and the matching rule's hit count. */
async function countDecision(prisma: PrismaClient, ruleId: number | null, taskType: string): Promise<void> {
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

export interface RoutingStats {
  decisions: number;
  misses: number;
  hitRate: number | null;
  rules: { ruleId: number; hits: number; hitRate: number | null }[];
}

/** Decision totals over [from, to): hit rate is the share of decisions a rule (or any rule) decided. */
export async function routingStats(prisma: PrismaClient, range: { from: Date; to: Date }): Promise<RoutingStats> {
  const [totals] = await prisma.$queryRaw<{ decisions: bigint | null; misses: bigint | null }[]>`
    SELECT sum(decisions) AS decisions, sum(misses) AS misses FROM routing_decision_hourly
    WHERE hour >= ${range.from} AND hour < ${range.to}`;
  const perRule = await prisma.$queryRaw<{ rule_id: number; hits: bigint }[]>`
    SELECT rule_id, sum(hits) AS hits FROM routing_rule_hits_hourly
    WHERE hour >= ${range.from} AND hour < ${range.to} GROUP BY rule_id ORDER BY rule_id`;
  const decisions = Number(totals?.decisions ?? 0);
  const misses = Number(totals?.misses ?? 0);
  const rate = (n: number) => (decisions ? (n * 100) / decisions : null);
  return {
    decisions,
    misses,
    hitRate: rate(decisions - misses),
    rules: perRule.map((r) => ({ ruleId: r.rule_id, hits: Number(r.hits), hitRate: rate(Number(r.hits)) })),
  };
}

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
}

const percentOf = (part: number, whole: number) => (whole ? (part * 100) / whole : null);

/** Hit rate over time, overall and per rule: ONE query over the decision and hit rollups, plus the rule list. */
export async function getRoutingHitRates(
  prisma: PrismaClient,
  input: z.output<typeof GetRoutingHitRatesInput>,
): Promise<RoutingHitRates> {
  const range = resolveTimeRange(input);
  const echo = echoRange(range);
  const task = input.taskType ?? null;
  const [rows, rules] = await Promise.all([
    prisma.$queryRaw<{ bucket: Date; decisions: bigint; misses: bigint; rule_id: number | null; hits: bigint | null }[]>`
      WITH decisions AS (
        SELECT ${binned('hour', range.bucket)} AS bucket, sum(decisions)::bigint AS decisions, sum(misses)::bigint AS misses
        FROM routing_decision_hourly
        WHERE hour >= ${range.from} AND hour < ${range.to} AND (${task}::text IS NULL OR task_type = ${task}::text)
        GROUP BY 1
      ), hits AS (
        SELECT ${binned('hour', range.bucket)} AS bucket, rule_id, sum(hits)::bigint AS hits
        FROM routing_rule_hits_hourly
        WHERE hour >= ${range.from} AND hour < ${range.to} AND (${task}::text IS NULL OR task_type = ${task}::text)
        GROUP BY 1, 2
      )
      SELECT d.bucket, d.decisions, d.misses, h.rule_id, h.hits
      FROM decisions d LEFT JOIN hits h USING (bucket)
      ORDER BY d.bucket, h.rule_id`,
    prisma.routingRule.findMany({ select: { id: true, pattern: true }, orderBy: [...EVALUATION_ORDER] }),
  ]);
  const decisionsAt = new Map<string, number>();
  const matchedAt = new Map<string, number>();
  const hitsAt = new Map<number, Map<string, number>>();
  for (const r of rows) {
    const t = r.bucket.toISOString();
    decisionsAt.set(t, Number(r.decisions));
    matchedAt.set(t, Number(r.decisions) - Number(r.misses));
    if (r.rule_id === null) continue;
    const perRule = hitsAt.get(r.rule_id) ?? new Map<string, number>();
    perRule.set(t, Number(r.hits));
    hitsAt.set(r.rule_id, perRule);
  }
  const decisionsPerBucket = alignToBuckets(echo.buckets, decisionsAt, 0);
  const matchedPerBucket = alignToBuckets(echo.buckets, matchedAt, 0);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
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
  };
}
