import type { PrismaClient } from '../db/client';
import type { Prisma } from '../db/generated/client';
import { HoneError } from '../errors';
import type { SeverityValue } from '../schemas/bug-patterns';
import type { RoutingLayerValue } from '../schemas/routing';
import { LATENCY_BUCKET_COUNT, latencyBucketIndex } from '../services/latency-histogram';
import { rollUpModelCallDays } from '../services/model-performance';
import { assertParsesAsTypeScript } from '../services/regression-tests';
import { patternProblem } from '../services/routing/matcher';
import { mulberry32 } from '../services/seeded-random';

// Demo history for newcomers: a few weeks of a plausible gateway, written straight into the tables
// (and rollups) the services fill, deterministic for a given seed. Only `npm run db:seed` calls it.

const HOUR = 3600_000;

/** mulberry32: small, fast and reproducible. */
function random(seed: number) {
  const next = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
  const poisson = (mean: number) => {
    if (mean > 30) return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal()));
    let k = 0;
    for (let p = Math.exp(-mean), s = next(); s > p; s *= next()) k++;
    return k;
  };
  return { next, normal, poisson, pick: <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]! };
}

interface ModelProfile {
  modelId: string;
  taskType: string;
  callsPerHour: number;
  successRate: number;
  /** Success-rate change (points) spread over the period: negative means degrading. */
  drift: number;
  medianLatencyMs: number;
  costPerCall: number;
}

const MODELS: ModelProfile[] = [
  {
    modelId: 'claude-sonnet-4',
    taskType: 'coding',
    callsPerHour: 14,
    successRate: 95.5,
    drift: 0,
    medianLatencyMs: 1850,
    costPerCall: 0.012,
  },
  { modelId: 'gpt-4o', taskType: 'coding', callsPerHour: 11, successRate: 93, drift: -4, medianLatencyMs: 1420, costPerCall: 0.0085 },
  { modelId: 'gpt-4o-mini', taskType: 'coding', callsPerHour: 6, successRate: 82, drift: 0, medianLatencyMs: 780, costPerCall: 0.0009 },
  { modelId: 'llama-3.1-70b', taskType: 'coding', callsPerHour: 3, successRate: 79, drift: 2, medianLatencyMs: 950, costPerCall: 0.0011 },
  {
    modelId: 'claude-sonnet-4',
    taskType: 'analysis',
    callsPerHour: 5,
    successRate: 94,
    drift: 0,
    medianLatencyMs: 2600,
    costPerCall: 0.018,
  },
  {
    modelId: 'gemini-2.5-pro',
    taskType: 'analysis',
    callsPerHour: 6,
    successRate: 92.5,
    drift: 1.5,
    medianLatencyMs: 2100,
    costPerCall: 0.011,
  },
  { modelId: 'gpt-4o', taskType: 'analysis', callsPerHour: 4, successRate: 90, drift: 0, medianLatencyMs: 1900, costPerCall: 0.01 },
  { modelId: 'gpt-4o-mini', taskType: 'chat', callsPerHour: 30, successRate: 97.5, drift: 0, medianLatencyMs: 420, costPerCall: 0.0004 },
  { modelId: 'gpt-4o', taskType: 'chat', callsPerHour: 9, successRate: 98.2, drift: 0, medianLatencyMs: 650, costPerCall: 0.004 },
  { modelId: 'llama-3.1-8b', taskType: 'chat', callsPerHour: 12, successRate: 91, drift: -1, medianLatencyMs: 210, costPerCall: 0.0001 },
  {
    modelId: 'gemini-2.5-flash',
    taskType: 'summarization',
    callsPerHour: 10,
    successRate: 96,
    drift: 0,
    medianLatencyMs: 540,
    costPerCall: 0.0006,
  },
  {
    modelId: 'claude-sonnet-4',
    taskType: 'summarization',
    callsPerHour: 3,
    successRate: 97,
    drift: 0,
    medianLatencyMs: 1500,
    costPerCall: 0.009,
  },
];

/** A model tried only a handful of times: shows up as low-sample. */
const TRIAL_MODEL = { modelId: 'mistral-large', taskType: 'coding', calls: 3 };

