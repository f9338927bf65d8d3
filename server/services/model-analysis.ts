import type { z } from 'zod';
import type { PrismaClient } from '../db/client';
import type { SeverityValue } from '../schemas/bug-patterns';
import type { AnalyzeMetricsInput, GenerateReportInput, GetModelLeaderboardInput, LeaderboardSortKey } from '../schemas/model-performance';
import { formatMetricsAnalysis, formatSelfImprovementReport } from './model-analysis-text';
import { toModelPerformanceDto, type ModelPerformanceDto } from './model-performance';
import { modelCallFigures, type ModelRangeFigures } from './model-trends';
import { suggestRoutingChanges } from './suggestions/suggest';
import { resolveTimeRange } from './time-buckets';

// How models compare: the one merit order, ranking and DTO behind analyze_metrics, generate_report, the
// overview's top models and the models page's leaderboard. Lifetime figures come from model_performance,
// figures over a date range from the hourly rollups (model-trends.ts); both have this shape.

/** A (model, task type)'s figures. Names follow the spec: `modelId` as update_model_performance takes it, `totalCalls` for total_calls. */
export interface ModelFigures {
  modelId: string;
  taskType: string;
  totalCalls: number;
  successes: number;
  /** Percent, 0–100. */
  successRate: number;
  avgLatencyMs: number;
  /** USD per call. */
  avgCost: number;
  totalCost: number;
}

export type Ranked<T extends ModelFigures> = T & {
  /** 1-based position within its task type among models with at least minCalls calls; null for low-sample models. */
  rank: number | null;
  lowSample: boolean;
};

/**
 * Best first: success rate desc, then average latency asc, then average cost asc, then more calls, then name.
 *
 * Success decides first because a failed call costs a retry, which dwarfs any latency or price difference.
 * Latency is the average, not the p50: it is the one latency every source has (the lifetime totals keep no
 * histogram, so a p50 order would rank lifetime and range figures differently), it is the figure the spec's
 * report prints (so a reader can check the order against the text), and it counts every call's time, where a
 * p50 ignores the slowest half. Tail latency is shown beside it (p95 on the leaderboard), not ranked on.
 */
export function byMerit(a: ModelFigures, b: ModelFigures): number {
  return (
    b.successRate - a.successRate ||
    a.avgLatencyMs - b.avgLatencyMs ||
    a.avgCost - b.avgCost ||
    b.totalCalls - a.totalCalls ||
    a.modelId.localeCompare(b.modelId) ||
    a.taskType.localeCompare(b.taskType)
  );
}

/**
 * Models in merit order, ranked within their task type (comparing a chat model with a coding model says
 * nothing); models with fewer than minCalls calls follow the ranked ones, unranked and marked low-sample.
 */
export function rankModels<T extends ModelFigures>(models: readonly T[], minCalls: number): Ranked<T>[] {
  const nextRank = new Map<string, number>();
  const ranked: Ranked<T>[] = [];
  const lowSample: Ranked<T>[] = [];
  for (const m of [...models].sort(byMerit)) {
    if (m.totalCalls < minCalls) {
      lowSample.push({ ...m, rank: null, lowSample: true });
      continue;
    }
    const rank = (nextRank.get(m.taskType) ?? 0) + 1;
    nextRank.set(m.taskType, rank);
    ranked.push({ ...m, rank, lowSample: false });
  }
  return [...ranked, ...lowSample];
}

/** The best ranked model of each task type, in task type order. */
export function leadersByTaskType<T extends ModelFigures>(models: readonly Ranked<T>[]): Record<string, Ranked<T>> {
  const leaders = models.filter((m) => m.rank === 1).sort((a, b) => a.taskType.localeCompare(b.taskType));
  return Object.fromEntries(leaders.map((m) => [m.taskType, m]));
}

const TOP_MODELS = 5;

/** The best ranked models across task types: the spec's "Top Performing Models". */
export function topModels<T extends ModelFigures>(models: readonly Ranked<T>[]): Ranked<T>[] {
  return models.filter((m) => !m.lowSample).slice(0, TOP_MODELS);
}

/** Lists of models are cut here (a gateway with more (model, task type) pairs than this is unusual); `truncated` says so. */
export const MAX_MODEL_ROWS = 500;

