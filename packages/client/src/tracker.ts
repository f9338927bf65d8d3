// `hone.track`: fire-and-forget recording for a gateway. track.modelCall(...) and friends return at once; items wait in
// a bounded in-memory buffer and travel in batches through the `ingest` tool, retried with the same eventIds until
// Hone answers, so a retry never counts twice (Hone skips an eventId it already stored).
import { HoneClientError, isHoneClientError } from './errors.js';
import type { FieldIssue, HoneInputs, HoneOutputs } from './router.js';

/**
 * A routing decision made by a gateway's local router (`hone.router()`), as the ingest tool takes it: `routeDecisions`.
 * Hone stores a decisionId once, so a retried batch never counts a decision twice.
 */
export interface RouteDecisionItem {
  decisionId: string;
  at?: string | undefined;
  versionId: number | null;
  ruleId: number | null;
  layer: 'fast' | 'balanced' | 'deep';
  model: string | null;
  taskType?: string | undefined;
  shadow: { ruleId: number; versionId: number; displacedVersionId: number | null; wouldDecide: boolean }[];
  /** The adaptive policy that chose the model, and the experiment arm the decision fell in. */
  policyId?: number | null | undefined;
  experimentId?: number | null | undefined;
  armId?: number | null | undefined;
  /** Only on sampled decisions (for replay), and never when the snapshot says inputs are not stored. */
  input?: string | undefined;
}

/** How a routed request went, attributed by Hone to the decision's rule version and model: `routeOutcomes`. */
export interface RouteOutcomeItem {
  decisionId: string;
  success: boolean;
  latencyMs?: number | undefined;
  cost?: number | undefined;
  /** The model actually used, when it is not the one the decision named. */
  modelId?: string | undefined;
}

// The two routing kinds are spelled out here by the routing contract; the server's generated types carry them too once
// its ingest tool takes them, and the intersection is then the same type.
type IngestBatch = HoneInputs['ingest']['batch'] & {
  routeDecisions?: RouteDecisionItem[] | undefined;
  routeOutcomes?: RouteOutcomeItem[] | undefined;
};
type IngestAnswer = HoneOutputs['ingest']['batch'];
type ItemOutcome = IngestAnswer['outcomes']['modelCalls'][number];

/** The lists of an ingest batch, in the order the tracker sends them (decisions before the outcomes that name them). */
const ITEM_KINDS = ['modelCalls', 'metrics', 'bugReports', 'routeDecisions', 'routeOutcomes'] as const;
export type TrackedItemKind = (typeof ITEM_KINDS)[number];

/** Kinds identified by the decisionId they carry: no eventId is added. An outcome has no time of its own either. */
const IDENTIFIED_BY_DECISION: ReadonlySet<TrackedItemKind> = new Set(['routeDecisions', 'routeOutcomes']);
const TIMELESS: ReadonlySet<TrackedItemKind> = new Set(['routeOutcomes']);

type GeneralKind = Exclude<TrackedItemKind, 'routeDecisions' | 'routeOutcomes'>;
type WireItem<K extends GeneralKind> = NonNullable<IngestBatch[K]>[number];

/** An item as given to track: `eventId` and `at` may be left out (the tracker fills them in); `at` may be a Date. */
export type Trackable<K extends GeneralKind> = Omit<WireItem<K>, 'eventId' | 'at'> & {
  /** Hone stores an eventId once; a retried batch is never counted twice. Default: a random UUID. */
  eventId?: string | undefined;
  /** When it happened. Default: when it was tracked. */
  at?: string | Date | undefined;
};
export type TrackedModelCall = Trackable<'modelCalls'>;
export type TrackedMetric = Trackable<'metrics'>;
export type TrackedBugReport = Trackable<'bugReports'>;
/** A decision as the local router reports it; `at` defaults to when it was tracked. */
export type TrackedRouteDecision = Omit<RouteDecisionItem, 'at'> & { at?: string | Date | undefined };
export type TrackedRouteOutcome = RouteOutcomeItem;

