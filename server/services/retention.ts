// Deletes raw rows once they are older than their configured age, in bounded batches, so the tables that grow with
// traffic stay bounded while the aggregates built from them (model_performance, model_call_hourly, bug_patterns and
// any rollup) stay. Each batch is a short transaction deleting at most `batchSize` rows by ctid: no long lock, no
// table rewrite; PostgreSQL's autovacuum makes the space reusable.
import { setTimeout as sleep } from 'node:timers/promises';
import type { PrismaClient } from '../db/client';
import { Prisma } from '../db/generated/client';
import type { HoneEnv } from '../env';
import { scheduleRepeating } from './background-job';

/** Every kind of row retention deletes: its table and the column dating it. A new kind is one line here and its age. */
export const RETAINED_ROWS = {
  metricValues: { table: 'performance_metrics', datedBy: 'recorded_at', label: 'metric values' },
  bugOccurrences: { table: 'bug_pattern_occurrences', datedBy: 'occurred_at', label: 'bug occurrences' },
  idempotencyKeys: { table: 'ingest_events', datedBy: 'received_at', label: 'ingest eventIds' },
  // An outcome reported later than this finds no decision (a 404); the hourly counts built from them stay.
  routeDecisions: { table: 'routing_decisions', datedBy: 'decided_at', label: 'routing decisions' },
  decisionSamples: { table: 'routing_decision_samples', datedBy: 'sampled_at', label: 'routing decision input samples' },
  policyShares: { table: 'routing_policy_shares', datedBy: 'at', label: 'adaptive policy shares' },
} as const;

export type RetainedKind = keyof typeof RETAINED_ROWS;

export interface RetentionConfig {
  /** How old a row of each kind may get, in milliseconds; null keeps it forever. */
  maxAgeMs: Record<RetainedKind, number | null>;
  /** Most rows one statement deletes. */
  batchSize: number;
  /** Pause between two batches, so the deletes leave room for the traffic. */
  pauseMs: number;
}

export interface RetentionResult {
  /** Rows deleted per kind. */
  deleted: Record<RetainedKind, number>;
  /** Delete statements run. */
  batches: number;
  /** True when another server was deleting (its turn): this run stopped and leaves the rest to it. */
  busy: boolean;
}

const DAY_MS = 86_400_000;
const daysToMs = (days: number) => (days === 0 ? null : days * DAY_MS);

export function retentionConfig(
  env: Pick<
    HoneEnv,
    | 'HONE_RETENTION_METRICS_DAYS'
    | 'HONE_RETENTION_BUG_OCCURRENCES_DAYS'
    | 'HONE_IDEMPOTENCY_WINDOW'
    | 'HONE_RETENTION_DECISIONS_DAYS'
    | 'HONE_RETENTION_DECISION_SAMPLES_DAYS'
    | 'HONE_RETENTION_POLICY_SHARES_DAYS'
  >,
): RetentionConfig {
  return {
    maxAgeMs: {
      metricValues: daysToMs(env.HONE_RETENTION_METRICS_DAYS),
      bugOccurrences: daysToMs(env.HONE_RETENTION_BUG_OCCURRENCES_DAYS),
      // The ingest tool ignores older keys already; deleting them keeps the table at one window of traffic.
      idempotencyKeys: env.HONE_IDEMPOTENCY_WINDOW,
      routeDecisions: daysToMs(env.HONE_RETENTION_DECISIONS_DAYS),
      decisionSamples: daysToMs(env.HONE_RETENTION_DECISION_SAMPLES_DAYS),
      policyShares: daysToMs(env.HONE_RETENTION_POLICY_SHARES_DAYS),
    },
    batchSize: 5000,
    pauseMs: 50,
  };
}

/**
 * Servers sharing one database take turns: each batch runs under this transaction-level advisory lock, and a run that
 * finds it held stops (another server is deleting; it will finish the job). Any number: it only names the lock.
 */
