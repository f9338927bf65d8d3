import { describe, expect, it } from 'vitest';
import { compileSnapshot, type RoutingSnapshot, type SnapshotRule } from './decide.mjs';
import {
  applyCandidate,
  CANDIDATE_VERSION_ID,
  decidedDifferently,
  decisionEnd,
  layerMixFigures,
  NEW_RULE_ID,
  projectChanges,
  ReplayTally,
  type CandidateRule,
  type DecisionEnd,
} from './replay-compare';

const rule = (ruleId: number, pattern: string, priority: number, extra: Partial<SnapshotRule> = {}): SnapshotRule => ({
  ruleId,
  versionId: ruleId * 10,
  version: 1,
  pattern,
  layer: 'fast',
  model: `model-${ruleId}`,
  priority,
  state: 'active',
  reasoning: null,
  ...extra,
});

const snapshotOf = (rules: SnapshotRule[]): RoutingSnapshot => ({
  version: 'v',
  defaultLayer: 'balanced',
  rules,
  sampling: { storeInputs: true, samplesPerHour: 200 },
});

const candidateRule = (over: Partial<CandidateRule>): CandidateRule => ({
  ruleId: null,
  pattern: 'x',
  layer: 'deep',
  model: 'big',
  priority: 0,
  state: 'active',
  reasoning: null,
  ...over,
});

const current = snapshotOf([rule(1, 'a', 5), rule(2, 'b', 0), rule(3, 'c', 0), rule(4, 'd', -1)]);
const order = (s: RoutingSnapshot) => s.rules.map((r) => `${r.ruleId}:${r.versionId}`);

describe('applyCandidate', () => {
  it('puts a new rule ahead of every rule of its priority, as a save now would (most recently updated first)', () => {
    const changed = applyCandidate(current, { kind: 'save', rule: candidateRule({ priority: 0 }) });
    expect(order(changed)).toEqual(['1:10', `${NEW_RULE_ID}:${CANDIDATE_VERSION_ID}`, '2:20', '3:30', '4:40']);
    expect(order(applyCandidate(current, { kind: 'save', rule: candidateRule({ priority: -5 }) })).at(-1)).toBe('-1:-1');
    expect(order(applyCandidate(current, { kind: 'save', rule: candidateRule({ priority: 9 }) }))[0]).toBe('-1:-1');
  });

  it('moves an edited rule to its new place and takes a deleted or deactivated one out', () => {
    const edited = applyCandidate(current, { kind: 'save', rule: candidateRule({ ruleId: 3, priority: 5 }) });
    expect(order(edited)).toEqual(['3:-1', '1:10', '2:20', '4:40']);
    expect(edited.rules[0]!.version).toBe(2);
    expect(order(applyCandidate(current, { kind: 'delete', ruleId: 2 }))).toEqual(['1:10', '3:30', '4:40']);
    expect(order(applyCandidate(current, { kind: 'save', rule: candidateRule({ ruleId: 2, state: 'inactive' }) }))).toEqual([
      '1:10',
      '3:30',
      '4:40',
    ]);
    expect(current.rules).toHaveLength(4); // the current snapshot is left as it was
  });
});

