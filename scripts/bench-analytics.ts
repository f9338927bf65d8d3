// npm run bench -- analytics: the read side at gateway scale. On an embedded PGlite directory and on the PostgreSQL
// server: writes 90 days of history (~1M model calls, 10M metric values, ~590K bug occurrences, 40 rules' hits; see
// bench-dashboard.ts), then times every read-only tool in process and every dashboard page over HTTP (`next start`)
// for the ranges 24 h, 7 d, 30 d and 90 d: p50 and p95 of RUNS runs each. Prints figures; asserts nothing.
import { performance } from 'node:perf_hooks';
import { addDays, formatISO } from 'date-fns';
import type { PrismaClient } from '../server/db/client';
import { createServerDatabase, startHoneServer } from '../server/testing/hone-server';
import buildOnce from '../server/testing/next-build';
import { createInnerContext } from '../server/trpc/context';
import { createCaller } from '../server/trpc/routers/_app';
import { timeRuns, writeAnalyticsHistory, type Timing } from './bench-dashboard';

type Caller = ReturnType<typeof createCaller>;

const RUNS = 20;
const TARGET_P95_MS = 200;
const RANGES = { '24h': 24, '7d': 7 * 24, '30d': 30 * 24, '90d': 90 * 24 } as const;
type RangeName = keyof typeof RANGES;

/** A preset range as the dashboard makes it: ending at the end of the current hour. */
function rangeOf(hours: number, now = new Date()) {
  const to = new Date(Math.ceil((now.getTime() + 1) / 3_600_000) * 3_600_000);
  return { from: new Date(to.getTime() - hours * 3_600_000).toISOString(), to: to.toISOString() };
}

/** The dashboard's URL parameters for a range: a preset, or 90 whole days ending today as a custom range. */
function pageRangeParams(name: RangeName, now = new Date()): string {
  if (name !== '90d') return `range=${name}`;
  const today = formatISO(now, { representation: 'date' });
  const first = formatISO(addDays(now, -89), { representation: 'date' });
  return `range=custom&from=${first}&to=${today}`;
}

function line(label: string, t: Timing): string {
  const miss = t.p95 > TARGET_P95_MS ? `  over ${TARGET_P95_MS} ms` : '';
  return `  ${label.padEnd(62)} p50 ${t.p50.toFixed(1).padStart(7)} ms  p95 ${t.p95.toFixed(1).padStart(7)} ms${miss}`;
}

async function benchTools(caller: Caller, busiestBugId: number) {
  const once: [string, () => Promise<unknown>][] = [
    ['analyze_metrics', () => caller.modelPerformance.analyze({})],
    ['analyze_metrics (coding, no report)', () => caller.modelPerformance.analyze({ taskType: 'coding', includeReport: false })],
    ['generate_report', () => caller.modelPerformance.report({})],
    ['list_task_types', () => caller.modelPerformance.taskTypes()],
    ['get_bug_patterns (first page of 20)', () => caller.bugPatterns.list({ limit: 20 })],
    ['get_bug_patterns (category and severity)', () => caller.bugPatterns.list({ limit: 20, category: 'timeout', severity: 'high' })],
    ['list_metric_names', () => caller.metrics.names()],
    ['get_regression_tests (first page of 20)', () => caller.regressionTests.list({ limit: 20 })],
    ['get_regression_test_categories', () => caller.regressionTests.categories()],
    ['get_routing_heuristics (all)', () => caller.routing.listHeuristics({ activeOnly: false })],
    ['preview_route', () => caller.routing.preview({ input: 'please look at bench7 and bench12' })],
  ];
  for (const [label, call] of once) console.log(line(label, await timeRuns(RUNS, call, { warm: true })));
  for (const [name, hours] of Object.entries(RANGES)) {
    const range = rangeOf(hours);
    const ranged: [string, () => Promise<unknown>][] = [
      ['get_model_trends', () => caller.modelPerformance.trends(range)],
      ['get_model_trends (coding)', () => caller.modelPerformance.trends({ ...range, taskType: 'coding' })],
      ['get_model_leaderboard', () => caller.modelPerformance.leaderboard(range)],
      ['get_routing_hit_rates', () => caller.routing.hitRates(range)],
      ['get_routing_hit_rates (coding)', () => caller.routing.hitRates({ ...range, taskType: 'coding' })],
      ['get_bug_pattern_trends (by category)', () => caller.bugPatterns.trends(range)],
      [
        'get_bug_pattern_trends (by severity, one category)',
        () => caller.bugPatterns.trends({ ...range, groupBy: 'severity', category: 'api' }),
      ],
      ['get_bug_pattern (the busiest)', () => caller.bugPatterns.get({ ...range, id: busiestBugId })],
      ['get_metric_series (routing_latency)', () => caller.metrics.series({ ...range, name: 'routing_latency' })],
      [
        'get_metric_series (routing_latency by layer)',
        () => caller.metrics.series({ ...range, name: 'routing_latency', groupBy: 'layer' }),
      ],
      [
        'get_metric_series (routing_latency by model)',
        () => caller.metrics.series({ ...range, name: 'routing_latency', groupBy: 'model' }),
      ],
    ];
    for (const [label, call] of ranged) console.log(line(`${label}, ${name}`, await timeRuns(RUNS, call, { warm: true })));
  }
}

