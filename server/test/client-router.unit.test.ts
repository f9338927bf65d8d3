// hone.router()'s parts without a server: which decisions carry their input (the hourly sample), the status's
// transitions, the event-stream reader, and the router's own state machine over a scripted fetch (what it does when
// Hone answers, refuses or is gone). Against next start: client-router.test.ts.
import { describe, expect, it } from 'vitest';
import { readServerSentEvents, type ServerSentEvent } from '../../packages/client/src/event-stream';
import { InputSampler } from '../../packages/client/src/input-sampler';
import { createLocalRouter, type RouterConnection } from '../../packages/client/src/local-router';
import { SyncStatus } from '../../packages/client/src/router-status';
import type { RoutingSnapshot } from '../../packages/client/src/routing/types';
import { createTracker, type IngestSender, type TrackedRouteDecision, type TrackedRouteOutcome } from '../../packages/client/src/tracker';
import { until } from '../testing/tracked-stream';

const HOUR_MS = 3_600_000;

describe('the input sample (InputSampler)', () => {
  it('takes at most samplesPerHour per clock hour, however many decisions', () => {
    let now = Date.UTC(2026, 0, 1, 10);
    const sampler = new InputSampler({ storeInputs: true, samplesPerHour: 120 }, () => now);
    let taken = 0;
    // 100 decisions a second for the whole hour.
    for (let i = 0; i < 360_000; i++, now += 10) if (sampler.take()) taken++;
    expect(taken).toBe(120);
    // The next hour has its own allowance.
    let next = 0;
    for (let i = 0; i < 360_000; i++, now += 10) if (sampler.take()) next++;
    expect(next).toBe(120);
  });

  it('spreads the sample over the hour instead of taking the first decisions', () => {
    let now = Date.UTC(2026, 0, 1, 10);
    const sampler = new InputSampler({ storeInputs: true, samplesPerHour: 120 }, () => now);
    const takenAtMinute: number[] = [];
    for (let i = 0; i < 360_000; i++, now += 10) if (sampler.take()) takenAtMinute.push(Math.floor((now % HOUR_MS) / 60_000));
    // At most a twelfth of the hour's samples at once (10), then about two a minute.
    expect(takenAtMinute.filter((minute) => minute === 0).length).toBeLessThanOrEqual(12);
    expect(takenAtMinute.filter((minute) => minute >= 30).length).toBeGreaterThan(40);
  });

  it('takes every decision of a quiet gateway, up to the bound', () => {
    let now = Date.UTC(2026, 0, 1, 10);
    const sampler = new InputSampler({ storeInputs: true, samplesPerHour: 200 }, () => now);
    let taken = 0;
    // One decision a minute: 60 in the hour, all sampled.
    for (let i = 0; i < 60; i++, now += 60_000) if (sampler.take()) taken++;
    expect(taken).toBe(60);
  });

  it('takes none when inputs are not stored or the bound is 0, and follows a new policy', () => {
    let now = Date.UTC(2026, 0, 1, 10);
    const sampler = new InputSampler({ storeInputs: false, samplesPerHour: 200 }, () => now);
    for (let i = 0; i < 100; i++, now += 60_000) expect(sampler.take()).toBe(false);
    sampler.setPolicy({ storeInputs: true, samplesPerHour: 0 });
    expect(sampler.take()).toBe(false);
    sampler.setPolicy({ storeInputs: true, samplesPerHour: 5 });
    expect(sampler.take()).toBe(true);
    sampler.setPolicy({ storeInputs: false, samplesPerHour: 5 });
    expect(sampler.take()).toBe(false);
  });
});

describe('the router status (SyncStatus)', () => {
  it('starts, becomes fresh with a snapshot, stale when Hone cannot be reached, fresh again once it answers', () => {
    const sync = new SyncStatus();
    expect(sync.status()).toEqual({ state: 'starting', snapshotVersion: null, lastSyncAt: null, lastError: null, streaming: false });
    sync.failed('connection refused');
    // Without a snapshot it is still starting, whatever failed.
    expect(sync.status()).toMatchObject({ state: 'starting', lastError: 'connection refused' });

    const first = new Date('2026-01-01T10:00:00Z');
    sync.synced(first, 'v1');
    expect(sync.status()).toEqual({ state: 'fresh', snapshotVersion: 'v1', lastSyncAt: first, lastError: null, streaming: false });
    sync.streaming(true);
    expect(sync.status().streaming).toBe(true);

    sync.failed('connection refused');
    expect(sync.status()).toMatchObject({ state: 'stale', snapshotVersion: 'v1', lastSyncAt: first, lastError: 'connection refused' });

    // A 304: the same snapshot, confirmed.
    const confirmed = new Date('2026-01-01T10:05:00Z');
    sync.synced(confirmed);
    expect(sync.status()).toMatchObject({ state: 'fresh', snapshotVersion: 'v1', lastSyncAt: confirmed, lastError: null });
    sync.synced(new Date('2026-01-01T10:06:00Z'), 'v2');
    expect(sync.status().snapshotVersion).toBe('v2');
  });
});

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

