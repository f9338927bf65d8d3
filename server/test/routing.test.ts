import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { env } from '../env';
import { invalidateRoutingRules } from '../services/routing/active-rules';
import { flushRouteDecisions } from '../services/routing/decision-recorder';
import { getRoutingHitRates } from '../services/routing/hit-rates';
import { MATCHED_INPUT_CHARS, patternProblem } from '../services/routing/matcher';
import { expectBadRequest, useTestDatabase } from './database';
import { randomAbs } from '../testing/slow-matching';

const t = useTestDatabase();

const specExample = {
  pattern: '.*implement.*algorithm.*',
  preferredLayer: 'deep' as const,
  preferredModel: 'claude-sonnet-4',
  reasoning: 'Algorithm implementation requires deep reasoning',
  successRate: 92.5,
  usageCount: 45,
  active: true,
};

/** Hit rates over the last day (every decision a test makes falls in it), once the decisions made so far are written. */
const recentHitRates = async () => {
  await flushRouteDecisions(t.db.prisma);
  return getRoutingHitRates(t.db.prisma, {
    from: new Date(Date.now() - 86_400_000).toISOString(),
    to: new Date(Date.now() + 3600_000).toISOString(),
  });
};

/** The longest the event loop was blocked while `work` ran, in milliseconds. */
async function longestEventLoopBlockMs(work: () => Promise<unknown>): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  try {
    await work();
    await new Promise((resolve) => setTimeout(resolve, 30)); // let the monitor sample once after the work
  } finally {
    histogram.disable();
  }
  return histogram.max / 1e6;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('update_routing_heuristic', () => {
  it('creates the spec example with priority 0', async () => {
    const { created, heuristic } = await t.db.caller.routing.updateHeuristic(specExample);
    expect(created).toBe(true);
    expect(heuristic).toMatchObject({
      id: 1,
      pattern: specExample.pattern,
      preferredLayer: 'deep',
      preferredModel: 'claude-sonnet-4',
      priority: 0,
      active: true,
      reasoning: specExample.reasoning,
      successRate: 92.5,
      usageCount: 45,
      metadata: { reasoning: specExample.reasoning, successRate: 92.5, usageCount: 45 },
    });
  });

  it('updates by pattern: given fields change, omitted ones stay, metadata is merged', async () => {
    await t.db.caller.routing.updateHeuristic({ ...specExample, priority: 7, metadata: { owner: 'routing-team', ticket: 'R-1' } });
    const { created, heuristic } = await t.db.caller.routing.updateHeuristic({
      pattern: specExample.pattern,
      preferredLayer: 'balanced',
      successRate: 95,
      metadata: { ticket: 'R-2' },
    });
    expect(created).toBe(false);
    expect(heuristic).toMatchObject({
      id: 1,
      preferredLayer: 'balanced',
      preferredModel: 'claude-sonnet-4',
      priority: 7,
      active: true,
      metadata: { owner: 'routing-team', ticket: 'R-2', reasoning: specExample.reasoning, successRate: 95, usageCount: 45 },
    });
    const cleared = await t.db.caller.routing.updateHeuristic({
      pattern: specExample.pattern,
      preferredLayer: 'fast',
      preferredModel: null,
      active: false,
    });
    expect(cleared.heuristic).toMatchObject({ preferredModel: null, active: false, priority: 7 });
    expect(await t.db.prisma.routingRule.count()).toBe(1);
  });

  it('creates exactly one row under 50 concurrent upserts of one new pattern', async () => {
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.db.caller.routing.updateHeuristic({ pattern: 'refactor', preferredLayer: 'balanced', usageCount: i }),
      ),
    );
    expect(await t.db.prisma.routingRule.count()).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it.each([
    ['pattern', { pattern: '\\s*\\s*\\s*(?=X)' }, /lookaround/],
    ['pattern', { pattern: '(?=.*implement)(?=.*algorithm)' }, /lookaround/],
    ['pattern', { pattern: '(?<!un)safe' }, /lookaround/],
    ['pattern', { pattern: '(a)\\1' }, /backreference/],
    ['pattern', { pattern: '(?<word>a)\\k<word>' }, /backreference/],
    ['pattern', { pattern: '(a{1,99}b{1,99}c{1,99}){1,99}' }, /repeats too much/],
    ['pattern', { pattern: '(.*a){300}' }, /too complex/],
    ['pattern', { pattern: '\\p{L}{1000}\\p{N}' }, /has 1,001 character-class steps in sequence.*more than the 64 allowed/],
    ['pattern', { pattern: '[a-z]{299}\\d' }, /has 300 character-class steps in sequence/],
    ['pattern', { pattern: '(unclosed' }, /not a valid regular expression/],
    ['pattern', { pattern: 'x'.repeat(1001) }, /1,000 characters/],
    ['pattern', { pattern: '' }, /empty/],
    ['preferredLayer', { preferredLayer: 'medium' }, /fast|balanced|deep/],
    ['successRate', { successRate: 100.5 }, /100/],
    ['successRate', { successRate: -1 }, /0/],
    ['usageCount', { usageCount: -1 }, /0/],
    ['usageCount', { usageCount: 1.5 }, /int/],
    ['priority', { priority: 'high' }, /number/],
    ['active', { active: 'yes' }, /boolean/],
  ])('refuses a bad %s (%j) with a clear message and writes nothing', async (field, patch, message) => {
    const text = await expectBadRequest(t.db.caller.routing.updateHeuristic({ ...specExample, ...patch } as never), field);
    expect(text).toMatch(message);
    expect(await t.db.prisma.routingRule.count()).toBe(0);
  });

  it('accepts a pattern of exactly 1,000 characters', async () => {
    const { created } = await t.db.caller.routing.updateHeuristic({ pattern: 'y'.repeat(1000), preferredLayer: 'fast' });
    expect(created).toBe(true);
  });
});

