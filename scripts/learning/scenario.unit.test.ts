import { describe, expect, it } from 'vitest';
import { compileSnapshot, decide } from '../../packages/client/src/routing/decide.js';
import type { RoutingSnapshot } from '../../packages/client/src/routing/types';
import { SCENARIOS, SPEC_RULES, simulationOptions, World } from './scenario';

const options = { seed: 7, requests: 10_000, degradeAt: 4000, newModelAt: 6000 };

/** The spec's rules as the snapshot serves them, in evaluation order (priority descending). */
const snapshot: RoutingSnapshot = {
  version: 'v1',
  defaultLayer: 'balanced',
  rules: [...SPEC_RULES]
    .sort((a, b) => b.priority - a.priority)
    .map((rule, index) => ({ ruleId: index + 1, versionId: index + 1, version: 1, ...rule, state: 'active' as const })),
  sampling: { storeInputs: false, samplesPerHour: 0 },
};
const compiled = compileSnapshot(snapshot);

describe('the traffic generator', () => {
  for (const scenario of Object.values(SCENARIOS)) {
    describe(scenario.name, () => {
      it('gives the same requests and outcomes for the same seed, and others for another seed', () => {
        const a = new World(scenario, options);
        const b = new World(scenario, options);
        const c = new World(scenario, { ...options, seed: 8 });
        const stream = (world: World) =>
          Array.from({ length: 300 }, (_, index) => {
            const request = world.request(index);
            return { ...request, outcome: world.outcome(scenario.models[0]!, request.taskType, index) };
          });
        expect(stream(a)).toEqual(stream(b));
        expect(stream(c).map((r) => r.prompt)).not.toEqual(stream(a).map((r) => r.prompt));
      });

      it('draws the same luck for every model on a request (common random numbers)', () => {
        const world = new World(scenario, options);
        // A model that is better everywhere never fails where a worse one succeeds.
        for (let index = 0; index < 500; index++) {
          const { taskType } = world.request(index);
          const [worse, better] = [...scenario.models].sort(
            (x, y) => world.truth(x, taskType, index).success - world.truth(y, taskType, index).success,
          );
          if (world.outcome(worse!, taskType, index).success) expect(world.outcome(better!, taskType, index).success).toBe(true);
        }
      });

      it('sends each task type its share of the traffic', () => {
        const world = new World(scenario, options);
        const counts = new Map<string, number>();
        for (let index = 0; index < 20_000; index++) {
          const { taskType } = world.request(index);
          counts.set(taskType, (counts.get(taskType) ?? 0) + 1);
        }
        for (const taskType of scenario.taskTypes) expect(counts.get(taskType.name)! / 20_000).toBeCloseTo(taskType.share, 1);
        expect(scenario.taskTypes.reduce((sum, taskType) => sum + taskType.share, 0)).toBeCloseTo(1, 9);
      });

      it('has prompts that one and the same static rule (or none) decides per task type, on models it knows', () => {
        const world = new World(scenario, options);
        const decidedBy = new Map<string, Set<string>>();
        for (let index = 0; index < 3000; index++) {
          const request = world.request(index);
          const decision = decide(compiled, request.prompt);
          const byRule = decidedBy.get(request.taskType) ?? new Set<string>();
          byRule.add(decision.pattern ?? '(default layer)');
          decidedBy.set(request.taskType, byRule);
          const model = decision.model ?? scenario.layerModels[decision.layer];
          expect(scenario.truth[model]?.[request.taskType], `${model} on ${request.taskType}`).toBeDefined();
        }
        for (const [taskType, rules] of decidedBy) expect([...rules], taskType).toHaveLength(1);
        // The spec's rules decide most of the traffic, not none of it.
        expect([...decidedBy.values()].filter((rules) => !rules.has('(default layer)')).length).toBeGreaterThanOrEqual(3);
      });

      it('degrades the clearly best model of its task type, whether or not the new model has appeared', () => {
        const { model, taskType } = scenario.degrade;
        for (const newModelAt of [0, 1_000_000]) {
          const world = new World(scenario, { ...options, degradeAt: 500, newModelAt });
          expect(world.oracle(taskType, 0).model).toBe(model);
          const others = world.available(0).filter((other) => other !== model);
          const runnerUp = Math.max(...others.map((other) => world.expectedReward(other, taskType, 0)));
          expect(world.expectedReward(model, taskType, 0) - runnerUp).toBeGreaterThan(0.01);
          expect(world.oracle(taskType, 500).model).not.toBe(model);
        }
      });

      it('knows every model on every task type, and the experiment rule is one of the spec rules', () => {
        for (const model of [...scenario.models, scenario.newModel]) {
          for (const taskType of scenario.taskTypes)
            expect(scenario.truth[model]?.[taskType.name], `${model} ${taskType.name}`).toBeDefined();
        }
        expect(SPEC_RULES.map((rule) => rule.pattern)).toContain(scenario.experiment.rulePattern);
      });
    });
  }

  it('degrades one model on one task type from D on, and offers the new model from N on', () => {
    const scenario = SCENARIOS.coding!;
    const world = new World(scenario, options);
    const { model, taskType, drop } = scenario.degrade;
    expect(world.truth(model, taskType, 3999).success - world.truth(model, taskType, 4000).success).toBeCloseTo(drop, 9);
    const otherTask = scenario.taskTypes.find((t) => t.name !== taskType)!.name;
    expect(world.truth(model, otherTask, 4000)).toEqual(world.truth(model, otherTask, 0));
    expect(world.available(5999)).not.toContain(scenario.newModel);
    expect(world.available(6000)).toContain(scenario.newModel);
  });

  it('reads its options, with D and N at 40% and 60% of the run by default', () => {
    expect(simulationOptions({}).simulation).toEqual({ seed: 1, requests: 50_000, degradeAt: 20_000, newModelAt: 30_000 });
    expect(simulationOptions({ scenario: 'support', seed: '3', requests: '1000', 'degrade-at': '10' }).simulation).toEqual({
      seed: 3,
      requests: 1000,
      degradeAt: 10,
      newModelAt: 600,
    });
    expect(() => simulationOptions({ scenario: 'nope' })).toThrow(/coding, support/);
    expect(() => simulationOptions({ seed: '-1' })).toThrow(/--seed/);
  });
});

