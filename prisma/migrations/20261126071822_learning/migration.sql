-- AlterTable
ALTER TABLE "routing_decisions" ADD COLUMN     "arm_id" INTEGER,
ADD COLUMN     "cost" DOUBLE PRECISION,
ADD COLUMN     "experiment_id" INTEGER,
ADD COLUMN     "latency_ms" DOUBLE PRECISION,
ADD COLUMN     "outcome_model" TEXT,
ADD COLUMN     "policy_id" INTEGER,
ADD COLUMN     "success" BOOLEAN;

-- AlterTable
ALTER TABLE "routing_rule_versions" ADD COLUMN     "policy_id" INTEGER;

-- AlterTable
ALTER TABLE "routing_rules" ADD COLUMN     "policy_id" INTEGER;

-- CreateTable
CREATE TABLE "routing_policies" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "task_type" TEXT,
    "candidates" TEXT[],
    "cost_weight" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "latency_weight" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "cost_ceiling" DOUBLE PRECISION,
    "exploration_cap" DOUBLE PRECISION NOT NULL DEFAULT 0.1,
    "min_samples" INTEGER NOT NULL DEFAULT 20,
    "half_life" INTEGER NOT NULL DEFAULT 200,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "routing_policies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "routing_policy_params" (
    "policy_id" INTEGER NOT NULL,
    "task_type" TEXT NOT NULL,
    "computed_at" TIMESTAMPTZ(6) NOT NULL,
    "arms" JSONB NOT NULL,

    CONSTRAINT "routing_policy_params_pkey" PRIMARY KEY ("policy_id","task_type")
);

-- CreateTable
CREATE TABLE "routing_policy_shares" (
    "policy_id" INTEGER NOT NULL,
    "task_type" TEXT NOT NULL,
    "at" TIMESTAMPTZ(6) NOT NULL,
    "model" TEXT NOT NULL,
    "share" DOUBLE PRECISION NOT NULL,

    CONSTRAINT "routing_policy_shares_pkey" PRIMARY KEY ("policy_id","task_type","at","model")
);