describe('the event-stream reader', () => {
  it('reads events split anywhere, skips comments, joins data lines, and takes CRLF', async () => {
    const events: ServerSentEvent[] = [];
    let activity = 0;
    await readServerSentEvents(
      streamOf(['retry: 1000\n\n: heart', 'beat\n\nevent: snap', 'shot\ndata: {"version":"1"}\n', '\n', 'data: a\r', '\ndata: b\r\n\r\n']),
      (event) => events.push(event),
      () => activity++,
    );
    expect(events).toEqual([
      { event: 'snapshot', data: '{"version":"1"}' },
      { event: 'message', data: 'a\nb' },
    ]);
    expect(activity).toBe(6);
  });
});

const SNAPSHOT: RoutingSnapshot = {
  version: '1-1-1',
  defaultLayer: 'fast',
  rules: [
    { ruleId: 7, versionId: 70, version: 1, pattern: 'sort', layer: 'deep', model: 'm', priority: 0, state: 'active', reasoning: null },
  ],
  sampling: { storeInputs: true, samplesPerHour: 1 },
};

/**
 * A scripted Hone: the snapshot endpoint answers from `answer` (an Error: no answer); the event stream is refused, or
 * served from `events` (the test writes to it).
 */
function scriptedConnection(answer: () => RoutingSnapshot | Error, events?: ReadableStream<Uint8Array>) {
  const decisions: TrackedRouteDecision[] = [];
  const outcomes: TrackedRouteOutcome[] = [];
  const requests: { url: string; ifNoneMatch: string | null }[] = [];
  const connection: RouterConnection = {
    url: 'http://hone.test',
    timeoutMs: 1_000,
    tracker: { routeDecision: (decision) => decisions.push(decision), routeOutcome: (outcome) => outcomes.push(outcome) },
    fetch: async (input, init) => {
      const url = input instanceof Request ? input.url : input.toString();
      const ifNoneMatch = new Headers(init?.headers).get('if-none-match');
      requests.push({ url, ifNoneMatch });
      if (url.endsWith('/api/routing/events')) {
        return events
          ? new Response(events, { headers: { 'content-type': 'text/event-stream' } })
          : new Response('not here', { status: 404 });
      }
      const current = answer();
      if (current instanceof Error) throw new TypeError('fetch failed', { cause: current });
      if (ifNoneMatch === `"${current.version}"`) return new Response(null, { status: 304 });
      return Response.json(current, { headers: { etag: `"${current.version}"` } });
    },
  };
  return { connection, decisions, outcomes, requests };
}

describe('the local router over a scripted Hone', () => {
  it('answers the default layer before the first snapshot, then decides from it; never throws', async () => {
    let reachable = false;
    const hone = scriptedConnection(() =>
      reachable ? SNAPSHOT : Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
    );
    const router = createLocalRouter(hone.connection, { pollIntervalMs: 20, defaultLayer: 'deep' });
    try {
      const early = router.decide('please sort');
      expect(early).toMatchObject({ layer: 'deep', ruleId: null, versionId: null, snapshotVersion: null });
      expect(early.reasoning).toMatch(/No routing rules from Hone yet/);
      expect(await router.ready({ timeoutMs: 100 })).toBe(false);
      await until(() => router.status().lastError !== null, 'a failed fetch');
      expect(router.status()).toMatchObject({ state: 'starting', snapshotVersion: null });
      expect(router.status().lastError).toMatch(/ECONNREFUSED/);

      reachable = true;
      expect(await router.ready({ timeoutMs: 5_000 })).toBe(true);
      const decided = router.decide('please sort', { taskType: 'coding' });
      expect(decided).toMatchObject({ layer: 'deep', model: 'm', ruleId: 7, versionId: 70, snapshotVersion: '1-1-1' });
      expect(router.status()).toMatchObject({ state: 'fresh', snapshotVersion: '1-1-1', streaming: false });
      // Not a string: decided on its text, not thrown.
      expect(router.decide(undefined as unknown as string).layer).toBe('fast');

      // Reported: the first decision before any snapshot (no sample: no policy yet), the second with its input
      // (a sample of 1 per hour), the third without.
      expect(hone.decisions.map((decision) => [decision.versionId, decision.input])).toEqual([
        [null, undefined],
        [70, 'please sort'],
        [null, undefined],
      ]);
      expect(hone.decisions[1]).toMatchObject({ decisionId: decided.decisionId, taskType: 'coding', layer: 'deep', shadow: [] });

      router.recordOutcome(decided, { success: true, latencyMs: 120 });
      router.recordOutcome(decided.decisionId, { success: false, modelId: 'other' });
      router.recordOutcome(null as unknown as string, undefined as unknown as { success: boolean });
      expect(hone.outcomes.slice(0, 2)).toEqual([
        { decisionId: decided.decisionId, success: true, latencyMs: 120 },
        { decisionId: decided.decisionId, success: false, modelId: 'other' },
      ]);
    } finally {
      await router.close();
    }
  });

  it('polls with the ETag (304s keep the snapshot), goes stale when Hone is gone and keeps deciding, then catches up', async () => {
    let current: RoutingSnapshot | Error = SNAPSHOT;
    const hone = scriptedConnection(() => current);
    const router = createLocalRouter(hone.connection, { pollIntervalMs: 20 });
    try {
      expect(await router.ready({ timeoutMs: 5_000 })).toBe(true);
      await until(() => hone.requests.filter((request) => request.ifNoneMatch === '"1-1-1"').length >= 2, 'conditional polls');
      expect(router.status().state).toBe('fresh');

      current = new Error('connect ECONNREFUSED');
      await until(() => router.status().state === 'stale', 'the router to go stale');
      expect(router.decide('sort this')).toMatchObject({ ruleId: 7, snapshotVersion: '1-1-1' });

      current = { ...SNAPSHOT, version: '2-2-2', rules: [{ ...SNAPSHOT.rules[0]!, versionId: 71, version: 2, layer: 'fast' }] };
      await until(() => router.status().snapshotVersion === '2-2-2', 'the router to catch up');
      expect(router.status()).toMatchObject({ state: 'fresh', lastError: null });
      expect(router.decide('sort this')).toMatchObject({ layer: 'fast', versionId: 71 });
    } finally {
      await router.close();
    }
    const after = hone.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(hone.requests.length).toBe(after);
  });
});