export interface HoneTrackerOptions {
  /** A batch is sent as soon as this many items wait. Default 500. */
  maxBatchItems?: number | undefined;
  /** Items never wait longer than this before being sent. Default 1 000 ms. */
  flushIntervalMs?: number | undefined;
  /** At most this many items are held (waiting or being sent); past it the oldest waiting ones are dropped. Default 10 000. */
  maxBufferedItems?: number | undefined;
  /** The first retry waits about this long, each next one twice as long (with jitter). Default 200 ms. */
  retryBaseDelayMs?: number | undefined;
  /** No retry waits longer than this, unless Hone's Retry-After asks for more. Default 30 000 ms. */
  retryMaxDelayMs?: number | undefined;
  /** Flush on SIGTERM, SIGINT and beforeExit (Node only). Default false: nothing is registered unless asked. */
  flushOnExit?: boolean | undefined;
  /** How long close() and the exit flush wait for Hone before dropping what is left. Default 5 000 ms. */
  shutdownTimeoutMs?: number | undefined;
  /** Told of every problem: retries, refused batches, rejected items, overflow. Never called synchronously by track(). */
  onError?: ((problem: HoneTrackerProblem) => void) | undefined;
}

export const TRACKER_DEFAULTS = {
  maxBatchItems: 500,
  flushIntervalMs: 1_000,
  maxBufferedItems: 10_000,
  retryBaseDelayMs: 200,
  retryMaxDelayMs: 30_000,
  shutdownTimeoutMs: 5_000,
} as const;

/** One item Hone refused inside an answered batch, with the fields it refused. */
export interface TrackerRejection {
  kind: TrackedItemKind;
  item: object;
  issues: FieldIssue[];
}

interface ProblemBase {
  message: string;
  /** How many items it concerns. */
  items: number;
  at: Date;
}

/**
 * What went wrong, for `onError` and `stats().lastError`:
 * `retrying` (Hone unreachable, 5xx or 429: the batch will be sent again), `refused` (Hone answered 4xx: the batch is
 * dropped), `rejected` (items Hone refused inside a stored batch), `overflow` (the buffer was full: the oldest waiting
 * items are being dropped; said once per episode), `invalid` (an item that is not an object, or an invalid Date),
 * `closed` (items dropped by close(), or tracked after it), `hook` (onError itself threw).
 */
export type HoneTrackerProblem =
  | (ProblemBase & { kind: 'retrying'; error: HoneClientError; attempt: number; delayMs: number })
  | (ProblemBase & { kind: 'refused'; error: HoneClientError })
  | (ProblemBase & { kind: 'rejected'; rejections: TrackerRejection[] })
  | (ProblemBase & { kind: 'overflow' | 'invalid' | 'closed' | 'hook' });

export interface HoneTrackerStats {
  /** Items given to track(). tracked = queued + stored + duplicates + rejected + dropped. */
  tracked: number;
  /** Items in memory now: waiting, or in a batch not answered yet. */
  queued: number;
  /** Items Hone has answered for, whatever the outcome (stored + duplicates + rejected by Hone). */
  sent: number;
  /** Items Hone answered it stored. stored + duplicates is what of this tracker's items is in Hone, each once. */
  stored: number;
  /** Items Hone had already stored (a retry of a batch whose answer was lost, an eventId sent before): not counted again. */
  duplicates: number;
  /** Items refused: by Hone inside a batch (a bad field), or before sending (not an object). */
  rejected: number;
  /** Items never delivered: dropped oldest from a full buffer, in a batch Hone refused (4xx), or left at close(). */
  dropped: number;
  /** Requests sent again after a failure. */
  retries: number;
  /** The last problem, or null. */
  lastError: HoneTrackerProblem | null;
  /** Whether the last request reached a working Hone (an answer that is not a 5xx); null before the first. */
  reachable: boolean | null;
}

export interface HoneTracker {
  /** Records one LLM call. Never throws, never waits. */
  modelCall(call: TrackedModelCall): void;
  /** Records one metric value. Never throws, never waits. */
  metric(metric: TrackedMetric): void;
  /** Records one bug occurrence. Never throws, never waits. */
  bugReport(report: TrackedBugReport): void;
  /** Records one routing decision made in the gateway (the local router does). Never throws, never waits. */
  routeDecision(decision: TrackedRouteDecision): void;
  /** Records how a routed request went. Never throws, never waits. */
  routeOutcome(outcome: TrackedRouteOutcome): void;
  /**
   * Sends everything tracked so far and resolves once Hone has answered for all of it (or it was dropped): true then,
   * false when `timeoutMs` (default: no limit) passed first. Keeps retrying while Hone is down; never rejects.
   */
  flush(options?: { timeoutMs?: number | undefined }): Promise<boolean>;
  /**
   * Flushes (for at most `timeoutMs`, default `shutdownTimeoutMs`), then stops: timers and exit hooks are removed,
   * what is still waiting is dropped (counted), later items are dropped. Resolves like flush(); never rejects.
   */
  close(options?: { timeoutMs?: number | undefined }): Promise<boolean>;
  /** A snapshot of the counters. */
  stats(): HoneTrackerStats;
}