describe('replayed decisions', () => {
  const before = compileSnapshot(current);
  const endOf = (s: RoutingSnapshot, input: string) => decisionEnd(s, compileSnapshot(s).match(input));

  it('names the deciding rule, or the default layer', () => {
    expect(decisionEnd(current, before.match('b c'))).toEqual({ ruleId: 2, versionId: 20, layer: 'fast', model: 'model-2' });
    expect(decisionEnd(current, before.match('zzz'))).toEqual({ ruleId: null, versionId: null, layer: 'balanced', model: null });
  });

  it('counts a change of rule, layer or model, not an edit that decides as before', () => {
    const samePlace = applyCandidate(current, {
      kind: 'save',
      rule: candidateRule({ ruleId: 2, pattern: 'b|e', layer: 'fast', model: 'model-2' }),
    });
    expect(decidedDifferently(endOf(current, 'b'), endOf(samePlace, 'b'))).toBe(false);
    expect(decidedDifferently(endOf(current, 'e'), endOf(samePlace, 'e'))).toBe(true); // default layer → rule 2
    const otherModel = applyCandidate(current, {
      kind: 'save',
      rule: candidateRule({ ruleId: 2, pattern: 'b', layer: 'fast', model: 'other' }),
    });
    expect(decidedDifferently(endOf(current, 'b'), endOf(otherModel, 'b'))).toBe(true);
    const shadow = applyCandidate(current, { kind: 'save', rule: candidateRule({ pattern: 'a', priority: 9, state: 'shadow' }) });
    expect(decidedDifferently(endOf(current, 'a'), endOf(shadow, 'a'))).toBe(false); // a shadow rule never decides
  });

  it('tallies takeovers from → to per task type and per UTC day', () => {
    const tally = new ReplayTally();
    const ruleTwo: DecisionEnd = { ruleId: 2, versionId: 20, layer: 'fast', model: 'model-2' };
    const fallback: DecisionEnd = { ruleId: null, versionId: null, layer: 'balanced', model: null };
    const candidate: DecisionEnd = { ruleId: NEW_RULE_ID, versionId: CANDIDATE_VERSION_ID, layer: 'deep', model: 'big' };
    const at = (iso: string) => new Date(iso);
    tally.add({ taskType: 'coding', sampledAt: at('2026-03-02T10:00:00Z') }, ruleTwo, candidate);
    tally.add({ taskType: 'coding', sampledAt: at('2026-03-02T23:59:59Z') }, ruleTwo, candidate);
    tally.add({ taskType: 'coding', sampledAt: at('2026-03-03T00:00:00Z') }, fallback, candidate);
    tally.add({ taskType: 'chat', sampledAt: at('2026-03-01T12:00:00Z') }, ruleTwo, ruleTwo);
    expect(tally.samples).toBe(4);
    expect(tally.takeovers).toBe(3);
    expect(tally.firstAt).toEqual(at('2026-03-01T12:00:00Z'));
    expect(tally.lastAt).toEqual(at('2026-03-03T00:00:00Z'));
    expect(tally.changes()).toEqual([
      { taskType: 'coding', from: ruleTwo, to: candidate, decisions: 2 },
      { taskType: 'coding', from: fallback, to: candidate, decisions: 1 },
    ]);
    expect(tally.taskTypes()).toEqual([
      { taskType: 'coding', samples: 3, takeovers: 3 },
      { taskType: 'chat', samples: 1, takeovers: 0 },
    ]);
    expect(
      tally.perDay(['2026-03-01T00:00:00.000Z', '2026-03-02T00:00:00.000Z', '2026-03-03T00:00:00.000Z', '2026-03-04T00:00:00.000Z']),
    ).toEqual([
      { t: '2026-03-01T00:00:00.000Z', samples: 1, takeovers: 0 },
      { t: '2026-03-02T00:00:00.000Z', samples: 2, takeovers: 2 },
      { t: '2026-03-03T00:00:00.000Z', samples: 1, takeovers: 1 },
      { t: '2026-03-04T00:00:00.000Z', samples: 0, takeovers: 0 },
    ]);
  });
});

describe('projection', () => {
  const end: DecisionEnd = { ruleId: null, versionId: null, layer: 'balanced', model: null };
  const figures = (successRate: number, avgLatencyMs: number, avgCost: number) => ({
    successRate,
    avgLatencyMs,
    avgCost,
    source: 'range' as const,
  });

  it('weights each change by its decisions and leaves out changes without figures on both ends', () => {
    const projection = projectChanges(
      [
        { taskType: 't', from: end, to: end, decisions: 3, fromFigures: figures(80, 1000, 0.01), toFigures: figures(90, 2000, 0.03) },
        { taskType: 't', from: end, to: end, decisions: 1, fromFigures: figures(60, 500, 0.01), toFigures: figures(100, 500, 0.01) },
        { taskType: 'u', from: end, to: end, decisions: 5, fromFigures: figures(10, 1, 1), toFigures: null },
      ],
      20,
    );
    expect(projection.decisionsWithFigures).toBe(4);
    expect(projection.decisionsWithoutFigures).toBe(5);
    // before (3·80 + 60)/4 = 75, after (3·90 + 100)/4 = 92.5; over the 20 sampled decisions: (370 − 300)/20 = 3.5
    expect(projection.successRate).toEqual({ before: 75, after: 92.5, delta: 17.5, deltaOverSample: 3.5 });
    expect(projection.latencyMs).toEqual({ before: 875, after: 1625, delta: 750, deltaOverSample: 150 });
    expect(projection.cost!.delta).toBeCloseTo(0.015, 12);
  });

  it('answers null figures when no change has figures on both ends', () => {
    const projection = projectChanges([{ taskType: 't', from: end, to: end, decisions: 2, fromFigures: null, toFigures: null }], 2);
    expect(projection).toEqual({ decisionsWithFigures: 0, decisionsWithoutFigures: 2, successRate: null, latencyMs: null, cost: null });
  });

  it('figures a layer by the weighted mean of the models it used that have figures', () => {
    const f = (successRate: number) => ({ successRate, avgLatencyMs: successRate * 10, avgCost: successRate / 100 });
    expect(
      layerMixFigures([
        { weight: 3, figures: f(90) },
        { weight: 1, figures: f(50) },
        { weight: 10, figures: null },
      ]),
    ).toEqual({
      successRate: 80,
      avgLatencyMs: 800,
      avgCost: 0.8,
      source: 'layer-mix',
    });
    expect(layerMixFigures([{ weight: 4, figures: null }])).toBeNull();
    expect(layerMixFigures([])).toBeNull();
  });
});
