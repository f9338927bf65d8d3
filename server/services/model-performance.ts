import type { z } from 'zod';
import type { PrismaClient, SqlClient } from '../db/client';
import type { ModelPerformance } from '../db/generated/client';
import type { UpdateModelPerformanceInput } from '../schemas/model-performance';
import { LATENCY_BUCKET_COUNT, latencyBucketIndex } from './latency-histogram';
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

/** One model call to count: what update_model_performance and ingest take, with the instant it happened. */
export interface ModelCall {
  modelId: string;
  taskType: string;
  success: boolean;
  latencyMs: number;
  cost: number;
  at: Date;
}

const HOUR_MS = 3_600_000;

/** Calls summed per key: a model_call_hourly row's increment, or (its hour unused) a model_performance row's. */
interface CallTotals {
  modelId: string;
  taskType: string;
  hour: Date;
  calls: number;
  successes: number;
  latencySumMs: number;
  latencyMinMs: number;
  latencyMaxMs: number;
  costSum: number;
  latencyBuckets: number[];
  firstAt: Date;
  lastAt: Date;
}

/** Sums calls per key, the keys sorted, so concurrent writers lock rows in one order (no deadlock between batches). */
function totalsBy(calls: readonly ModelCall[], keyOf: (call: ModelCall) => string): CallTotals[] {
  const totals = new Map<string, CallTotals>();
  for (const call of calls) {
    const key = keyOf(call);
    let entry = totals.get(key);
    if (!entry) {
      entry = {
        modelId: call.modelId,
        taskType: call.taskType,
        hour: hourOf(call.at),
        calls: 0,
        successes: 0,
        latencySumMs: 0,
        latencyMinMs: call.latencyMs,
        latencyMaxMs: call.latencyMs,
        costSum: 0,
        latencyBuckets: new Array<number>(LATENCY_BUCKET_COUNT).fill(0),
        firstAt: call.at,
        lastAt: call.at,
      };
      totals.set(key, entry);
    }
    entry.calls += 1;
    entry.successes += call.success ? 1 : 0;
    entry.latencySumMs += call.latencyMs;
    entry.latencyMinMs = Math.min(entry.latencyMinMs, call.latencyMs);
    entry.latencyMaxMs = Math.max(entry.latencyMaxMs, call.latencyMs);
    entry.costSum += call.cost;
    entry.latencyBuckets[latencyBucketIndex(call.latencyMs)]! += 1;
    if (call.at < entry.firstAt) entry.firstAt = call.at;
    if (call.at > entry.lastAt) entry.lastAt = call.at;
  }
  return [...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
}

/** The start of the UTC hour an instant falls in (the hourly rollup's key). */
export const hourOf = (at: Date) => new Date(Math.floor(at.getTime() / HOUR_MS) * HOUR_MS);

/**
 * Counts model calls, any number, in ONE statement: pre-aggregated here per (model, task type, hour of `at`) and
 * per (model, task type), then upserted set-wise (unnest) into the hourly rollup (latency histograms merged bucket by
 * bucket) and the lifetime totals, whose rate and averages are computed from the updated counts and sums, so they
 * are always exact. Concurrent writers serialise on the rows and lose nothing. Returns the lifetime rows it touched.
 * The one write path of model calls: update_model_performance is a batch of one, ingest a batch of many.
 */
export async function recordModelCalls(db: SqlClient, calls: readonly ModelCall[]): Promise<ModelPerformance[]> {
  if (calls.length === 0) return [];
  const hourly = totalsBy(calls, (c) => JSON.stringify([c.modelId, c.taskType, hourOf(c.at).getTime()]));
  const lifetime = totalsBy(calls, (c) => JSON.stringify([c.modelId, c.taskType]));
  const column = <T>(rows: CallTotals[], pick: (row: CallTotals) => T) => rows.map(pick);
  return db.$queryRaw<ModelPerformance[]>`
    WITH hourly AS (
      INSERT INTO model_call_hourly AS h
        (model_id, task_type, hour, calls, successes, latency_sum_ms, latency_min_ms, latency_max_ms, cost_sum, latency_buckets)
      SELECT model_id, task_type, hour, calls, successes, latency_sum_ms, latency_min_ms, latency_max_ms, cost_sum, buckets::int[]
      FROM unnest(${column(hourly, (r) => r.modelId)}::text[], ${column(hourly, (r) => r.taskType)}::text[],
                  ${column(hourly, (r) => r.hour.toISOString())}::timestamptz[], ${column(hourly, (r) => r.calls)}::int[],
                  ${column(hourly, (r) => r.successes)}::int[], ${column(hourly, (r) => r.latencySumMs)}::float8[],
                  ${column(hourly, (r) => r.latencyMinMs)}::float8[], ${column(hourly, (r) => r.latencyMaxMs)}::float8[],
                  ${column(hourly, (r) => r.costSum)}::float8[], ${column(hourly, (r) => `{${r.latencyBuckets.join(',')}}`)}::text[])
           WITH ORDINALITY AS u(model_id, task_type, hour, calls, successes, latency_sum_ms, latency_min_ms, latency_max_ms,
                                cost_sum, buckets, n)
      ORDER BY n
      ON CONFLICT (model_id, task_type, hour) DO UPDATE SET
        calls = h.calls + EXCLUDED.calls,
        successes = h.successes + EXCLUDED.successes,
        latency_sum_ms = h.latency_sum_ms + EXCLUDED.latency_sum_ms,
        latency_min_ms = LEAST(h.latency_min_ms, EXCLUDED.latency_min_ms),
        latency_max_ms = GREATEST(h.latency_max_ms, EXCLUDED.latency_max_ms),
        cost_sum = h.cost_sum + EXCLUDED.cost_sum,
        latency_buckets = ARRAY(SELECT stored + added
                                FROM unnest(h.latency_buckets, EXCLUDED.latency_buckets) WITH ORDINALITY AS b(stored, added, i)
                                ORDER BY i)
    ), totals AS (
      INSERT INTO model_performance AS m
        (model_id, task_type, total_calls, successes, latency_sum_ms, cost_sum, success_rate, avg_latency_ms, avg_cost,
         first_call_at, last_call_at)
      SELECT model_id, task_type, calls, successes, latency_sum_ms, cost_sum, (successes * 100)::float8 / calls,
             latency_sum_ms / calls, cost_sum / calls, first_at, last_at
      FROM unnest(${column(lifetime, (r) => r.modelId)}::text[], ${column(lifetime, (r) => r.taskType)}::text[],
                  ${column(lifetime, (r) => r.calls)}::int[], ${column(lifetime, (r) => r.successes)}::int[],
                  ${column(lifetime, (r) => r.latencySumMs)}::float8[], ${column(lifetime, (r) => r.costSum)}::float8[],
                  ${column(lifetime, (r) => r.firstAt.toISOString())}::timestamptz[],
                  ${column(lifetime, (r) => r.lastAt.toISOString())}::timestamptz[])
           WITH ORDINALITY AS u(model_id, task_type, calls, successes, latency_sum_ms, cost_sum, first_at, last_at, n)
      ORDER BY n
      ON CONFLICT (model_id, task_type) DO UPDATE SET
        total_calls = m.total_calls + EXCLUDED.total_calls,
        successes = m.successes + EXCLUDED.successes,
        latency_sum_ms = m.latency_sum_ms + EXCLUDED.latency_sum_ms,
        cost_sum = m.cost_sum + EXCLUDED.cost_sum,
        success_rate = ((m.successes + EXCLUDED.successes) * 100)::float8 / (m.total_calls + EXCLUDED.total_calls),
        avg_latency_ms = (m.latency_sum_ms + EXCLUDED.latency_sum_ms) / (m.total_calls + EXCLUDED.total_calls),
        avg_cost = (m.cost_sum + EXCLUDED.cost_sum) / (m.total_calls + EXCLUDED.total_calls),
        first_call_at = LEAST(m.first_call_at, EXCLUDED.first_call_at),
        last_call_at = GREATEST(m.last_call_at, EXCLUDED.last_call_at)
      RETURNING m.*
    )
    SELECT id, model_id AS "modelId", task_type AS "taskType", success_rate AS "successRate",
           avg_latency_ms AS "avgLatencyMs", avg_cost AS "avgCost", total_calls AS "totalCalls", successes,
           latency_sum_ms AS "latencySumMs", cost_sum AS "costSum", first_call_at AS "firstCallAt",
           last_call_at AS "lastCallAt"
    FROM totals`;
}

/** Counts one call, now (update_model_performance): a batch of one through recordModelCalls. */
export async function updateModelPerformance(
  prisma: PrismaClient,
  input: z.output<typeof UpdateModelPerformanceInput>,
): Promise<ModelPerformanceDto> {
  const [row] = await recordModelCalls(prisma, [{ ...input, at: new Date() }]);
  return toModelPerformanceDto(row!);
}

/** The task types with recorded calls, alphabetically: the first MAX_LISTED. */
export async function listTaskTypes(prisma: PrismaClient): Promise<string[]> {
  const rows = await prisma.modelPerformance.groupBy({ by: ['taskType'], orderBy: { taskType: 'asc' }, take: MAX_LISTED });
  return rows.map((r) => r.taskType);
}
