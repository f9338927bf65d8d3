import { z } from 'zod';
import { boundedNumber, MAX_CALL_COST, MAX_LATENCY_MS, nonBlank } from './common';
import { withTimeRange } from './time-range';

export const UpdateModelPerformanceInput = z.strictObject({
  modelId: nonBlank(200).describe('Model identifier, e.g. claude-sonnet-4'),
  taskType: nonBlank(100).describe('Task type, e.g. coding, chat, analysis'),
  success: z.boolean().describe('Whether the call succeeded'),
  latencyMs: boundedNumber(0, MAX_LATENCY_MS).describe('Response time in milliseconds, 0..86,400,000 (one day)'),
  cost: boundedNumber(0, MAX_CALL_COST).describe('Cost of the call in USD, 0..1,000,000'),
});

export const minCalls = z
  .number()
  .int()
  .min(1)
  .max(1_000_000)
  .default(5)
  .describe('Models with fewer calls are listed after the ranked ones as low-sample (default 5)');

export const AnalyzeMetricsInput = z
  .strictObject({
    taskType: nonBlank(100).optional().describe('Only this task type'),
    includeReport: z.boolean().default(true).describe('Include the self-improvement summary and recommendations (default true)'),
    minCalls,
  })
  .prefault({});

export const GenerateReportInput = z
  .strictObject({
    taskType: nonBlank(100).optional().describe('Only this task type for top models'),
    minCalls,
  })
  .prefault({});

export const LEADERBOARD_SORT_KEYS = [
  'rank',
  'modelId',
  'taskType',
  'totalCalls',
  'successRate',
  'avgLatencyMs',
  'p50LatencyMs',
  'p95LatencyMs',
  'avgCost',
] as const;
export type LeaderboardSortKey = (typeof LEADERBOARD_SORT_KEYS)[number];

const modelIds = z.array(nonBlank(200)).max(50).optional().describe('Only these models (default all)');

export const GetModelTrendsInput = withTimeRange({
  taskType: nonBlank(100).optional().describe('Only this task type'),
  modelIds,
}).prefault({});

export const GetModelLeaderboardInput = withTimeRange({
  taskType: nonBlank(100).optional().describe('Only this task type'),
  modelIds,
  minCalls,
  sortBy: z
    .enum([...LEADERBOARD_SORT_KEYS, 'calls'])
    // `calls` was this column's name before one figures shape (totalCalls) served every tool: still accepted.
    .transform((key) => (key === 'calls' ? 'totalCalls' : key))
    .default('rank')
    .describe('Column to sort by; rank = task type, then best first, low-sample last (calls = totalCalls)'),
  direction: z.enum(['asc', 'desc']).default('asc').describe('Sort direction'),
}).prefault({});

export const ListTaskTypesInput = z.strictObject({}).prefault({});
