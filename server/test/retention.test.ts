// Retention: raw rows older than their age are deleted in bounded batches; young rows and every aggregate stay;
// servers sharing a database take turns.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { RETENTION_LOCK, runRetention, scheduleRetention, type RetentionConfig } from '../services/retention';
import { testDatabaseKind, useTestDatabase } from './database';

const t = useTestDatabase();

const DAY = 86_400_000;
const now = new Date();
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY).toISOString();

const config = (overrides: Partial<RetentionConfig['maxAgeMs']> = {}): RetentionConfig => ({
  maxAgeMs: {
    metricValues: 90 * DAY,
    bugOccurrences: 400 * DAY,
    idempotencyKeys: 7 * DAY,
    routeDecisions: 7 * DAY,
    decisionSamples: 30 * DAY,
    policyShares: 90 * DAY,
    ...overrides,
  },
  batchSize: 10,
  pauseMs: 0,
});

/**
 * 35 metric values of 100 days ago and 5 of 89; 12 bug reports of 500 days ago and 3 of 10; 40 eventIds, 3 of them 8 days old;
 * routing decisions (each with its input sample) 3 of 31 days ago, 4 of 8 and 2 of 1.
 */
async function seed() {
  const metric = { metricName: 'latency', metricValue: 1, metricUnit: 'ms' };
  const call = { modelId: 'm', taskType: 'coding', success: true, latencyMs: 100, cost: 0.5 };
  const bug = { category: 'timeout', pattern: 'slow', severity: 'high' as const };
  await t.db.caller.ingest.batch({
    metrics: [...Array(35).fill({ ...metric, at: daysAgo(100) }), ...Array(5).fill({ ...metric, at: daysAgo(89) })],
    bugReports: [...Array(12).fill({ ...bug, at: daysAgo(500) }), ...Array(3).fill({ ...bug, at: daysAgo(10) })],
    modelCalls: Array.from({ length: 40 }, (_, i) => ({ ...call, eventId: `e${i}`, at: daysAgo(i < 20 ? 200 : 1) })),
    routeDecisions: [31, 31, 31, 8, 8, 8, 8, 1, 1].map((days) => ({
      decisionId: randomUUID(),
      at: daysAgo(days),
      versionId: null,
      ruleId: null,
      layer: 'fast' as const,
      model: null,
      input: `decided ${days} days ago`,
    })),
  });
  await t.db.prisma.ingestEvent.updateMany({ where: { eventId: { in: ['e0', 'e1', 'e2'] } }, data: { receivedAt: new Date(daysAgo(8)) } });
  // An adaptive policy's share history: 4 rows of 100 days ago, 2 of 1 day.
  await t.db.prisma.routingPolicyShare.createMany({
    data: [100, 100, 1].flatMap((days, i) =>
      ['a', 'b'].map((model) => ({ policyId: 1, taskType: '', at: new Date(new Date(daysAgo(days)).getTime() + i), model, share: 0.5 })),
    ),
  });
}

async function snapshot() {
  const { prisma } = t.db;
  return {
    metricValues: await prisma.performanceMetric.count(),
    bugOccurrences: await prisma.bugPatternOccurrence.count(),
    idempotencyKeys: await prisma.ingestEvent.count(),
    routeDecisions: await prisma.routingDecision.count(),
    decisionSamples: await prisma.routingDecisionSample.count(),
    policyShares: await prisma.routingPolicyShare.count(),
    aggregates: {
      models: await prisma.modelPerformance.findMany(),
      hours: await prisma.modelCallHourly.findMany({ orderBy: { hour: 'asc' } }),
      bugPatterns: await prisma.bugPattern.findMany(),
      routingHours: await prisma.routingDecisionHourly.findMany({ orderBy: { hour: 'asc' } }),
    },
  };
}

