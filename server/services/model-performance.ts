import type { z } from 'zod';
import type { PrismaClient } from '../db/client';
import type { ModelPerformance } from '../db/generated/client';
import type { UpdateModelPerformanceInput } from '../schemas/model-performance';
import { latencyBucketIndex, singleCallHistogram } from './latency-histogram';
import type { ModelFigures } from './model-analysis';
import { MAX_LISTED } from './pagination';

/** A (model, task type)'s lifetime figures (model_performance), in the one shape of a model's figures. */
export interface ModelPerformanceDto extends ModelFigures {
  firstCallAt: string;
  lastCallAt: string;
}

export function toModelPerformanceDto(row: ModelPerformance): ModelPerformanceDto {
  return {
    modelId: row.modelId,
    taskType: row.taskType,
    totalCalls: Number(row.totalCalls),
    successes: Number(row.successes),
    successRate: row.successRate,
    avgLatencyMs: row.avgLatencyMs,
    avgCost: row.avgCost,
    totalCost: row.costSum,
    firstCallAt: row.firstCallAt.toISOString(),
    lastCallAt: row.lastCallAt.toISOString(),
  };
}

/**
 * Counts one call in ONE statement: the lifetime totals (with the derived rate and averages computed
 * from the updated counts and sums, so they are always exact) and the current hour's rollup with its
 * latency histogram. Concurrent calls on the same key serialise on the row and lose nothing.
 */
export async function updateModelPerformance(
  prisma: PrismaClient,
  { modelId, taskType, success, latencyMs, cost }: z.output<typeof UpdateModelPerformanceInput>,
): Promise<ModelPerformanceDto> {
  const successes = success ? 1 : 0;
  const bucket = latencyBucketIndex(latencyMs) + 1; // PostgreSQL arrays are 1-based
  const [row] = await prisma.$queryRaw<ModelPerformance[]>`
    WITH totals AS (
      INSERT INTO model_performance AS m
        (model_id, task_type, total_calls, successes, latency_sum_ms, cost_sum, success_rate, avg_latency_ms, avg_cost)
      VALUES (${modelId}, ${taskType}, 1, ${successes}::int, ${latencyMs}::float8, ${cost}::float8,
              ${successes * 100}::float8, ${latencyMs}::float8, ${cost}::float8)
      ON CONFLICT (model_id, task_type) DO UPDATE SET
        total_calls = m.total_calls + 1,
        successes = m.successes + EXCLUDED.successes,
        latency_sum_ms = m.latency_sum_ms + EXCLUDED.latency_sum_ms,
        cost_sum = m.cost_sum + EXCLUDED.cost_sum,
        success_rate = ((m.successes + EXCLUDED.successes) * 100)::float8 / (m.total_calls + 1),
        avg_latency_ms = (m.latency_sum_ms + EXCLUDED.latency_sum_ms) / (m.total_calls + 1),
        avg_cost = (m.cost_sum + EXCLUDED.cost_sum) / (m.total_calls + 1),
        last_call_at = clock_timestamp()
      RETURNING m.*
    ), hourly AS (
      INSERT INTO model_call_hourly AS h
        (model_id, task_type, hour, calls, successes, latency_sum_ms, latency_min_ms, latency_max_ms, cost_sum, latency_buckets)
      VALUES (${modelId}, ${taskType}, date_trunc('hour', now(), 'UTC'), 1, ${successes}::int, ${latencyMs}::float8,
              ${latencyMs}::float8, ${latencyMs}::float8, ${cost}::float8, ${singleCallHistogram(latencyMs)}::int[])
      ON CONFLICT (model_id, task_type, hour) DO UPDATE SET
        calls = h.calls + 1,
        successes = h.successes + EXCLUDED.successes,
        latency_sum_ms = h.latency_sum_ms + EXCLUDED.latency_sum_ms,
        latency_min_ms = LEAST(h.latency_min_ms, EXCLUDED.latency_min_ms),
        latency_max_ms = GREATEST(h.latency_max_ms, EXCLUDED.latency_max_ms),
        cost_sum = h.cost_sum + EXCLUDED.cost_sum,
        latency_buckets[${bucket}::int] = h.latency_buckets[${bucket}::int] + 1
    )
    SELECT id, model_id AS "modelId", task_type AS "taskType", success_rate AS "successRate",
           avg_latency_ms AS "avgLatencyMs", avg_cost AS "avgCost", total_calls AS "totalCalls", successes,
           latency_sum_ms AS "latencySumMs", cost_sum AS "costSum", first_call_at AS "firstCallAt",
           last_call_at AS "lastCallAt"
    FROM totals`;
  return toModelPerformanceDto(row!);
}

/** The task types with recorded calls, alphabetically: the first MAX_LISTED. */
export async function listTaskTypes(prisma: PrismaClient): Promise<string[]> {
  const rows = await prisma.modelPerformance.groupBy({ by: ['taskType'], orderBy: { taskType: 'asc' }, take: MAX_LISTED });
  return rows.map((r) => r.taskType);
}