export const RETENTION_LOCK = 0x686f6e65_01n;

/** Deletes every row older than its kind's age as of `now`, batch by batch; returns what it deleted. */
export async function runRetention(prisma: PrismaClient, now: Date, config: RetentionConfig): Promise<RetentionResult> {
  const kinds = Object.keys(RETAINED_ROWS) as RetainedKind[];
  const result: RetentionResult = {
    deleted: Object.fromEntries(kinds.map((kind) => [kind, 0])) as RetentionResult['deleted'],
    batches: 0,
    busy: false,
  };
  for (const kind of kinds) {
    const maxAgeMs = config.maxAgeMs[kind];
    if (maxAgeMs === null) continue;
    const cutoff = new Date(now.getTime() - maxAgeMs);
    for (;;) {
      const deleted = await deleteBatch(prisma, RETAINED_ROWS[kind], cutoff, config.batchSize);
      if (deleted === null) return { ...result, busy: true };
      result.batches += 1;
      result.deleted[kind] += deleted;
      if (deleted < config.batchSize) break;
      await sleep(config.pauseMs);
    }
  }
  return result;
}

/**
 * The oldest `limit` rows dated before `cutoff`, found through the date's index (oldest first, so each batch starts where the
 * previous one ended) and deleted by ctid; null when another server holds the turn.
 */
async function deleteBatch(
  prisma: PrismaClient,
  { table, datedBy }: (typeof RETAINED_ROWS)[RetainedKind],
  cutoff: Date,
  limit: number,
): Promise<number | null> {
  return prisma.$transaction(async (tx) => {
    const [turn] = await tx.$queryRaw<{ ours: boolean }[]>`SELECT pg_try_advisory_xact_lock(${RETENTION_LOCK}::bigint) AS ours`;
    if (!turn?.ours) return null;
    return tx.$executeRaw`
      DELETE FROM ${Prisma.raw(table)}
      WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${Prisma.raw(table)} WHERE ${Prisma.raw(datedBy)} < ${cutoff}
                             ORDER BY ${Prisma.raw(datedBy)} LIMIT ${limit}))`;
  });
}

/**
 * Runs retention now and then every `intervalMs` (each run after the previous one ended, so runs never overlap in one
 * process), until the returned function is called. Timers are unref'd: they never keep the process alive. A failed
 * run (the database unreachable) is logged and retried at the next interval.
 */
export function scheduleRetention(
  prisma: PrismaClient,
  config: RetentionConfig,
  { firstDelayMs, intervalMs }: { firstDelayMs: number; intervalMs: number },
): () => void {
  return scheduleRepeating(
    async () => {
      const { deleted, busy } = await runRetention(prisma, new Date(), config);
      const total = Object.values(deleted).reduce((sum, n) => sum + n, 0);
      if (total > 0) console.log(`Hone: retention deleted ${describeDeleted(deleted)}${busy ? ' (another server continues)' : ''}`);
    },
    { firstDelayMs, intervalMs, failure: 'retention failed' },
  );
}

function describeDeleted(deleted: Record<RetainedKind, number>): string {
  return (Object.entries(deleted) as [RetainedKind, number][])
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => `${n.toLocaleString('en')} ${RETAINED_ROWS[kind].label}`)
    .join(', ');
}

/** The ages in force, as the server says them at start: "metric values 90 days, bug occurrences forever, …". */
export function describeRetention({ maxAgeMs }: RetentionConfig): string {
  return (Object.entries(maxAgeMs) as [RetainedKind, number | null][])
    .map(([kind, ms]) => `${RETAINED_ROWS[kind].label} ${ms === null ? 'forever' : describeAge(ms)}`)
    .join(', ');
}

const describeAge = (ms: number) =>
  ms % DAY_MS === 0 ? `${ms / DAY_MS} days` : ms % 3_600_000 === 0 ? `${ms / 3_600_000} hours` : `${ms / 60_000} minutes`;
