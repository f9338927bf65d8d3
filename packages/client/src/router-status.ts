// What the local router says about its snapshot: whether it has one, and whether it is known to be current.

export type RouterState = 'starting' | 'fresh' | 'stale';

export interface HoneRouterStatus {
  /**
   * `starting`: no snapshot yet (decisions answer the default layer). `fresh`: the last attempt to reach Hone
   * succeeded (a snapshot, a "not modified", or the event stream's word). `stale`: Hone could not be reached since;
   * decisions use the last snapshot, which may be behind Hone's rules.
   */
  state: RouterState;
  /** The version of the snapshot decisions are made from; null before the first. */
  snapshotVersion: string | null;
  /** When Hone last confirmed the snapshot is current; null before the first time. */
  lastSyncAt: Date | null;
  /** Why the last attempt to reach Hone failed; null once one succeeds. */
  lastError: string | null;
  /** Whether changes arrive by the event stream (true) or by polling (false). */
  streaming: boolean;
}

/** The status's transitions, apart from the network: each sync outcome is one method. */
export class SyncStatus {
  private version: string | null = null;
  private syncedAt: Date | null = null;
  private error: string | null = null;
  private failing = false;
  private streamOpen = false;

  /** A snapshot was loaded, or Hone confirmed the current one (304, or the event stream named its version). */
  synced(at: Date, version?: string): void {
    if (version !== undefined) this.version = version;
    this.syncedAt = at;
    this.failing = false;
    this.error = null;
  }

  /** Reaching Hone failed (the snapshot request, or the event stream broke). */
  failed(reason: string): void {
    this.failing = true;
    this.error = reason;
  }

  streaming(open: boolean): void {
    this.streamOpen = open;
  }

  get snapshotVersion(): string | null {
    return this.version;
  }

  status(): HoneRouterStatus {
    return {
      state: this.version === null ? 'starting' : this.failing ? 'stale' : 'fresh',
      snapshotVersion: this.version,
      lastSyncAt: this.syncedAt,
      lastError: this.error,
      streaming: this.streamOpen,
    };
  }
}