async function lifetimeFigures(prisma: PrismaClient, taskType: string | undefined): Promise<ModelPerformanceDto[]> {
  const rows = await prisma.modelPerformance.findMany({ where: { taskType } });
  return rows.map(toModelPerformanceDto);
}

export interface SelfImprovementSummary {
  regressionTests: number;
  bugPatterns: number;
  /** Active routing heuristics. */
  routingHeuristics: number;
}

/** The three counts in one query: a round trip each cost more than the counting (the embedded database runs one at a time). */
export async function selfImprovementSummary(prisma: PrismaClient): Promise<SelfImprovementSummary> {
  const [row] = await prisma.$queryRaw<{ regression_tests: bigint; bug_patterns: bigint; routing_heuristics: bigint }[]>`
    SELECT (SELECT count(*) FROM regression_tests) AS regression_tests, (SELECT count(*) FROM bug_patterns) AS bug_patterns,
           (SELECT count(*) FROM routing_rules WHERE state = 'active') AS routing_heuristics`;
  return {
    regressionTests: Number(row!.regression_tests),
    bugPatterns: Number(row!.bug_patterns),
    routingHeuristics: Number(row!.routing_heuristics),
  };
}

export interface Recommendation {
  kind: 'underperforming-model' | 'cheaper-alternative' | 'low-sample' | 'untested-bug-pattern' | 'routing-suggestion';
  message: string;
  evidence: Record<string, string | number | null>;
}

const UNDERPERFORMING_GAP_POINTS = 10;
const CHEAPER_WITHIN_POINTS = 2;
const CHEAPER_COST_RATIO = 0.5;
const UNTESTED_BUGS_SHOWN = 5;
/** The suggest_routing_changes suggestions (last 7 days, default minimum outcomes) listed at most, best first. */
const ROUTING_SUGGESTIONS_SHOWN = 5;

function recommendForModels(models: readonly Ranked<ModelFigures>[], minCalls: number): Recommendation[] {
  const leaders = leadersByTaskType(models);
  return models.flatMap((m): Recommendation[] => {
    if (m.lowSample) {
      return [
        {
          kind: 'low-sample',
          message: `${m.modelId} (${m.taskType}) has only ${m.totalCalls} call(s), fewer than ${minCalls}: gather more data before judging it.`,
          evidence: { modelId: m.modelId, taskType: m.taskType, totalCalls: m.totalCalls, minCalls },
        },
      ];
    }
    const best = leaders[m.taskType];
    if (!best || best.modelId === m.modelId) return [];
    const gap = best.successRate - m.successRate;
    if (gap >= UNDERPERFORMING_GAP_POINTS) {
      return [
        {
          kind: 'underperforming-model',
          message:
            `${m.modelId} is ${gap.toFixed(2)} points below ${best.modelId} for ${m.taskType} ` +
            `(${m.successRate.toFixed(2)}% vs ${best.successRate.toFixed(2)}%): route ${m.taskType} requests away from it.`,
          evidence: {
            modelId: m.modelId,
            taskType: m.taskType,
            successRate: m.successRate,
            totalCalls: m.totalCalls,
            bestModelId: best.modelId,
            bestSuccessRate: best.successRate,
            gapPoints: gap,
          },
        },
      ];
    }
    if (gap <= CHEAPER_WITHIN_POINTS && m.avgCost <= best.avgCost * CHEAPER_COST_RATIO) {
      return [
        {
          kind: 'cheaper-alternative',
          message:
            `${m.modelId} is within ${gap.toFixed(2)} points of ${best.modelId} for ${m.taskType} at ` +
            `$${m.avgCost.toFixed(6)} vs $${best.avgCost.toFixed(6)} per call: consider it for cost-sensitive traffic.`,
          evidence: {
            modelId: m.modelId,
            taskType: m.taskType,
            successRate: m.successRate,
            avgCost: m.avgCost,
            bestModelId: best.modelId,
            bestSuccessRate: best.successRate,
            bestAvgCost: best.avgCost,
          },
        },
      ];
    }
    return [];
  });
}

