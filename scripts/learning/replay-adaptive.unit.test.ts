import { describe, expect, it } from 'vitest';
import { replay, replayHistory } from './replay-adaptive';
import { SCENARIOS, World } from './scenario';

describe('replay --history', () => {
  it('reads the option and names what is wrong with it', () => {
    expect(replayHistory({})).toBeUndefined();
    expect(replayHistory({ history: '3000' })).toEqual({ requests: 3000, from: 'static' });
    expect(replayHistory({ history: '10', 'history-from': 'every-model' })).toEqual({ requests: 10, from: 'every-model' });
    expect(() => replayHistory({ history: '-1' })).toThrow(/--history must be a non-negative integer/);
    expect(() => replayHistory({ history: '10', 'history-from': 'rules' })).toThrow(/--history-from must be static or every-model/);
  });

  it('starts the policies from the earlier outcomes: an evaluation of every model spares the uniform start', () => {
    // 2,000 requests, no event: the regret is the cost of learning. Deterministic (seeded world and draws).
    const world = () => new World(SCENARIOS.support!, { seed: 5, requests: 2000, degradeAt: 10_000, newModelAt: 10_000 });
    const cold = replay(world(), 250);
    const evaluated = replay(world(), 250, { requests: 6000, from: 'every-model' });
    const fromStatic = replay(world(), 250, { requests: 0, from: 'static' });
    expect(fromStatic.adaptiveRegret).toBe(cold.adaptiveRegret);
    // Before its first recompute the cold policy spreads 250 requests evenly over six models; the evaluated one does not.
    expect(evaluated.breakdown.get('explore:untrusted@0k') ?? 0).toBe(0);
    expect(cold.breakdown.get('explore:untrusted@0k')).toBeGreaterThan(10);
    expect(evaluated.adaptiveRegret).toBeLessThan(cold.adaptiveRegret / 2);
  });
});
