import { describe, expect, it } from 'vitest';
import { env } from '../env';
import { recordModelCalls, type ModelCall } from '../services/model-performance';
import { CANDIDATE_VERSION_ID, NEW_RULE_ID } from '../services/routing/replay-compare';
import { saveRoutingRule } from '../services/routing/rule-store';
import { expectBadRequest, useTestDatabase } from './database';

const t = useTestDatabase();

// A constructed history whose replay is worked out by hand below. The range is three whole UTC days.
const range = { from: '2026-03-01T00:00:00Z', to: '2026-03-04T00:00:00Z' };
const inRange = (day: number, hour = 10) => new Date(Date.UTC(2026, 2, day, hour));
const before = new Date('2026-02-10T10:00:00Z');

/** Gives every rule without one its first version, as the rule store does once versions are written on save. */
async function versionRules() {
  await t.db.prisma.$executeRaw`
    INSERT INTO routing_rule_versions (rule_id, version, pattern, preferred_layer, preferred_model, priority, state, change)
    SELECT id, 1, pattern, preferred_layer, preferred_model, priority, state, 'created' FROM routing_rules WHERE version_id IS NULL`;
  await t.db.prisma.$executeRaw`
    UPDATE routing_rules r SET version_id = v.id FROM routing_rule_versions v WHERE v.rule_id = r.id AND r.version_id IS NULL`;
  const rows = await t.db.prisma.routingRule.findMany({ orderBy: { id: 'asc' } });
  return rows.map((r) => ({ id: r.id, versionId: r.versionId! }));
}

async function sample(input: string, taskType: string, at: Date, times = 1) {
  for (let i = 0; i < times; i++)
    await t.db.prisma.$executeRaw`
      INSERT INTO routing_decision_samples (sampled_at, input, task_type, layer) VALUES (${at}, ${input}, ${taskType}, 'balanced')`;
}

const calls = (modelId: string, taskType: string, at: Date, n: number, successes: number, latencyMs: number, cost: number): ModelCall[] =>
  Array.from({ length: n }, (_, i) => ({ modelId, taskType, at, success: i < successes, latencyMs, cost }));

async function outcomes(versionId: number, model: string, taskType: string, hour: Date, count: number) {
  await t.db.prisma.$executeRaw`
    INSERT INTO routing_outcomes_hourly (version_id, model, task_type, hour, outcomes, successes) VALUES (${versionId}, ${model}, ${taskType}, ${hour}, ${count}, 0)`;
}

/**
 * Rules: A /sort/ → fast / small, then B /prove/ → deep with no model (saved later, so checked first at equal priority).
 * Samples in the range (15): day 1: 4 × "please sort this list" (coding), 1 × "sort words" (translation); day 2:
 * 2 × "sort and prove" (coding: B decides), 3 × "prove the lemma" (math); day 3: 5 × "hello there" (chat). One more
 * before the range, which must not count.
 */
async function history() {
  await saveRoutingRule(t.db.prisma, { pattern: 'sort', preferredLayer: 'fast', preferredModel: 'small' });
  await saveRoutingRule(t.db.prisma, { pattern: 'prove', preferredLayer: 'deep' });
  const [a, b] = await versionRules();
  await sample('please sort this list', 'coding', inRange(1), 4);
  await sample('sort words', 'translation', inRange(1, 20));
  await sample('sort and prove', 'coding', inRange(2), 2);
  await sample('prove the lemma', 'math', inRange(2, 23));
  await sample('prove the lemma', 'math', inRange(2, 1), 2);
  await sample('hello there', 'chat', inRange(3), 5);
  await sample('sort it, out of range', 'coding', new Date('2026-02-28T23:59:59Z'));
  await recordModelCalls(t.db.prisma, [
    ...calls('small', 'coding', inRange(2), 10, 8, 100, 0.01), // 80 %, 100 ms, $0.01
    ...calls('big', 'coding', inRange(2), 10, 9, 300, 0.05), // 90 %, 300 ms, $0.05 in the range…
    ...calls('big', 'coding', before, 10, 0, 5000, 1), // …which wins over its lifetime figures
    ...calls('big', 'math', before, 10, 7, 400, 0.04), // none in the range: lifetime 70 %, 400 ms, $0.04
    ...calls('mid', 'coding', inRange(2), 10, 6, 200, 0.02), // 60 %, 200 ms, $0.02
    ...calls('mid', 'math', before, 10, 5, 500, 0.03), // lifetime 50 %, 500 ms, $0.03
    ...calls('other', 'coding', inRange(2), 10, 0, 9000, 9),
    ...calls('zzz', 'coding', inRange(2), 10, 0, 9000, 9),
  ]);
  // Layer "deep" without a model (rule B) was answered, for coding, by mid 3× and big 1× in the range (other only
  // before it, so left out); for math by mid only, before the range (so all-time weights are used).
  await outcomes(b!.versionId, 'mid', 'coding', inRange(2), 3);
  await outcomes(b!.versionId, 'big', 'coding', inRange(2), 1);
  await outcomes(b!.versionId, 'other', 'coding', before, 100);
  await outcomes(b!.versionId, 'mid', 'math', before, 2);
  // Rule A names its model: its outcomes say nothing of what a layer picks.
  await outcomes(a!.versionId, 'zzz', 'coding', inRange(2), 50);
  return { a: a!, b: b! };
}

