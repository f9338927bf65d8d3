import type { z } from 'zod';
import type { PrismaClient } from '../db/client';
import type { SeverityValue } from '../schemas/bug-patterns';
import type { AnalyzeMetricsInput, GenerateReportInput } from '../schemas/model-performance';
import { toModelPerformanceDto, type ModelPerformanceDto } from './model-performance';

export interface RankedModel extends ModelPerformanceDto {
  /** 1-based position among models with enough calls; null for low-sample models. */
  rank: number | null;
  lowSample: boolean;
}

export interface SelfImprovementSummary {
  regressionTests: number;
  bugPatterns: number;
  /** Active routing heuristics. */
  routingHeuristics: number;
}

export interface Recommendation {
  kind: 'underperforming-model' | 'cheaper-alternative' | 'low-sample' | 'untested-bug-pattern';
  message: string;
  evidence: Record<string, string | number | null>;
}

const byRankingKeys = (a: ModelPerformanceDto, b: ModelPerformanceDto) =>
  b.successRate - a.successRate ||
  a.avgLatencyMs - b.avgLatencyMs ||
  a.avgCost - b.avgCost ||
  b.totalCalls - a.totalCalls ||
  a.modelId.localeCompare(b.modelId) ||
  a.taskType.localeCompare(b.taskType);

/** Success rate desc, then avg latency asc, then avg cost asc; low-sample models after the ranked ones. */
export function rankModels(models: ModelPerformanceDto[], minCalls: number): RankedModel[] {
  const ranked = models.filter((m) => m.totalCalls >= minCalls).sort(byRankingKeys);
  const lowSample = models.filter((m) => m.totalCalls < minCalls).sort(byRankingKeys);
  return [
    ...ranked.map((m, i) => ({ ...m, rank: i + 1, lowSample: false })),
    ...lowSample.map((m) => ({ ...m, rank: null, lowSample: true })),
  ];
}

async function loadModels(prisma: PrismaClient, taskType: string | undefined): Promise<ModelPerformanceDto[]> {
  const rows = await prisma.modelPerformance.findMany({ where: { taskType } });
  return rows.map(toModelPerformanceDto);
}

export async function selfImprovementSummary(prisma: PrismaClient): Promise<SelfImprovementSummary> {
  const [regressionTests, bugPatterns, routingHeuristics] = await Promise.all([
    prisma.regressionTest.count(),
    prisma.bugPattern.count(),
    prisma.routingRule.count({ where: { active: true } }),
  ]);
  return { regressionTests, bugPatterns, routingHeuristics };
}

/** The best ranked model of each task type. */
function leadersByTaskType(models: RankedModel[]): Map<string, RankedModel> {
  const leaders = new Map<string, RankedModel>();
  for (const m of models) if (!m.lowSample && !leaders.has(m.taskType)) leaders.set(m.taskType, m);
  return leaders;
}

const UNDERPERFORMING_GAP_POINTS = 10;
const CHEAPER_WITHIN_POINTS = 2;
const CHEAPER_COST_RATIO = 0.5;

async function recommend(prisma: PrismaClient, models: RankedModel[], minCalls: number): Promise<Recommendation[]> {
  const recommendations: Recommendation[] = [];
  const leaders = leadersByTaskType(models);
  for (const m of models) {
    const best = leaders.get(m.taskType);
    if (m.lowSample) {
      recommendations.push({
        kind: 'low-sample',
        message: `${m.modelId} (${m.taskType}) has only ${m.totalCalls} call(s), fewer than ${minCalls}: gather more data before judging it.`,
        evidence: { modelId: m.modelId, taskType: m.taskType, totalCalls: m.totalCalls, minCalls },
      });
      continue;
    }
    if (!best || best === m) continue;
    const gap = best.successRate - m.successRate;
    if (gap >= UNDERPERFORMING_GAP_POINTS) {
      recommendations.push({
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
      });
    } else if (gap <= CHEAPER_WITHIN_POINTS && m.avgCost <= best.avgCost * CHEAPER_COST_RATIO) {
      recommendations.push({
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
      });
    }
  }
  const untested = await prisma.$queryRaw<{ category: string; pattern: string; occurrences: number; severity: SeverityValue }[]>`
    SELECT b.category, b.pattern, b.occurrences, b.severity FROM bug_patterns b
    WHERE b.severity >= 'high' AND b.occurrences >= 3
      AND NOT EXISTS (SELECT 1 FROM regression_tests t WHERE t.category = b.category)
    ORDER BY b.occurrences DESC, b.severity DESC LIMIT 5`;
  for (const b of untested) {
    recommendations.push({
      kind: 'untested-bug-pattern',
      message: `[${b.severity}] ${b.category}/${b.pattern} recurred ${b.occurrences}x and its category has no regression test: generate one.`,
      evidence: { category: b.category, pattern: b.pattern, occurrences: b.occurrences, severity: b.severity },
    });
  }
  return recommendations;
}