describe('the tracker with routing items', () => {
  it('sends decisions (with at, no eventId) and outcomes (neither) in one batch, decisions first, and counts the answer', async () => {
    const batches: Record<string, Record<string, unknown>[]>[] = [];
    const sender: IngestSender = {
      ingest: {
        batch: {
          mutate: async (batch) => {
            const lists = batch as unknown as Record<string, Record<string, unknown>[]>;
            batches.push(lists);
            const outcomes = Object.fromEntries(Object.entries(lists).map(([kind, items]) => [kind, items.map(() => 'stored')]));
            const stored = Object.values(lists).reduce((total, items) => total + items.length, 0);
            return { stored, duplicates: 0, rejected: 0, outcomes, errors: [] } as never;
          },
        },
      },
    };
    const tracker = createTracker(sender, { flushIntervalMs: 10 });
    const decisionId = globalThis.crypto.randomUUID();
    tracker.routeDecision({ decisionId, versionId: 3, ruleId: 1, layer: 'deep', model: null, shadow: [], taskType: 'coding' });
    tracker.routeOutcome({ decisionId, success: true, latencyMs: 12 });
    tracker.modelCall({ modelId: 'm', taskType: 'coding', success: true, latencyMs: 12, cost: 0 });
    expect(await tracker.flush({ timeoutMs: 5_000 })).toBe(true);
    expect(batches).toHaveLength(1);
    expect(Object.keys(batches[0]!)).toEqual(['routeDecisions', 'routeOutcomes', 'modelCalls']);
    const [decision] = batches[0]!.routeDecisions!;
    expect(decision).toMatchObject({ decisionId, versionId: 3, taskType: 'coding' });
    expect(decision!.at).toEqual(expect.any(String));
    expect(decision).not.toHaveProperty('eventId');
    expect(batches[0]!.routeOutcomes).toEqual([{ decisionId, success: true, latencyMs: 12 }]);
    expect(batches[0]!.modelCalls![0]).toHaveProperty('eventId');
    expect(tracker.stats()).toMatchObject({ tracked: 3, stored: 3, dropped: 0, queued: 0 });
    await tracker.close();
  });
});

describe('the local router with an event stream', () => {
  it('fetches an announced version; when that fetch fails it retries by polling, and is not fresh until it has it', async () => {
    let current: RoutingSnapshot | Error = SNAPSHOT;
    const encoder = new TextEncoder();
    let push: (text: string) => void = () => {};
    const events = new ReadableStream<Uint8Array>({
      start: (controller) => void (push = (text) => controller.enqueue(encoder.encode(text))),
    });
    const hone = scriptedConnection(() => current, events);
    const router = createLocalRouter(hone.connection, { pollIntervalMs: 50 });
    try {
      expect(await router.ready({ timeoutMs: 5_000 })).toBe(true);
      await until(() => router.status().streaming, 'the stream to open');
      push('event: snapshot\ndata: {"version":"1-1-1"}\n\n');
      // Streaming: no polling while nothing is amiss.
      const fetchesBefore = hone.requests.filter((request) => request.url.endsWith('/snapshot')).length;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(hone.requests.filter((request) => request.url.endsWith('/snapshot')).length).toBe(fetchesBefore);

      current = new Error('connect ECONNREFUSED');
      push('event: snapshot\ndata: {"version":"2-2-2"}\n\n');
      await until(() => router.status().state === 'stale', 'the failed fetch to show');
      // A heartbeat proves the stream alive, not the snapshot current: still stale.
      push(': heartbeat\n\n');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(router.status()).toMatchObject({ state: 'stale', snapshotVersion: '1-1-1', streaming: true });

      current = { ...SNAPSHOT, version: '2-2-2' };
      await until(() => router.status().snapshotVersion === '2-2-2', 'polling to fetch the announced version');
      expect(router.status()).toMatchObject({ state: 'fresh', streaming: true });
    } finally {
      await router.close();
    }
  });
});
