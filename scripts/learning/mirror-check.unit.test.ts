import { describe, expect, it } from 'vitest';
import type { ModelChoice } from '../../packages/client/src/routing/types';
import { computePolicyArms } from '../../server/services/adaptive/policy-maths';
import { policyStatsFromOutcomes, type PolicyOutcome } from '../../server/services/adaptive/outcome-stats';
import { MirrorCheck } from './mirror-check';
import { mulberry32 } from './random';

const policy = { costWeight: 10, latencyWeight: 0.05, costCeiling: null, explorationCap: 0.1, minSamples: 20, halfLife: 200 };
const models = ['a', 'b', 'c'];
const rates: Record<string, number> = { a: 0.9, b: 0.85, c: 0.6 };

/** 300 outcomes of three models, and the choice a router would carry with the server's arms for them. */
function world(seed: number) {
  const random = mulberry32(seed);
  const outcomes: PolicyOutcome[] = Array.from({ length: 300 }, (_, i) => {
    const model = models[i % 3]!;
    return { model, success: random() < rates[model]!, cost: 0.001, latencyMs: 500 };
  });
  const arms = computePolicyArms(
    { ...policy, candidates: models },
    policyStatsFromOutcomes(outcomes, policy.halfLife),
    mulberry32(seed + 1),
  );
  const choice = (edit: (arm: ModelChoice['arms'][number]) => ModelChoice['arms'][number] = (arm) => arm): ModelChoice => ({
    policyId: 1,
    policyName: 'p',
    paramsTaskType: 'chat',
    model: 'a',
    share: 1,
    explored: false,
    arms: arms.map((arm) => edit({ ...arm })),
  });
  return { outcomes, choice };
}

/** Feeds the outcomes, then one decision carrying `choice`, and returns the check. */
function check(outcomes: readonly PolicyOutcome[], choice: ModelChoice) {
  const mirror = new MirrorCheck(policy);
  outcomes.forEach((outcome, i) => mirror.observe(i, 'chat', null, outcome));
  mirror.observe(outcomes.length, 'chat', choice, outcomes[0]!);
  return mirror;
}

describe('the mirror check', () => {
  it("agrees with the server's arms computed from the same outcomes, whatever the server's Monte-Carlo draws", () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { outcomes, choice } = world(seed);
      const mirror = check(outcomes, choice());
      expect(mirror.disagreements).toEqual([]);
      expect([mirror.checks, mirror.failedChecks]).toEqual([1, 0]);
    }
  });

  it('names the arm whose statistics differ, and retries of the draws do not excuse it', () => {
    const { outcomes, choice } = world(1);
    const mirror = check(
      outcomes,
      choice((arm) => (arm.model === 'b' ? { ...arm, effectiveSamples: arm.effectiveSamples + 5 } : arm)),
    );
    expect(mirror.failedChecks).toBe(1);
    expect(mirror.disagreements.join()).toMatch(/request 300, chat, b: effectiveSamples server/);
  });

  it('fails a share that no set of draws gives', () => {
    const { outcomes, choice } = world(2);
    const mirror = check(
      outcomes,
      choice((arm) => ({ ...arm, share: arm.model === 'c' ? arm.share + 0.3 : arm.share })),
    );
    expect(mirror.failedChecks).toBe(1);
    expect(mirror.disagreements.join()).toMatch(/chat, c: share server/);
  });
});