/**
 * Model recommendations listed at most (one model can earn one, so their number follows the (model, task type)
 * pairs, which clients create): past it the most telling kinds are kept, in their order, and the report says how
 * many were left out.
 */
const MAX_MODEL_RECOMMENDATIONS = 50;
const MOST_TELLING_FIRST: Recommendation['kind'][] = ['underperforming-model', 'cheaper-alternative', 'low-sample'];

function mostTelling(recommendations: Recommendation[]): Recommendation[] {
  if (recommendations.length <= MAX_MODEL_RECOMMENDATIONS) return recommendations;
  const rank = (r: Recommendation) => MOST_TELLING_FIRST.indexOf(r.kind);
  const kept = new Set([...recommendations].sort((a, b) => rank(a) - rank(b)).slice(0, MAX_MODEL_RECOMMENDATIONS));
  return recommendations.filter((r) => kept.has(r));
}

/** The top routing suggestions (suggest_routing_changes over the last 7 days), only when there are some. */
async function recommendForRouting(prisma: PrismaClient): Promise<Recommendation[]> {
  const { suggestions } = await suggestRoutingChanges(prisma, {});
  return suggestions.slice(0, ROUTING_SUGGESTIONS_SHOWN).map((s) => ({
    kind: 'routing-suggestion',
    message: `${s.title}. ${s.evidence} (apply_routing_suggestion id "${s.id}")`,
    evidence: {
      id: s.id,
      suggestionKind: s.kind,
      ruleId: s.ruleId,
      title: s.title,
      evidence: s.evidence,
      sampleSize: s.sampleSize,
      intervalLow: s.interval.low,
      intervalHigh: s.interval.high,
    },
  }));
}

async function recommendForBugs(prisma: PrismaClient): Promise<Recommendation[]> {
  const untested = await prisma.$queryRaw<{ category: string; pattern: string; occurrences: number; severity: SeverityValue }[]>`
    SELECT b.category, b.pattern, b.occurrences, b.severity FROM bug_patterns b
    WHERE b.severity >= 'high' AND b.occurrences >= 3
      AND NOT EXISTS (SELECT 1 FROM regression_tests t WHERE t.category = b.category)
    ORDER BY b.occurrences DESC, b.severity DESC LIMIT ${UNTESTED_BUGS_SHOWN}`;
  return untested.map((b) => ({
    kind: 'untested-bug-pattern',
    message: `[${b.severity}] ${b.category}/${b.pattern} recurred ${b.occurrences}x and its category has no regression test: generate one.`,
    evidence: { category: b.category, pattern: b.pattern, occurrences: b.occurrences, severity: b.severity },
  }));
}

export type RankedModel = Ranked<ModelPerformanceDto>;

export interface MetricsAnalysis {
  taskType: string | null;
  minCalls: number;
  /** Lifetime figures, in merit order, at most MAX_MODEL_ROWS. */
  models: RankedModel[];
  /** True when `models` was cut at MAX_MODEL_ROWS (the report and top models still saw every model). */
  truncated: boolean;
  topModels: RankedModel[];
  /** The leader of each task type among `models` (so at most MAX_MODEL_ROWS task types). */
  bestByTaskType: Record<string, RankedModel>;
  summary: SelfImprovementSummary | null;
  recommendations: Recommendation[] | null;
  report: string;
}

/** analyze_metrics: lifetime figures ranked, with the spec's "Model Performance Analysis" report. */
export async function analyzeMetrics(
  prisma: PrismaClient,
  { taskType, includeReport, minCalls }: z.output<typeof AnalyzeMetricsInput>,
): Promise<MetricsAnalysis> {
  const [figures, summary, bugRecommendations, routingRecommendations] = await Promise.all([
    lifetimeFigures(prisma, taskType),
    includeReport ? selfImprovementSummary(prisma) : null,
    includeReport ? recommendForBugs(prisma) : null,
    includeReport ? recommendForRouting(prisma) : [],
  ]);
  const models = rankModels(figures, minCalls);
  const shown = models.slice(0, MAX_MODEL_ROWS);
  const modelRecommendations = bugRecommendations ? recommendForModels(models, minCalls) : [];
  const keptRecommendations = mostTelling(modelRecommendations);
  const recommendations = bugRecommendations && [...keptRecommendations, ...bugRecommendations, ...routingRecommendations];
  return {
    taskType: taskType ?? null,
    minCalls,
    models: shown,
    truncated: shown.length < models.length,
    topModels: topModels(models),
    // Leaders are ranked over every model; those of the task types shown are listed (rank 1 precedes its task type's others).
    bestByTaskType: leadersByTaskType(shown),
    summary,
    recommendations,
    report: formatMetricsAnalysis({
      taskType,
      minCalls,
      models: shown,
      omitted: models.length - shown.length,
      summary,
      recommendations,
      omittedRecommendations: modelRecommendations.length - keptRecommendations.length,
    }),
  };
}

