import { describe, expect, it } from 'vitest';
import { compileSnapshot, decide, type RoutingSnapshot, type SnapshotRule } from './engine';

let nextVersionId = 100;
const rule = (ruleId: number, pattern: string, state: SnapshotRule['state'], layer: SnapshotRule['layer'] = 'deep'): SnapshotRule => ({
  ruleId,
  versionId: nextVersionId++,
  version: 1,
  pattern,
  layer,
  model: state === 'active' ? `model-${ruleId}` : null,
  priority: 0,
  state,
  reasoning: null,
});

const snapshotOf = (rules: SnapshotRule[]): RoutingSnapshot => ({
  version: 'v1',
  defaultLayer: 'balanced',
  rules,
  sampling: { storeInputs: true, samplesPerHour: 200 },
});

describe('decide', () => {
  const shadowFirst = rule(1, 'sort', 'shadow', 'fast');
  const activeSort = rule(2, 'sort|search', 'active');
  const shadowLate = rule(3, 'algorithm', 'shadow');
  const activeCode = rule(4, '\\bcode\\b', 'active', 'fast');
  const compiled = compileSnapshot(snapshotOf([shadowFirst, activeSort, shadowLate, activeCode]));

  it('decides by the first matching active rule; a shadow rule ranked ahead never decides but would have displaced it', () => {
    const decision = decide(compiled, 'implement a sort algorithm');
    expect(decision).toMatchObject({ ruleId: 2, versionId: activeSort.versionId, layer: 'deep', model: 'model-2' });
    expect(decision.shadow).toEqual([
      { ruleId: 1, versionId: shadowFirst.versionId, wouldDecide: true, displacedVersionId: activeSort.versionId },
      { ruleId: 3, versionId: shadowLate.versionId, wouldDecide: false, displacedVersionId: null },
    ]);
    expect(decision.decisionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers the default layer when no active rule matches; a matching shadow rule would have displaced the default', () => {
    const decision = decide(compiled, 'an algorithm for nothing in particular');
    expect(decision).toMatchObject({ ruleId: null, versionId: null, layer: 'balanced', model: null });
    expect(decision.shadow).toEqual([{ ruleId: 3, versionId: shadowLate.versionId, wouldDecide: true, displacedVersionId: null }]);
  });

  it('a snapshot of shadow rules only never routes anywhere but the default layer', () => {
    const onlyShadow = compileSnapshot(snapshotOf([rule(5, '.*', 'shadow', 'fast')]));
    const decision = decide(onlyShadow, 'anything');
    expect(decision.layer).toBe('balanced');
    expect(decision.shadow).toHaveLength(1);
  });

  it('leaves out and lists rules whose pattern the engine refuses, active or shadow', () => {
    const withBad = compileSnapshot(snapshotOf([rule(6, '(a)\\1', 'active'), rule(7, '(?=x)', 'shadow'), rule(8, 'ok', 'active')]));
    expect(withBad.unusable.map((u) => u.index)).toEqual([0, 1]);
    expect(decide(withBad, 'ok').ruleId).toBe(8);
  });
});
