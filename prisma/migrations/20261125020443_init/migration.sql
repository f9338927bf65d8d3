-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "discovered_from" AS ENUM ('bug', 'pattern', 'user-feedback');

-- CreateEnum
CREATE TYPE "routing_layer" AS ENUM ('fast', 'balanced', 'deep');

-- CreateEnum
CREATE TYPE "bug_severity" AS ENUM ('low', 'medium', 'high', 'critical');

-- CreateTable
CREATE TABLE "regression_tests" (
    "id" SERIAL NOT NULL,
    "test_name" TEXT NOT NULL,
    "category" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "test_code" TEXT NOT NULL,
    "expected_behavior" TEXT NOT NULL,
    "discovered_from" "discovered_from" NOT NULL,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "regression_tests_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "routing_rules" (
    "id" SERIAL NOT NULL,
    "pattern" TEXT NOT NULL,
    "preferred_layer" "routing_layer" NOT NULL,
    "preferred_model" TEXT,
    "priority" INTEGER NOT NULL DEFAULT 0,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "metadata" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "routing_rules_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bug_patterns" (
    "id" SERIAL NOT NULL,
    "category" TEXT NOT NULL,
    "pattern" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "solution" TEXT NOT NULL DEFAULT '',
    "occurrences" INTEGER NOT NULL DEFAULT 1,
    "severity" "bug_severity" NOT NULL,
    "first_seen" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_seen" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bug_patterns_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "bug_pattern_occurrences" (
    "id" BIGSERIAL NOT NULL,
    "bug_pattern_id" INTEGER NOT NULL,
    "severity" "bug_severity" NOT NULL,
    "occurred_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "bug_pattern_occurrences_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "performance_metrics" (
    "id" BIGSERIAL NOT NULL,
    "metric_name" TEXT NOT NULL,
    "metric_value" DOUBLE PRECISION NOT NULL,
    "metric_unit" TEXT NOT NULL,
    "context" JSONB NOT NULL DEFAULT '{}',
    "recorded_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "performance_metrics_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_performance" (
    "id" SERIAL NOT NULL,
    "model_id" TEXT NOT NULL,
    "task_type" TEXT NOT NULL,
    "success_rate" DOUBLE PRECISION NOT NULL,
    "avg_latency_ms" DOUBLE PRECISION NOT NULL,
    "avg_cost" DOUBLE PRECISION NOT NULL,
    "total_calls" BIGINT NOT NULL,
    "successes" BIGINT NOT NULL,
    "latency_sum_ms" DOUBLE PRECISION NOT NULL,
    "cost_sum" DOUBLE PRECISION NOT NULL,
    "first_call_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_call_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "model_performance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "model_call_hourly" (
    "model_id" TEXT NOT NULL,
    "task_type" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "calls" INTEGER NOT NULL,
    "successes" INTEGER NOT NULL,
    "latency_sum_ms" DOUBLE PRECISION NOT NULL,
    "latency_min_ms" DOUBLE PRECISION NOT NULL,
    "latency_max_ms" DOUBLE PRECISION NOT NULL,
    "cost_sum" DOUBLE PRECISION NOT NULL,
    "latency_buckets" INTEGER[],

    CONSTRAINT "model_call_hourly_pkey" PRIMARY KEY ("model_id","task_type","hour")
);

-- CreateTable
CREATE TABLE "routing_decision_hourly" (
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "task_type" TEXT NOT NULL DEFAULT '',
    "decisions" INTEGER NOT NULL,
    "misses" INTEGER NOT NULL,

    CONSTRAINT "routing_decision_hourly_pkey" PRIMARY KEY ("hour","task_type")
);

-- CreateTable
CREATE TABLE "routing_rule_hits_hourly" (
    "rule_id" INTEGER NOT NULL,
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "task_type" TEXT NOT NULL DEFAULT '',
    "hits" INTEGER NOT NULL,

    CONSTRAINT "routing_rule_hits_hourly_pkey" PRIMARY KEY ("rule_id","hour","task_type")
);

-- CreateIndex
CREATE UNIQUE INDEX "regression_tests_test_name_key" ON "regression_tests"("test_name");

-- CreateIndex
CREATE INDEX "regression_tests_created_at_id_idx" ON "regression_tests"("created_at" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "regression_tests_category_created_at_id_idx" ON "regression_tests"("category", "created_at" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "routing_rules_pattern_key" ON "routing_rules"("pattern");

-- CreateIndex
CREATE INDEX "routing_rules_active_priority_updated_at_id_idx" ON "routing_rules"("active", "priority" DESC, "updated_at" DESC, "id");

-- CreateIndex
CREATE INDEX "bug_patterns_occurrences_severity_last_seen_id_idx" ON "bug_patterns"("occurrences" DESC, "severity" DESC, "last_seen" DESC, "id");

-- CreateIndex
CREATE INDEX "bug_patterns_category_occurrences_severity_last_seen_id_idx" ON "bug_patterns"("category", "occurrences" DESC, "severity" DESC, "last_seen" DESC, "id");

-- CreateIndex
CREATE INDEX "bug_patterns_last_seen_idx" ON "bug_patterns"("last_seen" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "bug_patterns_category_pattern_key" ON "bug_patterns"("category", "pattern");

-- CreateIndex
CREATE INDEX "bug_pattern_occurrences_bug_pattern_id_occurred_at_idx" ON "bug_pattern_occurrences"("bug_pattern_id", "occurred_at");

-- CreateIndex
CREATE INDEX "bug_pattern_occurrences_occurred_at_idx" ON "bug_pattern_occurrences"("occurred_at");

-- CreateIndex
CREATE INDEX "performance_metrics_metric_name_recorded_at_idx" ON "performance_metrics"("metric_name", "recorded_at");

-- CreateIndex
CREATE INDEX "performance_metrics_recorded_at_idx" ON "performance_metrics"("recorded_at");

-- CreateIndex
CREATE INDEX "model_performance_task_type_idx" ON "model_performance"("task_type");

-- CreateIndex
CREATE UNIQUE INDEX "model_performance_model_id_task_type_key" ON "model_performance"("model_id", "task_type");

-- CreateIndex
CREATE INDEX "model_call_hourly_hour_idx" ON "model_call_hourly"("hour");

-- CreateIndex
CREATE INDEX "model_call_hourly_task_type_hour_idx" ON "model_call_hourly"("task_type", "hour");

-- CreateIndex
CREATE INDEX "routing_rule_hits_hourly_hour_idx" ON "routing_rule_hits_hourly"("hour");

-- AddForeignKey
ALTER TABLE "bug_pattern_occurrences" ADD CONSTRAINT "bug_pattern_occurrences_bug_pattern_id_fkey" FOREIGN KEY ("bug_pattern_id") REFERENCES "bug_patterns"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "routing_rule_hits_hourly" ADD CONSTRAINT "routing_rule_hits_hourly_rule_id_fkey" FOREIGN KEY ("rule_id") REFERENCES "routing_rules"("id") ON DELETE CASCADE ON UPDATE CASCADE;