/** A top model of generate_report: the ranked figures plus `model`, the name the spec's report reads. */
export type ReportedModel = RankedModel & { model: string };

export interface RecentBug {
  id: number;
  category: string;
  pattern: string;
  severity: SeverityValue;
  occurrences: number;
  lastSeen: string;
}

export interface SelfImprovementReport extends SelfImprovementSummary {
  taskType: string | null;
  topModels: ReportedModel[];
  recentBugs: RecentBug[];
  report: string;
}

const RECENT_BUGS = 10;

/** generate_report: the spec's self-improvement report, top models ranked as analyze_metrics ranks them. */
export async function generateReport(
  prisma: PrismaClient,
  { taskType, minCalls }: z.output<typeof GenerateReportInput>,
): Promise<SelfImprovementReport> {
  const [summary, figures, bugs] = await Promise.all([
    selfImprovementSummary(prisma),
    lifetimeFigures(prisma, taskType),
    prisma.bugPattern.findMany({ orderBy: [{ lastSeen: 'desc' }, { id: 'desc' }], take: RECENT_BUGS }),
  ]);
  const top = topModels(rankModels(figures, minCalls)).map((m) => ({ ...m, model: m.modelId }));
  const recentBugs = bugs.map((b) => ({
    id: b.id,
    category: b.category,
    pattern: b.pattern,
    severity: b.severity,
    occurrences: b.occurrences,
    lastSeen: b.lastSeen.toISOString(),
  }));
  return {
    ...summary,
    taskType: taskType ?? null,
    topModels: top,
    recentBugs,
    report: formatSelfImprovementReport({ taskType, summary, topModels: top, recentBugs }),
  };
}

export type LeaderboardRow = Ranked<ModelRangeFigures>;

export interface ModelLeaderboard {
  from: string;
  to: string;
  minCalls: number;
  rows: LeaderboardRow[];
  /** True when `rows` was cut at MAX_MODEL_ROWS (after sorting). */
  truncated: boolean;
}

function compareBy(key: LeaderboardSortKey): (a: LeaderboardRow, b: LeaderboardRow) => number {
  if (key === 'rank') {
    return (a, b) =>
      a.taskType.localeCompare(b.taskType) || Number(a.lowSample) - Number(b.lowSample) || (a.rank ?? 0) - (b.rank ?? 0) || byMerit(a, b);
  }
  if (key === 'modelId' || key === 'taskType') return (a, b) => a[key].localeCompare(b[key]) || byMerit(a, b);
  // Rows without a value (no latency recorded) sort last in either direction.
  return (a, b) => (a[key] ?? Infinity) - (b[key] ?? Infinity) || byMerit(a, b);
}

/** get_model_leaderboard: figures over the range, ranked as everywhere else, sorted by the requested column. */
export async function getModelLeaderboard(
  prisma: PrismaClient,
  input: z.output<typeof GetModelLeaderboardInput>,
): Promise<ModelLeaderboard> {
  const range = resolveTimeRange(input);
  const figures = await modelCallFigures(prisma, { ...range, taskType: input.taskType, modelIds: input.modelIds });
  const compare = compareBy(input.sortBy);
  const rows = rankModels(figures, input.minCalls).sort(input.direction === 'asc' ? compare : (a, b) => compare(b, a));
  const shown = rows.slice(0, MAX_MODEL_ROWS);
  return {
    from: range.from.toISOString(),
    to: range.to.toISOString(),
    minCalls: input.minCalls,
    rows: shown,
    truncated: shown.length < rows.length,
  };
}
