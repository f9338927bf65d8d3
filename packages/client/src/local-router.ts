// `hone.router()`: routing decisions made in the gateway's own process, in memory, by the engine Hone itself runs
// (routing/decide.js), from a snapshot of the active and shadow rules kept in sync with Hone. A decision never waits
// for the network and never fails because Hone is down: the last snapshot keeps deciding, and status() says so.
// Decisions and outcomes travel to Hone in batches through the client's tracker (`ingest`).
import { readServerSentEvents } from './event-stream.js';
import { InputSampler } from './input-sampler.js';
import { SyncStatus, type HoneRouterStatus } from './router-status.js';
import { compileSnapshot, decide as decideWith, decisionFrom } from './routing/decide.js';
import { boundedInput } from './routing/pattern-compiler.js';
import type { CompiledSnapshot, Decision, DecideOptions, RoutingLayer, RoutingSnapshot } from './routing/types.js';
import type { HoneTracker, TrackedRouteDecision } from './tracker.js';

export type { HoneRouterStatus, RouterState } from './router-status.js';
export type {
  Decision,
  DecideOptions,
  ExperimentVariant,
  ModelChoice,
  PolicyArmParams,
  RoutingLayer,
  RoutingSnapshot,
  ShadowMatch,
  SnapshotExperiment,
  SnapshotPolicy,
  SnapshotRule,
} from './routing/types.js';

export const ROUTING_SNAPSHOT_PATH = '/api/routing/snapshot';
export const ROUTING_EVENTS_PATH = '/api/routing/events';

export const ROUTER_DEFAULTS = {
  pollIntervalMs: 5_000,
  /** Hone sends a heartbeat every 15 s; a stream silent this long is taken as dead and reconnected. */
  streamSilenceMs: 45_000,
  reconnectBaseDelayMs: 1_000,
  reconnectMaxDelayMs: 30_000,
  defaultLayer: 'balanced',
} as const;

// `| undefined` on every option, as in HoneClientOptions (exactOptionalPropertyTypes callers).
export interface HoneRouterOptions {
  /** How often the snapshot is fetched while the event stream is not open (or with `events: false`). Default 5 000 ms. */
  pollIntervalMs?: number | undefined;
  /** Hear of rule changes through Hone's event stream, within a second (default true); false polls only. */
  events?: boolean | undefined;
  /** The layer answered before the first snapshot is in. Default `balanced` (Hone's own default). */
  defaultLayer?: RoutingLayer | undefined;
  /** Send decisions to Hone through `hone.track` (default true). Outcomes are always sent. */
  reportDecisions?: boolean | undefined;
}

/** A decision made locally: the engine's Decision and the version of the snapshot it was made from (null: none yet). */
export interface LocalDecision extends Decision {
  snapshotVersion: string | null;
}

export interface RouteOutcome {
  success: boolean;
  latencyMs?: number | undefined;
  cost?: number | undefined;
  /** The model actually used, when not the decision's. */
  modelId?: string | undefined;
}

export interface HoneLocalRouter {
  /** Decides in memory, synchronously; never throws. Reported to Hone in the background. */
  decide(input: string, options?: DecideOptions): LocalDecision;
  /** Reports how the routed request went (attributed by Hone to the decision's rule version and model). Never throws. */
  recordOutcome(decision: string | { decisionId: string }, outcome: RouteOutcome): void;
  /** Resolves true once a snapshot is in; false if `timeoutMs` passes first or the router is closed. Never rejects. */
  ready(options?: { timeoutMs?: number | undefined }): Promise<boolean>;
  /** Fetches the snapshot now (a 304 when unchanged). Never rejects; the outcome shows in status(). */
  refresh(): Promise<void>;
  status(): HoneRouterStatus;
  /** Stops the event stream, polling and requests. Decisions already reported stay with `hone.track` (flush it). */
  close(): Promise<void>;
}

