// The ingest tool: batches written set-wise with exact totals, bad items rejected alone, eventIds deduplicated
// within a batch, across batches and between racing retries, and a body that is not a batch refused whole.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HoneError } from '../errors';
import { LATENCY_BUCKET_COUNT, latencyBucketIndex } from '../services/latency-histogram';
import { foldPendingModelCalls, hourOf, stageModelCalls } from '../services/model-performance';
import { createServerDatabase, startHoneServer, type HoneServer, type ServerDatabase } from '../testing/hone-server';
import { testDatabaseKind, useTestDatabase } from './database';

const t = useTestDatabase();
const ingest = (input: Parameters<typeof t.db.caller.ingest.batch>[0]) => t.db.caller.ingest.batch(input);

const HOUR = 3_600_000;
const call = { modelId: 'model-a', taskType: 'coding', success: true, latencyMs: 100, cost: 0.25 };
const metric = { metricName: 'routing_latency', metricValue: 12.5, metricUnit: 'ms', context: { layer: 'fast' } };
const bug = { category: 'timeout', pattern: 'LLM timeout', severity: 'high' as const };

async function rowCounts() {
  const { prisma } = t.db;
  return {
    models: await prisma.modelPerformance.count(),
    modelHours: await prisma.modelCallHourly.count(),
    metrics: await prisma.performanceMetric.count(),
    bugPatterns: await prisma.bugPattern.count(),
    bugOccurrences: await prisma.bugPatternOccurrence.count(),
    events: await prisma.ingestEvent.count(),
  };
}

async function totalCalls(): Promise<number> {
  const rows = await t.db.prisma.modelPerformance.findMany();
  return rows.reduce((sum, row) => sum + Number(row.totalCalls), 0);
}