describe(`retention (${testDatabaseKind})`, () => {
  it('deletes rows older than their age in batches of at most batchSize, keeping young rows and every aggregate', async () => {
    await seed();
    const before = await snapshot();
    expect(before).toMatchObject({
      metricValues: 40,
      bugOccurrences: 15,
      idempotencyKeys: 40,
      routeDecisions: 9,
      decisionSamples: 9,
      policyShares: 6,
    });

    const result = await runRetention(t.db.prisma, now, config());
    expect(result).toEqual({
      deleted: { metricValues: 35, bugOccurrences: 12, idempotencyKeys: 3, routeDecisions: 7, decisionSamples: 3, policyShares: 4 },
      batches: 4 + 2 + 1 + 1 + 1 + 1,
      busy: false,
    });

    const after = await snapshot();
    expect(after).toMatchObject({
      metricValues: 5,
      bugOccurrences: 3,
      idempotencyKeys: 37,
      routeDecisions: 2,
      decisionSamples: 6,
      policyShares: 2,
    });
    expect(after.aggregates).toEqual(before.aggregates);
    expect((await t.db.prisma.performanceMetric.findMany()).every((m) => m.recordedAt.getTime() > now.getTime() - 90 * DAY)).toBe(true);

    // Nothing old is left: a second run deletes nothing, in one statement per kind.
    expect(await runRetention(t.db.prisma, now, config())).toEqual({
      deleted: { metricValues: 0, bugOccurrences: 0, idempotencyKeys: 0, routeDecisions: 0, decisionSamples: 0, policyShares: 0 },
      batches: 6,
      busy: false,
    });
  });

  it('keeps a kind forever when its age is off, and lets a forgotten eventId be stored again', async () => {
    await seed();
    const result = await runRetention(
      t.db.prisma,
      now,
      config({ metricValues: null, bugOccurrences: null, routeDecisions: null, decisionSamples: null, policyShares: null }),
    );
    expect(result.deleted).toEqual({
      metricValues: 0,
      bugOccurrences: 0,
      idempotencyKeys: 3,
      routeDecisions: 0,
      decisionSamples: 0,
      policyShares: 0,
    });
    expect(await snapshot()).toMatchObject({
      metricValues: 40,
      bugOccurrences: 15,
      idempotencyKeys: 37,
      routeDecisions: 9,
      decisionSamples: 9,
      policyShares: 6,
    });

    const again = await t.db.caller.ingest.batch({
      modelCalls: ['e0', 'e3'].map((eventId) => ({ eventId, modelId: 'm', taskType: 'coding', success: true, latencyMs: 1, cost: 0 })),
    });
    expect(again.outcomes.modelCalls).toEqual(['stored', 'duplicate']);
  });

  it('runs on a schedule until stopped', async () => {
    await seed();
    const stop = scheduleRetention(t.db.prisma, config(), { firstDelayMs: 0, intervalMs: 10 });
    try {
      await expect.poll(() => t.db.prisma.performanceMetric.count(), { timeout: 30_000, interval: 50 }).toBe(5);
    } finally {
      stop();
    }
    await expect.poll(() => t.db.prisma.bugPatternOccurrence.count(), { timeout: 30_000, interval: 50 }).toBe(3);
  });

  it.runIf(testDatabaseKind === 'postgres')('stops, deleting nothing, while another server holds the turn', async () => {
    await seed();
    const other = new pg.Client({ connectionString: t.db.url! });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1::bigint)', [String(RETENTION_LOCK)]);
      const result = await runRetention(t.db.prisma, now, config());
      expect(result).toMatchObject({
        busy: true,
        batches: 0,
        deleted: { metricValues: 0, bugOccurrences: 0, idempotencyKeys: 0, routeDecisions: 0, decisionSamples: 0 },
      });
      expect(await snapshot()).toMatchObject({ metricValues: 40, bugOccurrences: 15, idempotencyKeys: 40 });

      await other.query('SELECT pg_advisory_unlock($1::bigint)', [String(RETENTION_LOCK)]);
      expect((await runRetention(t.db.prisma, now, config())).deleted).toEqual({
        metricValues: 35,
        bugOccurrences: 12,
        idempotencyKeys: 3,
        routeDecisions: 7,
        decisionSamples: 3,
        policyShares: 4,
      });
    } finally {
      await other.end();
    }
  });
});