/** What the router needs of the client it belongs to. */
export interface RouterConnection {
  url: string;
  apiKey?: string | undefined;
  fetch: typeof globalThis.fetch;
  /** Bounds each snapshot request (not the long-lived event stream). */
  timeoutMs: number;
  tracker: Pick<HoneTracker, 'routeDecision' | 'routeOutcome'>;
}

type Timer = ReturnType<typeof setTimeout>;

/** Timers of the router never keep a process alive on their own (Node's unref; elsewhere there is nothing to do). */
function unref(timer: Timer): Timer {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause;
    const code = cause && typeof cause === 'object' && 'code' in cause ? ` (${String(cause.code)})` : '';
    return `${error.message}${code}`;
  }
  return String(error);
}

const LAYERS: readonly string[] = ['fast', 'balanced', 'deep'];

/** A snapshot as Hone serves it, checked enough that compiling it cannot be fooled by another server's answer. */
function asSnapshot(body: unknown): RoutingSnapshot {
  const snapshot = body as Partial<RoutingSnapshot> | null;
  if (
    !snapshot ||
    typeof snapshot.version !== 'string' ||
    !LAYERS.includes(snapshot.defaultLayer as string) ||
    !Array.isArray(snapshot.rules) ||
    typeof snapshot.sampling !== 'object' ||
    snapshot.sampling === null
  ) {
    throw new Error('the snapshot answer is not a routing snapshot');
  }
  return snapshot as RoutingSnapshot;
}

