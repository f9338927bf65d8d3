import { describe, expect, it } from 'vitest';
import { compileSnapshot, decide, type RoutingSnapshot, type SnapshotExperiment, type SnapshotPolicy, type SnapshotRule } from './engine';

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

describe('decide with adaptive policies and experiments', () => {
  const policy: SnapshotPolicy = {
    policyId: 7,
    name: 'coding models',
    taskType: 'coding',
    candidates: ['cheap', 'strong'],
    explorationCap: 0.1,
    minSamples: 20,
    params: {
      coding: {
        computedAt: '2026-11-26T00:00:00Z',
        arms: [
          {
            model: 'cheap',
            share: 0.1,
            trusted: true,
            effectiveSamples: 80,
            outcomes: 90,
            successMean: 0.6,
            costMean: 0.001,
            latencyMsMean: 400,
            rewardMean: 0.6,
          },
          {
            model: 'strong',
            share: 0.9,
            trusted: true,
            effectiveSamples: 120,
            outcomes: 130,
            successMean: 0.9,
            costMean: 0.01,
            latencyMsMean: 900,
            rewardMean: 0.89,
          },
        ],
      },
    },
  };
  const layerRule: SnapshotRule = { ...rule(10, 'refactor', 'active'), model: null };
  const fixedRule = rule(11, 'review', 'active');
  /** Uniform draws from a fixed list, so a choice by shares is known in advance. */
  const draws =
    (...values: number[]) =>
    () =>
      values.shift() ?? 0.5;

  it("lets the task type's policy choose when the deciding rule names no model, by its shares, and says why", () => {
    const compiled = compileSnapshot({ ...snapshotOf([layerRule, fixedRule]), policies: [policy] });
    const strong = decide(compiled, 'refactor this', { taskType: 'coding', random: draws(0.5) });
    expect(strong).toMatchObject({ ruleId: 10, layer: 'deep', model: 'strong', policyId: 7 });
    expect(strong.choice).toMatchObject({ model: 'strong', explored: false, paramsTaskType: 'coding' });
    expect(strong.reasoning).toContain('Adaptive policy "coding models" chose strong');
    expect(decide(compiled, 'refactor this', { taskType: 'coding', random: draws(0.05) }).model).toBe('cheap');
    // A rule naming its model keeps it; another task type has no policy.
    expect(decide(compiled, 'review this', { taskType: 'coding' })).toMatchObject({ model: 'model-11', policyId: null, choice: null });
    expect(decide(compiled, 'refactor this', { taskType: 'chat' })).toMatchObject({ model: null, policyId: null });
    // The default layer's decisions of the task type are chosen by the policy too.
    expect(decide(compiled, 'hello', { taskType: 'coding', random: draws(0.99) })).toMatchObject({
      ruleId: null,
      model: 'strong',
      policyId: 7,
    });
  });

  it('a rule naming a policy has its model chosen by it, whatever the task type; without parameters the choice is uniform', () => {
    const untrained: SnapshotPolicy = { ...policy, policyId: 8, taskType: null, params: {} };
    const compiled = compileSnapshot({ ...snapshotOf([{ ...fixedRule, policyId: 8 }]), policies: [policy, untrained] });
    const decision = decide(compiled, 'review', { taskType: 'chat', random: draws(0.7) });
    expect(decision).toMatchObject({ model: 'strong', policyId: 8 });
    expect(decision.choice).toMatchObject({ paramsTaskType: null, share: 0.5, explored: true });
  });

  it('puts a keyed request in the same experiment arm every time, and the arm changes the decision', () => {
    const experiment: SnapshotExperiment = {
      experimentId: 3,
      name: 'strong for reviews',
      ruleId: 11,
      taskType: null,
      salt: 'salt',
      arms: [
        { armId: 30, name: 'control', weight: 1, variant: { kind: 'control' } },
        { armId: 31, name: 'strong', weight: 1, variant: { kind: 'model', model: 'strong' } },
      ],
    };
    const compiled = compileSnapshot({ ...snapshotOf([fixedRule]), experiments: [experiment] });
    const byKey = new Map<string, number | null>();
    for (let i = 0; i < 2000; i++) {
      const key = `conversation-${i % 200}`;
      const decision = decide(compiled, 'review', { requestKey: key });
      expect(decision.experimentId).toBe(3);
      expect(decision.model).toBe(decision.armId === 31 ? 'strong' : 'model-11');
      if (byKey.has(key)) expect(decision.armId).toBe(byKey.get(key));
      byKey.set(key, decision.armId);
    }
    const treated = [...byKey.values()].filter((arm) => arm === 31).length;
    expect(treated).toBeGreaterThan(70);
    expect(treated).toBeLessThan(130);
    // A stopped arm (weight 0) sends its traffic to the control.
    const stopped = compileSnapshot({
      ...snapshotOf([fixedRule]),
      experiments: [{ ...experiment, arms: [experiment.arms[0]!, { ...experiment.arms[1]!, weight: 0 }] }],
    });
    for (const key of byKey.keys()) expect(decide(stopped, 'review', { requestKey: key }).armId).toBe(30);
  });
});
