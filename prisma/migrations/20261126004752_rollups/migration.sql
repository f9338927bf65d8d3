-- CreateTable
CREATE TABLE "bug_occurrence_hourly" (
    "bug_pattern_id" INTEGER NOT NULL,
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "severity" "bug_severity" NOT NULL,
    "occurrences" BIGINT NOT NULL,

    CONSTRAINT "bug_occurrence_hourly_pkey" PRIMARY KEY ("bug_pattern_id","hour","severity")
);

-- CreateTable
CREATE TABLE "bug_occurrence_daily" (
    "bug_pattern_id" INTEGER NOT NULL,
    "day" TIMESTAMPTZ(0) NOT NULL,
    "severity" "bug_severity" NOT NULL,
    "occurrences" BIGINT NOT NULL,

    CONSTRAINT "bug_occurrence_daily_pkey" PRIMARY KEY ("bug_pattern_id","day","severity")
);

-- CreateTable
CREATE TABLE "metric_hourly" (
    "metric_name" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "metric_unit" TEXT NOT NULL,
    "context_hash" UUID NOT NULL,
    "context" JSONB NOT NULL,
    "value_count" BIGINT NOT NULL,
    "value_sum" DOUBLE PRECISION NOT NULL,
    "last_recorded_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "metric_hourly_pkey" PRIMARY KEY ("metric_name","hour","metric_unit","context_hash")
);

-- CreateTable
CREATE TABLE "metric_daily" (
    "metric_name" TEXT NOT NULL,
    "day" TIMESTAMPTZ(0) NOT NULL,
    "metric_unit" TEXT NOT NULL,
    "context_hash" UUID NOT NULL,
    "context" JSONB NOT NULL,
    "value_count" BIGINT NOT NULL,
    "value_sum" DOUBLE PRECISION NOT NULL,
    "last_recorded_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "metric_daily_pkey" PRIMARY KEY ("metric_name","day","metric_unit","context_hash")
);

-- CreateTable
CREATE TABLE "model_call_daily" (
    "model_id" TEXT NOT NULL,
    "task_type" TEXT NOT NULL,
    "day" TIMESTAMPTZ(0) NOT NULL,
    "calls" BIGINT NOT NULL,
    "successes" BIGINT NOT NULL,
    "latency_sum_ms" DOUBLE PRECISION NOT NULL,
    "latency_min_ms" DOUBLE PRECISION NOT NULL,
    "latency_max_ms" DOUBLE PRECISION NOT NULL,
    "cost_sum" DOUBLE PRECISION NOT NULL,
    "latency_buckets" INTEGER[],

    CONSTRAINT "model_call_daily_pkey" PRIMARY KEY ("model_id","task_type","day")
);

-- CreateTable
CREATE TABLE "routing_decision_daily" (
    "day" TIMESTAMPTZ(0) NOT NULL,
    "task_type" TEXT NOT NULL,
    "decisions" BIGINT NOT NULL,
    "misses" BIGINT NOT NULL,

    CONSTRAINT "routing_decision_daily_pkey" PRIMARY KEY ("day","task_type")
);

-- CreateTable
CREATE TABLE "routing_rule_hits_daily" (
    "rule_id" INTEGER NOT NULL,
    "day" TIMESTAMPTZ(0) NOT NULL,
    "task_type" TEXT NOT NULL,
    "hits" BIGINT NOT NULL,

    CONSTRAINT "routing_rule_hits_daily_pkey" PRIMARY KEY ("rule_id","day","task_type")
);

-- CreateIndex
CREATE INDEX "bug_occurrence_hourly_hour_idx" ON "bug_occurrence_hourly"("hour");

-- CreateIndex
CREATE INDEX "bug_occurrence_daily_day_idx" ON "bug_occurrence_daily"("day");

-- CreateIndex
CREATE INDEX "model_call_daily_day_idx" ON "model_call_daily"("day");

-- CreateIndex
CREATE INDEX "routing_rule_hits_daily_day_idx" ON "routing_rule_hits_daily"("day");

