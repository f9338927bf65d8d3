import { describe, expect, it } from 'vitest';
import { DegradationDetector, RegretAccount } from './metrics';
import { SCENARIOS, World } from './scenario';

describe('regret accounting', () => {
  const world = new World(SCENARIOS.coding!, { seed: 3, requests: 1000, degradeAt: 400, newModelAt: 600 });

  it('counts no regret for the oracle and the exact gaps for another choice', () => {
    const oracle = new RegretAccount(world, 100, [500, 1000]);
    const fixed = new RegretAccount(world, 100, [500, 1000]);
    let gaps = 0;
    let gapsAt500 = 0;
    for (let index = 0; index < 1000; index++) {
      const { taskType } = world.request(index);
      const best = world.oracle(taskType, index);
      oracle.record(index, taskType, best.model, world.reward(world.outcome(best.model, taskType, index)));
      fixed.record(index, taskType, 'gpt-4o-mini', world.reward(world.outcome('gpt-4o-mini', taskType, index)));
      gaps += best.reward - world.expectedReward('gpt-4o-mini', taskType, index);
      if (index === 499) gapsAt500 = gaps;
    }
    expect(oracle.regret).toBeCloseTo(0, 9);
    expect(fixed.regret).toBeCloseTo(gaps, 9);
    expect(fixed.atCheckpoint.get(500)).toBeCloseTo(gapsAt500, 9);
    expect(fixed.atCheckpoint.get(1000)).toBeCloseTo(gaps, 9);
    expect(fixed.curve.map((point) => point.requests)).toEqual([0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(fixed.curve.at(-1)!.regret).toBeCloseTo(gaps, 9);
    // Regret never decreases: every choice is at best the oracle's.
    for (let i = 1; i < fixed.curve.length; i++) expect(fixed.curve[i]!.regret).toBeGreaterThanOrEqual(fixed.curve[i - 1]!.regret);
    expect(fixed.requests).toBe(1000);
    expect([...fixed.served.values()].reduce((sum, byModel) => sum + (byModel.get('gpt-4o-mini') ?? 0), 0)).toBe(1000);
  });
});

describe('the degradation detector', () => {
  /** Requests 0..total-1 all of task type t; the model is the degraded one before `switchAt`, another after. */
  function run(switchAt: number, total = 3000, degradeAt = 1000, window = 200) {
    const detector = new DegradationDetector('bad', 't', degradeAt, window);
    for (let index = 0; index < total; index++) detector.observe(index, 't', index < switchAt ? 'bad' : 'good');
    return detector.result();
  }

  it('notices when the window share falls below half of the share before D and stays there', () => {
    // The window of 200 holds 99 'bad' after 101 'good' requests: share 0.495 < 0.5 at request switchAt + 100.
    expect(run(1300)).toEqual({ preShare: 1, finalShare: 0, requestsToNotice: 400, notApplicable: false });
    expect(run(1000).requestsToNotice).toBe(100);
  });

  it('never notices a model that keeps its traffic', () => {
    expect(run(Infinity)).toEqual({ preShare: 1, finalShare: 1, requestsToNotice: null, notApplicable: false });
  });

  it('restarts the count when the share comes back above half', () => {
    const detector = new DegradationDetector('bad', 't', 100, 10);
    const models = [...Array(100).fill('bad'), ...Array(10).fill('good'), ...Array(10).fill('bad'), ...Array(30).fill('good')];
    models.forEach((model, index) => detector.observe(index, 't', model));
    // Below from 105 (4 bad of the last 10), back to half at 114 (5 bad: 110..114), below for good from 125 (116..119).
    expect(detector.result().requestsToNotice).toBe(125 - 100);
  });

  it('counts only its task type, against the share it had before D', () => {
    const detector = new DegradationDetector('bad', 't', 400, 100);
    for (let index = 0; index < 2000; index++) {
      // Every other request is of another task type; before D the model serves half of t's requests.
      if (index % 2) detector.observe(index, 'other', 'bad');
      else detector.observe(index, 't', index < 400 ? (index % 4 === 0 ? 'bad' : 'good') : 'good');
    }
    const result = detector.result();
    expect(result.preShare).toBe(0.5);
    // t's window (100 of its requests) holds < 25 'bad' once 51 of its requests after D were 'good': request 400 + 2·50.
    expect(result.requestsToNotice).toBe(100);
  });

  it('has nothing to notice when the model had only exploration traffic (10%) before D', () => {
    const detector = new DegradationDetector('bad', 't', 100, 50);
    for (let index = 0; index < 300; index++) detector.observe(index, 't', index % 10 === 0 ? 'bad' : 'good');
    expect(detector.result().notApplicable).toBe(true);
  });
});
