// What a strategy earned against the oracle, and how soon it moved traffic off the degraded model. Pure bookkeeping
// over the World's expectations: regret is measured on expected rewards (pseudo-regret), so the figures carry the
// strategy's choices and not the luck of the draws; the realized reward is kept beside it.
import type { World } from './scenario';

export const CHECKPOINTS = [10_000, 25_000, 50_000];

export interface CurvePoint {
  requests: number;
  regret: number;
}

export class RegretAccount {
  requests = 0;
  /** Sum of the rewards the outcomes earned. */
  reward = 0;
  /** Sum of the expected rewards of the models chosen, and of the oracle's. */
  expectedReward = 0;
  oracleReward = 0;
  /** Cumulative regret at each checkpoint reached (requests → regret). */
  readonly atCheckpoint = new Map<number, number>();
  readonly curve: CurvePoint[] = [{ requests: 0, regret: 0 }];
  /** How often each model served, by task type. */
  readonly served = new Map<string, Map<string, number>>();

  constructor(
    private readonly world: World,
    private readonly curveEvery = 250,
    private readonly checkpoints: readonly number[] = CHECKPOINTS,
  ) {}

  get regret(): number {
    return this.oracleReward - this.expectedReward;
  }

  /** Request `index` of `taskType` was served by `model` and earned `reward`. Requests are recorded in order. */
  record(index: number, taskType: string, model: string, reward: number): void {
    this.requests++;
    this.reward += reward;
    this.expectedReward += this.world.expectedReward(model, taskType, index);
    this.oracleReward += this.world.oracle(taskType, index).reward;
    const byModel = this.served.get(taskType) ?? new Map<string, number>();
    byModel.set(model, (byModel.get(model) ?? 0) + 1);
    this.served.set(taskType, byModel);
    if (this.checkpoints.includes(this.requests)) this.atCheckpoint.set(this.requests, this.regret);
    if (this.requests % this.curveEvery === 0) this.curve.push({ requests: this.requests, regret: this.regret });
  }
}

export interface DetectionResult {
  /** The degraded model's share of its task type's traffic over the window just before D. */
  preShare: number;
  /** Its share over the last window of the run. */
  finalShare: number;
  /** Requests from D to the first request from which the share stayed below half of preShare; null: never. */
  requestsToNotice: number | null;
  /** The strategy hardly used the model before D: there was nothing to notice. */
  notApplicable: boolean;
}

/**
 * Below this pre-degradation share the strategy did not rely on the model (exploration traffic at most), and there is
 * nothing to notice: half of a few percent is within a 200-request window's noise.
 */
export const MIN_PRE_SHARE = 0.2;

/**
 * Requests to notice the degradation: the first request after D from which the degraded model's share of its task
 * type's traffic, over a rolling window of that task type's last `window` requests, stays below half of its share in
 * the window just before D (until the end of the run).
 */
export class DegradationDetector {
  private readonly recent: number[] = [];
  private inWindow = 0;
  private preShare: number | null = null;
  /** The first request (≥ D) of the current run of requests whose window share is below the threshold. */
  private belowSince: number | null = null;

  constructor(
    readonly model: string,
    readonly taskType: string,
    readonly degradeAt: number,
    readonly window = 200,
  ) {}

  private share(): number {
    return this.recent.length === 0 ? 0 : this.inWindow / this.recent.length;
  }

  observe(index: number, taskType: string, model: string): void {
    if (taskType !== this.taskType) return;
    if (index >= this.degradeAt && this.preShare === null) this.preShare = this.share();
    const hit = model === this.model ? 1 : 0;
    this.recent.push(hit);
    this.inWindow += hit;
    if (this.recent.length > this.window) this.inWindow -= this.recent.shift()!;
    if (this.preShare === null) return;
    if (this.share() < this.preShare / 2) this.belowSince ??= index;
    else this.belowSince = null;
  }

  result(): DetectionResult {
    const preShare = this.preShare ?? this.share();
    return {
      preShare,
      finalShare: this.share(),
      requestsToNotice: this.belowSince === null ? null : this.belowSince - this.degradeAt,
      notApplicable: preShare < MIN_PRE_SHARE,
    };
  }
}
