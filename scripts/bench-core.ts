// npm run bench -- core: throughput and latency of the hot operations, on in-memory PGlite and on the
// PostgreSQL server (skipped with a note when it cannot be reached). Prints figures; asserts nothing.
import { performance } from 'node:perf_hooks';
import { seedDemoData } from '../server/demo/seed';
import { modelCallFigures } from '../server/services/model-trends';
import { createScratchDatabase, type ScratchDatabase } from '../server/testing/scratch-database';
import { timeRuns } from './bench-dashboard';

async function inParallel(total: number, concurrency: number, task: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await task(next++);
    }),
  );
}

async function rate(label: string, total: number, concurrency: number, task: (i: number) => Promise<unknown>) {
  const started = performance.now();
  await inParallel(total, concurrency, task);
  const seconds = (performance.now() - started) / 1000;
  console.log(`  ${label.padEnd(58)} ${String(Math.round(total / seconds)).padStart(7)} ops/s  (${total} ops, concurrency ${concurrency})`);
}

async function timed(label: string, runs: number, task: () => Promise<unknown>) {
  const { p50, max } = await timeRuns(runs, task);
  console.log(`  ${label.padEnd(58)} median ${p50.toFixed(1)} ms, max ${max.toFixed(1)} ms  (${runs} runs)`);
}

async function bench(db: ScratchDatabase) {
  const { caller, prisma } = db;
  await rate('update_model_performance, one key', 2000, 1, () =>
    caller.modelPerformance.update({ modelId: 'm', taskType: 'coding', success: true, latencyMs: 1200, cost: 0.01 }),
  );
  await rate('update_model_performance, one key', 4000, 32, (i) =>
    caller.modelPerformance.update({ modelId: 'm', taskType: 'coding', success: i % 10 !== 0, latencyMs: 100 + (i % 3000), cost: 0.01 }),
  );
  await rate('update_model_performance, 40 keys', 4000, 32, (i) =>
    caller.modelPerformance.update({ modelId: `m${i % 10}`, taskType: `t${i % 4}`, success: true, latencyMs: 500, cost: 0.001 }),
  );
  await rate('record_bug_pattern, 50 patterns', 2000, 32, (i) =>
    caller.bugPatterns.record({ category: 'api', pattern: `p${i % 50}`, severity: 'medium', description: 'd' }),
  );
  for (let i = 0; i < 20; i++) {
    await caller.routing.updateHeuristic({ pattern: `\\b(keyword${i}|topic${i})\\b.*please`, preferredLayer: 'balanced', priority: i });
  }
  await caller.routing.updateHeuristic({ pattern: '.*implement.*algorithm.*', preferredLayer: 'deep', priority: -1 });
  const prompt = 'Could you look at this function and tell me why it is slow? '.repeat(20);
  await rate('resolve_route, 21 rules, counted', 4000, 32, (i) =>
    caller.routing.resolve({ input: i % 2 ? prompt : `${prompt} topic7 please`, taskType: 'chat' }),
  );
  await rate('resolve_route, 21 rules, dry run (in-memory matching only)', 20000, 1, () =>
    caller.routing.resolve({ input: prompt, dryRun: true }),
  );
  const adversarial = 'implement '.repeat(100_000);
  await timed('resolve_route, 1 MB adversarial input for the spec pattern', 3, () =>
    caller.routing.resolve({ input: adversarial, dryRun: true }),
  );

  await db.truncate();
  const started = performance.now();
  const seeded = await seedDemoData(prisma, { days: 28 });
  console.log(
    `  ${'seed 28 days of demo history'.padEnd(58)} ${((performance.now() - started) / 1000).toFixed(1)} s (${seeded.modelCalls} calls)`,
  );
  await timed('analyze_metrics, all task types', 10, () => caller.modelPerformance.analyze());
  await timed('generate_report', 10, () => caller.modelPerformance.report());
  const month = { from: new Date(Date.now() - 30 * 86_400_000), to: new Date(Date.now() + 3_600_000) };
  await timed('30-day per-model summary with p50/p95/p99 from rollups', 10, () => modelCallFigures(prisma, month));
}

export async function run(): Promise<void> {
  for (const kind of ['pglite', 'postgres'] as const) {
    console.log(`\n${kind === 'pglite' ? 'PGlite (in memory)' : 'PostgreSQL server'}:`);
    let db: ScratchDatabase;
    try {
      db = await createScratchDatabase(kind);
    } catch (error) {
      console.log(`  skipped: ${(error as Error).message}`);
      continue;
    }
    try {
      await bench(db);
    } finally {
      await db.drop();
    }
  }
}