async function benchPages(url: string, busiestBugId: number) {
  const fetchPage = (page: string) => async () => {
    const response = await fetch(`${url}${page}`);
    if (!response.ok) throw new Error(`${page}: HTTP ${response.status}`);
    await response.text();
  };
  console.log(line('GET /tests', await timeRuns(RUNS, fetchPage('/tests'), { warm: true })));
  for (const name of Object.keys(RANGES) as RangeName[]) {
    const params = pageRangeParams(name);
    for (const page of ['/', '/models', '/bugs', `/bugs/${busiestBugId}`, '/heuristics', '/metrics?metric=routing_latency&groupBy=layer']) {
      const path = `${page}${page.includes('?') ? '&' : '?'}${params}`;
      console.log(line(`GET ${page}, ${name}`, await timeRuns(RUNS, fetchPage(path), { warm: true })));
    }
  }
}

async function busiestBug(prisma: PrismaClient): Promise<number> {
  const top = await prisma.bugPattern.findFirstOrThrow({ orderBy: { occurrences: 'desc' } });
  return top.id;
}

export async function run(): Promise<void> {
  buildOnce();
  for (const kind of ['pglite', 'postgres'] as const) {
    console.log(`\n${kind === 'pglite' ? 'PGlite (embedded data directory)' : 'PostgreSQL server'}:`);
    let db: Awaited<ReturnType<typeof createServerDatabase>>;
    try {
      db = await createServerDatabase(kind);
    } catch (error) {
      console.log(`  skipped: ${(error as Error).message}`);
      continue;
    }
    try {
      const busiestBugId = await db.withPrisma(async (prisma) => {
        const caller = createCaller(createInnerContext({ prisma }));
        const started = performance.now();
        const written = await writeAnalyticsHistory(prisma, caller);
        const parts = Object.entries(written.seconds).map(([part, s]) => `${part} ${s.toFixed(0)} s`);
        console.log(`  wrote the history in ${((performance.now() - started) / 1000).toFixed(0)} s (${parts.join(', ')}):`);
        console.log(
          `    ${written.modelCalls} model calls in ${written.modelHourlyRows} hourly rows, ${written.metricValues} metric values, ` +
            `${written.bugPatterns} bug patterns with ${written.bugOccurrences} occurrences, ${written.regressionTests} regression tests, ` +
            `${written.routingRules} routing rules with ${written.ruleHitRows} hourly hit rows`,
        );
        const id = await busiestBug(prisma);
        console.log(`  tools, in process (${RUNS} runs each after a warm-up):`);
        await benchTools(caller, id);
        return id;
      });
      const server = await startHoneServer({ env: db.env });
      try {
        console.log(`  pages over HTTP, next start (${RUNS} runs each after a warm-up):`);
        await benchPages(server.url, busiestBugId);
      } finally {
        await server.stop();
      }
    } finally {
      await db.drop();
    }
  }
}
