import { describe, expect, it } from 'vitest';
import { MAX_MODEL_ROWS } from '../services/model-analysis';
import { MAX_LISTED } from '../services/pagination';
import { getRegressionTestsInCategory, vitestFileOf } from '../services/regression-tests';
import { useTestDatabase } from './database';

// Lists in answers that grow with what clients make up (task types, metric names, categories, models) are capped:
// a million made-up names must not make one answer huge. Rows are written straight into the tables, many at once.

const t = useTestDatabase();

const padded = (i: number) => String(i).padStart(5, '0');
const OVER = MAX_LISTED + 5;

describe(`lists that are not paged hold at most ${MAX_LISTED} entries (${process.env.HONE_TEST_DB ?? 'pglite'})`, () => {
  it('lists the first task types and metric names alphabetically', async () => {
    await t.db.prisma.modelPerformance.createMany({
      data: Array.from({ length: OVER }, (_, i) => ({
        modelId: 'm',
        taskType: `task_${padded(OVER - i)}`,
        successRate: 100,
        avgLatencyMs: 10,
        avgCost: 0,
        totalCalls: 1,
        successes: 1,
        latencySumMs: 10,
        costSum: 0,
      })),
    });
    const taskTypes = await t.db.caller.modelPerformance.taskTypes();
    expect(taskTypes).toHaveLength(MAX_LISTED);
    expect(taskTypes[0]).toBe('task_00001');
    expect(taskTypes.at(-1)).toBe(`task_${padded(MAX_LISTED)}`);

    await t.db.prisma.performanceMetric.createMany({
      data: Array.from({ length: OVER }, (_, i) => ({ metricName: `metric_${padded(i)}`, metricValue: i, metricUnit: 'ms' })),
    });
    const names = await t.db.caller.metrics.names();
    expect(names).toHaveLength(MAX_LISTED);
    expect(names[0]).toMatchObject({ name: 'metric_00000', values: 1 });
  });

  it('lists the first regression test categories, and a downloaded category says when it has more tests', async () => {
    const test = (name: string, category: string) => ({
      testName: name,
      category,
      description: 'd',
      testCode: 'it("runs", () => {});',
      expectedBehavior: 'e',
      discoveredFrom: 'bug' as const,
    });
    await t.db.prisma.regressionTest.createMany({ data: Array.from({ length: OVER }, (_, i) => test(`t${i}`, `cat_${padded(i)}`)) });
    const categories = await t.db.caller.regressionTests.categories();
    expect(categories).toHaveLength(MAX_LISTED);
    expect(categories[0]).toEqual({ category: 'cat_00000', tests: 1 });

    await t.db.prisma.regressionTest.createMany({ data: Array.from({ length: MAX_LISTED }, (_, i) => test(`big${i}`, 'big')) });
    const full = await getRegressionTestsInCategory(t.db.prisma, 'big');
    expect(full).toMatchObject({ more: false });
    expect(vitestFileOf(full.tests, full)).not.toContain('has more tests');
    await t.db.prisma.regressionTest.create({ data: test('big-last', 'big') });
    const cut = await getRegressionTestsInCategory(t.db.prisma, 'big');
    expect(cut.tests).toHaveLength(MAX_LISTED);
    expect(cut.more).toBe(true);
    expect(cut.tests.map((x) => x.testName)).not.toContain('big-last');
    expect(vitestFileOf(cut.tests, cut)).toContain(`The category has more tests than the ${MAX_LISTED} oldest listed here`);
  });
});

describe(`analyze_metrics over more (model, task type) pairs than it lists (${process.env.HONE_TEST_DB ?? 'pglite'})`, () => {
  it(`lists ${MAX_MODEL_ROWS} models, their task types' leaders, and at most 50 recommendations about models`, async () => {
    // Per task type: a leader and a model 50 points below it (an underperformer), plus many one-call models.
    const pairs = Array.from({ length: 300 }, (_, i) => [
      { modelId: 'leader', taskType: `task_${padded(i)}`, successRate: 100, calls: 10 },
      { modelId: 'laggard', taskType: `task_${padded(i)}`, successRate: 50, calls: 10 },
      { modelId: 'newcomer', taskType: `task_${padded(i)}`, successRate: 100, calls: 1 },
    ]).flat();
    await t.db.prisma.modelPerformance.createMany({
      data: pairs.map(({ modelId, taskType, successRate, calls }) => ({
        modelId,
        taskType,
        successRate,
        avgLatencyMs: 10,
        avgCost: 0.01,
        totalCalls: calls,
        successes: (calls * successRate) / 100,
        latencySumMs: 10 * calls,
        costSum: 0.01 * calls,
      })),
    });
    const analysis = await t.db.caller.modelPerformance.analyze({});
    expect(analysis.models).toHaveLength(MAX_MODEL_ROWS);
    expect(analysis.truncated).toBe(true);
    // The 300 leaders come first (merit order), so each of their task types has its leader listed.
    expect(Object.keys(analysis.bestByTaskType)).toHaveLength(300);
    expect(Object.values(analysis.bestByTaskType).every((m) => m.modelId === 'leader')).toBe(true);
    const aboutModels = analysis.recommendations!.filter((r) => r.kind !== 'untested-bug-pattern');
    expect(aboutModels).toHaveLength(50);
    // The most telling kind is kept: 300 underperformers outrank 300 low samples.
    expect(aboutModels.every((r) => r.kind === 'underperforming-model')).toBe(true);
    expect(analysis.report).toContain('… and 550 more about models: filter by taskType.');
    expect(analysis.report).toContain(`… and ${pairs.length - MAX_MODEL_ROWS} more (model, task type) pairs not shown`);
  });
});
