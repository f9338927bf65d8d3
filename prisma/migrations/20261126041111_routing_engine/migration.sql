-- CreateEnum
CREATE TYPE "routing_rule_state" AS ENUM ('active', 'shadow', 'inactive');

-- DropIndex
DROP INDEX "routing_rules_active_priority_updated_at_id_idx";

-- AlterTable: state replaces active, keeping each rule's meaning (written by hand: Prisma would drop the column's data)
ALTER TABLE "routing_rules" ADD COLUMN "state" "routing_rule_state" NOT NULL DEFAULT 'active',
ADD COLUMN     "version_id" INTEGER;
UPDATE "routing_rules" SET "state" = 'inactive' WHERE NOT "active";
ALTER TABLE "routing_rules" DROP COLUMN "active";

-- CreateTable
CREATE TABLE "routing_rule_versions" (
    "id" SERIAL NOT NULL,
    "rule_id" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,
    "pattern" TEXT NOT NULL,
    "preferred_layer" "routing_layer" NOT NULL,
    "preferred_model" TEXT,
    "priority" INTEGER NOT NULL,
    "state" "routing_rule_state" NOT NULL,
    "reasoning" TEXT,
    "stated_success_rate" DOUBLE PRECISION,
    "change" TEXT NOT NULL,
    "changed_by" TEXT,
    "changed_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "routing_rule_versions_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "routing_decisions" (
    "decision_id" UUID NOT NULL,
    "decided_at" TIMESTAMPTZ(6) NOT NULL,
    "version_id" INTEGER,
    "rule_id" INTEGER,
    "layer" "routing_layer" NOT NULL,
    "model" TEXT,
    "task_type" TEXT NOT NULL DEFAULT '',
    "outcome_at" TIMESTAMPTZ(6),

    CONSTRAINT "routing_decisions_pkey" PRIMARY KEY ("decision_id")
);

-- CreateTable
CREATE TABLE "routing_decision_samples" (
    "id" BIGSERIAL NOT NULL,
    "sampled_at" TIMESTAMPTZ(6) NOT NULL,
    "input" TEXT NOT NULL,
    "task_type" TEXT NOT NULL DEFAULT '',
    "version_id" INTEGER,
    "rule_id" INTEGER,
    "layer" "routing_layer" NOT NULL,
    "model" TEXT,

    CONSTRAINT "routing_decision_samples_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "routing_version_hits_hourly" (
    "version_id" INTEGER NOT NULL,
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "task_type" TEXT NOT NULL DEFAULT '',
    "hits" INTEGER NOT NULL DEFAULT 0,
    "shadow_hits" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "routing_version_hits_hourly_pkey" PRIMARY KEY ("version_id","hour","task_type")
);

-- CreateTable
CREATE TABLE "routing_shadow_displacements_hourly" (
    "version_id" INTEGER NOT NULL,
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "displaced_version_id" INTEGER NOT NULL,
    "decisions" INTEGER NOT NULL,

    CONSTRAINT "routing_shadow_displacements_hourly_pkey" PRIMARY KEY ("version_id","hour","displaced_version_id")
);

-- CreateTable
CREATE TABLE "routing_outcomes_hourly" (
    "version_id" INTEGER NOT NULL,
    "model" TEXT NOT NULL,
    "task_type" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "outcomes" INTEGER NOT NULL,
    "successes" INTEGER NOT NULL,
    "latency_ms_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "latency_count" INTEGER NOT NULL DEFAULT 0,
    "cost_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "cost_count" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "routing_outcomes_hourly_pkey" PRIMARY KEY ("version_id","model","task_type","hour")
);

-- CreateIndex
CREATE INDEX "routing_rule_versions_changed_at_idx" ON "routing_rule_versions"("changed_at");

-- CreateIndex
CREATE UNIQUE INDEX "routing_rule_versions_rule_id_version_key" ON "routing_rule_versions"("rule_id", "version");

-- CreateIndex
CREATE INDEX "routing_decisions_decided_at_idx" ON "routing_decisions"("decided_at");

-- CreateIndex
CREATE INDEX "routing_decision_samples_sampled_at_idx" ON "routing_decision_samples"("sampled_at");

-- CreateIndex
CREATE INDEX "routing_version_hits_hourly_hour_idx" ON "routing_version_hits_hourly"("hour");

-- CreateIndex
CREATE INDEX "routing_shadow_displacements_hourly_hour_idx" ON "routing_shadow_displacements_hourly"("hour");

-- CreateIndex
CREATE INDEX "routing_outcomes_hourly_hour_idx" ON "routing_outcomes_hourly"("hour");

-- CreateIndex
CREATE INDEX "routing_rules_state_priority_updated_at_id_idx" ON "routing_rules"("state", "priority" DESC, "updated_at" DESC, "id");

-- Every existing rule gets its first version, as it stands now (written by hand).
INSERT INTO "routing_rule_versions" ("rule_id", "version", "pattern", "preferred_layer", "preferred_model", "priority", "state",
  "reasoning", "stated_success_rate", "change", "changed_at")
SELECT "id", 1, "pattern", "preferred_layer", "preferred_model", "priority", "state",
  CASE WHEN jsonb_typeof("metadata" -> 'reasoning') = 'string' THEN "metadata" ->> 'reasoning' END,
  CASE WHEN jsonb_typeof("metadata" -> 'successRate') = 'number' THEN ("metadata" ->> 'successRate')::double precision END,
  'created', "updated_at"
FROM "routing_rules" ORDER BY "id";
UPDATE "routing_rules" r SET "version_id" = v."id" FROM "routing_rule_versions" v WHERE v."rule_id" = r."id";
