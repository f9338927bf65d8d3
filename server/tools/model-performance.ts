import { AnalyzeMetricsInput, GenerateReportInput, UpdateModelPerformanceInput } from '../schemas/model-performance';
import { analyzeMetrics, generateReport } from '../services/analytics';
import { updateModelPerformance } from '../services/model-performance';
import { defineTool } from './define';

export const updateModelPerformanceTool = defineTool({
  name: 'update_model_performance',
  description:
    'Count one model call for a (model, task type): whether it succeeded, its latency in ms and its cost in USD. Call it after every LLM call.',
  input: UpdateModelPerformanceInput,
  readOnly: false,
  handler: ({ prisma }, input) => updateModelPerformance(prisma, input),
});

export const analyzeMetricsTool = defineTool({
  name: 'analyze_metrics',
  description:
    'Rank models by success rate (then latency, then cost), optionally for one task type, with a readable report, ' +
    'the self-improvement summary and evidence-backed recommendations. Use it to find the best or an underperforming model.',
  input: AnalyzeMetricsInput,
  readOnly: true,
  handler: ({ prisma }, input) => analyzeMetrics(prisma, input),
  toText: (analysis) => analysis.report,
});

export const generateReportTool = defineTool({
  name: 'generate_report',
  description:
    'The self-improvement report: counts of regression tests, bug patterns and active routing heuristics, top performing models and recent bugs.',
  input: GenerateReportInput,
  readOnly: true,
  handler: ({ prisma }, input) => generateReport(prisma, input),
  toText: (report) => report.report,
});