describe('get_routing_heuristics', () => {
  it('orders by priority, then most recently updated, then id; active only by default', async () => {
    await t.db.caller.routing.updateHeuristic({ pattern: 'low', preferredLayer: 'fast', priority: 1 });
    await t.db.caller.routing.updateHeuristic({ pattern: 'older-high', preferredLayer: 'deep', priority: 5 });
    await t.db.caller.routing.updateHeuristic({ pattern: 'newer-high', preferredLayer: 'deep', priority: 5 });
    await t.db.caller.routing.updateHeuristic({ pattern: 'inactive', preferredLayer: 'deep', priority: 9, active: false });
    const active = await t.db.caller.routing.listHeuristics();
    expect(active.map((r) => r.pattern)).toEqual(['newer-high', 'older-high', 'low']);
    // Touching a rule makes it the most recently updated among its priority.
    await t.db.caller.routing.updateHeuristic({ pattern: 'older-high', preferredLayer: 'deep' });
    expect((await t.db.caller.routing.listHeuristics({ activeOnly: true })).map((r) => r.pattern)).toEqual([
      'older-high',
      'newer-high',
      'low',
    ]);
    expect((await t.db.caller.routing.listHeuristics({ activeOnly: false })).map((r) => r.pattern)).toEqual([
      'inactive',
      'older-high',
      'newer-high',
      'low',
    ]);
  });

  it('breaks a full tie by id', async () => {
    const stamp = new Date('2026-01-01T00:00:00Z');
    await t.db.prisma.routingRule.createMany({
      data: ['b', 'a', 'c'].map((pattern) => ({ pattern, preferredLayer: 'fast' as const, updatedAt: stamp })),
    });
    expect((await t.db.caller.routing.listHeuristics()).map((r) => r.pattern)).toEqual(['b', 'a', 'c']);
  });
});