export function createLocalRouter(connection: RouterConnection, options: HoneRouterOptions = {}): HoneLocalRouter {
  const pollIntervalMs = options.pollIntervalMs ?? ROUTER_DEFAULTS.pollIntervalMs;
  if (!(pollIntervalMs > 0)) throw new RangeError(`router.pollIntervalMs must be a positive number, got ${pollIntervalMs}`);
  const useEvents = options.events ?? true;
  const reportDecisions = options.reportDecisions ?? true;
  const defaultLayer = options.defaultLayer ?? ROUTER_DEFAULTS.defaultLayer;
  const { tracker, timeoutMs } = connection;
  const snapshotUrl = new URL(ROUTING_SNAPSHOT_PATH, connection.url).toString();
  const eventsUrl = new URL(ROUTING_EVENTS_PATH, connection.url).toString();
  const authorization: Record<string, string> = connection.apiKey ? { authorization: `Bearer ${connection.apiKey}` } : {};

  const sync = new SyncStatus();
  const sampler = new InputSampler({ storeInputs: false, samplesPerHour: 0 });
  let compiled: CompiledSnapshot | null = null;
  let closed = false;
  /** Aborts every request still running when the router is closed. */
  const lifetime = new AbortController();
  const readyWaiters = new Set<(ready: boolean) => void>();

  function install(snapshot: RoutingSnapshot): void {
    // Compiled before it replaces the current one: a decision always sees one whole snapshot.
    compiled = compileSnapshot(snapshot);
    sampler.setPolicy(snapshot.sampling);
    for (const resolve of readyWaiters) resolve(true);
    readyWaiters.clear();
  }

  async function fetchSnapshot(): Promise<void> {
    const timeout = new AbortController();
    const abort = () => timeout.abort();
    lifetime.signal.addEventListener('abort', abort, { once: true });
    const timer = Number.isFinite(timeoutMs) ? unref(setTimeout(abort, timeoutMs)) : undefined;
    try {
      const headers: Record<string, string> = { accept: 'application/json', ...authorization };
      if (compiled) headers['if-none-match'] = `"${compiled.snapshot.version}"`;
      const response = await connection.fetch(snapshotUrl, { headers, signal: timeout.signal });
      if (response.status === 304) {
        await response.body?.cancel();
        lastFetchFailed = false;
        sync.synced(new Date());
        return;
      }
      if (!response.ok) {
        const text = await response.text().catch(() => '');
        let message = text.slice(0, 200);
        try {
          message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
        } catch {
          // Not Hone's JSON error (a proxy's page): the start of the text says enough.
        }
        throw new Error(`${snapshotUrl} answered ${response.status}${message ? `: ${message}` : ''}`);
      }
      const snapshot = asSnapshot(await response.json());
      install(snapshot);
      lastFetchFailed = false;
      sync.synced(new Date(), snapshot.version);
    } catch (error) {
      if (closed) return;
      lastFetchFailed = true;
      sync.failed(timeout.signal.aborted ? `${snapshotUrl}: no answer within ${timeoutMs} ms` : `${snapshotUrl}: ${describe(error)}`);
    } finally {
      clearTimeout(timer);
      lifetime.signal.removeEventListener('abort', abort);
      updatePolling();
    }
  }

  // One snapshot request at a time; asked again while one runs, it runs once more after (it may have read too early).
  let refreshing: Promise<void> | null = null;
  let refreshAgain = false;
  function refresh(): Promise<void> {
    if (closed) return Promise.resolve();
    if (refreshing) {
      refreshAgain = true;
      return refreshing;
    }
    refreshing = (async () => {
      do {
        refreshAgain = false;
        await fetchSnapshot();
      } while (refreshAgain && !closed);
    })().finally(() => {
      refreshing = null;
    });
    return refreshing;
  }

  let streamOpen = false;
  let lastFetchFailed = false;
  /** The latest version the event stream named: until it is loaded, a heartbeat does not make the snapshot fresh. */
  let announced: string | null = null;
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  /**
   * Polling runs while no event stream is open, and also while the snapshot cannot be fetched: a version the stream
   * announced, not loaded because the fetch failed, is fetched again without waiting for the next change.
   */
  function updatePolling(): void {
    const on = !streamOpen || lastFetchFailed;
    if (on && pollTimer === undefined && !closed) {
      pollTimer = setInterval(() => void refresh(), pollIntervalMs);
      (pollTimer as { unref?: () => void }).unref?.();
    } else if (!on && pollTimer !== undefined) {
      clearInterval(pollTimer);
      pollTimer = undefined;
    }
  }

  let wakeReconnect: (() => void) | undefined;
  async function listen(): Promise<void> {
    for (let failures = 0; !closed;) {
      const stream = new AbortController();
      const abortStream = () => stream.abort();
      lifetime.signal.addEventListener('abort', abortStream, { once: true });
      let silence: Timer | undefined;
      const heard = () => {
        clearTimeout(silence);
        silence = unref(setTimeout(abortStream, ROUTER_DEFAULTS.streamSilenceMs));
      };
      try {
        heard();
        const response = await connection.fetch(eventsUrl, {
          headers: { accept: 'text/event-stream', ...authorization },
          signal: stream.signal,
        });
        if (!response.ok || !response.body || !(response.headers.get('content-type') ?? '').includes('text/event-stream')) {
          await response.body?.cancel();
          throw new Error(`${eventsUrl} answered ${response.status} ${response.headers.get('content-type') ?? ''}`.trim());
        }
        failures = 0;
        streamOpen = true;
        sync.streaming(true);
        updatePolling();
        await readServerSentEvents(
          response.body,
          (event) => {
            if (event.event !== 'snapshot') return;
            const { version } = JSON.parse(event.data) as { version?: unknown };
            if (typeof version === 'string') announced = version;
            if (typeof version === 'string' && version === compiled?.snapshot.version) sync.synced(new Date());
            else void refresh();
          },
          () => {
            heard();
            // A heartbeat or event from Hone: nothing changed that it did not say.
            const current = compiled?.snapshot.version;
            if (current !== undefined && !refreshing && !lastFetchFailed && (announced === null || announced === current)) {
              sync.synced(new Date());
            }
          },
        );
      } catch {
        // Why the stream broke matters less than whether Hone answers: the refresh below finds out, into status().
      } finally {
        clearTimeout(silence);
        lifetime.signal.removeEventListener('abort', abortStream);
      }
      if (closed) return;
      streamOpen = false;
      sync.streaming(false);
      updatePolling();
      void refresh();
      failures++;
      const delay = Math.min(ROUTER_DEFAULTS.reconnectMaxDelayMs, ROUTER_DEFAULTS.reconnectBaseDelayMs * 2 ** Math.min(failures - 1, 10));
      await new Promise<void>((resolve) => {
        const timer = unref(setTimeout(resolve, delay * (0.5 + Math.random() / 2)));
        wakeReconnect = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeReconnect = undefined;
    }
  }

  function fallbackDecision(reasoning: string): Decision {
    const none: RoutingSnapshot = { version: '', defaultLayer, rules: [], sampling: { storeInputs: false, samplesPerHour: 0 } };
    return { ...decisionFrom(none, { ruleIndex: -1, shadowIndices: [] }), reasoning };
  }

  function decide(input: string, decideOptions?: DecideOptions): LocalDecision {
    const current = compiled;
    const text = typeof input === 'string' ? input : String(input ?? '');
    let decision: Decision;
    try {
      decision = current
        ? decideWith(current, text, decideOptions)
        : fallbackDecision(
            `No routing rules from Hone yet (${sync.status().lastError ?? 'the first snapshot is being fetched'}); ` +
              `using the default layer "${defaultLayer}".`,
          );
    } catch (error) {
      decision = fallbackDecision(`Routing failed in the gateway (${describe(error)}); using the default layer "${defaultLayer}".`);
    }
    try {
      if (reportDecisions) {
        const taskType = decideOptions?.taskType;
        const reported: TrackedRouteDecision = {
          decisionId: decision.decisionId,
          versionId: decision.versionId,
          ruleId: decision.ruleId,
          layer: decision.layer,
          model: decision.model,
          shadow: decision.shadow,
        };
        if (decision.policyId !== null) reported.policyId = decision.policyId;
        if (decision.experimentId !== null) {
          reported.experimentId = decision.experimentId;
          reported.armId = decision.armId;
        }
        if (typeof taskType === 'string') reported.taskType = taskType;
        if (current && sampler.take()) reported.input = boundedInput(text);
        tracker.routeDecision(reported);
      }
    } catch {
      // Reporting is best effort; the decision stands.
    }
    return { ...decision, snapshotVersion: current?.snapshot.version ?? null };
  }

  function recordOutcome(decision: string | { decisionId: string }, outcome: RouteOutcome): void {
    try {
      const decisionId = typeof decision === 'string' ? decision : decision?.decisionId;
      const { success, latencyMs, cost, modelId } = outcome ?? ({} as RouteOutcome);
      tracker.routeOutcome({
        decisionId,
        success,
        ...(latencyMs !== undefined && { latencyMs }),
        ...(cost !== undefined && { cost }),
        ...(modelId !== undefined && { modelId }),
      });
    } catch {
      // Never into the caller; the tracker reports what Hone refuses.
    }
  }

  function ready({ timeoutMs: wait = Infinity }: { timeoutMs?: number | undefined } = {}): Promise<boolean> {
    if (compiled) return Promise.resolve(true);
    if (closed) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const timer = Number.isFinite(wait) ? setTimeout(() => finish(false), wait) : undefined;
      const finish = (isReady: boolean) => {
        clearTimeout(timer);
        readyWaiters.delete(finish);
        resolve(isReady);
      };
      readyWaiters.add(finish);
    });
  }

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    clearInterval(pollTimer);
    pollTimer = undefined;
    lifetime.abort();
    wakeReconnect?.();
    for (const resolve of readyWaiters) resolve(false);
    readyWaiters.clear();
    sync.streaming(false);
  }

  updatePolling();
  void refresh();
  if (useEvents) void listen();

  return { decide, recordOutcome, ready, refresh, status: () => sync.status(), close };
}
