-- Model calls are counted into the daily rollup by the statements that count them into the hourly one
-- (server/services/model-performance.ts), no longer by statement-level triggers on model_call_hourly. The triggers
-- turned every counting statement into two more (the INSERT and the UPDATE trigger of an upsert both fire), each
-- aggregating its transition tables and merging 170-bucket histograms through SQL functions: most of the database's
-- work for one call. The writer knows what it adds, so it adds the same to the day's row.

DROP TRIGGER model_call_daily_on_insert ON model_call_hourly;
DROP TRIGGER model_call_daily_on_update ON model_call_hourly;
DROP FUNCTION model_call_daily_fold();

-- Counts ONE model call (update_model_performance): its hour's row, its day's row and its lifetime row, in that order
-- (the order every model-call writer locks them in, so concurrent writers never deadlock), and answers the lifetime
-- row. The latency histogram gains one in the call's bucket (p_bucket, 0-based, of p_bucket_count: the layout is
-- server/services/latency-histogram.ts). A PL/pgSQL function so that PostgreSQL plans its statements once per
-- connection: planning the general set-based statement cost about as much as running it.
CREATE FUNCTION count_model_call(
  p_model_id text, p_task_type text, p_hour timestamptz, p_success boolean, p_latency_ms float8, p_cost float8,
  p_bucket int, p_bucket_count int, p_at timestamptz
) RETURNS SETOF model_performance LANGUAGE plpgsql AS $count$
DECLARE
  success int := CASE WHEN p_success THEN 1 ELSE 0 END;
  buckets int[] := array_fill(0, ARRAY[p_bucket_count]);
BEGIN
  buckets[p_bucket + 1] := 1;
  INSERT INTO model_call_hourly AS h
    (model_id, task_type, hour, calls, successes, latency_sum_ms, latency_min_ms, latency_max_ms, cost_sum, latency_buckets)
  VALUES (p_model_id, p_task_type, p_hour, 1, success, p_latency_ms, p_latency_ms, p_latency_ms, p_cost, buckets)
  ON CONFLICT (model_id, task_type, hour) DO UPDATE SET
    calls = h.calls + 1,
    successes = h.successes + success,
    latency_sum_ms = h.latency_sum_ms + p_latency_ms,
    latency_min_ms = LEAST(h.latency_min_ms, p_latency_ms),
    latency_max_ms = GREATEST(h.latency_max_ms, p_latency_ms),
    cost_sum = h.cost_sum + p_cost,
    latency_buckets[p_bucket + 1] = h.latency_buckets[p_bucket + 1] + 1;
  INSERT INTO model_call_daily AS d
    (model_id, task_type, day, calls, successes, latency_sum_ms, latency_min_ms, latency_max_ms, cost_sum, latency_buckets)
  VALUES (p_model_id, p_task_type, date_bin('1 day', p_hour, '2000-01-01 00:00:00+00'), 1, success, p_latency_ms,
          p_latency_ms, p_latency_ms, p_cost, buckets)
  ON CONFLICT (model_id, task_type, day) DO UPDATE SET
    calls = d.calls + 1,
    successes = d.successes + success,
    latency_sum_ms = d.latency_sum_ms + p_latency_ms,
    latency_min_ms = LEAST(d.latency_min_ms, p_latency_ms),
    latency_max_ms = GREATEST(d.latency_max_ms, p_latency_ms),
    cost_sum = d.cost_sum + p_cost,
    latency_buckets[p_bucket + 1] = d.latency_buckets[p_bucket + 1] + 1;
  RETURN QUERY
  INSERT INTO model_performance AS m
    (model_id, task_type, total_calls, successes, latency_sum_ms, cost_sum, success_rate, avg_latency_ms, avg_cost,
     first_call_at, last_call_at)
  VALUES (p_model_id, p_task_type, 1, success, p_latency_ms, p_cost, success * 100, p_latency_ms, p_cost, p_at, p_at)
  ON CONFLICT (model_id, task_type) DO UPDATE SET
    total_calls = m.total_calls + 1,
    successes = m.successes + success,
    latency_sum_ms = m.latency_sum_ms + p_latency_ms,
    cost_sum = m.cost_sum + p_cost,
    success_rate = ((m.successes + success) * 100)::float8 / (m.total_calls + 1),
    avg_latency_ms = (m.latency_sum_ms + p_latency_ms) / (m.total_calls + 1),
    avg_cost = (m.cost_sum + p_cost) / (m.total_calls + 1),
    first_call_at = LEAST(m.first_call_at, p_at),
    last_call_at = GREATEST(m.last_call_at, p_at)
  RETURNING m.*;
END
$count$;