describe('resolve_route', () => {
  it('routes by the highest-priority matching active rule and counts the decision', async () => {
    const { heuristic: deep } = await t.db.caller.routing.updateHeuristic({ ...specExample, priority: 10 });
    const { heuristic: fast } = await t.db.caller.routing.updateHeuristic({
      pattern: 'algorithm|hello',
      preferredLayer: 'fast',
      priority: 1,
    });
    await t.db.caller.routing.updateHeuristic({ pattern: 'hello', preferredLayer: 'deep', priority: 100, active: false });

    const decision = await t.db.caller.routing.resolve({ input: 'please implement a sorting algorithm', taskType: 'coding' });
    expect(decision).toMatchObject({ layer: 'deep', model: 'claude-sonnet-4', ruleId: deep.id, counted: true });
    expect(decision.reasoning).toContain('Algorithm implementation requires deep reasoning');

    expect(await t.db.caller.routing.resolve({ input: 'hello there' })).toMatchObject({ layer: 'fast', model: null, ruleId: fast.id });
    expect(await t.db.caller.routing.resolve({ input: 'what is the weather' })).toMatchObject({
      layer: 'balanced',
      model: null,
      ruleId: null,
    });

    const stats = await recentHitRates();
    expect(stats).toMatchObject({ decisions: 3, misses: 1 });
    expect(stats.hitRate).toBeCloseTo(200 / 3, 10);
    expect(stats.rules.map(({ ruleId, hits, hitRate }) => ({ ruleId, hits, hitRate }))).toEqual([
      { ruleId: expect.any(Number), hits: 0, hitRate: 0 }, // the inactive rule, first in evaluation order, never decides
      { ruleId: deep.id, hits: 1, hitRate: 100 / 3 },
      { ruleId: fast.id, hits: 1, hitRate: 100 / 3 },
    ]);
    const perTask = await t.db.prisma.routingDecisionHourly.findMany({ orderBy: { taskType: 'asc' } });
    expect(perTask.map((r) => [r.taskType, r.decisions, r.misses])).toEqual([
      ['', 2, 1],
      ['coding', 1, 0],
    ]);
  });

  it('does not count a dry run', async () => {
    await t.db.caller.routing.updateHeuristic({ pattern: 'sql', preferredLayer: 'deep' });
    const decision = await t.db.caller.routing.resolve({ input: 'optimise this sql', dryRun: true });
    expect(decision).toMatchObject({ layer: 'deep', counted: false });
    const stats = await recentHitRates();
    expect(stats).toMatchObject({ decisions: 0, misses: 0, hitRate: null });
    expect(stats.rules.map((r) => r.hits)).toEqual([0]);
  });

  it('keeps compiled rules in memory and rebuilds them when a rule changes', async () => {
    await t.db.caller.routing.updateHeuristic({ pattern: 'deploy', preferredLayer: 'deep' });
    expect((await t.db.caller.routing.resolve({ input: 'deploy it' })).layer).toBe('deep');
    // A change behind the service's back is not seen at once: the rules are not re-read per request.
    await t.db.prisma.$executeRaw`UPDATE routing_rules SET preferred_layer = 'fast'`;
    expect((await t.db.caller.routing.resolve({ input: 'deploy it' })).layer).toBe('deep');
    invalidateRoutingRules(t.db.prisma);
    expect((await t.db.caller.routing.resolve({ input: 'deploy it' })).layer).toBe('fast');
    // A change through the service is seen at once.
    await t.db.caller.routing.updateHeuristic({ pattern: 'deploy', preferredLayer: 'balanced', preferredModel: 'gpt-4o' });
    expect(await t.db.caller.routing.resolve({ input: 'deploy it' })).toMatchObject({ layer: 'balanced', model: 'gpt-4o' });
  });

  it('handles a long adversarial input for the spec pattern quickly enough to finish', async () => {
    await t.db.caller.routing.updateHeuristic(specExample);
    const decision = await t.db.caller.routing.resolve({ input: 'implement '.repeat(100_000) });
    expect(decision.ruleId).toBeNull();
  });

  it('refuses a missing input', async () => {
    await expectBadRequest(t.db.caller.routing.resolve({} as never), 'input');
  });
});