const RULES: {
  pattern: string;
  preferredLayer: RoutingLayerValue;
  preferredModel: string | null;
  priority: number;
  active: boolean;
  reasoning: string;
  successRate: number;
  share: number;
}[] = [
  {
    pattern: '.*implement.*algorithm.*',
    preferredLayer: 'deep',
    preferredModel: 'claude-sonnet-4',
    priority: 100,
    active: true,
    reasoning: 'Algorithm implementation requires deep reasoning',
    successRate: 92.5,
    share: 0.06,
  },
  {
    pattern: '\\b(refactor|migrate)\\b',
    preferredLayer: 'deep',
    preferredModel: 'claude-sonnet-4',
    priority: 90,
    active: true,
    reasoning: 'Large code changes need long context and care',
    successRate: 90.1,
    share: 0.08,
  },
  {
    pattern: 'stack ?trace|exception|traceback',
    preferredLayer: 'balanced',
    preferredModel: 'gpt-4o',
    priority: 80,
    active: true,
    reasoning: 'Debugging benefits from a fast capable model',
    successRate: 88.4,
    share: 0.1,
  },
  {
    pattern: '^(hi|hello|hey|thanks)\\b',
    preferredLayer: 'fast',
    preferredModel: 'llama-3.1-8b',
    priority: 70,
    active: true,
    reasoning: 'Greetings need no reasoning',
    successRate: 99.1,
    share: 0.12,
  },
  {
    pattern: '\\b(summari[sz]e|tl;?dr)\\b',
    preferredLayer: 'fast',
    preferredModel: 'gemini-2.5-flash',
    priority: 60,
    active: true,
    reasoning: 'Summaries are cheap and fast on flash models',
    successRate: 96.3,
    share: 0.15,
  },
  {
    pattern: '\\b(sql|query)\\b.*optimi[sz]e',
    preferredLayer: 'deep',
    preferredModel: null,
    priority: 50,
    active: true,
    reasoning: 'Query optimisation needs deep reasoning',
    successRate: 85,
    share: 0.04,
  },
  {
    pattern: 'translate',
    preferredLayer: 'balanced',
    preferredModel: 'gpt-4o-mini',
    priority: 40,
    active: true,
    reasoning: 'Translation is well served by mid-size models',
    successRate: 94.2,
    share: 0.07,
  },
  {
    pattern: 'poem|story|lyrics',
    preferredLayer: 'balanced',
    preferredModel: null,
    priority: 10,
    active: false,
    reasoning: 'Creative writing experiment, paused',
    successRate: 71,
    share: 0,
  },
];