describe('replay_routing_rule', () => {
  it('replays an unsaved rule: takeovers from → to, per task type and day, and the projected change, all as worked out by hand', async () => {
    const { a, b } = await history();
    const replay = await t.db.caller.routing.replay({ ...range, pattern: 'sort|prove', preferredLayer: 'deep', preferredModel: 'big' });
    const candidate = { ruleId: NEW_RULE_ID, versionId: CANDIDATE_VERSION_ID, layer: 'deep', model: 'big' };
    const ruleA = { ruleId: a.id, versionId: a.versionId, layer: 'fast', model: 'small' };
    const ruleB = { ruleId: b.id, versionId: b.versionId, layer: 'deep', model: null };
    expect(replay.candidate).toEqual({
      kind: 'new',
      ruleId: null,
      pattern: 'sort|prove',
      preferredLayer: 'deep',
      preferredModel: 'big',
      priority: 0,
      state: 'active',
      position: 1,
    });
    expect(replay.sample).toEqual({
      size: 15,
      inRange: 15,
      truncated: false,
      firstAt: '2026-03-01T10:00:00.000Z',
      lastAt: '2026-03-03T10:00:00.000Z',
    });
    expect(replay.takeovers).toBe(10);
    expect(replay.takeoverRate).toBeCloseTo(10 / 15, 12);
    expect(replay.changes.map(({ fromFigures: _f, toFigures: _t, ...change }) => change)).toEqual([
      { taskType: 'coding', from: ruleA, to: candidate, decisions: 4 },
      { taskType: 'math', from: ruleB, to: candidate, decisions: 3 },
      { taskType: 'coding', from: ruleB, to: candidate, decisions: 2 },
      { taskType: 'translation', from: ruleA, to: candidate, decisions: 1 },
    ]);
    const [codingFromA, mathFromB, codingFromB, translation] = replay.changes;
    expect(codingFromA!.fromFigures).toMatchObject({ successRate: 80, avgLatencyMs: 100, source: 'range' });
    expect(codingFromA!.toFigures).toMatchObject({ successRate: 90, avgLatencyMs: 300, source: 'range' });
    expect(mathFromB!.fromFigures).toMatchObject({ successRate: 50, avgLatencyMs: 500, source: 'layer-mix' });
    expect(mathFromB!.toFigures).toMatchObject({ successRate: 70, avgLatencyMs: 400, source: 'all-time' });
    // (3 · 60 + 1 · 90) / 4 and (3 · 200 + 1 · 300) / 4
    expect(codingFromB!.fromFigures).toMatchObject({ successRate: 67.5, avgLatencyMs: 225, source: 'layer-mix' });
    expect(codingFromB!.fromFigures!.avgCost).toBeCloseTo((3 * 0.02 + 0.05) / 4, 12);
    expect(translation!.fromFigures).toBeNull();
    expect(translation!.toFigures).toBeNull();
    expect(replay.taskTypes).toEqual([
      { taskType: 'coding', samples: 6, takeovers: 6 },
      { taskType: 'math', samples: 3, takeovers: 3 },
      { taskType: 'translation', samples: 1, takeovers: 1 },
      { taskType: 'chat', samples: 5, takeovers: 0 },
    ]);
    expect(replay.series).toEqual({
      bucket: 'day',
      points: [
        { t: '2026-03-01T00:00:00.000Z', samples: 5, takeovers: 5 },
        { t: '2026-03-02T00:00:00.000Z', samples: 5, takeovers: 5 },
        { t: '2026-03-03T00:00:00.000Z', samples: 5, takeovers: 0 },
      ],
    });
    // 9 changed decisions have figures on both ends; success before (4·80 + 3·50 + 2·67.5)/9 = 605/9,
    // after (4·90 + 3·70 + 2·90)/9 = 750/9; spread over the 15 replayed: 145/15.
    const { projected } = replay;
    expect(projected.decisionsWithFigures).toBe(9);
    expect(projected.decisionsWithoutFigures).toBe(1);
    expect(projected.successRate!.before).toBeCloseTo(605 / 9, 9);
    expect(projected.successRate!.after).toBeCloseTo(750 / 9, 9);
    expect(projected.successRate!.delta).toBeCloseTo(145 / 9, 9);
    expect(projected.successRate!.deltaOverSample).toBeCloseTo(145 / 15, 9);
    // latency (4·100 + 3·500 + 2·225)/9 → (4·300 + 3·400 + 2·300)/9
    expect(projected.latencyMs!.before).toBeCloseTo(2350 / 9, 9);
    expect(projected.latencyMs!.after).toBeCloseTo(3000 / 9, 9);
    expect(projected.latencyMs!.deltaOverSample).toBeCloseTo(650 / 15, 9);
    // cost (4·0.01 + 3·0.03 + 2·0.0275)/9 → (4·0.05 + 3·0.04 + 2·0.05)/9
    expect(projected.cost!.before).toBeCloseTo(0.185 / 9, 12);
    expect(projected.cost!.after).toBeCloseTo(0.42 / 9, 12);
    expect(projected.cost!.delta).toBeCloseTo(0.235 / 9, 12);
    expect(replay.notes).toEqual([]);
  });

  it('replays an edit (the rule moves ahead of its equals, as a save would) and a deletion', async () => {
    const { a, b } = await history();
    const edit = await t.db.caller.routing.replay({ ...range, id: a.id, preferredModel: 'big' });
    expect(edit.candidate).toMatchObject({
      kind: 'edit',
      ruleId: a.id,
      pattern: 'sort',
      preferredLayer: 'fast',
      preferredModel: 'big',
      position: 1,
    });
    const editedA = { ruleId: a.id, versionId: CANDIDATE_VERSION_ID, layer: 'fast', model: 'big' };
    expect(edit.changes.map((c) => [c.taskType, c.from.ruleId, c.to, c.decisions])).toEqual([
      ['coding', a.id, editedA, 4],
      ['coding', b.id, editedA, 2],
      ['translation', a.id, editedA, 1],
    ]);
    expect(edit.takeovers).toBe(7);

    const deletion = await t.db.caller.routing.replay({ ...range, id: b.id, delete: true });
    expect(deletion.candidate).toMatchObject({ kind: 'delete', ruleId: b.id, pattern: 'prove', position: null });
    const fallback = { ruleId: null, versionId: null, layer: env().HONE_DEFAULT_LAYER, model: null };
    expect(deletion.changes.map((c) => [c.taskType, c.from.ruleId, c.to, c.decisions])).toEqual([
      ['math', b.id, fallback, 3],
      ['coding', b.id, { ruleId: a.id, versionId: a.versionId, layer: 'fast', model: 'small' }, 2],
    ]);

    // An unsaved rule with a stored rule's pattern is an edit of that rule, as update_routing_heuristic's upsert is.
    const samePattern = await t.db.caller.routing.replay({ ...range, pattern: 'prove', preferredLayer: 'deep' });
    expect(samePattern.candidate).toMatchObject({ kind: 'edit', ruleId: b.id });
    expect(samePattern.takeovers).toBe(0);
  });

  it('changes nothing with a shadow rule, says so, and reads only', async () => {
    await history();
    const count = () => t.db.prisma.$queryRaw<{ n: bigint }[]>`
      SELECT (SELECT count(*) FROM routing_rules) + (SELECT count(*) FROM routing_rule_versions) + (SELECT count(*) FROM routing_decision_samples) AS n`;
    const [stored] = await count();
    const replay = await t.db.caller.routing.replay({
      ...range,
      pattern: 'sort this',
      preferredLayer: 'deep',
      priority: 10,
      state: 'shadow',
    });
    expect(replay.takeovers).toBe(0);
    expect(replay.notes.join(' ')).toContain('shadow rule never decides');
    expect(await count()).toEqual([stored]);
  });

  it('replays at most sampleLimit samples, spread over the range, and says how many there were', async () => {
    await history();
    const replay = await t.db.caller.routing.replay({ ...range, pattern: 'hello', preferredLayer: 'fast', sampleLimit: 6 });
    expect(replay.sample).toMatchObject({ size: 6, inRange: 15, truncated: true });
    expect(replay.series.points.reduce((sum, p) => sum + p.samples, 0)).toBe(6);
    const again = await t.db.caller.routing.replay({ ...range, pattern: 'hello', preferredLayer: 'fast', sampleLimit: 6 });
    expect(again.takeovers).toBe(replay.takeovers);
  });

  it('answers an empty replay when no input was sampled', async () => {
    const replay = await t.db.caller.routing.replay({ pattern: 'x', preferredLayer: 'fast' });
    expect(replay.sample.size).toBe(0);
    expect(replay.takeoverRate).toBeNull();
    expect(replay.projected.successRate).toBeNull();
    expect(replay.series.points).toHaveLength(8); // the default 7 days, not starting on a whole day
    expect(replay.notes[0]).toContain('No decision inputs were sampled');
  });

  it('refuses what it cannot replay, naming the field', async () => {
    const { a, b } = await history();
    await expectBadRequest(t.db.caller.routing.replay({ preferredLayer: 'fast' }), 'pattern');
    await expectBadRequest(t.db.caller.routing.replay({ pattern: 'x' }), 'preferredLayer');
    await expectBadRequest(t.db.caller.routing.replay({ delete: true }), 'id');
    await expectBadRequest(t.db.caller.routing.replay({ id: a.id, delete: true, priority: 3 }), 'priority');
    await expectBadRequest(t.db.caller.routing.replay({ pattern: '(a)\\1', preferredLayer: 'fast' }), 'pattern');
    await expect(t.db.caller.routing.replay({ id: 999_999, preferredLayer: 'fast' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(t.db.caller.routing.replay({ id: a.id, pattern: 'prove' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('prove'),
    });
    expect(b.id).not.toBe(a.id);
  });
});
