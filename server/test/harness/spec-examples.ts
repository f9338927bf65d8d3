// Example arguments for every tool: the spec's own examples where it gives one (the spec's tools come first). The faces tests call each
// tool with these over MCP, REST and tRPC, and fail when a registered tool has none.
export const SPEC_EXAMPLES = {
  generate_regression_test: {
    testName: 'routing_timeout_recovery',
    category: 'routing',
    description: 'Verify that router handles model timeouts gracefully',
    testCode: `
        it('should retry on timeout', async () => {
            const result = await router.route({ 
                input: 'test', 
                maxRetries: 3 
            });
            expect(result).toBeDefined();
        });
    `,
    expectedBehavior: 'Router should retry up to 3 times on timeout',
    discoveredFrom: 'bug' as const,
    metadata: { bugTicket: 'ISSUE-123' },
  },
  get_regression_tests: { category: 'routing' },
  update_routing_heuristic: {
    pattern: '.*implement.*algorithm.*',
    preferredLayer: 'deep',
    preferredModel: 'claude-sonnet-4',
    reasoning: 'Algorithm implementation requires deep reasoning',
    successRate: 92.5,
    usageCount: 45,
    active: true,
  },
  get_routing_heuristics: { activeOnly: true },
  record_bug_pattern: {
    category: 'timeout',
    pattern: 'LLM timeout on large context',
    description: 'Model times out when context > 100K tokens',
    solution: 'Split context into chunks, use compression',
    severity: 'high',
  },
  get_bug_patterns: { category: 'timeout' },
  record_metric: { name: 'routing_latency', value: 156.7, unit: 'ms', context: { layer: 'balanced', model: 'gpt-4o' } },
  update_model_performance: { modelId: 'claude-sonnet-4', taskType: 'coding', success: true, latencyMs: 2340, cost: 0.0125 },
  analyze_metrics: { taskType: 'coding', includeReport: true },
  generate_report: {},
  resolve_route: { input: 'Please implement a sorting algorithm in Rust', taskType: 'coding' },
  // Beyond the spec: the dashboard's operations. Ids name the first rule and bug pattern the calls above create.
  preview_route: { input: 'Please implement a sorting algorithm in Rust' },
  delete_routing_heuristic: { id: 1 },
  get_routing_hit_rates: { from: '2026-01-01T00:00:00Z', to: '2026-01-08T00:00:00Z' },
  get_regression_test_categories: {},
  get_bug_pattern_trends: { groupBy: 'severity' },
  get_bug_pattern: { id: 1 },
  list_metric_names: {},
  get_metric_series: { name: 'routing_latency', groupBy: 'layer' },
  get_model_trends: { taskType: 'coding' },
  get_model_leaderboard: { taskType: 'coding', sortBy: 'successRate', direction: 'desc' },
  list_task_types: {},
} satisfies Record<string, Record<string, unknown>>;

/** The example call of a tool by name (undefined when it has none: a test then fails). */
export function exampleFor(name: string): Record<string, unknown> | undefined {
  return (SPEC_EXAMPLES as Record<string, Record<string, unknown>>)[name];
}
