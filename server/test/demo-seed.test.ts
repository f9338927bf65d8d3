import { describe, expect, it } from 'vitest';
import { isDatabaseEmpty, seedDemoData } from '../demo/seed';
import { modelCallFigures } from '../services/model-trends';
import { getRoutingHitRates } from '../services/routing/hit-rates';
import { useTestDatabase } from './database';

const t = useTestDatabase();

describe('demo data', () => {
  it('is consistent: totals are the sums of the rollups, decisions are hits plus misses', async () => {
    expect(await isDatabaseEmpty(t.db.prisma)).toBe(true);
    const now = new Date();
    const summary = await seedDemoData(t.db.prisma, { days: 7, now });
    expect(await isDatabaseEmpty(t.db.prisma)).toBe(false);

    const totals = await t.db.prisma.modelPerformance.findMany();
    const hourly = await modelCallFigures(t.db.prisma, { from: new Date(0), to: new Date(now.getTime() + 3600_000) });
    expect(hourly.reduce((n, m) => n + m.totalCalls, 0)).toBe(summary.modelCalls);
    for (const total of totals) {
      const rollup = hourly.find((h) => h.modelId === total.modelId && h.taskType === total.taskType)!;
      expect(rollup.totalCalls).toBe(Number(total.totalCalls));
      expect(rollup.successes).toBe(Number(total.successes));
      expect(rollup.avgLatencyMs).toBeCloseTo(total.avgLatencyMs, 6);
      expect(rollup.p50LatencyMs).toBeGreaterThan(0);
    }

    const stats = await getRoutingHitRates(t.db.prisma, {
      from: new Date(now.getTime() - 8 * 86_400_000).toISOString(),
      to: new Date(now.getTime() + 3600_000).toISOString(),
    });
    expect(stats.decisions).toBe(summary.routingDecisions);
    expect(stats.rules.reduce((n, r) => n + r.hits, 0) + stats.misses).toBe(stats.decisions);

    const bugs = await t.db.prisma.bugPattern.findMany({ include: { _count: { select: { reports: true } } } });
    for (const bug of bugs) expect(bug._count.reports).toBe(bug.occurrences);
    expect(bugs.reduce((n, b) => n + b.occurrences, 0)).toBe(summary.bugOccurrences);

    const analysis = await t.db.caller.modelPerformance.analyze({ taskType: 'coding' });
    expect(analysis.topModels[0]!.modelId).toBe('claude-sonnet-4');
    expect(analysis.models.find((m) => m.modelId === 'mistral-large')?.lowSample).toBe(true);
  });
});
