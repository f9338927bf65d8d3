// Which local decisions carry their input to Hone: a bounded sample per hour, which Hone keeps for replaying a rule
// over recent traffic. The bound is the snapshot's (`sampling.samplesPerHour`, HONE_DECISION_SAMPLES_PER_HOUR on the
// server), so a gateway never sends more inputs than Hone would keep.

export interface SamplingPolicy {
  storeInputs: boolean;
  samplesPerHour: number;
}

const HOUR_MS = 3_600_000;

/**
 * At most `samplesPerHour` per clock hour, and none when inputs are not stored. Taking the first N of every hour
 * would sample only the hour's first minutes of a busy gateway, so samples are also paced: a token bucket refilled at
 * samplesPerHour per hour holds at most a twelfth of the hour's samples (five minutes' worth), spreading them over it.
 */
export class InputSampler {
  private hour = Number.NaN;
  private takenThisHour = 0;
  private tokens: number;
  private refilledAt: number;

  constructor(
    private policy: SamplingPolicy,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = this.capacity();
    this.refilledAt = now();
  }

  /** A new snapshot may change the policy; what was taken this hour still counts. */
  setPolicy(policy: SamplingPolicy): void {
    this.policy = policy;
    this.tokens = Math.min(this.tokens, this.capacity());
  }

  /** Whether the decision being made now should carry its input. */
  take(): boolean {
    const { storeInputs, samplesPerHour } = this.policy;
    if (!storeInputs || !(samplesPerHour > 0)) return false;
    const now = this.now();
    const hour = Math.floor(now / HOUR_MS);
    if (hour !== this.hour) {
      this.hour = hour;
      this.takenThisHour = 0;
    }
    this.tokens = Math.min(this.capacity(), this.tokens + ((now - this.refilledAt) * samplesPerHour) / HOUR_MS);
    this.refilledAt = now;
    if (this.takenThisHour >= samplesPerHour || this.tokens < 1) return false;
    this.tokens -= 1;
    this.takenThisHour++;
    return true;
  }

  private capacity(): number {
    return Math.max(1, Math.ceil(this.policy.samplesPerHour / 12));
  }
}