describe('ingest: set-based writes', () => {
  it('pre-aggregates 1,000 calls on 20 keys over three hours into exact totals, hourly rows and histograms', async () => {
    const models = ['m1', 'm2', 'm3', 'm4', 'm5'];
    const taskTypes = ['coding', 'chat', 'analysis', 'search'];
    const thisHour = hourOf(new Date()).getTime();
    const hours = [thisHour - 3 * HOUR, thisHour - 2 * HOUR, thisHour - HOUR];
    const calls = Array.from({ length: 1000 }, (_, i) => ({
      eventId: `call-${i}`,
      modelId: models[i % 5]!,
      taskType: taskTypes[Math.floor(i / 5) % 4]!,
      success: i % 3 !== 0,
      latencyMs: 1 + ((i * 37) % 5000), // whole numbers, so every sum is exact in float8
      cost: (i % 8) / 64, // binary fractions: exact too
      at: new Date(hours[i % 3]! + ((i * 7919) % HOUR)).toISOString(),
    }));

    const result = await ingest({ modelCalls: calls });
    expect(result).toMatchObject({ stored: 1000, duplicates: 0, rejected: 0, errors: [] });
    expect(result.outcomes.modelCalls).toEqual(Array(1000).fill('stored'));

    // Hand-computed: per key for the lifetime totals, per (key, hour) for the rollup.
    type Sums = {
      calls: number;
      successes: number;
      latency: number;
      cost: number;
      min: number;
      max: number;
      buckets: number[];
      first: number;
      last: number;
    };
    const sumUp = (groups: Map<string, Sums>, key: string, c: (typeof calls)[number]) => {
      const at = Date.parse(c.at);
      const s = groups.get(key) ?? {
        calls: 0,
        successes: 0,
        latency: 0,
        cost: 0,
        min: Infinity,
        max: -Infinity,
        buckets: Array<number>(LATENCY_BUCKET_COUNT).fill(0),
        first: Infinity,
        last: -Infinity,
      };
      s.calls++;
      s.successes += c.success ? 1 : 0;
      s.latency += c.latencyMs;
      s.cost += c.cost;
      s.min = Math.min(s.min, c.latencyMs);
      s.max = Math.max(s.max, c.latencyMs);
      s.buckets[latencyBucketIndex(c.latencyMs)]!++;
      s.first = Math.min(s.first, at);
      s.last = Math.max(s.last, at);
      groups.set(key, s);
    };
    const lifetime = new Map<string, Sums>();
    const hourly = new Map<string, Sums>();
    for (const c of calls) {
      sumUp(lifetime, `${c.modelId}/${c.taskType}`, c);
      sumUp(hourly, `${c.modelId}/${c.taskType}/${hourOf(new Date(c.at)).toISOString()}`, c);
    }
    expect(lifetime.size).toBe(20);
    expect(hourly.size).toBe(60);

    const performance = await t.db.prisma.modelPerformance.findMany();
    expect(performance).toHaveLength(20);
    for (const row of performance) {
      const s = lifetime.get(`${row.modelId}/${row.taskType}`)!;
      expect(row).toMatchObject({
        totalCalls: BigInt(s.calls),
        successes: BigInt(s.successes),
        latencySumMs: s.latency,
        costSum: s.cost,
        successRate: (s.successes * 100) / s.calls,
        avgLatencyMs: s.latency / s.calls,
        avgCost: s.cost / s.calls,
        firstCallAt: new Date(s.first),
        lastCallAt: new Date(s.last),
      });
    }
    const rollup = await t.db.prisma.modelCallHourly.findMany();
    expect(rollup).toHaveLength(60);
    for (const row of rollup) {
      const s = hourly.get(`${row.modelId}/${row.taskType}/${row.hour.toISOString()}`)!;
      expect(row).toMatchObject({
        calls: s.calls,
        successes: s.successes,
        latencySumMs: s.latency,
        latencyMinMs: s.min,
        latencyMaxMs: s.max,
        costSum: s.cost,
        latencyBuckets: s.buckets,
      });
    }

    // A second batch on the same keys merges into the same rows: counts, sums and histograms add up.
    await ingest({ modelCalls: calls.map((c) => ({ ...c, eventId: `again-${c.eventId}` })) });
    expect(await totalCalls()).toBe(2000);
    for (const row of await t.db.prisma.modelCallHourly.findMany()) {
      const s = hourly.get(`${row.modelId}/${row.taskType}/${row.hour.toISOString()}`)!;
      expect(row.calls).toBe(2 * s.calls);
      expect(row.latencyBuckets).toEqual(s.buckets.map((n) => 2 * n));
      expect(row).toMatchObject({ latencyMinMs: s.min, latencyMaxMs: s.max, latencySumMs: 2 * s.latency });
    }
  });

  it('lands calls in the hour of their `at` and keeps first and last call at from the items', async () => {
    const now = Date.now();
    const at = (hoursAgo: number) => new Date(now - hoursAgo * HOUR).toISOString();
    await ingest({ modelCalls: [{ ...call, at: at(30) }, { ...call, at: at(5) }, { ...call, at: at(5) }, call] });
    const hours = await t.db.prisma.modelCallHourly.findMany({ orderBy: { hour: 'asc' } });
    expect(hours.map((h) => [h.hour.toISOString(), h.calls])).toEqual([
      [hourOf(new Date(at(30))).toISOString(), 1],
      [hourOf(new Date(at(5))).toISOString(), 2],
      [hourOf(new Date(now)).toISOString(), 1],
    ]);
    const row = await t.db.prisma.modelPerformance.findFirstOrThrow();
    expect(row.firstCallAt.toISOString()).toBe(at(30));
    expect(row.lastCallAt.getTime()).toBeGreaterThanOrEqual(now - 1000);

    // A later batch about older calls moves first_call_at back and leaves last_call_at alone.
    const last = row.lastCallAt;
    await ingest({ modelCalls: [{ ...call, at: at(100) }] });
    const updated = await t.db.prisma.modelPerformance.findFirstOrThrow();
    expect(updated.firstCallAt.toISOString()).toBe(at(100));
    expect(updated.lastCallAt).toEqual(last);
  });

  it('stores metric values and bug reports with their instants, folding reports of one pattern as one after another', async () => {
    const at = '2026-01-02T03:04:05.678Z';
    const result = await ingest({
      metrics: [metric, { ...metric, metricValue: -3, at, context: { layer: 'deep', nested: { a: [1, 2] } } }],
      bugReports: [
        { ...bug, severity: 'low', description: 'first', at },
        { ...bug, severity: 'critical', solution: 'retry' },
        { ...bug, severity: 'medium', description: 'newest' },
        { category: 'parsing', pattern: 'bad JSON', severity: 'low' },
      ],
    });
    expect(result).toMatchObject({ stored: 6, duplicates: 0, rejected: 0 });

    const values = await t.db.prisma.performanceMetric.findMany({ orderBy: { metricValue: 'asc' } });
    expect(values.map((v) => [v.metricValue, v.context, v.recordedAt.toISOString() === at])).toEqual([
      [-3, { layer: 'deep', nested: { a: [1, 2] } }, true],
      [12.5, { layer: 'fast' }, false],
    ]);

    const timeout = await t.db.prisma.bugPattern.findFirstOrThrow({ where: { category: 'timeout' } });
    expect(timeout).toMatchObject({ occurrences: 3, severity: 'critical', description: 'newest', solution: 'retry' });
    expect(timeout.firstSeen.toISOString()).toBe(at);
    const occurrences = await t.db.prisma.bugPatternOccurrence.findMany({
      where: { bugPatternId: timeout.id },
      orderBy: { occurredAt: 'asc' },
    });
    expect(occurrences.map((o) => o.severity).sort()).toEqual(['critical', 'low', 'medium']);
    expect(occurrences[0]!.occurredAt.toISOString()).toBe(at);
    expect(await t.db.prisma.bugPatternOccurrence.count()).toBe(4);

    // Counted on top of what record_bug_pattern stored: the same write path.
    await t.db.caller.bugPatterns.record({ ...bug, severity: 'low' });
    expect(await t.db.prisma.bugPattern.findFirstOrThrow({ where: { category: 'timeout' } })).toMatchObject({
      occurrences: 4,
      severity: 'critical',
    });
  });
});