-- AddForeignKey
ALTER TABLE "bug_occurrence_hourly" ADD CONSTRAINT "bug_occurrence_hourly_bug_pattern_id_fkey" FOREIGN KEY ("bug_pattern_id") REFERENCES "bug_patterns"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "bug_occurrence_daily" ADD CONSTRAINT "bug_occurrence_daily_bug_pattern_id_fkey" FOREIGN KEY ("bug_pattern_id") REFERENCES "bug_patterns"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "routing_rule_hits_daily" ADD CONSTRAINT "routing_rule_hits_daily_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "routing_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Rollups kept by statement-level triggers (written by hand; Prisma cannot express triggers).
-- Each trigger folds the rows one statement inserted or updated into the coarser table with ONE set-based upsert,
-- whatever the number of rows, in key order so that concurrent statements lock rollup rows in the same order.
-- model_call_hourly and the routing hourly tables are upserted: their UPDATE triggers add new - old. Raw metric
-- values and bug occurrences are insert-only. Deletes are not folded: rollups outlive the rows they sum (retention
-- deletes raw rows; deleting a rule or a bug pattern deletes its rollups through their foreign keys).
-- Days and hours are UTC-aligned, as the reads bucket them (server/services/time-buckets.ts).

-- Latency histograms are int arrays of one fixed layout (server/services/latency-histogram.ts): added element-wise.
CREATE FUNCTION int_array_add(total int[], counts int[], sign int) RETURNS int[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN ARRAY(SELECT coalesce(t, 0) + sign * coalesce(c, 0) FROM unnest(total, counts) WITH ORDINALITY AS u(t, c, i) ORDER BY i);

CREATE AGGREGATE int_array_sum(int[], int) (SFUNC = int_array_add, STYPE = int[]);

CREATE FUNCTION model_call_daily_fold() RETURNS trigger LANGUAGE plpgsql AS $fold$
DECLARE
  added model_call_hourly[];
  removed model_call_hourly[] := '{}';
BEGIN
  SELECT array_agg(n) INTO added FROM new_rows AS n;
  IF TG_OP = 'UPDATE' THEN
    SELECT array_agg(o) INTO removed FROM old_rows AS o;
  END IF;
  INSERT INTO model_call_daily AS d
    (model_id, task_type, day, calls, successes, latency_sum_ms, latency_min_ms, latency_max_ms, cost_sum, latency_buckets)
  SELECT model_id, task_type, date_bin('1 day', hour, '2000-01-01 00:00:00+00'),
         sum(sign * calls), sum(sign * successes), sum(sign * latency_sum_ms),
         min(latency_min_ms) FILTER (WHERE sign = 1), max(latency_max_ms) FILTER (WHERE sign = 1), sum(sign * cost_sum),
         int_array_sum(latency_buckets, sign)
  FROM (SELECT a.*, 1 AS sign FROM unnest(added) AS a UNION ALL SELECT r.*, -1 FROM unnest(removed) AS r) AS changes
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (model_id, task_type, day) DO UPDATE SET
    calls = d.calls + EXCLUDED.calls,
    successes = d.successes + EXCLUDED.successes,
    latency_sum_ms = d.latency_sum_ms + EXCLUDED.latency_sum_ms,
    -- An hourly row only ever widens its range, so the day's extremes are the extremes of its hours' latest values.
    latency_min_ms = LEAST(d.latency_min_ms, EXCLUDED.latency_min_ms),
    latency_max_ms = GREATEST(d.latency_max_ms, EXCLUDED.latency_max_ms),
    cost_sum = d.cost_sum + EXCLUDED.cost_sum,
    latency_buckets = int_array_add(d.latency_buckets, EXCLUDED.latency_buckets, 1);
  RETURN NULL;
END
$fold$;

CREATE FUNCTION routing_decision_daily_fold() RETURNS trigger LANGUAGE plpgsql AS $fold$
DECLARE
  added routing_decision_hourly[];
  removed routing_decision_hourly[] := '{}';
BEGIN
  SELECT array_agg(n) INTO added FROM new_rows AS n;
  IF TG_OP = 'UPDATE' THEN
    SELECT array_agg(o) INTO removed FROM old_rows AS o;
  END IF;
  INSERT INTO routing_decision_daily AS d (day, task_type, decisions, misses)
  SELECT date_bin('1 day', c.hour, '2000-01-01 00:00:00+00'), c.task_type, sum(c.sign * c.decisions), sum(c.sign * c.misses)
  FROM (SELECT a.*, 1 AS sign FROM unnest(added) AS a UNION ALL SELECT r.*, -1 FROM unnest(removed) AS r) AS c
  GROUP BY 1, 2 ORDER BY 1, 2
  ON CONFLICT (day, task_type) DO UPDATE SET decisions = d.decisions + EXCLUDED.decisions, misses = d.misses + EXCLUDED.misses;
  RETURN NULL;
END
$fold$;

CREATE FUNCTION routing_rule_hits_daily_fold() RETURNS trigger LANGUAGE plpgsql AS $fold$
DECLARE
  added routing_rule_hits_hourly[];
  removed routing_rule_hits_hourly[] := '{}';
BEGIN
  SELECT array_agg(n) INTO added FROM new_rows AS n;
  IF TG_OP = 'UPDATE' THEN
    SELECT array_agg(o) INTO removed FROM old_rows AS o;
  END IF;
  INSERT INTO routing_rule_hits_daily AS d (rule_id, day, task_type, hits)
  SELECT c.rule_id, date_bin('1 day', c.hour, '2000-01-01 00:00:00+00'), c.task_type, sum(c.sign * c.hits)
  FROM (SELECT a.*, 1 AS sign FROM unnest(added) AS a UNION ALL SELECT r.*, -1 FROM unnest(removed) AS r) AS c
  GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (rule_id, day, task_type) DO UPDATE SET hits = d.hits + EXCLUDED.hits;
  RETURN NULL;
END
$fold$;

-- A context is keyed by the md5 of its canonical text (jsonb prints keys sorted): contexts can be too big for an index.
CREATE FUNCTION metric_rollups_fold() RETURNS trigger LANGUAGE plpgsql AS $fold$
BEGIN
  WITH hourly AS (
    SELECT metric_name, date_bin('1 hour', recorded_at, '2000-01-01 00:00:00+00') AS hour, metric_unit,
           md5(context::text)::uuid AS context_hash, context::text AS context_text,
           count(*) AS value_count, sum(metric_value) AS value_sum, max(recorded_at) AS last_recorded_at
    FROM new_rows GROUP BY 1, 2, 3, 4, 5
  ), into_hourly AS (
    INSERT INTO metric_hourly AS m (metric_name, hour, metric_unit, context_hash, context, value_count, value_sum, last_recorded_at)
    SELECT metric_name, hour, metric_unit, context_hash, context_text::jsonb, value_count, value_sum, last_recorded_at
    FROM hourly ORDER BY 1, 2, 3, 4
    ON CONFLICT (metric_name, hour, metric_unit, context_hash) DO UPDATE SET
      value_count = m.value_count + EXCLUDED.value_count,
      value_sum = m.value_sum + EXCLUDED.value_sum,
      last_recorded_at = GREATEST(m.last_recorded_at, EXCLUDED.last_recorded_at)
  )
  INSERT INTO metric_daily AS m (metric_name, day, metric_unit, context_hash, context, value_count, value_sum, last_recorded_at)
  SELECT metric_name, date_bin('1 day', hour, '2000-01-01 00:00:00+00'), metric_unit, context_hash, context_text::jsonb,
         sum(value_count), sum(value_sum), max(last_recorded_at)
  FROM hourly GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4
  ON CONFLICT (metric_name, day, metric_unit, context_hash) DO UPDATE SET
    value_count = m.value_count + EXCLUDED.value_count,
    value_sum = m.value_sum + EXCLUDED.value_sum,
    last_recorded_at = GREATEST(m.last_recorded_at, EXCLUDED.last_recorded_at);
  RETURN NULL;
END
$fold$;

CREATE FUNCTION bug_occurrence_rollups_fold() RETURNS trigger LANGUAGE plpgsql AS $fold$
BEGIN
  WITH hourly AS (
    SELECT bug_pattern_id, date_bin('1 hour', occurred_at, '2000-01-01 00:00:00+00') AS hour, severity, count(*) AS occurrences
    FROM new_rows GROUP BY 1, 2, 3
  ), into_hourly AS (
    INSERT INTO bug_occurrence_hourly AS b (bug_pattern_id, hour, severity, occurrences)
    SELECT bug_pattern_id, hour, severity, occurrences FROM hourly ORDER BY 1, 2, 3
    ON CONFLICT (bug_pattern_id, hour, severity) DO UPDATE SET occurrences = b.occurrences + EXCLUDED.occurrences
  )
  INSERT INTO bug_occurrence_daily AS b (bug_pattern_id, day, severity, occurrences)
  SELECT bug_pattern_id, date_bin('1 day', hour, '2000-01-01 00:00:00+00'), severity, sum(occurrences)
  FROM hourly GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (bug_pattern_id, day, severity) DO UPDATE SET occurrences = b.occurrences + EXCLUDED.occurrences;
  RETURN NULL;
END
$fold$;

-- Backfill what is already stored, with writers held off until the migration commits, then keep the rollups on write.
LOCK TABLE model_call_hourly, routing_decision_hourly, routing_rule_hits_hourly, performance_metrics, bug_pattern_occurrences
  IN SHARE ROW EXCLUSIVE MODE;

INSERT INTO model_call_daily (model_id, task_type, day, calls, successes, latency_sum_ms, latency_min_ms, latency_max_ms, cost_sum, latency_buckets)
SELECT model_id, task_type, date_bin('1 day', hour, '2000-01-01 00:00:00+00'), sum(calls), sum(successes), sum(latency_sum_ms),
       min(latency_min_ms), max(latency_max_ms), sum(cost_sum), int_array_sum(latency_buckets, 1)
FROM model_call_hourly GROUP BY 1, 2, 3;

INSERT INTO routing_decision_daily (day, task_type, decisions, misses)
SELECT date_bin('1 day', hour, '2000-01-01 00:00:00+00'), task_type, sum(decisions), sum(misses) FROM routing_decision_hourly GROUP BY 1, 2;

INSERT INTO routing_rule_hits_daily (rule_id, day, task_type, hits)
SELECT rule_id, date_bin('1 day', hour, '2000-01-01 00:00:00+00'), task_type, sum(hits) FROM routing_rule_hits_hourly GROUP BY 1, 2, 3;

INSERT INTO metric_hourly (metric_name, hour, metric_unit, context_hash, context, value_count, value_sum, last_recorded_at)
SELECT metric_name, date_bin('1 hour', recorded_at, '2000-01-01 00:00:00+00'), metric_unit, md5(context::text)::uuid, context::text::jsonb,
       count(*), sum(metric_value), max(recorded_at)
FROM performance_metrics GROUP BY metric_name, 2, metric_unit, context::text;

INSERT INTO metric_daily (metric_name, day, metric_unit, context_hash, context, value_count, value_sum, last_recorded_at)
SELECT metric_name, date_bin('1 day', hour, '2000-01-01 00:00:00+00'), metric_unit, context_hash, context::text::jsonb,
       sum(value_count), sum(value_sum), max(last_recorded_at)
FROM metric_hourly GROUP BY metric_name, 2, metric_unit, context_hash, context::text;

INSERT INTO bug_occurrence_hourly (bug_pattern_id, hour, severity, occurrences)
SELECT bug_pattern_id, date_bin('1 hour', occurred_at, '2000-01-01 00:00:00+00'), severity, count(*) FROM bug_pattern_occurrences GROUP BY 1, 2, 3;

INSERT INTO bug_occurrence_daily (bug_pattern_id, day, severity, occurrences)
SELECT bug_pattern_id, date_bin('1 day', hour, '2000-01-01 00:00:00+00'), severity, sum(occurrences) FROM bug_occurrence_hourly GROUP BY 1, 2, 3;

CREATE TRIGGER model_call_daily_on_insert AFTER INSERT ON model_call_hourly
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION model_call_daily_fold();
CREATE TRIGGER model_call_daily_on_update AFTER UPDATE ON model_call_hourly
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION model_call_daily_fold();
CREATE TRIGGER routing_decision_daily_on_insert AFTER INSERT ON routing_decision_hourly
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION routing_decision_daily_fold();
CREATE TRIGGER routing_decision_daily_on_update AFTER UPDATE ON routing_decision_hourly
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION routing_decision_daily_fold();
CREATE TRIGGER routing_rule_hits_daily_on_insert AFTER INSERT ON routing_rule_hits_hourly
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION routing_rule_hits_daily_fold();
CREATE TRIGGER routing_rule_hits_daily_on_update AFTER UPDATE ON routing_rule_hits_hourly
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION routing_rule_hits_daily_fold();
CREATE TRIGGER metric_rollups_on_insert AFTER INSERT ON performance_metrics
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION metric_rollups_fold();
CREATE TRIGGER bug_occurrence_rollups_on_insert AFTER INSERT ON bug_pattern_occurrences
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION bug_occurrence_rollups_fold();
