-- CreateTable
CREATE TABLE "model_call_pending" (
    "id" BIGSERIAL NOT NULL,
    "model_id" TEXT NOT NULL,
    "task_type" TEXT NOT NULL,
    "hour" TIMESTAMPTZ(0) NOT NULL,
    "calls" INTEGER NOT NULL,
    "successes" INTEGER NOT NULL,
    "latency_sum_ms" DOUBLE PRECISION NOT NULL,
    "latency_min_ms" DOUBLE PRECISION NOT NULL,
    "latency_max_ms" DOUBLE PRECISION NOT NULL,
    "cost_sum" DOUBLE PRECISION NOT NULL,
    "call_buckets" INTEGER[],
    "first_at" TIMESTAMPTZ(6) NOT NULL,
    "last_at" TIMESTAMPTZ(6) NOT NULL,

    CONSTRAINT "model_call_pending_pkey" PRIMARY KEY ("id")
);