describe('ingest: bad items', () => {
  it('rejects each bad item with its index and field and stores the good ones', async () => {
    const result = await ingest({
      modelCalls: [call, { ...call, latencyMs: -1 }, { ...call, cost: 'free' } as never, 42 as never, { ...call, speed: 1 } as never, call],
      metrics: [
        metric,
        { ...metric, context: { endpoint: '/a\u0000' } }, // PostgreSQL cannot store U+0000
        { ...metric, context: JSON.parse('{"__proto__": {"polluted": true}}') as never },
        { ...metric, at: new Date(Date.now() + 3_600_000).toISOString() },
        { ...metric, metricName: 'x\u0000' },
      ],
      bugReports: [{ ...bug, severity: 'fatal' } as never, bug],
    });
    expect(result).toMatchObject({ stored: 4, duplicates: 0, rejected: 9 });
    expect(result.outcomes).toEqual({
      modelCalls: ['stored', 'rejected', 'rejected', 'rejected', 'rejected', 'stored'],
      metrics: ['stored', 'rejected', 'rejected', 'rejected', 'rejected'],
      bugReports: ['rejected', 'stored'],
      routeDecisions: [],
      routeOutcomes: [],
    });
    expect(result.errors.map((e) => e.path)).toEqual([
      ['modelCalls', 1, 'latencyMs'],
      ['modelCalls', 2, 'cost'],
      ['modelCalls', 3],
      ['modelCalls', 4, 'speed'],
      ['metrics', 1, 'context', 'endpoint'],
      ['metrics', 2, 'context', '__proto__'],
      ['metrics', 3, 'at'],
      ['metrics', 4, 'metricName'],
      ['bugReports', 0, 'severity'],
    ]);
    expect(result.errors[3]!.message).toBe('is not a known field');
    expect(result.errors[4]!.message).toContain('U+0000');
    expect(await totalCalls()).toBe(2);
    expect(await t.db.prisma.performanceMetric.count()).toBe(1);
    expect(await t.db.prisma.bugPatternOccurrence.count()).toBe(1);
  });

  it('answers 200 with every item rejected, writing nothing and claiming no eventId', async () => {
    const result = await ingest({ modelCalls: [{ ...call, eventId: 'e1', modelId: '' }] });
    expect(result).toMatchObject({ stored: 0, rejected: 1, outcomes: { modelCalls: ['rejected'] } });
    expect(await rowCounts()).toEqual({ models: 0, modelHours: 0, metrics: 0, bugPatterns: 0, bugOccurrences: 0, events: 0 });
    // The id was not used up by the rejected item.
    expect((await ingest({ modelCalls: [{ ...call, eventId: 'e1' }] })).outcomes.modelCalls).toEqual(['stored']);
  });

  it.each([
    ['an unknown top-level key', { modelCalls: [call], extra: [] }, 'extra'],
    ['a list that is not an array', { modelCalls: call }, 'modelCalls'],
    ['a null list', { metrics: null }, 'metrics'],
    ['an empty batch', { modelCalls: [], metrics: [] }, '(input)'],
    ['no lists at all', {}, '(input)'],
    ['more items than HONE_MAX_INGEST_ITEMS (5,000)', { modelCalls: Array(3000).fill(call), metrics: Array(2001).fill(metric) }, '(input)'],
    ['a __proto__ key at the top', JSON.parse('{"__proto__": [], "modelCalls": []}') as unknown, '__proto__'],
  ])('refuses %s as BAD_REQUEST and writes nothing', async (_what, input, field) => {
    const error = await ingest(input as never).then(
      () => expect.fail('expected a refusal'),
      (e: { code?: string; cause?: unknown; message: string }) => e,
    );
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.message).toContain(field === '(input)' ? '(input)' : field);
    expect((error.cause as HoneError).issues.length).toBeGreaterThan(0);
    expect(await rowCounts()).toEqual({ models: 0, modelHours: 0, metrics: 0, bugPatterns: 0, bugOccurrences: 0, events: 0 });
  });
});

