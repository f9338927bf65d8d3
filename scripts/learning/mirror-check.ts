// Checks, during a faces run of the adaptive strategy, that the parameters the server's recompute gave each task type
// are those the JS mirror (policyStatsFromOutcomes + computePolicyArms, what the replay tunes on) computes from the same
// outcomes. It reads the arms a decision carries (the router's snapshot) at the first decision of each task type after
// every refresh. The statistics must agree; the shares only within Monte-Carlo noise (the server's draws are unseeded).
import type { ModelChoice } from '../../packages/client/src/routing/types';
import type { PolicyArmParams } from '../../server/services/routing/engine';
import { PRIOR_STRENGTH, computePolicyArms, type PolicyRewardSettings } from '../../server/services/adaptive/policy-maths';
import { policyStatsFromOutcomes, type PolicyOutcome } from '../../server/services/adaptive/outcome-stats';

/**
 * How far apart the server's and the mirror's numbers may be: rounding for the statistics, noise for the shares. A mean
 * may also differ by one outcome's weight. Outcomes of one tracker batch share their outcome_at and are ranked by
 * decided_at (to the millisecond), then by their time-ordered decision ids (packages/client/src/routing/decision-id.js),
 * which keep one gateway's decisions in the order they were made (before those ids, decisions of one millisecond were
 * ranked at random, and a window could end an outcome apart from the mirror's: the slack is kept as a margin).
 */
const TOLERANCE = { effectiveSamples: 0.5, successMean: 0.005, rewardMean: 0.005, share: 0.05 };
const oneOutcome = (effectiveSamples: number) => 1.01 / (PRIOR_STRENGTH + effectiveSamples);
/** Further sets of the mirror's Monte-Carlo draws tried when only shares disagree. */
const SHARE_RETRIES = 4;

export class MirrorCheck {
  private readonly outcomes = new Map<string, PolicyOutcome[]>();
  private readonly checked = new Set<string>();
  /** Checks made (a task type's arms after a refresh), those where some arm disagreed, the first disagreements in words. */
  checks = 0;
  failedChecks = 0;
  readonly disagreements: string[] = [];

  /** The policy's settings as saved for every task type (scenarioPolicy), its half-life included. */
  constructor(private readonly policy: Omit<PolicyRewardSettings, 'candidates'> & { halfLife: number }) {}

  /** One decision and its outcome, in the order they happen. */
  observe(at: number, taskType: string, choice: ModelChoice | null, outcome: PolicyOutcome): void {
    const log = this.outcomes.get(taskType) ?? [];
    this.outcomes.set(taskType, log);
    if (choice && choice.paramsTaskType === taskType && !this.checked.has(taskType)) {
      this.checked.add(taskType);
      this.compare(at, taskType, choice, log);
    }
    log.push(outcome);
  }

  /** The router has a new snapshot: check each task type again. */
  refreshed(): void {
    this.checked.clear();
  }

  private compare(at: number, taskType: string, choice: ModelChoice, log: readonly PolicyOutcome[]) {
    this.checks++;
    const stats = policyStatsFromOutcomes(log, this.policy.halfLife);
    const settings = { ...this.policy, candidates: choice.arms.map((arm) => arm.model) };
    let differences = this.differences(choice, computePolicyArms(settings, stats, Math.random));
    // Shares alone apart: a model near the contender or ruled-out probability can fall on either side of it in one
    // set of draws and carry a few points of share with it. The server's shares pass if another set of the mirror's
    // draws gives them; statistics that disagree never do.
    for (let retry = 0; retry < SHARE_RETRIES && differences.length > 0 && differences.every((d) => d.sharesOnly); retry++)
      differences = this.differences(choice, computePolicyArms(settings, stats, Math.random));
    if (differences.length === 0) return;
    this.failedChecks++;
    for (const { model, text } of differences)
      if (this.disagreements.length < 10) this.disagreements.push(`request ${at}, ${taskType}, ${model}: ${text}`);
  }

  /** Each arm where the server's numbers and the mirror's are further apart than the tolerance, and whether only by share. */
  private differences(choice: ModelChoice, mirror: readonly PolicyArmParams[]) {
    return choice.arms.flatMap((arm) => {
      const mine = mirror.find((candidate) => candidate.model === arm.model)!;
      const off = (Object.keys(TOLERANCE) as (keyof typeof TOLERANCE)[]).filter((key) => {
        const tolerance =
          key === 'successMean' || key === 'rewardMean' ? Math.max(TOLERANCE[key], oneOutcome(arm.effectiveSamples)) : TOLERANCE[key];
        return Math.abs(mine[key] - arm[key]) > tolerance;
      });
      const texts = off.map((key) => `${key} server ${arm[key].toFixed(3)} mirror ${mine[key].toFixed(3)}`);
      if (mine.trusted !== arm.trusted) texts.push(`trusted server ${arm.trusted} mirror ${mine.trusted}`);
      if (texts.length === 0) return [];
      return [
        { model: arm.model, text: texts.join(', '), sharesOnly: off.length === 1 && off[0] === 'share' && mine.trusted === arm.trusted },
      ];
    });
  }
}
