import { describe, expect, it } from 'vitest';
import { informedLearnerRegret } from './learning-bound';
import { SCENARIOS, World, type Scenario } from './scenario';
import { staticRegret } from './static-route';

describe('the informed learner (learning-bound.ts)', () => {
  it('is deterministic per seed and counts the regret before the first event apart', () => {
    const world = () => new World(SCENARIOS.support!, { seed: 3, requests: 6000, degradeAt: 4000, newModelAt: 5000 });
    const first = informedLearnerRegret(world());
    expect(informedLearnerRegret(world())).toEqual(first);
    expect(first.beforeEvents).toBeGreaterThan(0);
    expect(first.total).toBeGreaterThan(first.beforeEvents);
  });

  it('learns success alone: with equal success everywhere, knowing cost and latency, it loses less than the static rules', () => {
    // Every model succeeds 90% of the time on every task type; only cost and latency differ, and the learner knows them.
    const base = SCENARIOS.coding!;
    const flat: Scenario = {
      ...base,
      truth: Object.fromEntries(
        Object.entries(base.truth).map(([model, byType]) => [
          model,
          Object.fromEntries(Object.entries(byType).map(([type, figures]) => [type, { ...figures, success: 0.9 }])),
        ]),
      ),
    };
    const world = new World(flat, { seed: 1, requests: 3000, degradeAt: 10_000, newModelAt: 10_000 });
    // Equal Beta(1, 1) priors: the learner still draws, so some regret, but far below the static rules' on the same run.
    const { total } = informedLearnerRegret(world);
    expect(total).toBeLessThan(staticRegret(world));
  });

  it('is told of the degradation: it leaves the degraded model at once', () => {
    const scenario = SCENARIOS.coding!;
    const options = { seed: 2, requests: 30_000, newModelAt: 100_000 };
    const degraded = informedLearnerRegret(new World(scenario, { ...options, degradeAt: 20_000 }));
    // Common random numbers: up to D the run is the one of a world without the degradation.
    const firstPart = informedLearnerRegret(new World(scenario, { ...options, requests: 20_000, degradeAt: 100_000 }));
    expect(degraded.beforeEvents).toBe(firstPart.total);
    // gpt-4o loses 30 points on debugging at D: staying on it for the 10,000 requests left would cost hundreds of units
    // (the learner's posterior holds thousands of its successes); told of the change, it loses a few dozen more than
    // in the world without the degradation.
    const intact = informedLearnerRegret(new World(scenario, { ...options, degradeAt: 100_000 }));
    expect(degraded.total - intact.total).toBeLessThan(60);
  });
});
