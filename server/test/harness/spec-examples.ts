// Example arguments for every tool: the spec's own examples where it gives one. The faces tests call each
// tool with these over MCP, REST and tRPC, and fail when a registered tool has none.
export const SPEC_EXAMPLES: Record<string, Record<string, unknown>> = {
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
    discoveredFrom: 'bug',
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
};