describe('ingest: eventIds', () => {
  it('stores an eventId once: a repeat in the same batch and in a later batch is a duplicate', async () => {
    const first = await ingest({
      modelCalls: [{ ...call, eventId: 'a' }, { ...call, eventId: 'a' }, { ...call, eventId: 'b' }, call, call],
    });
    expect(first).toMatchObject({
      stored: 4,
      duplicates: 1,
      outcomes: { modelCalls: ['stored', 'duplicate', 'stored', 'stored', 'stored'] },
    });
    expect(await totalCalls()).toBe(4);

    const retry = await ingest({ modelCalls: [{ ...call, eventId: 'b' }, { ...call, eventId: 'c' }, call] });
    expect(retry).toMatchObject({ stored: 2, duplicates: 1, outcomes: { modelCalls: ['duplicate', 'stored', 'stored'] } });
    expect(await totalCalls()).toBe(6);
  });

  it('scopes eventIds per kind of item: a model call and a metric may share one', async () => {
    const result = await ingest({
      modelCalls: [{ ...call, eventId: 'request-1' }],
      metrics: [{ ...metric, eventId: 'request-1' }],
      bugReports: [{ ...bug, eventId: 'request-1' }],
    });
    expect(result).toMatchObject({ stored: 3, duplicates: 0 });
  });

  it('counts two identical batches raced at once exactly once', async () => {
    const batch = {
      modelCalls: Array.from({ length: 50 }, (_, i) => ({ ...call, modelId: `m${i % 5}`, eventId: `race-call-${i}` })),
      metrics: Array.from({ length: 20 }, (_, i) => ({ ...metric, eventId: `race-metric-${i}` })),
      bugReports: Array.from({ length: 10 }, (_, i) => ({ ...bug, eventId: `race-bug-${i}` })),
    };
    const results = await Promise.all([ingest(batch), ingest(batch), ingest(batch)]);
    expect(results.map((r) => r.stored).sort()).toEqual([0, 0, 80]);
    expect(results.map((r) => r.duplicates).sort()).toEqual([0, 80, 80]);
    expect(await totalCalls()).toBe(50);
    expect(await t.db.prisma.performanceMetric.count()).toBe(20);
    expect((await t.db.prisma.bugPattern.findFirstOrThrow()).occurrences).toBe(10);
    expect(await t.db.prisma.bugPatternOccurrence.count()).toBe(10);
  });

  it('does not deadlock when batches share eventIds and keys in opposite orders', async () => {
    const ids = Array.from({ length: 40 }, (_, i) => i);
    const batch = (order: number[]) => ({
      modelCalls: order.map((i) => ({ ...call, modelId: `m${i % 8}`, eventId: `order-${i}` })),
      bugReports: order.map((i) => ({ ...bug, pattern: `p${i % 8}`, eventId: `order-${i}` })),
    });
    const results = await Promise.all([ingest(batch(ids)), ingest(batch([...ids].reverse())), ingest(batch(ids))]);
    expect(results.reduce((n, r) => n + r.stored, 0)).toBe(80);
    expect(await totalCalls()).toBe(40);
  });

  it('forgets an eventId stored longer ago than HONE_IDEMPOTENCY_WINDOW (7 days)', async () => {
    await ingest({
      modelCalls: [
        { ...call, eventId: 'old' },
        { ...call, eventId: 'young' },
      ],
    });
    await t.db.prisma.ingestEvent.update({
      where: { kind_eventId: { kind: 'modelCall', eventId: 'old' } },
      data: { receivedAt: new Date(Date.now() - 8 * 24 * HOUR) },
    });
    const again = await ingest({
      modelCalls: [
        { ...call, eventId: 'old' },
        { ...call, eventId: 'young' },
      ],
    });
    expect(again.outcomes.modelCalls).toEqual(['stored', 'duplicate']);
    // Taken over, the id counts again from now.
    const row = await t.db.prisma.ingestEvent.findUniqueOrThrow({ where: { kind_eventId: { kind: 'modelCall', eventId: 'old' } } });
    expect(row.receivedAt.getTime()).toBeGreaterThan(Date.now() - HOUR);
    expect((await ingest({ modelCalls: [{ ...call, eventId: 'old' }] })).outcomes.modelCalls).toEqual(['duplicate']);
  });
});

