// npm run bench -- analytics [--db=pglite|postgres] [--only=tools|pages] [--fresh]: the read side at gateway scale.
// On an embedded PGlite directory and on the PostgreSQL server: writes 90 days of history (~1M model calls, 10M metric
// values, ~590K bug occurrences, 40 rules' hits, 40 experiments; see bench-dashboard.ts) or reuses the one written last time, then
// times every read-only tool in process and every dashboard page over HTTP (`next start`) for the ranges 24 h, 7 d, 30 d and 90 d: p50 and p95 of RUNS runs each. Prints figures; asserts nothing.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { addDays, formatISO } from 'date-fns';
import pg from 'pg';
import { openDatabase, type PrismaClient } from '../server/db/client';
import { ROOT, startHoneServer } from '../server/testing/hone-server';
import buildOnce from '../server/testing/next-build';
import { ADMIN_URL } from '../server/testing/scratch-database';
import { createInnerContext } from '../server/trpc/context';
import { createCaller } from '../server/trpc/routers/_app';
import type { SuiteOptions } from './bench';
import { AHEAD_DAYS, HISTORY_VERSION, timeRuns, writeAnalyticsHistory, type HistoryFigures, type Timing } from './bench-dashboard';

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

async function benchTools(caller: Caller, { busiestBugId, experimentId }: HistoryIds) {
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
    ['list_experiments (all)', () => caller.experiments.list({})],
    ['get_experiment (a running one)', () => caller.experiments.get({ id: experimentId })],
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

async function benchPages(url: string, { busiestBugId, experimentId }: HistoryIds) {
  const fetchPage = (page: string) => async () => {
    const response = await fetch(`${url}${page}`);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    await response.text();
  };
  // A page that fails is said and the others still timed.
  const time = async (label: string, page: string) => {
    try {
      console.log(line(label, await timeRuns(RUNS, fetchPage(page), { warm: true })));
    } catch (error) {
      console.log(`  ${label.padEnd(62)} failed: ${(error as Error).message}`);
    }
  };
  // What any request through Next's router costs on this machine at this moment, data aside: read the pages against it.
  await time('GET /api/health (the floor: Next routing, one trivial query)', '/api/health');
  await time('GET /tests', '/tests');
  await time('GET /experiments', '/experiments');
  await time('GET /experiments/<id> (running)', `/experiments/${experimentId}`);
  for (const name of Object.keys(RANGES) as RangeName[]) {
    const params = pageRangeParams(name);
    for (const page of ['/', '/models', '/bugs', `/bugs/${busiestBugId}`, '/heuristics', '/metrics?metric=routing_latency&groupBy=layer']) {
      const path = `${page}${page.includes('?') ? '&' : '?'}${params}`;
      await time(`GET ${page}, ${name}`, path);
    }
  }
}

/** What the timed reads ask for by id: the bug pattern with the most occurrences, and a running experiment. */
interface HistoryIds {
  busiestBugId: number;
  experimentId: number;
}

async function historyIds(prisma: PrismaClient): Promise<HistoryIds> {
  const top = await prisma.bugPattern.findFirstOrThrow({ orderBy: { occurrences: 'desc' } });
  const running = await prisma.routingExperiment.findFirstOrThrow({ where: { status: 'running' }, orderBy: { id: 'asc' } });
  return { busiestBugId: top.id, experimentId: running.id };
}

// Writing the history takes minutes (on PGlite above all), so the database it was written into is kept under
// .hone/bench-cache and reused while its history still reaches past the current hour (AHEAD_DAYS) and it was written
// by this generator on this schema. The benchmark only reads it: read-only tools, GET pages, and a server whose
// retention job is off. --fresh writes a new one.

const CACHE_DIR = path.join(ROOT, '.hone/bench-cache');

interface SavedHistory {
  key: string;
  writtenAt: string;
  figures: HistoryFigures;
}

/** What a saved history must match: the generator's version and every migration's text. */
function historyKey(): string {
  const hash = createHash('sha256').update(`history v${HISTORY_VERSION}\n`);
  const migrations = path.join(ROOT, 'prisma/migrations');
  for (const name of readdirSync(migrations).sort()) {
    const sql = path.join(migrations, name, 'migration.sql');
    if (existsSync(sql)) hash.update(`${name}\n`).update(readFileSync(sql));
  }
  return hash.digest('hex').slice(0, 12);
}

function readSaved(kind: Kind, key: string): SavedHistory | null {
  const file = path.join(CACHE_DIR, `analytics-${kind}.json`);
  if (!existsSync(file)) return null;
  const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedHistory;
  const usableUntil = addDays(new Date(saved.writtenAt), AHEAD_DAYS).getTime() - 3_600_000;
  return saved.key === key && Date.now() < usableUntil ? saved : null;
}

function writeSaved(kind: Kind, saved: SavedHistory) {
  mkdirSync(CACHE_DIR, { recursive: true });
  writeFileSync(path.join(CACHE_DIR, `analytics-${kind}.json`), `${JSON.stringify(saved, null, 2)}\n`);
}

type Kind = 'pglite' | 'postgres';

interface BenchDatabase {
  env: Record<string, string>;
  withPrisma<T>(work: (prisma: PrismaClient) => Promise<T>): Promise<T>;
  /** What the history holds, and when it was written. */
  written: HistoryFigures;
  savedAt: string;
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function writeHistory(prisma: PrismaClient): Promise<HistoryFigures> {
  const caller = createCaller(createInnerContext({ prisma }));
  const started = performance.now();
  const written = await writeAnalyticsHistory(prisma, caller);
  const parts = Object.entries(written.seconds).map(([part, s]) => `${part} ${s.toFixed(0)} s`);
  console.log(`  wrote the history in ${((performance.now() - started) / 1000).toFixed(0)} s (${parts.join(', ')})`);
  return written;
}

/** The saved history of this kind, written first when there is none to reuse. */
async function historyDatabase(kind: Kind, fresh: boolean): Promise<BenchDatabase> {
  const key = historyKey();
  const saved = fresh ? null : readSaved(kind, key);
  if (kind === 'pglite') {
    const dataDir = path.join(CACHE_DIR, 'analytics-pglite');
    const withPrisma = async <T>(work: (prisma: PrismaClient) => Promise<T>): Promise<T> => {
      const db = await openDatabase({ kind: 'pglite', dataDir }, { migrate: true });
      try {
        return await work(db.prisma);
      } finally {
        await db.close();
      }
    };
    const env = { HONE_DATA_DIR: dataDir };
    if (saved && existsSync(dataDir)) return { env, withPrisma, written: saved.figures, savedAt: saved.writtenAt };
    rmSync(dataDir, { recursive: true, force: true });
    const writtenAt = new Date().toISOString();
    const figures = await withPrisma(writeHistory);
    writeSaved(kind, { key, writtenAt, figures });
    return { env, withPrisma, written: figures, savedAt: writtenAt };
  }
  const database = 'hone_bench_analytics';
  const url = new URL(ADMIN_URL);
  url.pathname = `/${database}`;
  const target = { kind: 'postgres', url: url.toString() } as const;
  const withPrisma = async <T>(work: (prisma: PrismaClient) => Promise<T>): Promise<T> => {
    const db = await openDatabase(target, { migrate: false });
    try {
      return await work(db.prisma);
    } finally {
      await db.close();
    }
  };
  const env = { DATABASE_URL: target.url };
  const exists = await withAdmin(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database])).rowCount === 1);
  if (saved && exists) return { env, withPrisma, written: saved.figures, savedAt: saved.writtenAt };
  await withAdmin(async (c) => {
    await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await c.query(`CREATE DATABASE ${database}`);
  });
  const writtenAt = new Date().toISOString();
  const db = await openDatabase(target, { migrate: true });
  let figures: HistoryFigures;
  try {
    figures = await writeHistory(db.prisma);
    // Fresh statistics for the planner, as autovacuum would have gathered by the time a real database held this.
    await db.prisma.$executeRawUnsafe('ANALYZE');
  } finally {
    await db.close();
  }
  writeSaved(kind, { key, writtenAt, figures });
  return { env, withPrisma, written: figures, savedAt: writtenAt };
}