describe('the oracle', () => {
  const scenario = SCENARIOS.coding!;
  const world = new World(scenario, options);

  it('picks the available model with the best expected reward', () => {
    for (const taskType of world.taskTypeNames) {
      for (const index of [0, 4000, 6000]) {
        const best = world.oracle(taskType, index);
        for (const model of world.available(index)) expect(world.expectedReward(model, taskType, index)).toBeLessThanOrEqual(best.reward);
        expect(world.available(index)).toContain(best.model);
      }
    }
  });

  it('moves off the degraded model once it degrades, and to the new model where it is best', () => {
    const { model, taskType } = scenario.degrade;
    expect(world.oracle(taskType, 3999).model).toBe(model);
    expect(world.oracle(taskType, 4000).model).not.toBe(model);
    expect(world.oracle('algorithm', 6000).model).toBe(scenario.newModel);
  });

  it('computes the expected reward with the scenario weights and the lognormal mean latency', () => {
    const { success, latencyMs, cost } = world.truth('gpt-4o', 'chat', 0);
    const expected = success - scenario.reward.costWeight * cost - (scenario.reward.latencyWeight * latencyMs * Math.exp(0.125)) / 1000;
    expect(world.expectedReward('gpt-4o', 'chat', 0)).toBeCloseTo(expected, 12);
    // The mean of many outcomes' rewards is the expected reward.
    let sum = 0;
    const n = 20_000;
    for (let index = 0; index < n; index++) sum += world.reward(world.outcome('gpt-4o', 'chat', index));
    expect(sum / n).toBeCloseTo(expected, 2);
  });
});