describe('patterns run in linear time', () => {
  it('accepts (a+)+$ and matches it on a 100 KB input without stalling preview or resolve', async () => {
    const { heuristic } = await t.db.caller.routing.updateHeuristic({ pattern: '(a+)+$', preferredLayer: 'fast', priority: 1_000_000 });
    const hostile = 'a'.repeat(100_000) + '!';
    const blockedMs = await longestEventLoopBlockMs(async () => {
      await t.db.caller.routing.preview({ input: hostile });
      await t.db.caller.routing.resolve({ input: hostile });
      await t.db.caller.routing.resolve({ input: 'b'.repeat(100_000) });
    });
    expect(blockedMs).toBeLessThan(500);
    // Only the first 32 KiB are matched: a run of a's there ends the matched text, so $ matches.
    expect((await t.db.caller.routing.preview({ input: hostile })).ruleId).toBe(heuristic.id);
    expect((await t.db.caller.routing.preview({ input: 'a!' })).ruleId).toBeNull();
  });

  it('refuses (a{1,99}b{1,99}c{1,99}){1,99} without blocking the event loop', async () => {
    const blockedMs = await longestEventLoopBlockMs(() =>
      expectBadRequest(
        t.db.caller.routing.updateHeuristic({ pattern: '(a{1,99}b{1,99}c{1,99}){1,99}', preferredLayer: 'fast' }),
        'pattern',
      ),
    );
    expect(blockedMs).toBeLessThan(500);
    expect(await t.db.prisma.routingRule.count()).toBe(0);
  });

  it('skips a stored rule whose pattern the matcher refuses, and reports it once', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    // Written behind the service's back, as a rule saved before the check existed would be.
    const stale = await t.db.prisma.routingRule.create({ data: { pattern: '\\s*(?=X)', preferredLayer: 'deep', priority: 100 } });
    const { heuristic: good } = await t.db.caller.routing.updateHeuristic({ pattern: 'X', preferredLayer: 'fast' });
    expect(await t.db.caller.routing.resolve({ input: '   X' })).toMatchObject({ ruleId: good.id, layer: 'fast' });
    invalidateRoutingRules(t.db.prisma);
    expect(await t.db.caller.routing.preview({ input: 'X' })).toMatchObject({ ruleId: good.id });
    const reports = warn.mock.calls.filter(([message]) => String(message).includes(`#${stale.id} `));
    expect(reports).toHaveLength(1);
    expect(String(reports[0]![0])).toMatch(/lookaround/);
  });
});