describe('ingest: staged model calls', () => {
  const claims = { kind: 'modelCall', windowMs: 7 * 24 * HOUR };
  const pending = () => t.db.prisma.modelCallPending.count();

  it('answers only once its calls are counted, with nothing left pending, for 24 concurrent batches on 4 keys', async () => {
    const batches = Array.from({ length: 24 }, (_, b) => ({
      modelCalls: Array.from({ length: 25 }, (_, i) => ({ ...call, modelId: `m${i % 4}`, eventId: `concurrent-${b}-${i}` })),
      ...(b % 3 === 0 ? { metrics: [{ ...metric, eventId: `concurrent-metric-${b}` }] } : {}),
    }));
    const results = await Promise.all(batches.map(async (batch) => ({ answer: await ingest(batch), counted: await totalCalls() })));
    // Each batch's own calls were counted when it answered: at least its own 25 (and those of batches before it).
    for (const { answer, counted } of results) {
      expect(answer.duplicates).toBe(0);
      expect(counted).toBeGreaterThanOrEqual(25);
    }
    expect(await totalCalls()).toBe(600);
    expect(await pending()).toBe(0);
    const rows = await t.db.prisma.modelPerformance.findMany({ orderBy: { modelId: 'asc' } });
    expect(rows.map((r) => [r.modelId, Number(r.totalCalls), Number(r.successes), r.latencySumMs])).toEqual(
      // 25 calls a batch, i % 4: m0 has 7 of them, the others 6.
      [
        ['m0', 168, 168, 16_800],
        ['m1', 144, 144, 14_400],
        ['m2', 144, 144, 14_400],
        ['m3', 144, 144, 14_400],
      ],
    );
  });

  // PGlite runs one statement at a time: ingest counts there in the statement that claims, and stages nothing.
  it.runIf(testDatabaseKind === 'postgres')(
    'counts, once, calls a server staged and died before counting: the retry of the batch, all repeats, folds them',
    async () => {
      const calls = Array.from({ length: 30 }, (_, i) => ({ ...call, modelId: `m${i % 3}`, eventId: `crashed-${i}`, at: new Date() }));
      // What the server had done when it died: the calls staged (claims and all), not yet counted.
      await stageModelCalls(t.db.prisma, calls, claims);
      expect(await pending()).toBe(3);
      expect(await totalCalls()).toBe(0);

      const retry = await ingest({ modelCalls: calls.map((c) => ({ ...c, at: c.at.toISOString() })) });
      expect(retry).toMatchObject({ stored: 0, duplicates: 30 });
      expect(await totalCalls()).toBe(30);
      expect(await pending()).toBe(0);
      await ingest({ modelCalls: calls.map((c) => ({ ...c, at: c.at.toISOString() })) });
      expect(await totalCalls()).toBe(30);
    },
  );

  it('folds what is pending in the background job, once however often it runs, histograms and hours included', async () => {
    const at = new Date(hourOf(new Date()).getTime() - 2 * HOUR + 1_000);
    const calls = [
      { ...call, latencyMs: 50, at },
      { ...call, latencyMs: 5_000, success: false, at },
      { ...call, latencyMs: 50, at: new Date() },
    ];
    await stageModelCalls(t.db.prisma, calls.slice(0, 2), claims);
    await stageModelCalls(t.db.prisma, calls.slice(2), claims);
    await Promise.all([foldPendingModelCalls(t.db.prisma), foldPendingModelCalls(t.db.prisma)]);
    await foldPendingModelCalls(t.db.prisma);
    expect(await pending()).toBe(0);
    const total = await t.db.prisma.modelPerformance.findFirstOrThrow();
    expect([Number(total.totalCalls), Number(total.successes), total.latencySumMs]).toEqual([3, 2, 5_100]);
    const hours = await t.db.prisma.modelCallHourly.findMany({ orderBy: { hour: 'asc' } });
    expect(hours.map((h) => [h.hour.getTime(), h.calls, h.latencyMinMs, h.latencyMaxMs])).toEqual([
      [hourOf(at).getTime(), 2, 50, 5_000],
      [hourOf(new Date()).getTime(), 1, 50, 50],
    ]);
    const histogram = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
    histogram[latencyBucketIndex(50)]! += 1;
    histogram[latencyBucketIndex(5_000)]! += 1;
    expect(hours[0]!.latencyBuckets).toEqual(histogram);
  });
});

