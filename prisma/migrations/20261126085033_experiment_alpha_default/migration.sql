-- AlterTable
ALTER TABLE "routing_experiments" ALTER COLUMN "alpha" SET DEFAULT 0.025;