/**
 * Options: --db=pglite|postgres (default both), --only=tools|pages (default both), --fresh (write a new history even
 * when a saved one could be reused).
 */
export async function run(options: SuiteOptions = {}): Promise<void> {
  const kinds = (options.db ? [options.db] : ['pglite', 'postgres']) as Kind[];
  const parts = options.only ? [options.only] : ['tools', 'pages'];
  if (kinds.some((k) => k !== 'pglite' && k !== 'postgres')) throw new Error(`--db is pglite or postgres, not ${options.db}`);
  if (parts.some((p) => p !== 'tools' && p !== 'pages')) throw new Error(`--only is tools or pages, not ${options.only}`);
  if (parts.includes('pages')) buildOnce();
  for (const kind of kinds) {
    console.log(`\n${kind === 'pglite' ? 'PGlite (embedded data directory)' : 'PostgreSQL server'}:`);
    let db: BenchDatabase;
    try {
      db = await historyDatabase(kind, options.fresh === 'true');
    } catch (error) {
      console.log(`  skipped: ${(error as Error).message}`);
      continue;
    }
    const w = db.written;
    console.log(
      `  history written ${db.savedAt} (${AHEAD_DAYS} days of it after that hour): ${w.modelCalls} model calls in ${w.modelHourlyRows} hourly rows, ` +
        `${w.metricValues} metric values, ${w.bugPatterns} bug patterns with ${w.bugOccurrences} occurrences, ` +
        `${w.regressionTests} regression tests, ${w.routingRules} routing rules with ${w.ruleHitRows} hourly hit rows, ` +
        `${w.experiments} experiments`,
    );
    console.log(
      `  load average at start: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    const ids = await db.withPrisma(async (prisma) => {
      const found = await historyIds(prisma);
      if (parts.includes('tools')) {
        console.log(`  tools, in process (${RUNS} runs each after a warm-up):`);
        await benchTools(createCaller(createInnerContext({ prisma })), found);
      }
      return found;
    });
    if (parts.includes('pages')) {
      // The retention job would start deleting the saved history's oldest raw rows while the pages are timed.
      const server = await startHoneServer({
        env: { ...db.env, HONE_RETENTION_METRICS_DAYS: '0', HONE_RETENTION_BUG_OCCURRENCES_DAYS: '0' },
      });
      try {
        console.log(`  pages over HTTP, next start (${RUNS} runs each after a warm-up):`);
        await benchPages(server.url, ids);
      } finally {
        await server.stop();
      }
    }
    console.log(
      `  load average at end: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
  }
}