describe(`ingest over REST (${testDatabaseKind})`, () => {
  let db: ServerDatabase;
  let server: HoneServer;
  beforeAll(async () => {
    db = await createServerDatabase(testDatabaseKind);
    server = await startHoneServer({ env: db.env });
  });
  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  const post = (body: string) =>
    fetch(`${server.url}/tools/ingest`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });

  it('answers a partly bad batch 200 with each outcome, and a body that is not a batch 400', async () => {
    const partial = await post(JSON.stringify({ modelCalls: [call, { ...call, latencyMs: 'slow' }], metrics: [metric] }));
    expect(partial.status).toBe(200);
    expect(await partial.json()).toEqual({
      stored: 2,
      duplicates: 0,
      rejected: 1,
      outcomes: { modelCalls: ['stored', 'rejected'], metrics: ['stored'], bugReports: [], routeDecisions: [], routeOutcomes: [] },
      errors: [{ path: ['modelCalls', 1, 'latencyMs'], message: expect.any(String) }],
    });

    for (const body of ['[{"modelId": "m"}]', '"batch"', '{"modelCalls": {"modelId": "m"}}', '{}', '{"calls": []}']) {
      const refused = await post(body);
      expect(refused.status, body).toBe(400);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('BAD_REQUEST');
    }
    const bodyWithNul = await post(JSON.stringify({ metrics: [{ ...metric, metricUnit: 'm\u0000s' }, metric] }));
    expect(bodyWithNul.status).toBe(200);
    expect(((await bodyWithNul.json()) as { outcomes: unknown }).outcomes).toMatchObject({ metrics: ['rejected', 'stored'] });

    // Read back through the read tools (the embedded database belongs to the server while it runs).
    const models = (await (await fetch(`${server.url}/tools/analyze_metrics?includeReport=false`)).json()) as {
      models: { totalCalls: number }[];
    };
    expect(models.models.map((m) => m.totalCalls)).toEqual([1]);
    const names = (await (await fetch(`${server.url}/tools/list_metric_names`)).json()) as { values: number }[];
    expect(names.map((n) => n.values)).toEqual([2]);
  });
});