-- CreateTable
CREATE TABLE "routing_experiments" (
    "id" SERIAL NOT NULL,
    "name" TEXT NOT NULL,
    "rule_id" INTEGER NOT NULL,
    "task_type" TEXT,
    "status" TEXT NOT NULL DEFAULT 'running',
    "alpha" DOUBLE PRECISION NOT NULL DEFAULT 0.05,
    "mixture_variance" DOUBLE PRECISION NOT NULL DEFAULT 0.0025,
    "min_outcomes" INTEGER NOT NULL DEFAULT 100,
    "guard" BOOLEAN NOT NULL DEFAULT true,
    "salt" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" TEXT,
    "updated_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stopped_at" TIMESTAMPTZ(6),
    "stop_reason" TEXT,
    "promoted_arm_id" INTEGER,
    "promoted_version_id" INTEGER,

    CONSTRAINT "routing_experiments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "routing_experiment_arms" (
    "id" SERIAL NOT NULL,
    "experiment_id" INTEGER NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "weight" DOUBLE PRECISION NOT NULL DEFAULT 1,
    "variant" JSONB NOT NULL,
    "stopped_at" TIMESTAMPTZ(6),
    "stop_reason" TEXT,
    "decisions" INTEGER NOT NULL DEFAULT 0,
    "outcomes" INTEGER NOT NULL DEFAULT 0,
    "successes" INTEGER NOT NULL DEFAULT 0,
    "latency_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "latency_sumsq" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "latency_count" INTEGER NOT NULL DEFAULT 0,
    "cost_sum" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "cost_sumsq" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "cost_count" INTEGER NOT NULL DEFAULT 0,
    "min_p_value" DOUBLE PRECISION NOT NULL DEFAULT 1,

    CONSTRAINT "routing_experiment_arms_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "routing_policies_name_key" ON "routing_policies"("name");

-- CreateIndex
CREATE INDEX "routing_policy_shares_at_idx" ON "routing_policy_shares"("at");

-- CreateIndex
CREATE INDEX "routing_experiments_status_idx" ON "routing_experiments"("status");

-- CreateIndex
CREATE UNIQUE INDEX "routing_experiment_arms_experiment_id_position_key" ON "routing_experiment_arms"("experiment_id", "position");

-- CreateIndex
CREATE INDEX "routing_decisions_policy_id_outcome_at_idx" ON "routing_decisions"("policy_id", "outcome_at" DESC);

-- AddForeignKey
ALTER TABLE "routing_policy_params" ADD CONSTRAINT "routing_policy_params_policy_id_fkey" FOREIGN KEY ("policy_id") REFERENCES "routing_policies"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "routing_experiment_arms" ADD CONSTRAINT "routing_experiment_arms_experiment_id_fkey" FOREIGN KEY ("experiment_id") REFERENCES "routing_experiments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Written by hand from here: a rule's policy is part of what a decision depends on, so changing it makes a new version
-- (the three version triggers of 20261126042737_routing_rule_versioning, with policy_id added).

CREATE OR REPLACE FUNCTION routing_rule_version_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO routing_rule_versions (id, rule_id, version, pattern, preferred_layer, preferred_model, priority, state,
    reasoning, stated_success_rate, policy_id, change, changed_by, changed_at)
  VALUES (NEW.version_id, NEW.id, NEW.version, NEW.pattern, NEW.preferred_layer, NEW.preferred_model, NEW.priority, NEW.state,
    CASE WHEN jsonb_typeof(NEW.metadata -> 'reasoning') = 'string' THEN NEW.metadata ->> 'reasoning' END,
    CASE WHEN jsonb_typeof(NEW.metadata -> 'successRate') = 'number' THEN (NEW.metadata ->> 'successRate')::double precision END,
    NEW.policy_id, 'created', routing_rule_changed_by(), clock_timestamp());
  RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION routing_rule_version_on_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (NEW.pattern, NEW.preferred_layer, NEW.preferred_model, NEW.priority, NEW.state, NEW.policy_id)
     IS NOT DISTINCT FROM (OLD.pattern, OLD.preferred_layer, OLD.preferred_model, OLD.priority, OLD.state, OLD.policy_id) THEN
    -- Nothing a decision depends on changed: the version stays (and cannot be rewritten by hand).
    NEW.version_id := OLD.version_id;
    NEW.version := OLD.version;
    RETURN NEW;
  END IF;
  NEW.version := OLD.version + 1;
  INSERT INTO routing_rule_versions (rule_id, version, pattern, preferred_layer, preferred_model, priority, state,
    reasoning, stated_success_rate, policy_id, change, changed_by, changed_at)
  VALUES (NEW.id, NEW.version, NEW.pattern, NEW.preferred_layer, NEW.preferred_model, NEW.priority, NEW.state,
    CASE WHEN jsonb_typeof(NEW.metadata -> 'reasoning') = 'string' THEN NEW.metadata ->> 'reasoning' END,
    CASE WHEN jsonb_typeof(NEW.metadata -> 'successRate') = 'number' THEN (NEW.metadata ->> 'successRate')::double precision END,
    NEW.policy_id, 'updated', routing_rule_changed_by(), clock_timestamp())
  RETURNING id INTO NEW.version_id;
  RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION routing_rule_version_on_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO routing_rule_versions (rule_id, version, pattern, preferred_layer, preferred_model, priority, state,
    reasoning, stated_success_rate, policy_id, change, changed_by, changed_at)
  VALUES (OLD.id, OLD.version + 1, OLD.pattern, OLD.preferred_layer, OLD.preferred_model, OLD.priority, OLD.state,
    CASE WHEN jsonb_typeof(OLD.metadata -> 'reasoning') = 'string' THEN OLD.metadata ->> 'reasoning' END,
    CASE WHEN jsonb_typeof(OLD.metadata -> 'successRate') = 'number' THEN (OLD.metadata ->> 'successRate')::double precision END,
    OLD.policy_id, 'deleted', routing_rule_changed_by(), clock_timestamp());
  RETURN NULL;
END
$$;
