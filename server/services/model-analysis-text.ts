import type { ModelFigures, Ranked, RecentBug, Recommendation, SelfImprovementSummary } from './model-analysis';

// The readable reports, in the spec's wording: analyze_metrics' "Model Performance Analysis" and
// generate_report's "Self-Improvement Report". The only place their text is built.

const percent = (n: number) => `${n.toFixed(2)}%`;

/** One model's block, as in the spec's analyze_metrics example. */
export function formatModelBlock(m: Ranked<ModelFigures>, minCalls: number): string {
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

/** The summary counts, under the heading and bullet each report uses for them in the spec. */
function summaryLines(s: SelfImprovementSummary, heading: string, bullet: string): string[] {
  return [
    heading,
    `${bullet}Regression Tests: ${s.regressionTests}`,
    `${bullet}Bug Patterns: ${s.bugPatterns}`,
    `${bullet}Routing Heuristics: ${s.routingHeuristics}`,
  ];
}

export function formatMetricsAnalysis(a: {
  taskType: string | undefined;
  minCalls: number;
  models: readonly Ranked<ModelFigures>[];
  /** Models left out of `models` by the size cap. */
  omitted: number;
  summary: SelfImprovementSummary | null;
  recommendations: readonly Recommendation[] | null;
  /** Model recommendations left out by the size cap. */
  omittedRecommendations?: number;
}): string {
  const sections = ['Model Performance Analysis:', ''];
  if (a.models.length === 0)
    sections.push(a.taskType ? `  No calls recorded for task type "${a.taskType}".` : '  No calls recorded yet.', '');
  for (const m of a.models) sections.push(formatModelBlock(m, a.minCalls), '');
  if (a.omitted > 0) sections.push(`  … and ${a.omitted} more (model, task type) pairs not shown: filter by taskType.`, '');
  if (a.summary) sections.push(...summaryLines(a.summary, 'Self-Improvement Summary:', '  '));
  if (a.recommendations?.length) sections.push('', 'Recommendations:', ...a.recommendations.map((r) => `  - ${r.message}`));
  if (a.omittedRecommendations) sections.push(`  … and ${a.omittedRecommendations} more about models: filter by taskType.`);
  return sections.join('\n').trimEnd();
}

export function formatSelfImprovementReport(r: {
  taskType: string | undefined;
  summary: SelfImprovementSummary;
  topModels: readonly Ranked<ModelFigures>[];
  recentBugs: readonly RecentBug[];
}): string {
  return [
    ...summaryLines(r.summary, 'Self-Improvement Report:', '- '),
    '',
    r.taskType ? `Top Performing Models (${r.taskType}):` : 'Top Performing Models:',
    // Across task types a model can appear once per task type: name the task type then.
    ...(r.topModels.length
      ? r.topModels.map((m) => `  ${m.modelId}${r.taskType ? '' : ` (${m.taskType})`}: ${percent(m.successRate)}`)
      : ['  (none with enough calls yet)']),
    '',
    'Recent Bugs:',
    ...(r.recentBugs.length ? r.recentBugs.map((b) => `  [${b.severity}] ${b.pattern} (${b.occurrences}x)`) : ['  (none recorded)']),
  ].join('\n');
}