const BUGS: {
  category: string;
  pattern: string;
  description: string;
  solution: string;
  severity: SeverityValue;
  perDay: number;
  /** Multiplier reached by the end of the period: > 1 rising, < 1 fading. */
  trend: number;
  startDay: number;
}[] = [
  {
    category: 'timeout',
    pattern: 'LLM timeout on large context',
    description: 'Model times out when context > 100K tokens',
    solution: 'Split context into chunks, use compression',
    severity: 'high',
    perDay: 4,
    trend: 0.6,
    startDay: 0,
  },
  {
    category: 'timeout',
    pattern: 'Upstream connect timeout',
    description: 'TCP connect to the provider exceeds 10s during incidents',
    solution: 'Fail over to the secondary region after 3s',
    severity: 'medium',
    perDay: 1.5,
    trend: 1,
    startDay: 3,
  },
  {
    category: 'rate-limit',
    pattern: '429 Too Many Requests from provider',
    description: 'Bursts exceed the per-minute token quota',
    solution: 'Token-bucket per provider key; retry with jitter',
    severity: 'high',
    perDay: 1,
    trend: 6,
    startDay: 10,
  },
  {
    category: 'parsing',
    pattern: 'Invalid JSON in tool call arguments',
    description: 'Model emits trailing commas or comments in JSON',
    solution: 'Use a tolerant JSON parser, then re-validate',
    severity: 'medium',
    perDay: 3,
    trend: 1.2,
    startDay: 0,
  },
  {
    category: 'parsing',
    pattern: 'Truncated streaming response',
    description: 'Stream closes before the final chunk on long outputs',
    solution: 'Detect missing finish_reason and resume',
    severity: 'low',
    perDay: 1,
    trend: 1,
    startDay: 5,
  },
  {
    category: 'api',
    pattern: 'Provider returned 500 on function calling',
    description: 'Intermittent 500s with parallel tool calls',
    solution: 'Disable parallel tool calls for this provider',
    severity: 'critical',
    perDay: 0.6,
    trend: 2,
    startDay: 14,
  },
  {
    category: 'api',
    pattern: 'Schema mismatch in embeddings response',
    description: 'Provider changed the embeddings payload shape',
    solution: 'Pin the API version header',
    severity: 'high',
    perDay: 0.5,
    trend: 0.2,
    startDay: 0,
  },
  {
    category: 'routing',
    pattern: 'Rule matched but preferred model unavailable',
    description: 'Preferred model is disabled in the region',
    solution: 'Fall back to the layer default model',
    severity: 'medium',
    perDay: 0.8,
    trend: 1,
    startDay: 2,
  },
  {
    category: 'context',
    pattern: 'System prompt dropped after summarisation',
    description: 'Context compression removes the system prompt',
    solution: 'Pin system messages outside the compressible window',
    severity: 'high',
    perDay: 0.4,
    trend: 1.5,
    startDay: 7,
  },
];

// Demo tests are self-contained, so a downloaded one runs under Vitest as it is.
const TESTS = [
  {
    testName: 'routing_timeout_recovery',
    category: 'routing',
    discoveredFrom: 'bug' as const,
    description: 'Verify that router handles model timeouts gracefully',
    expectedBehavior: 'Router should retry up to 3 times on timeout',
    bugTicket: 'ISSUE-123',
    testCode:
      "it('should retry on timeout', async () => {\n  let attempts = 0;\n  const route = async ({ maxRetries }: { maxRetries: number }) => {\n    for (let i = 0; i <= maxRetries; i++) {\n      attempts++;\n      if (i === 2) return { layer: 'balanced' };\n    }\n    throw new Error('timeout');\n  };\n  const result = await route({ maxRetries: 3 });\n  expect(result).toBeDefined();\n  expect(attempts).toBe(3);\n});\n",
  },
  {
    testName: 'routing_unavailable_model_fallback',
    category: 'routing',
    discoveredFrom: 'bug' as const,
    description: 'A rule whose model is unavailable falls back to the layer default',
    expectedBehavior: 'Request is served by the layer default model',
    bugTicket: 'ISSUE-131',
    testCode:
      "it('falls back when the preferred model is unavailable', () => {\n  const pick = (preferred: string, unavailable: string[]) => (unavailable.includes(preferred) ? 'layer-default' : preferred);\n  expect(pick('claude-sonnet-4', ['claude-sonnet-4'])).toBe('layer-default');\n  expect(pick('gpt-4o', [])).toBe('gpt-4o');\n});\n",
  },
  {
    testName: 'parsing_tolerant_tool_json',
    category: 'parsing',
    discoveredFrom: 'pattern' as const,
    description: 'Tool-call arguments with trailing commas are accepted',
    expectedBehavior: 'Arguments parse to the intended object',
    bugTicket: 'ISSUE-140',
    testCode:
      "it('parses JSON with a trailing comma', () => {\n  const parseToolArguments = (text: string) => JSON.parse(text.replace(/,\\s*([}\\]])/g, '$1'));\n  expect(parseToolArguments('{\"a\": 1,}')).toEqual({ a: 1 });\n});\n",
  },
  {
    testName: 'parsing_stream_resume',
    category: 'parsing',
    discoveredFrom: 'bug' as const,
    description: 'A truncated stream is resumed',
    expectedBehavior: 'The full output is assembled',
    bugTicket: 'ISSUE-152',
    testCode:
      "it('resumes a truncated stream', async () => {\n  const full = 'x'.repeat(2000);\n  const read = async (from: number, cutAt?: number) => full.slice(from, cutAt);\n  let text = await read(0, 1200);\n  if (text.length < full.length) text += await read(text.length);\n  expect(text).toBe(full);\n});\n",
  },
  {
    testName: 'context_keeps_system_prompt',
    category: 'context',
    discoveredFrom: 'user-feedback' as const,
    description: 'Compression never drops the system prompt',
    expectedBehavior: 'The first message stays the system prompt',
    bugTicket: 'ISSUE-160',
    testCode:
      "it('keeps the system prompt', () => {\n  const messages = [{ role: 'system', content: 'rules' }, ...Array.from({ length: 50 }, (_, i) => ({ role: 'user', content: `m${i}` }))];\n  const compress = (all: typeof messages) => [all[0]!, ...all.slice(-10)];\n  expect(compress(messages)[0]?.role).toBe('system');\n});\n",
  },
  {
    testName: 'timeout_chunked_large_context',
    category: 'timeout',
    discoveredFrom: 'bug' as const,
    description: 'Contexts over 100K tokens are chunked',
    expectedBehavior: 'No single request exceeds the chunk size',
    bugTicket: 'ISSUE-171',
    testCode:
      "it('chunks large contexts', () => {\n  const chunkContext = (tokens: number[], size = 100_000) => Array.from({ length: Math.ceil(tokens.length / size) }, (_, i) => tokens.slice(i * size, (i + 1) * size));\n  const chunks = chunkContext(new Array(250_000).fill(0));\n  expect(chunks).toHaveLength(3);\n  expect(chunks.every((c) => c.length <= 100_000)).toBe(true);\n});\n",
  },
];