/** What the tracker needs of a client: the ingest tool. */
export interface IngestSender {
  ingest: { batch: { mutate(input: IngestBatch): Promise<IngestAnswer> } };
}

/**
 * How long to wait before retry number `attempt` (1-based): exponential from `baseMs`, capped at `maxMs`, with
 * "equal jitter" (between half and all of it) so that many gateways do not come back at the same instant; never less
 * than what Hone's Retry-After asked for.
 */
export function retryDelayMs(
  attempt: number,
  { baseMs, maxMs, retryAfterMs }: { baseMs: number; maxMs: number; retryAfterMs?: number | undefined },
  random: () => number = Math.random,
): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
  const jittered = exponential / 2 + random() * (exponential / 2);
  return Math.round(Math.max(jittered, retryAfterMs ?? 0));
}

type Verdict = 'retry' | 'split' | 'refuse';

/**
 * What to do after a failed request. Transient (send again, same eventIds): no answer (network, timeout, not Hone's
 * answer such as a proxy's 502 page), any 5xx, 429. A 413 halves the batch. Any other 4xx (bad key, a server without
 * the ingest tool, a batch it cannot read) would fail again: drop the batch.
 */
function verdictOn(error: HoneClientError): Verdict {
  if (error.code === 'NETWORK_ERROR' || error.code === 'TIMEOUT' || error.code === 'BAD_RESPONSE') return 'retry';
  if (error.status === 429 || (error.status !== null && error.status >= 500)) return 'retry';
  if (error.status === 413) return 'split';
  return 'refuse';
}

/** A FIFO with O(1) take from the front (Array#shift is O(n), and a full buffer drops from the front on every item). */
class Queue<T> {
  private items: T[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }
  push(item: T): void {
    this.items.push(item);
  }
  peek(): T | undefined {
    return this.items[this.head];
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head]!;
    this.items[this.head++] = undefined as T;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
  take(count: number): T[] {
    const taken = this.items.slice(this.head, this.head + count);
    for (let i = 0; i < taken.length; i++) this.shift();
    return taken;
  }
  clear(): T[] {
    const rest = this.items.slice(this.head);
    this.items = [];
    this.head = 0;
    return rest;
  }
}

interface Entry {
  kind: TrackedItemKind;
  item: Record<string, unknown>;
  seq: number;
  settled: boolean;
}

/** Node's process, when there is one (the package also runs where there is none: edge runtimes, browsers). */
interface NodeProcess {
  pid: number;
  on(event: string, listener: (signal: string) => void): unknown;
  removeListener(event: string, listener: (signal: string) => void): unknown;
  listenerCount(event: string): number;
  kill(pid: number, signal: string): unknown;
}

type Timer = ReturnType<typeof setTimeout>;

