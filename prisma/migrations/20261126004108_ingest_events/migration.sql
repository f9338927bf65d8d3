-- CreateTable
CREATE TABLE "ingest_events" (
    "kind" TEXT NOT NULL,
    "event_id" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ingest_events_pkey" PRIMARY KEY ("kind","event_id")
);

-- CreateIndex
CREATE INDEX "ingest_events_received_at_idx" ON "ingest_events"("received_at");