describe('matching off the main thread, with a time limit', () => {
  it('cuts off rules that are accepted but slow on an input, answers the default layer, and keeps the event loop free', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    // Each passes the save check, yet takes about 350 ms on this input in the NFA: 8 of them, ~3 s, written behind
    // Hone's back at the top priority, as a rule set grown over time would be.
    const slowPatterns = Array.from({ length: 8 }, (_, k) => `[ab]*a[ab]{62}[0-${k}]`);
    for (const pattern of slowPatterns) expect(patternProblem(pattern), pattern).toBeNull();
    for (const pattern of slowPatterns) {
      await t.db.prisma
        .$executeRaw`INSERT INTO routing_rules (pattern, preferred_layer, priority, updated_at) VALUES (${pattern}, 'deep', 1000000, now())`;
    }
    const { heuristic: ordinary } = await t.db.caller.routing.updateHeuristic({ pattern: '\\bdeploy\\b', preferredLayer: 'fast' });
    await t.db.caller.routing.preview({ input: 'warm up: start the worker and compile the rules' });

    const hostile = randomAbs(MATCHED_INPUT_CHARS);
    let decision: Awaited<ReturnType<typeof t.db.caller.routing.preview>> | undefined;
    const blockedMs = await longestEventLoopBlockMs(async () => {
      decision = await t.db.caller.routing.preview({ input: hostile });
    });
    const limit = env().HONE_ROUTE_MATCH_TIMEOUT_MS;
    expect(decision).toMatchObject({ layer: env().HONE_DEFAULT_LAYER, ruleId: null, model: null });
    expect(decision!.reasoning).toMatch(new RegExp(`cut off because matching took longer than ${limit} ms.*default layer`));
    // Matching these rules on the main thread would block it for seconds; posting the input to the worker does not.
    expect(blockedMs).toBeLessThan(limit / 2);
    expect(warn.mock.calls.some(([message]) => /cut off .*input of 32,768 characters/.test(String(message)))).toBe(true);

    // The worker was replaced: ordinary decisions go on, counted as usual.
    expect(await t.db.caller.routing.resolve({ input: 'deploy it', taskType: 'ops' })).toMatchObject({
      ruleId: ordinary.id,
      layer: 'fast',
      counted: true,
    });
  });

  it('answers requests queued behind a cut-off match, in order', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    await t.db.prisma.$executeRaw`INSERT INTO routing_rules (pattern, preferred_layer, priority, updated_at)
      SELECT '[ab]*a[ab]{62}[0-' || k || ']', 'deep', 1000000, now() FROM generate_series(0, 7) AS k`;
    const { heuristic: ordinary } = await t.db.caller.routing.updateHeuristic({ pattern: 'ship', preferredLayer: 'fast' });
    const [slow, quick] = await Promise.all([
      t.db.caller.routing.preview({ input: randomAbs(MATCHED_INPUT_CHARS) }),
      t.db.caller.routing.preview({ input: 'ship it' }),
    ]);
    expect(slow.reasoning).toMatch(/cut off/);
    expect(quick).toMatchObject({ ruleId: ordinary.id, layer: 'fast' });
  });
});

describe('the routing rule cap', () => {
  const limit = () => env().HONE_MAX_ROUTING_RULES;
  const fillTo = (count: number) =>
    t.db.prisma.routingRule.createMany({
      data: Array.from({ length: count }, (_, i) => ({ pattern: `filler-${i}`, preferredLayer: 'fast' as const })),
    });

  it('refuses a rule beyond HONE_MAX_ROUTING_RULES with a conflict naming the limit, and still updates existing rules', async () => {
    await fillTo(limit() - 1);
    expect((await t.db.caller.routing.updateHeuristic({ pattern: 'the-last-place', preferredLayer: 'deep' })).created).toBe(true);
    const refused = await t.db.caller.routing.updateHeuristic({ pattern: 'one-too-many', preferredLayer: 'deep' }).then(
      () => expect.fail('expected the rule beyond the cap to be refused'),
      (error: { code?: string; message: string }) => error,
    );
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toContain(`at most ${limit().toLocaleString('en')} routing rules (HONE_MAX_ROUTING_RULES)`);
    expect(await t.db.prisma.routingRule.count()).toBe(limit());
    // At the cap, the spec's upsert of an existing pattern and an edit by id still work.
    const updated = await t.db.caller.routing.updateHeuristic({ pattern: 'the-last-place', preferredLayer: 'fast' });
    expect(updated).toMatchObject({ created: false, heuristic: { preferredLayer: 'fast' } });
    const edited = await t.db.caller.routing.updateHeuristic({ id: updated.heuristic.id, pattern: 'renamed', preferredLayer: 'fast' });
    expect(edited.heuristic.pattern).toBe('renamed');
    expect(await t.db.caller.routing.listHeuristics({ activeOnly: false })).toHaveLength(limit());
  });

  it('lets only one of several concurrent creations take the last place', async () => {
    await fillTo(limit() - 1);
    const results = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) => t.db.caller.routing.updateHeuristic({ pattern: `racer-${i}`, preferredLayer: 'deep' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(await t.db.prisma.routingRule.count()).toBe(limit());
  });
});