/** Timers of the tracker never keep a process alive on their own (Node's unref; elsewhere there is nothing to do). */
function unref(timer: Timer): Timer {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

function positive(name: string, value: number): number {
  if (!(value > 0)) throw new RangeError(`track.${name} must be a positive number, got ${value}`);
  return value;
}

/**
 * A tracker sending through `client` (a HoneClient). createHoneClient makes one as `hone.track` from its `track`
 * options; make another with other options when needed. Throws only here, for options out of range.
 */
export function createTracker(client: IngestSender, options: HoneTrackerOptions = {}): HoneTracker {
  const maxBatchItems = Math.floor(positive('maxBatchItems', options.maxBatchItems ?? TRACKER_DEFAULTS.maxBatchItems));
  const maxBufferedItems = Math.floor(positive('maxBufferedItems', options.maxBufferedItems ?? TRACKER_DEFAULTS.maxBufferedItems));
  const flushIntervalMs = positive('flushIntervalMs', options.flushIntervalMs ?? TRACKER_DEFAULTS.flushIntervalMs);
  const retryBaseDelayMs = positive('retryBaseDelayMs', options.retryBaseDelayMs ?? TRACKER_DEFAULTS.retryBaseDelayMs);
  const retryMaxDelayMs = positive('retryMaxDelayMs', options.retryMaxDelayMs ?? TRACKER_DEFAULTS.retryMaxDelayMs);
  const shutdownTimeoutMs = positive('shutdownTimeoutMs', options.shutdownTimeoutMs ?? TRACKER_DEFAULTS.shutdownTimeoutMs);
  if (maxBatchItems > maxBufferedItems) {
    throw new RangeError(`track.maxBatchItems (${maxBatchItems}) must not exceed track.maxBufferedItems (${maxBufferedItems})`);
  }
  const onError = options.onError;

  const counters = { tracked: 0, stored: 0, duplicates: 0, rejected: 0, dropped: 0, retries: 0, sentRejected: 0 };
  let lastError: HoneTrackerProblem | null = null;
  let reachable: boolean | null = null;

  const waiting = new Queue<Entry>();
  /** The batch being delivered (sent, or waiting to be sent again); its items are older than every waiting one. */
  let inFlight: Entry[] = [];
  let nextSeq = 1;
  let draining = false;
  let closed = false;
  let overflowing = false;
  let flushTimer: Timer | undefined;
  /** Ends a retry's wait early (close() does). */
  let wakeRetry: (() => void) | undefined;
  const flushWaiters = new Set<{ throughSeq: number; resolve: (done: boolean) => void }>();

  function report(problem: HoneTrackerProblem): void {
    lastError = problem;
    if (!onError) return;
    // Never from inside track(), and a throwing hook must not break the sender (nor reach the caller).
    queueMicrotask(() => {
      try {
        onError(problem);
      } catch (error) {
        lastError = { kind: 'hook', message: `track onError threw: ${String(error)}`, items: 0, at: new Date() };
      }
    });
  }

  function oldestUnsettledSeq(): number {
    return inFlight.find((entry) => !entry.settled)?.seq ?? waiting.peek()?.seq ?? nextSeq;
  }

  function resolveFlushWaiters(): void {
    if (flushWaiters.size === 0) return;
    const oldest = oldestUnsettledSeq();
    for (const waiter of flushWaiters) if (waiter.throughSeq < oldest) waiter.resolve(true);
  }

  function track(kind: TrackedItemKind, item: unknown): void {
    try {
      counters.tracked++;
      if (closed) {
        counters.dropped++;
        report({ kind: 'closed', message: 'an item was tracked after close(): dropped', items: 1, at: new Date() });
        return;
      }
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        counters.rejected++;
        report({ kind: 'invalid', message: `track.${kind}: the item must be an object, got ${String(item)}`, items: 1, at: new Date() });
        return;
      }
      const given = item as Record<string, unknown>;
      const filled: Record<string, unknown> = { ...given };
      if (!TIMELESS.has(kind)) {
        filled.at = given.at instanceof Date ? given.at.toISOString() : (given.at ?? new Date().toISOString());
      }
      if (!IDENTIFIED_BY_DECISION.has(kind)) filled.eventId = given.eventId ?? globalThis.crypto.randomUUID();
      waiting.push({ kind, item: filled, seq: nextSeq++, settled: false });
      if (waiting.length + inFlight.length > maxBufferedItems) dropOldest();
      if (waiting.length >= maxBatchItems) startDraining();
      else if (!draining && flushTimer === undefined) {
        flushTimer = unref(setTimeout(startDraining, flushIntervalMs));
      }
    } catch (error) {
      // An invalid Date, a throwing getter: the item is refused, the caller is not disturbed.
      counters.rejected++;
      report({ kind: 'invalid', message: `track.${kind}: ${String(error)}`, items: 1, at: new Date() });
    }
  }

  function dropOldest(): void {
    // The batch being delivered stays whole (its fate is Hone's answer); the oldest waiting item goes.
    waiting.shift();
    counters.dropped++;
    if (!overflowing) {
      overflowing = true;
      report({
        kind: 'overflow',
        message: `the buffer is full (${maxBufferedItems} items) while Hone is not taking them: dropping the oldest`,
        items: 1,
        at: new Date(),
      });
    }
    resolveFlushWaiters();
  }

  function startDraining(): void {
    if (flushTimer !== undefined) clearTimeout(flushTimer);
    flushTimer = undefined;
    if (draining || closed) return;
    draining = true;
    void drain();
  }

  async function drain(): Promise<void> {
    try {
      while (!closed && waiting.length > 0) {
        inFlight = waiting.take(maxBatchItems);
        await deliver(inFlight);
        inFlight = [];
        if (overflowing && waiting.length < maxBufferedItems) overflowing = false;
        resolveFlushWaiters();
      }
    } finally {
      draining = false;
    }
  }

  function settle(entries: Entry[]): void {
    for (const entry of entries) entry.settled = true;
    resolveFlushWaiters();
  }

  function drop(entries: Entry[], problem: HoneTrackerProblem): void {
    counters.dropped += entries.length;
    report(problem);
    settle(entries);
  }

  /** Sends `entries` until Hone answers for them (or refuses them, or the tracker is closed). Never throws. */
  async function deliver(entries: Entry[]): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      let answer: IngestAnswer;
      try {
        answer = await client.ingest.batch.mutate(batchOf(entries));
      } catch (thrown) {
        const error = isHoneClientError(thrown)
          ? thrown
          : new HoneClientError(`ingest.batch: ${String(thrown)}`, { code: 'NETWORK_ERROR', status: null, cause: thrown });
        const verdict = verdictOn(error);
        reachable = error.status !== null && error.status < 500 && error.code !== 'BAD_RESPONSE';
        if (verdict === 'split' && entries.length > 1) {
          const half = Math.ceil(entries.length / 2);
          await deliver(entries.slice(0, half));
          await deliver(entries.slice(half));
          return;
        }
        if (verdict === 'retry' && !closed) {
          const delayMs = retryDelayMs(attempt, { baseMs: retryBaseDelayMs, maxMs: retryMaxDelayMs, retryAfterMs: error.retryAfterMs });
          counters.retries++;
          report({
            kind: 'retrying',
            message: `${error.message}; sending ${entries.length} items again in ${delayMs} ms (attempt ${attempt + 1})`,
            error,
            items: entries.length,
            attempt,
            delayMs,
            at: new Date(),
          });
          await new Promise<void>((resolve) => {
            const timer = unref(setTimeout(resolve, delayMs));
            wakeRetry = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          wakeRetry = undefined;
          if (!closed) continue;
        }
        const why = closed ? 'the tracker was closed before Hone took them' : error.message;
        drop(entries, {
          kind: closed ? 'closed' : 'refused',
          message: `dropped ${entries.length} items: ${why}`,
          error,
          items: entries.length,
          at: new Date(),
        });
        return;
      }
      reachable = true;
      try {
        recordAnswer(entries, answer);
      } catch (error) {
        // An answer not shaped like ingest's (a server of another make behind the URL): nothing to count it by.
        const unreadable = new HoneClientError(`ingest.batch: an answer this client cannot read (${String(error)})`, {
          code: 'BAD_RESPONSE',
          status: 200,
          cause: error,
        });
        drop(entries, {
          kind: 'refused',
          message: `dropped ${entries.length} items: ${unreadable.message}`,
          error: unreadable,
          items: entries.length,
          at: new Date(),
        });
      }
      return;
    }
  }

  function batchOf(entries: Entry[]): IngestBatch {
    const batch: Record<string, unknown[]> = {};
    for (const { kind, item } of entries) (batch[kind] ??= []).push(item);
    return batch;
  }

  /** Counts an answer; throws, having counted nothing, when it is not an answer for these entries. */
  function recordAnswer(entries: Entry[], answer: IngestAnswer): void {
    // A server whose ingest predates a kind answers no list for it (and refused the batch had it held such items).
    const outcomes = answer.outcomes as Partial<Record<TrackedItemKind, ItemOutcome[]>>;
    const answered = ITEM_KINDS.reduce((total, kind) => total + (outcomes[kind]?.length ?? 0), 0);
    if (answered !== entries.length || answer.stored + answer.duplicates + answer.rejected !== entries.length) {
      throw new Error(`${entries.length} items sent, ${answered} outcomes answered`);
    }
    counters.stored += answer.stored;
    counters.duplicates += answer.duplicates;
    counters.rejected += answer.rejected;
    counters.sentRejected += answer.rejected;
    if (answer.rejected > 0) {
      const byKind = Object.fromEntries(ITEM_KINDS.map((kind) => [kind, entries.filter((entry) => entry.kind === kind)]));
      const rejections: TrackerRejection[] = [];
      for (const kind of ITEM_KINDS) {
        (outcomes[kind] ?? []).forEach((outcome, index) => {
          if (outcome !== 'rejected') return;
          const issues = answer.errors
            .filter((error) => error.path[0] === kind && error.path[1] === index)
            .map((error) => ({ path: error.path.slice(2), message: error.message }));
          rejections.push({ kind, item: byKind[kind]![index]!.item, issues });
        });
      }
      report({
        kind: 'rejected',
        message: `Hone refused ${answer.rejected} of ${entries.length} items: ${answer.errors
          .slice(0, 3)
          .map((error) => `${error.path.join('.')}: ${error.message}`)
          .join('; ')}`,
        rejections,
        items: answer.rejected,
        at: new Date(),
      });
    }
    settle(entries);
  }

  function flush({ timeoutMs = Infinity }: { timeoutMs?: number | undefined } = {}): Promise<boolean> {
    const throughSeq = nextSeq - 1;
    if (oldestUnsettledSeq() > throughSeq) return Promise.resolve(true);
    startDraining();
    return new Promise<boolean>((resolve) => {
      // A ref'd timer: an awaited flush keeps the process alive while the tracker's own timers (unref'd) would not.
      const timer = Number.isFinite(timeoutMs) ? setTimeout(() => finish(false), timeoutMs) : setInterval(() => {}, 1 << 30);
      const waiter = { throughSeq, resolve: (done: boolean) => finish(done) };
      function finish(done: boolean) {
        clearTimeout(timer);
        clearInterval(timer);
        flushWaiters.delete(waiter);
        resolve(done);
      }
      flushWaiters.add(waiter);
    });
  }

  const nodeProcess = options.flushOnExit ? (globalThis as { process?: NodeProcess }).process : undefined;
  const exitSignals = ['SIGTERM', 'SIGINT'] as const;
  const onBeforeExit = () => void close();
  const onSignal = (signal: string) => {
    void close().then(() => {
      // Our listener replaced the signal's default (exit): once flushed, exit as it would have, unless someone else
      // listens and will decide.
      if (nodeProcess && nodeProcess.listenerCount(signal) === 0) nodeProcess.kill(nodeProcess.pid, signal);
    });
  };
  if (nodeProcess) {
    nodeProcess.on('beforeExit', onBeforeExit);
    for (const signal of exitSignals) nodeProcess.on(signal, onSignal);
  }

  let closing: Promise<boolean> | undefined;
  function close({ timeoutMs = shutdownTimeoutMs }: { timeoutMs?: number | undefined } = {}): Promise<boolean> {
    closing ??= (async () => {
      if (nodeProcess) {
        nodeProcess.removeListener('beforeExit', onBeforeExit);
        for (const signal of exitSignals) nodeProcess.removeListener(signal, onSignal);
      }
      const done = await flush({ timeoutMs });
      closed = true;
      if (flushTimer !== undefined) clearTimeout(flushTimer);
      flushTimer = undefined;
      wakeRetry?.();
      const left = waiting.clear();
      if (left.length > 0) {
        drop(left, {
          kind: 'closed',
          message: `close(): dropped ${left.length} items Hone had not taken`,
          items: left.length,
          at: new Date(),
        });
      }
      return done;
    })();
    return closing;
  }

  return {
    modelCall: (call) => track('modelCalls', call),
    metric: (metric) => track('metrics', metric),
    bugReport: (report) => track('bugReports', report),
    routeDecision: (decision) => track('routeDecisions', decision),
    routeOutcome: (outcome) => track('routeOutcomes', outcome),
    flush,
    close,
    stats: () => {
      const queued = waiting.length + inFlight.filter((entry) => !entry.settled).length;
      return {
        tracked: counters.tracked,
        queued,
        sent: counters.stored + counters.duplicates + counters.sentRejected,
        stored: counters.stored,
        duplicates: counters.duplicates,
        rejected: counters.rejected,
        dropped: counters.dropped,
        retries: counters.retries,
        lastError,
        reachable,
      };
    },
  };
}