const percent = (n: number) => `${n.toFixed(2)}%`;

export function formatModelBlock(m: RankedModel, minCalls: number): string {
  const lines = [
    `${m.modelId} (${m.taskType}):`,
    `  Success Rate: ${percent(m.successRate)}`,
    `  Avg Latency: ${Math.round(m.avgLatencyMs)}ms`,
    `  Avg Cost: $${m.avgCost.toFixed(6)}`,
    `  Total Calls: ${m.totalCalls}`,
  ];
  if (m.lowSample) lines.push(`  Low sample: fewer than ${minCalls} calls, not ranked`);
  return lines.join('\n');
}

export function formatSummary(s: SelfImprovementSummary): string {
  return [
    'Self-Improvement Summary:',
    `  Regression Tests: ${s.regressionTests}`,
    `  Bug Patterns: ${s.bugPatterns}`,
    `  Routing Heuristics: ${s.routingHeuristics}`,
  ].join('\n');
}

export interface MetricsAnalysis {
  taskType: string | null;
  minCalls: number;
  models: RankedModel[];
  topModels: RankedModel[];
  bestByTaskType: Record<string, RankedModel>;
  summary: SelfImprovementSummary | null;
  recommendations: Recommendation[] | null;
  report: string;
}

const TOP_MODELS = 5;

export async function analyzeMetrics(
  prisma: PrismaClient,
  { taskType, includeReport, minCalls }: z.output<typeof AnalyzeMetricsInput>,
): Promise<MetricsAnalysis> {
  const models = rankModels(await loadModels(prisma, taskType), minCalls);
  const summary = includeReport ? await selfImprovementSummary(prisma) : null;
  const recommendations = includeReport ? await recommend(prisma, models, minCalls) : null;

  const sections = ['Model Performance Analysis:', ''];
  if (models.length === 0) sections.push(taskType ? `  No calls recorded for task type "${taskType}".` : '  No calls recorded yet.', '');
  for (const m of models) sections.push(formatModelBlock(m, minCalls), '');
  if (summary) sections.push(formatSummary(summary));
  if (recommendations?.length) sections.push('', 'Recommendations:', ...recommendations.map((r) => `  - ${r.message}`));

  return {
    taskType: taskType ?? null,
    minCalls,
    models,
    topModels: models.filter((m) => !m.lowSample).slice(0, TOP_MODELS),
    bestByTaskType: Object.fromEntries(leadersByTaskType(models)),
    summary,
    recommendations,
    report: sections.join('\n').trimEnd(),
  };
}

export interface SelfImprovementReport extends SelfImprovementSummary {
  taskType: string | null;
  topModels: { model: string; taskType: string; successRate: number; avgLatencyMs: number; avgCost: number; totalCalls: number }[];
  recentBugs: { id: number; category: string; pattern: string; severity: SeverityValue; occurrences: number; lastSeen: string }[];
  report: string;
}

const RECENT_BUGS = 10;

export async function generateReport(
  prisma: PrismaClient,
  { taskType, minCalls }: z.output<typeof GenerateReportInput>,
): Promise<SelfImprovementReport> {
  const [summary, models, bugs] = await Promise.all([
    selfImprovementSummary(prisma),
    loadModels(prisma, taskType),
    prisma.bugPattern.findMany({ orderBy: [{ lastSeen: 'desc' }, { id: 'desc' }], take: RECENT_BUGS }),
  ]);
  const topModels = rankModels(models, minCalls)
    .filter((m) => !m.lowSample)
    .slice(0, TOP_MODELS)
    .map((m) => ({
      model: m.modelId,
      taskType: m.taskType,
      successRate: m.successRate,
      avgLatencyMs: m.avgLatencyMs,
      avgCost: m.avgCost,
      totalCalls: m.totalCalls,
    }));
  const recentBugs = bugs.map((b) => ({
    id: b.id,
    category: b.category,
    pattern: b.pattern,
    severity: b.severity,
    occurrences: b.occurrences,
    lastSeen: b.lastSeen.toISOString(),
  }));
  const report = [
    'Self-Improvement Report:',
    `- Regression Tests: ${summary.regressionTests}`,
    `- Bug Patterns: ${summary.bugPatterns}`,
    `- Routing Heuristics: ${summary.routingHeuristics}`,
    '',
    taskType ? `Top Performing Models (${taskType}):` : 'Top Performing Models:',
    // Across task types a model can appear once per task type: name the task type then.
    ...(topModels.length
      ? topModels.map((m) => `  ${m.model}${taskType ? '' : ` (${m.taskType})`}: ${percent(m.successRate)}`)
      : ['  (none with enough calls yet)']),
    '',
    'Recent Bugs:',
    ...(recentBugs.length ? recentBugs.map((b) => `  [${b.severity}] ${b.pattern} (${b.occurrences}x)`) : ['  (none recorded)']),
  ].join('\n');
  return { ...summary, taskType: taskType ?? null, topModels, recentBugs, report };
}
