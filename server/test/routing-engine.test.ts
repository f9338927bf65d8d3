import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { flushRouteDecisions, pendingRouteDecisions } from '../services/routing/decision-recorder';
import { writeRouteDecisions, type RouteDecisionRecord } from '../services/routing/decision-writer';
import { MATCHED_INPUT_CHARS } from '../services/routing/matcher';
import { useTestDatabase, writeKeyCaller } from './database';

const t = useTestDatabase();

const callerWithKey = (name: string) => writeKeyCaller(t.db.prisma, name);

describe('rule versions', () => {
  it('makes a version on creation and on each change of pattern, layer, model, priority or state; none otherwise', async () => {
    const routing = t.db.caller.routing;
    const { heuristic: created } = await routing.updateHeuristic({ pattern: 'deploy', preferredLayer: 'fast', reasoning: 'ops' });
    expect(created).toMatchObject({ version: 1, versionId: expect.any(Number) });
    const { heuristic: same } = await routing.updateHeuristic({
      pattern: 'deploy',
      preferredLayer: 'fast',
      reasoning: 'still ops',
      successRate: 80,
    });
    expect(same).toMatchObject({ version: 1, versionId: created.versionId, reasoning: 'still ops' });
    const { heuristic: deeper } = await routing.updateHeuristic({ id: created.id, pattern: 'deploy', preferredLayer: 'deep' });
    expect(deeper.version).toBe(2);
    expect(deeper.versionId).not.toBe(created.versionId);
    const { heuristic: renamed } = await routing.updateHeuristic({
      id: created.id,
      pattern: 'deploy|ship',
      preferredLayer: 'deep',
      preferredModel: 'gpt-4o',
      priority: 3,
      state: 'shadow',
    });
    expect(renamed).toMatchObject({ version: 3, state: 'shadow', active: false });
    await routing.deleteHeuristic({ id: created.id });

    const history = await routing.ruleHistory({ id: created.id });
    expect(history.exists).toBe(false);
    expect(history.versions.map((v) => [v.version, v.change])).toEqual([
      [4, 'deleted'],
      [3, 'updated'],
      [2, 'updated'],
      [1, 'created'],
    ]);
    expect(history.versions[1]!.changes).toEqual([
      { field: 'pattern', from: 'deploy', to: 'deploy|ship' },
      { field: 'preferredModel', from: null, to: 'gpt-4o' },
      { field: 'priority', from: 0, to: 3 },
      { field: 'state', from: 'active', to: 'shadow' },
    ]);
    expect(history.versions[2]!.changes).toEqual([{ field: 'preferredLayer', from: 'fast', to: 'deep' }]);
    expect(history.versions[3]!.changes).toContainEqual({ field: 'pattern', from: null, to: 'deploy' });
    expect(history.versions[3]).toMatchObject({ reasoning: 'ops', changedBy: null });
    expect(history.versions[0]).toMatchObject({ changes: [], pattern: 'deploy|ship', state: 'shadow' });
  });

  it('records the API key name as the author when auth is on', async () => {
    const { heuristic } = await callerWithKey('release-bot').routing.updateHeuristic({ pattern: 'release', preferredLayer: 'fast' });
    await callerWithKey('alice').routing.updateHeuristic({ id: heuristic.id, pattern: 'release', preferredLayer: 'balanced' });
    await callerWithKey('bob').routing.deleteHeuristic({ id: heuristic.id });
    const history = await t.db.caller.routing.ruleHistory({ id: heuristic.id });
    expect(history.versions.map((v) => [v.version, v.changedBy])).toEqual([
      [3, 'bob'],
      [2, 'alice'],
      [1, 'release-bot'],
    ]);
  });

  it('gives concurrent saves of one rule distinct, consecutive version numbers', async () => {
    const { heuristic } = await t.db.caller.routing.updateHeuristic({ pattern: 'race', preferredLayer: 'fast' });
    await Promise.all(
      Array.from({ length: 20 }, (_, k) =>
        t.db.caller.routing.updateHeuristic({ id: heuristic.id, pattern: 'race', preferredLayer: 'fast', priority: k + 1 }),
      ),
    );
    const versions = await t.db.prisma.routingRuleVersion.findMany({ where: { ruleId: heuristic.id }, orderBy: { version: 'asc' } });
    expect(versions.map((v) => v.version)).toEqual(Array.from({ length: 21 }, (_, k) => k + 1));
    const rule = await t.db.prisma.routingRule.findUniqueOrThrow({ where: { id: heuristic.id } });
    expect(rule).toMatchObject({ version: 21, versionId: versions.at(-1)!.id, priority: versions.at(-1)!.priority });
  });

  it('versions rules written behind the service too, and refuses history of a rule that never was', async () => {
    await t.db.prisma.$executeRaw`INSERT INTO routing_rules (pattern, preferred_layer) VALUES ('raw', 'deep')`;
    await t.db.prisma.$executeRaw`UPDATE routing_rules SET priority = 5 WHERE pattern = 'raw'`;
    const rule = await t.db.prisma.routingRule.findUniqueOrThrow({ where: { pattern: 'raw' } });
    expect(rule.version).toBe(2);
    expect((await t.db.caller.routing.ruleHistory({ id: rule.id })).versions[0]!.versionId).toBe(rule.versionId);
    await expect(t.db.caller.routing.ruleHistory({ id: rule.id + 1000 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

/** Per-version hits and shadow hits, as stored (after this process's queued decisions are written). */
async function versionHits() {
  await flushRouteDecisions(t.db.prisma);
  const rows = await t.db.prisma.ruleVersionHitHourly.findMany();
  const byVersion = new Map<number, { hits: number; shadowHits: number }>();
  for (const row of rows) {
    const total = byVersion.get(row.versionId) ?? { hits: 0, shadowHits: 0 };
    byVersion.set(row.versionId, { hits: total.hits + row.hits, shadowHits: total.shadowHits + row.shadowHits });
  }
  return byVersion;
}

async function outcomesByVersion() {
  const rows = await t.db.prisma.routeOutcomeHourly.findMany({ orderBy: [{ versionId: 'asc' }, { model: 'asc' }] });
  return rows.map((r) => ({
    versionId: r.versionId,
    model: r.model,
    taskType: r.taskType,
    outcomes: r.outcomes,
    successes: r.successes,
    latencyMsSum: r.latencyMsSum,
    latencyCount: r.latencyCount,
    costSum: r.costSum,
    costCount: r.costCount,
  }));
}

describe('decisions and their attribution', () => {
  it('attributes hits and outcomes before and after an edit to different versions', async () => {
    const routing = t.db.caller.routing;
    const { heuristic: v1 } = await routing.updateHeuristic({ pattern: 'deploy', preferredLayer: 'fast', preferredModel: 'small-1' });
    const first = await routing.resolve({ input: 'deploy it', taskType: 'ops' });
    const second = await routing.resolve({ input: 'deploy that', taskType: 'ops' });
    expect(first).toMatchObject({ ruleId: v1.id, versionId: v1.versionId, layer: 'fast', model: 'small-1', shadow: [], counted: true });
    expect(first.decisionId).not.toBe(second.decisionId);
    await routing.recordOutcome({ decisionId: first.decisionId, success: true, latencyMs: 100, cost: 0.5 });
    await routing.recordOutcome({ decisionId: second.decisionId, success: false, latencyMs: 300 });

    const { heuristic: v2 } = await routing.updateHeuristic({
      id: v1.id,
      pattern: 'deploy',
      preferredLayer: 'deep',
      preferredModel: 'big-1',
    });
    const third = await routing.resolve({ input: 'deploy now', taskType: 'ops' });
    expect(third).toMatchObject({ ruleId: v1.id, versionId: v2.versionId, layer: 'deep', model: 'big-1' });
    expect(await routing.recordOutcome({ decisionId: third.decisionId, success: true, cost: 2 })).toEqual({
      decisionId: third.decisionId,
      recorded: true,
      duplicate: false,
      versionId: v2.versionId,
      ruleId: v1.id,
      model: 'big-1',
      taskType: 'ops',
    });

    const hits = await versionHits();
    expect(hits.get(v1.versionId!)).toEqual({ hits: 2, shadowHits: 0 });
    expect(hits.get(v2.versionId!)).toEqual({ hits: 1, shadowHits: 0 });
    expect(await outcomesByVersion()).toEqual([
      {
        versionId: v1.versionId,
        model: 'small-1',
        taskType: 'ops',
        outcomes: 2,
        successes: 1,
        latencyMsSum: 400,
        latencyCount: 2,
        costSum: 0.5,
        costCount: 1,
      },
      {
        versionId: v2.versionId,
        model: 'big-1',
        taskType: 'ops',
        outcomes: 1,
        successes: 1,
        latencyMsSum: 0,
        latencyCount: 0,
        costSum: 2,
        costCount: 1,
      },
    ]);
    // The per-rule hit history the charts read keeps counting the rule as a whole.
    const ruleHits = await t.db.prisma.ruleHitHourly.aggregate({ _sum: { hits: true }, where: { ruleId: v1.id } });
    expect(ruleHits._sum.hits).toBe(3);
  });

  it('counts the default layer under version 0 and the model the outcome names', async () => {
    const decision = await t.db.caller.routing.resolve({ input: 'nothing matches this' });
    expect(decision).toMatchObject({ ruleId: null, versionId: null, layer: 'balanced' });
    await t.db.caller.routing.recordOutcome({ decisionId: decision.decisionId, success: true, modelId: 'gpt-4o' });
    const other = await t.db.caller.routing.resolve({ input: 'nor this' });
    await t.db.caller.routing.recordOutcome({ decisionId: other.decisionId, success: false });
    expect((await outcomesByVersion()).map((r) => [r.versionId, r.model, r.taskType, r.outcomes, r.successes])).toEqual([
      [0, '', '', 1, 0],
      [0, 'gpt-4o', '', 1, 1],
    ]);
  });

  it('evaluates shadow rules on every decision, counts them, and never lets them decide', async () => {
    const routing = t.db.caller.routing;
    const { heuristic: active } = await routing.updateHeuristic({ pattern: 'deploy', preferredLayer: 'fast', priority: 1 });
    const { heuristic: ahead } = await routing.updateHeuristic({
      pattern: 'deploy|release',
      preferredLayer: 'deep',
      priority: 5,
      state: 'shadow',
    });
    const { heuristic: behind } = await routing.updateHeuristic({
      pattern: 'deploy it',
      preferredLayer: 'deep',
      priority: 0,
      state: 'shadow',
    });
    const both = await routing.resolve({ input: 'deploy it' });
    expect(both).toMatchObject({ ruleId: active.id, versionId: active.versionId, layer: 'fast' });
    expect(both.shadow).toEqual([
      { ruleId: ahead.id, versionId: ahead.versionId, wouldDecide: true, displacedVersionId: active.versionId },
      { ruleId: behind.id, versionId: behind.versionId, wouldDecide: false, displacedVersionId: null },
    ]);
    const onlyShadow = await routing.resolve({ input: 'release it' });
    expect(onlyShadow).toMatchObject({ ruleId: null, versionId: null, layer: 'balanced' });
    expect(onlyShadow.shadow).toEqual([{ ruleId: ahead.id, versionId: ahead.versionId, wouldDecide: true, displacedVersionId: null }]);
    // A preview shows shadow rules too, and is not counted.
    expect((await routing.preview({ input: 'release it' })).shadow).toHaveLength(1);

    const hits = await versionHits();
    expect(hits.get(active.versionId!)).toEqual({ hits: 1, shadowHits: 0 });
    expect(hits.get(ahead.versionId!)).toEqual({ hits: 0, shadowHits: 2 });
    expect(hits.get(behind.versionId!)).toEqual({ hits: 0, shadowHits: 1 });
    const displacements = await t.db.prisma.shadowDisplacementHourly.findMany({ orderBy: { displacedVersionId: 'asc' } });
    expect(displacements.map((d) => [d.versionId, d.displacedVersionId, d.decisions])).toEqual([
      [ahead.versionId, 0, 1],
      [ahead.versionId, active.versionId, 1],
    ]);
    expect(await t.db.prisma.routingDecisionHourly.findMany()).toEqual([expect.objectContaining({ decisions: 2, misses: 1 })]);
  });
});

describe('outcomes', () => {
  it('takes one outcome per decision: a repeat is a reported duplicate, never a second count', async () => {
    const decision = await t.db.caller.routing.resolve({ input: 'anything', taskType: 'chat' });
    expect(await t.db.caller.routing.recordOutcome({ decisionId: decision.decisionId, success: true })).toMatchObject({ recorded: true });
    expect(await t.db.caller.routing.recordOutcome({ decisionId: decision.decisionId, success: false })).toEqual({
      decisionId: decision.decisionId,
      recorded: false,
      duplicate: true,
    });
    expect((await outcomesByVersion()).map((r) => [r.outcomes, r.successes])).toEqual([[1, 1]]);
  });

  it('counts exactly one of racing outcomes of one decision', async () => {
    const decision = await t.db.caller.routing.resolve({ input: 'anything' });
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        t.db.caller.routing.recordOutcome({ decisionId: decision.decisionId, success: true, latencyMs: 10 }),
      ),
    );
    expect(answers.filter((a) => a.recorded)).toHaveLength(1);
    expect(answers.filter((a) => a.duplicate)).toHaveLength(11);
    expect((await outcomesByVersion()).map((r) => [r.outcomes, r.latencyMsSum])).toEqual([[1, 10]]);
  });

  it('refuses an unknown decisionId with a 404 naming decisionId', async () => {
    const unknown = randomUUID();
    await expect(t.db.caller.routing.recordOutcome({ decisionId: unknown, success: true })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining(unknown),
    });
    const error = await t.db.caller.routing.recordOutcome({ decisionId: unknown, success: true }).catch((e: { cause?: unknown }) => e);
    expect(JSON.stringify(error)).toContain('decisionId');
    await expect(t.db.caller.routing.recordOutcome({ decisionId: 'not-a-uuid', success: true })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    expect(await t.db.prisma.routeOutcomeHourly.count()).toBe(0);
  });
});

describe('decision recording', () => {
  it('answers before writing, and writes within a second', async () => {
    const decision = await t.db.caller.routing.resolve({ input: 'write me later' });
    const answeredAt = Date.now();
    expect(pendingRouteDecisions(t.db.prisma)).toBe(1);
    // Generous: the flush starts within 500 ms; the write itself may wait on a loaded machine.
    const deadline = answeredAt + 5000;
    let stored = false;
    while (!stored && Date.now() < deadline) {
      stored = (await t.db.prisma.routingDecision.count({ where: { decisionId: decision.decisionId } })) === 1;
      if (!stored) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(stored).toBe(true);
    expect(Date.now() - answeredAt).toBeLessThan(5000);
    expect(pendingRouteDecisions(t.db.prisma)).toBe(0);
  });

  it('does not record dry runs or previews', async () => {
    await t.db.caller.routing.updateHeuristic({ pattern: 'sql', preferredLayer: 'deep' });
    await t.db.caller.routing.resolve({ input: 'optimise this sql', dryRun: true });
    await t.db.caller.routing.preview({ input: 'optimise this sql' });
    expect(pendingRouteDecisions(t.db.prisma)).toBe(0);
    await flushRouteDecisions(t.db.prisma);
    expect(await t.db.prisma.routingDecision.count()).toBe(0);
    expect(await t.db.prisma.routingDecisionSample.count()).toBe(0);
    expect(await t.db.prisma.ruleVersionHitHourly.count()).toBe(0);
  });

  it('samples decision inputs, bounded to the matched prefix', async () => {
    const { heuristic } = await t.db.caller.routing.updateHeuristic({ pattern: '^long', preferredLayer: 'deep' });
    const input = 'long ' + 'x'.repeat(MATCHED_INPUT_CHARS * 2);
    await t.db.caller.routing.resolve({ input, taskType: 'docs' });
    await flushRouteDecisions(t.db.prisma);
    const [sample] = await t.db.prisma.routingDecisionSample.findMany();
    expect(sample).toMatchObject({ taskType: 'docs', versionId: heuristic.versionId, ruleId: heuristic.id, layer: 'deep' });
    expect(sample!.input).toBe(input.slice(0, MATCHED_INPUT_CHARS));
  });

  const decisionAt = (at: Date, input?: string): RouteDecisionRecord => ({
    decisionId: randomUUID(),
    at,
    versionId: null,
    ruleId: null,
    layer: 'fast',
    model: null,
    taskType: '',
    shadow: [],
    input,
  });

  it('keeps at most the hourly cap of samples, across writes, per hour; none when storing inputs is off', async () => {
    const hour = new Date('2026-03-01T10:00:00Z');
    const minute = (m: number) => new Date(hour.getTime() + m * 60_000);
    const write = (decisions: RouteDecisionRecord[], storeInputs = true) =>
      t.db.prisma.$transaction((tx) => writeRouteDecisions(tx, decisions, { storeInputs, samplesPerHour: 3 }));
    await write([1, 2].map((m) => decisionAt(minute(m), `input ${m}`)));
    await write([3, 4, 5].map((m) => decisionAt(minute(m), `input ${m}`)));
    await write([decisionAt(minute(70), 'next hour')]);
    await write([decisionAt(minute(71), 'not stored')], false);
    const samples = await t.db.prisma.routingDecisionSample.findMany({ orderBy: { sampledAt: 'asc' } });
    expect(samples.filter((s) => s.sampledAt < minute(60))).toHaveLength(3);
    expect(samples.filter((s) => s.sampledAt >= minute(60)).map((s) => s.input)).toEqual(['next hour']);
    // Every decision is stored and counted, sampled or not.
    expect(await t.db.prisma.routingDecision.count()).toBe(7);
  });

  it('stores every decision of a rule deleted while its decisions are being written (no foreign key failure loses a batch)', async () => {
    const { heuristic } = await t.db.caller.routing.updateHeuristic({ pattern: 'doomed', preferredLayer: 'deep' });
    const ofRule = (): RouteDecisionRecord => ({ ...decisionAt(new Date()), ruleId: heuristic.id, versionId: heuristic.versionId });
    const batches = Array.from({ length: 12 }, () => Array.from({ length: 20 }, ofRule));
    const writes = batches.map((batch, i) =>
      new Promise((resolve) => setTimeout(resolve, i * 3)).then(() => t.db.prisma.$transaction((tx) => writeRouteDecisions(tx, batch))),
    );
    const deletion = new Promise((resolve) => setTimeout(resolve, 15)).then(() =>
      t.db.caller.routing.deleteHeuristic({ id: heuristic.id }),
    );
    await Promise.all([...writes, deletion]);
    expect(await t.db.prisma.routingDecision.count()).toBe(240);
    expect(await t.db.prisma.ruleHitHourly.count({ where: { ruleId: heuristic.id } })).toBe(0);
  });
});

describe('ingest of routing decisions and outcomes', () => {
  it('stores and counts decisions, then their outcomes in the same batch; repeats are duplicates, unknown decisions rejected', async () => {
    const { heuristic } = await t.db.caller.routing.updateHeuristic({ pattern: 'gateway', preferredLayer: 'fast', preferredModel: 'm-1' });
    const { heuristic: shadow } = await t.db.caller.routing.updateHeuristic({
      pattern: 'gate',
      preferredLayer: 'deep',
      priority: 9,
      state: 'shadow',
    });
    const [a, b] = [randomUUID(), randomUUID().toUpperCase()];
    const unknown = randomUUID();
    const decision = {
      versionId: heuristic.versionId,
      ruleId: heuristic.id,
      layer: 'fast' as const,
      model: 'm-1',
      taskType: 'coding',
      shadow: [{ ruleId: shadow.id, versionId: shadow.versionId!, displacedVersionId: heuristic.versionId, wouldDecide: true }],
    };
    const batch = {
      routeDecisions: [
        { ...decision, decisionId: a, input: 'the gateway decided this' },
        { ...decision, decisionId: b, at: new Date(Date.now() - 3_600_000).toISOString() },
        { ...decision, decisionId: a },
      ],
      routeOutcomes: [
        { decisionId: a, success: true, latencyMs: 50 },
        { decisionId: b.toLowerCase(), success: false, modelId: 'm-2' },
        { decisionId: unknown, success: true },
        { decisionId: a, success: false },
      ],
    };
    const result = await t.db.caller.ingest.batch(batch);
    expect(result.outcomes).toMatchObject({
      routeDecisions: ['stored', 'stored', 'duplicate'],
      routeOutcomes: ['stored', 'stored', 'rejected', 'duplicate'],
    });
    expect(result).toMatchObject({ stored: 4, duplicates: 2, rejected: 1 });
    expect(result.errors).toEqual([{ path: ['routeOutcomes', 2, 'decisionId'], message: expect.stringContaining(unknown) }]);

    const again = await t.db.caller.ingest.batch(batch);
    expect(again.outcomes).toMatchObject({
      routeDecisions: ['duplicate', 'duplicate', 'duplicate'],
      routeOutcomes: ['duplicate', 'duplicate', 'rejected', 'duplicate'],
    });

    const hits = await versionHits();
    expect(hits.get(heuristic.versionId!)).toEqual({ hits: 2, shadowHits: 0 });
    expect(hits.get(shadow.versionId!)).toEqual({ hits: 0, shadowHits: 2 });
    expect((await outcomesByVersion()).map((r) => [r.versionId, r.model, r.outcomes, r.successes])).toEqual([
      [heuristic.versionId, 'm-1', 1, 1],
      [heuristic.versionId, 'm-2', 1, 0],
    ]);
    expect((await t.db.prisma.routingDecisionSample.findMany()).map((s) => s.input)).toEqual(['the gateway decided this']);
    const hours = await t.db.prisma.routingDecisionHourly.findMany();
    expect(hours.reduce((sum, h) => sum + h.decisions, 0)).toBe(2);
  });

  it('rejects a malformed decision item on its own, naming the field', async () => {
    const result = await t.db.caller.ingest.batch({
      routeDecisions: [
        { decisionId: randomUUID(), versionId: null, ruleId: null, layer: 'fast', model: null, shadow: [] },
        { decisionId: 'nope', versionId: null, ruleId: null, layer: 'medium' as 'fast', model: null },
      ],
    });
    expect(result.outcomes.routeDecisions).toEqual(['stored', 'rejected']);
    expect(result.errors.map((e) => e.path.join('.'))).toEqual(
      expect.arrayContaining(['routeDecisions.1.decisionId', 'routeDecisions.1.layer']),
    );
  });
});

describe('get_routing_rule_stats', () => {
  it('measures each version from its outcomes, with a Wilson interval, beside the stated success rate; shadow counts with whom they displaced', async () => {
    const routing = t.db.caller.routing;
    const { heuristic: rule } = await routing.updateHeuristic({
      pattern: 'deploy',
      preferredLayer: 'fast',
      preferredModel: 'm-1',
      successRate: 95,
    });
    const { heuristic: shadow } = await routing.updateHeuristic({
      pattern: 'deploy|ship',
      preferredLayer: 'deep',
      priority: 5,
      state: 'shadow',
    });
    const decide = async (count: number, input: string) => {
      const ids: string[] = [];
      for (let i = 0; i < count; i++) ids.push((await routing.resolve({ input, taskType: 'ops' })).decisionId);
      return ids;
    };
    const v1Decisions = await decide(10, 'deploy it');
    await flushRouteDecisions(t.db.prisma);
    await t.db.caller.ingest.batch({
      routeOutcomes: v1Decisions.map((decisionId, i) => ({
        decisionId,
        success: i < 8,
        latencyMs: 100 + i * 10,
        cost: i < 5 ? 1 : undefined,
      })),
    });
    const { heuristic: edited } = await routing.updateHeuristic({
      id: rule.id,
      pattern: 'deploy',
      preferredLayer: 'balanced',
      successRate: 70,
    });
    const v2Decisions = await decide(2, 'deploy that');
    await decide(3, 'ship it'); // only the shadow rule matches: it would have displaced the default layer
    await routing.recordOutcome({ decisionId: v2Decisions[0]!, success: true, modelId: 'm-2' });

    const stats = await routing.ruleStats({});
    const [shadowStats, ruleStats] = stats.rules;
    expect(shadowStats).toMatchObject({ ruleId: shadow.id, state: 'shadow', hits: 0, shadowHits: 15, wouldDecide: 15 });
    expect(shadowStats!.versions[0]!.displaced).toEqual(
      expect.arrayContaining([
        { versionId: rule.versionId, ruleId: rule.id, decisions: 10 },
        { versionId: edited.versionId, ruleId: rule.id, decisions: 2 },
        { versionId: null, ruleId: null, decisions: 3 },
      ]),
    );
    expect(ruleStats).toMatchObject({ ruleId: rule.id, exists: true, hits: 12, statedSuccessRate: 70 });
    const [v2, v1] = ruleStats!.versions;
    expect(v1).toMatchObject({ versionId: rule.versionId, version: 1, current: false, hits: 10, statedSuccessRate: 95 });
    expect(v1!.outcomes).toMatchObject({
      n: 10,
      successes: 8,
      successRate: 80,
      latencySamples: 10,
      meanLatencyMs: 145,
      costSamples: 5,
      meanCost: 1,
    });
    expect(v1!.outcomes.successRateInterval!.low).toBeCloseTo(49.02, 1);
    expect(v1!.outcomes.successRateInterval!.high).toBeCloseTo(94.33, 1);
    expect(v2).toMatchObject({ versionId: edited.versionId, version: 2, current: true, hits: 2, statedSuccessRate: 70 });
    expect(v2!.outcomes).toMatchObject({ n: 1, successRate: 100, meanLatencyMs: null });
    expect(v2!.byModel).toEqual([expect.objectContaining({ model: 'm-2', n: 1 })]);
    expect(ruleStats!.outcomes).toMatchObject({ n: 11, successes: 9 });
    expect(stats.defaultLayer.decisions).toBe(3);

    // A deleted rule keeps its figures; another task type has none.
    await routing.deleteHeuristic({ id: rule.id });
    const afterDelete = await routing.ruleStats({ ruleId: rule.id });
    expect(afterDelete.rules).toEqual([expect.objectContaining({ ruleId: rule.id, exists: false, state: 'deleted', hits: 12 })]);
    expect((await routing.ruleStats({ taskType: 'chat' })).rules.every((r) => r.hits === 0 && r.outcomes.n === 0)).toBe(true);
  });
});