export interface SeedSummary {
  days: number;
  modelCalls: number;
  routingDecisions: number;
  bugOccurrences: number;
  metrics: number;
}

export async function isDatabaseEmpty(prisma: PrismaClient): Promise<boolean> {
  const counts = await Promise.all([
    prisma.modelPerformance.count(),
    prisma.routingRule.count(),
    prisma.bugPattern.count(),
    prisma.regressionTest.count(),
    prisma.performanceMetric.count(),
  ]);
  return counts.every((n) => n === 0);
}

async function insertInBatches<T>(rows: T[], insert: (batch: T[]) => Promise<unknown>, size = 2000) {
  for (let i = 0; i < rows.length; i += size) await insert(rows.slice(i, i + size));
}

/** Fills an empty database with `days` of history ending now. */
export async function seedDemoData(prisma: PrismaClient, { days = 28, seed = 42, now = new Date() } = {}): Promise<SeedSummary> {
  const rng = random(seed);
  const end = Math.floor(now.getTime() / HOUR) * HOUR; // the current hour, still open
  const start = end - days * 24 * HOUR;
  const hours = Array.from({ length: days * 24 }, (_, i) => start + i * HOUR);
  const diurnal = (t: number) =>
    0.35 +
    0.65 * Math.max(0, Math.sin(((new Date(t).getUTCHours() - 6) / 24) * 2 * Math.PI)) +
    (new Date(t).getUTCDay() % 6 === 0 ? -0.2 : 0);

  // Model calls: hourly rollups with histograms, and lifetime totals that are their exact sums.
  const hourly: Prisma.ModelCallHourlyCreateManyInput[] = [];
  const totals: Prisma.ModelPerformanceCreateManyInput[] = [];
  const addCalls = (modelId: string, taskType: string, samples: { t: number; success: boolean; latencyMs: number; cost: number }[]) => {
    const byHour = new Map<number, typeof samples>();
    for (const s of samples) byHour.set(s.t, [...(byHour.get(s.t) ?? []), s]);
    let calls = 0,
      successes = 0,
      latencySum = 0,
      costSum = 0,
      first = Infinity,
      last = 0;
    for (const [t, group] of byHour) {
      const buckets = new Array<number>(LATENCY_BUCKET_COUNT).fill(0);
      for (const s of group) buckets[latencyBucketIndex(s.latencyMs)]!++;
      const row = {
        modelId,
        taskType,
        hour: new Date(t),
        calls: group.length,
        successes: group.filter((s) => s.success).length,
        latencySumMs: group.reduce((a, s) => a + s.latencyMs, 0),
        latencyMinMs: Math.min(...group.map((s) => s.latencyMs)),
        latencyMaxMs: Math.max(...group.map((s) => s.latencyMs)),
        costSum: group.reduce((a, s) => a + s.cost, 0),
        latencyBuckets: buckets,
      };
      hourly.push(row);
      calls += row.calls;
      successes += row.successes;
      latencySum += row.latencySumMs;
      costSum += row.costSum;
      first = Math.min(first, t);
      last = Math.max(last, t);
    }
    if (!calls) return;
    totals.push({
      modelId,
      taskType,
      totalCalls: calls,
      successes,
      latencySumMs: latencySum,
      costSum,
      successRate: (successes * 100) / calls,
      avgLatencyMs: latencySum / calls,
      avgCost: costSum / calls,
      firstCallAt: new Date(first),
      lastCallAt: new Date(last + HOUR - 1),
    });
  };
  let modelCalls = 0;
  for (const profile of MODELS) {
    const samples = [];
    for (const [i, t] of hours.entries()) {
      const progress = i / hours.length;
      const rate = (profile.successRate + profile.drift * progress) / 100;
      for (let n = rng.poisson(profile.callsPerHour * diurnal(t)); n > 0; n--) {
        const latencyMs = Math.round(profile.medianLatencyMs * Math.exp(0.35 * rng.normal()) * 10) / 10;
        samples.push({ t, success: rng.next() < rate, latencyMs, cost: profile.costPerCall * Math.exp(0.25 * rng.normal()) });
      }
    }
    modelCalls += samples.length;
    addCalls(profile.modelId, profile.taskType, samples);
  }
  const trial = Array.from({ length: TRIAL_MODEL.calls }, (_, i) => ({
    t: end - (i + 1) * 5 * HOUR,
    success: true,
    latencyMs: 1300 + i * 90,
    cost: 0.02,
  }));
  modelCalls += trial.length;
  addCalls(TRIAL_MODEL.modelId, TRIAL_MODEL.taskType, trial);
  await insertInBatches(hourly, (data) => prisma.modelCallHourly.createMany({ data }));
  await rollUpModelCallDays(prisma);
  await prisma.modelPerformance.createMany({ data: totals });

  // Routing rules and their decision history: every decision is one rule's hit or a miss.
  const created = await prisma.routingRule.createManyAndReturn({
    data: RULES.map((r, i) => ({
      pattern: r.pattern,
      preferredLayer: r.preferredLayer,
      preferredModel: r.preferredModel,
      priority: r.priority,
      state: r.active ? 'active' : 'inactive',
      metadata: { reasoning: r.reasoning, successRate: r.successRate, usageCount: 0 },
      createdAt: new Date(start - (RULES.length - i) * 24 * HOUR),
      updatedAt: new Date(start + i * 24 * HOUR),
    })),
  });
  for (const rule of created) {
    const problem = patternProblem(rule.pattern);
    if (problem) throw HoneError.invalidField('pattern', `demo rule /${rule.pattern}/ ${problem}`);
  }
  const taskTypes = ['coding', 'chat', 'analysis', 'summarization'];
  const decisions: Prisma.RoutingDecisionHourlyCreateManyInput[] = [];
  const hits: Prisma.RuleHitHourlyCreateManyInput[] = [];
  const usage = new Map<number, number>();
  let routingDecisions = 0;
  for (const t of hours) {
    for (const taskType of taskTypes) {
      const total = rng.poisson(20 * diurnal(t));
      if (!total) continue;
      let matched = 0;
      created.forEach((rule, i) => {
        const share = RULES[i]!.share * (taskType === 'chat' && rule.preferredLayer === 'deep' ? 0.3 : 1);
        const n = Math.min(total - matched, rng.poisson(total * share));
        if (n > 0) {
          hits.push({ ruleId: rule.id, hour: new Date(t), taskType, hits: n });
          usage.set(rule.id, (usage.get(rule.id) ?? 0) + n);
          matched += n;
        }
      });
      decisions.push({ hour: new Date(t), taskType, decisions: total, misses: total - matched });
      routingDecisions += total;
    }
  }
  await insertInBatches(decisions, (data) => prisma.routingDecisionHourly.createMany({ data }));
  await insertInBatches(hits, (data) => prisma.ruleHitHourly.createMany({ data }));
  for (const rule of created) {
    await prisma.routingRule.update({
      where: { id: rule.id },
      data: { metadata: { ...(rule.metadata as object), usageCount: usage.get(rule.id) ?? 0 }, updatedAt: rule.updatedAt },
    });
  }

  // Bug patterns with dated occurrences shaped by their trend.
  const severities: SeverityValue[] = ['low', 'medium', 'high', 'critical'];
  let bugOccurrences = 0;
  for (const bug of BUGS) {
    const dates: { at: Date; severity: SeverityValue }[] = [];
    for (let day = bug.startDay; day < days; day++) {
      const progress = day / days;
      for (let n = rng.poisson(bug.perDay * (1 + (bug.trend - 1) * progress)); n > 0; n--) {
        const at = new Date(start + day * 24 * HOUR + Math.floor(rng.next() * 24 * HOUR));
        const lower = severities[Math.max(0, severities.indexOf(bug.severity) - 1)]!;
        if (at.getTime() <= now.getTime()) dates.push({ at, severity: rng.next() < 0.7 ? bug.severity : lower });
      }
    }
    if (!dates.length) continue;
    dates.sort((a, b) => a.at.getTime() - b.at.getTime());
    const row = await prisma.bugPattern.create({
      data: {
        category: bug.category,
        pattern: bug.pattern,
        description: bug.description,
        solution: bug.solution,
        severity: bug.severity,
        occurrences: dates.length,
        firstSeen: dates[0]!.at,
        lastSeen: dates[dates.length - 1]!.at,
      },
    });
    await prisma.bugPatternOccurrence.createMany({
      data: dates.map((d) => ({ bugPatternId: row.id, severity: d.severity, occurredAt: d.at })),
    });
    bugOccurrences += dates.length;
  }

  for (const [i, test] of TESTS.entries()) {
    const { bugTicket, ...fields } = test;
    assertParsesAsTypeScript(fields.testCode);
    await prisma.regressionTest.create({
      data: {
        ...fields,
        discoveredFrom: fields.discoveredFrom === 'user-feedback' ? 'user_feedback' : fields.discoveredFrom,
        metadata: { bugTicket },
        createdAt: new Date(start + (i + 1) * 3 * 24 * HOUR),
      },
    });
  }

  // System metrics every hour, with context to group by.
  const metricRows: Prisma.PerformanceMetricCreateManyInput[] = [];
  for (const t of hours) {
    for (const layer of ['fast', 'balanced', 'deep'] as const) {
      const base = { fast: 40, balanced: 120, deep: 260 }[layer];
      metricRows.push({
        metricName: 'routing_latency',
        metricValue: Math.round(base * Math.exp(0.2 * rng.normal()) * 10) / 10,
        metricUnit: 'ms',
        context: { layer },
        recordedAt: new Date(t + Math.floor(rng.next() * HOUR)),
      });
    }
    metricRows.push({
      metricName: 'cache_hit_rate',
      metricValue: Math.round((55 + 15 * diurnal(t) + 3 * rng.normal()) * 10) / 10,
      metricUnit: '%',
      context: { cache: 'semantic' },
      recordedAt: new Date(t + 30 * 60_000),
    });
    metricRows.push({
      metricName: 'queue_depth',
      metricValue: rng.poisson(8 * diurnal(t)),
      metricUnit: 'requests',
      context: { region: rng.pick(['eu-west', 'us-east']) },
      recordedAt: new Date(t + 45 * 60_000),
    });
  }
  await insertInBatches(metricRows, (data) => prisma.performanceMetric.createMany({ data }));

  return { days, modelCalls, routingDecisions, bugOccurrences, metrics: metricRows.length };
}
