import {
  AnalyzeMetricsInput,
  GenerateReportInput,
  GetModelLeaderboardInput,
  GetModelTrendsInput,
  ListTaskTypesInput,
  UpdateModelPerformanceInput,
} from '../schemas/model-performance';
import { analyzeMetrics, generateReport, getModelLeaderboard } from '../services/model-analysis';
import { listTaskTypes, updateModelPerformance } from '../services/model-performance';
import { getModelTrends } from '../services/model-trends';
import { defineTool } from './define';

export const updateModelPerformanceTool = defineTool({
  name: 'update_model_performance',
  description:
    'Count one model call for a (model, task type): whether it succeeded, its latency in ms and its cost in USD. Call it after every LLM call.',
  input: UpdateModelPerformanceInput,
  readOnly: false,
  // The spec's example.
  example: { modelId: 'claude-sonnet-4', taskType: 'coding', success: true, latencyMs: 2340, cost: 0.0125 },
  handler: ({ prisma }, input) => updateModelPerformance(prisma, input),
});

export const analyzeMetricsTool = defineTool({
  name: 'analyze_metrics',
  description:
    'Rank models (lifetime figures) by success rate, then average latency, then average cost, within each task type, optionally for one task type, ' +
    'with a readable report, ' +
    'the self-improvement summary and evidence-backed recommendations. Use it to find the best or an underperforming model.',
  input: AnalyzeMetricsInput,
  readOnly: true,
  // The spec's example.
  example: { taskType: 'coding', includeReport: true },
  handler: ({ prisma }, input) => analyzeMetrics(prisma, input),
  toText: (analysis) => analysis.report,
});

export const generateReportTool = defineTool({
  name: 'generate_report',
  description:
    'The self-improvement report: counts of regression tests, bug patterns and active routing heuristics, top performing models ' +
    '(ranked as analyze_metrics ranks them) and recent bugs.',
  input: GenerateReportInput,
  readOnly: true,
  // The spec's example.
  example: {},
  handler: ({ prisma }, input) => generateReport(prisma, input),
  toText: (report) => report.report,
});

export const getModelTrendsTool = defineTool({
  name: 'get_model_trends',
  description:
    'Success rate, p50/p95/p99 latency (ms), average cost (USD) and calls per time bucket for each (model, task type) over a date range ' +
    '(default the last 7 days, at most 400 days; hourly buckets up to 48 hours, daily beyond). At most 25 series, the busiest; ' +
    '`truncated` is true when more had calls. Use it to see whether a model is degrading or getting slower.',
  input: GetModelTrendsInput,
  readOnly: true,
  example: { taskType: 'coding' },
  handler: ({ prisma }, input) => getModelTrends(prisma, input),
});

export const getModelLeaderboardTool = defineTool({
  name: 'get_model_leaderboard',
  description:
    'Per (model, task type) over a date range (default the last 7 days, at most 400 days): total calls, success rate, average and p50/p95/p99 latency, ' +
    'average and total cost, ranked within each task type as analyze_metrics ranks (success rate, then average latency, then average cost); ' +
    'models with fewer than minCalls calls are marked lowSample and not ranked. At most 500 rows (`truncated` says when more). ' +
    'Use it to pick the best or the cheapest good-enough model for a task type over a recent period.',
  input: GetModelLeaderboardInput,
  readOnly: true,
  example: { taskType: 'coding', sortBy: 'successRate', direction: 'desc' },
  handler: ({ prisma }, input) => getModelLeaderboard(prisma, input),
});

export const listTaskTypesTool = defineTool({
  name: 'list_task_types',
  description: 'The task types that have recorded model calls, alphabetically: the values taskType filters accept.',
  input: ListTaskTypesInput,
  readOnly: true,
  example: {},
  handler: ({ prisma }) => listTaskTypes(prisma),
});
