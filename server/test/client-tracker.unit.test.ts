// hone.track's buffering, batching, retry and backoff against a scripted fetch that speaks tRPC's wire format and
// stores eventIds once, as Hone's ingest tool does. The same guarantees against a real server: client-tracker.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { createHoneClient, type HoneClient, type HoneTrackerOptions, type HoneTrackerProblem } from '../hone-client';
import { retryDelayMs } from '../../packages/client/src/tracker';

type Kind = 'modelCalls' | 'metrics' | 'bugReports';
type Item = Record<string, unknown> & { eventId: string; at: string };
type Batch = Partial<Record<Kind, Item[]>>;

/** What the fake answers one request with: Hone's normal answer (undefined), a failure, or no answer at all. */
type Scripted = 'network' | 'not-ingest' | { status: number; code: string; headers?: Record<string, string> } | undefined;

const KINDS: Kind[] = ['modelCalls', 'metrics', 'bugReports'];

function fakeHone({ rejectWhen }: { rejectWhen?: (kind: Kind, item: Item) => string | undefined } = {}) {
  const storedIds: string[] = [];
  const requests: { at: number; batch: Batch }[] = [];
  const script: Scripted[] = [];
  /** While set, every request gets this (after the script is used up). */
  let steady: Scripted;
  let onRequest: (() => void) | undefined;

  const fetch: typeof globalThis.fetch = async (url, init) => {
    expect(url as string).toContain('/api/trpc/ingest.batch');
    const batch = (JSON.parse(init?.body as string) as { 0: Batch })[0];
    requests.push({ at: Date.now(), batch });
    onRequest?.();
    const scripted = script.length > 0 ? script.shift() : steady;
    if (scripted === 'network')
      throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    if (scripted === 'not-ingest') return Response.json([{ result: { data: { ok: true } } }]);
    if (scripted) {
      const error = {
        message: `scripted ${scripted.status}`,
        code: -32603,
        data: { code: scripted.code, httpStatus: scripted.status, path: 'ingest.batch', issues: null },
      };
      return Response.json([{ error }], { status: scripted.status, headers: scripted.headers });
    }
    const answer = {
      stored: 0,
      duplicates: 0,
      rejected: 0,
      outcomes: { modelCalls: [], metrics: [], bugReports: [] } as Record<Kind, string[]>,
      errors: [] as { path: (string | number)[]; message: string }[],
    };
    for (const kind of KINDS) {
      (batch[kind] ?? []).forEach((item, index) => {
        const refusal = rejectWhen?.(kind, item);
        if (refusal) {
          answer.rejected++;
          answer.outcomes[kind].push('rejected');
          answer.errors.push({ path: [kind, index, refusal], message: `bad ${refusal}` });
        } else if (storedIds.includes(item.eventId)) {
          answer.duplicates++;
          answer.outcomes[kind].push('duplicate');
        } else {
          storedIds.push(item.eventId);
          answer.stored++;
          answer.outcomes[kind].push('stored');
        }
      });
    }
    return Response.json([{ result: { data: answer } }]);
  };

  return {
    fetch,
    storedIds,
    requests,
    script,
    setSteady: (next: Scripted) => (steady = next),
    nextRequest: () => new Promise<void>((resolve) => (onRequest = () => ((onRequest = undefined), resolve()))),
    sentIds: () => requests.flatMap(({ batch }) => KINDS.flatMap((kind) => (batch[kind] ?? []).map((item) => item.eventId))),
  };
}

const clients: HoneClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((hone) => hone.track.close({ timeoutMs: 100 })));
});

function clientFor(fake: ReturnType<typeof fakeHone>, track: HoneTrackerOptions = {}) {
  const problems: HoneTrackerProblem[] = [];
  const hone = createHoneClient({
    url: 'http://hone.invalid',
    fetch: fake.fetch,
    track: { flushIntervalMs: 20, retryBaseDelayMs: 5, retryMaxDelayMs: 40, onError: (problem) => problems.push(problem), ...track },
  });
  clients.push(hone);
  return { hone, problems };
}

const call = (n: number) => ({ modelId: `model-${n % 3}`, taskType: 'coding', success: n % 2 === 0, latencyMs: 100 + n, cost: 0.001 });

describe('hone.track', () => {
  it('gives each item an eventId and a time unless it has them, and sends by interval', async () => {
    const fake = fakeHone();
    const { hone } = clientFor(fake, { flushIntervalMs: 30 });
    const before = new Date().toISOString();
    hone.track.modelCall(call(1));
    hone.track.metric({ metricName: 'latency', metricValue: 3, metricUnit: 'ms', eventId: 'mine-1', at: new Date('2026-01-02T03:04:05Z') });
    hone.track.bugReport({ category: 'api', pattern: 'timeout', severity: 'low', at: '2026-01-01T00:00:00.000Z' });
    expect(fake.requests).toHaveLength(0);
    expect(hone.track.stats()).toMatchObject({ tracked: 3, queued: 3, sent: 0 });

    await fake.nextRequest();
    const { batch } = fake.requests[0]!;
    expect(batch.modelCalls![0]).toMatchObject({ ...call(1), eventId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(batch.modelCalls![0]!.at >= before).toBe(true);
    expect(batch.metrics![0]).toMatchObject({ eventId: 'mine-1', at: '2026-01-02T03:04:05.000Z' });
    expect(batch.bugReports![0]).toMatchObject({ at: '2026-01-01T00:00:00.000Z' });
    expect(await hone.track.flush()).toBe(true);
    expect(hone.track.stats()).toMatchObject({ tracked: 3, queued: 0, sent: 3, stored: 3, reachable: true, lastError: null });
  });

  it('sends a full batch at once, and at most maxBatchItems per request', async () => {
    const fake = fakeHone();
    const { hone } = clientFor(fake, { maxBatchItems: 4, flushIntervalMs: 60_000 });
    for (let n = 0; n < 3; n++) hone.track.modelCall(call(n));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fake.requests).toHaveLength(0);
    hone.track.modelCall(call(3));
    await fake.nextRequest();
    expect(fake.requests[0]!.batch.modelCalls).toHaveLength(4);

    for (let n = 0; n < 10; n++) hone.track.modelCall(call(n));
    expect(await hone.track.flush()).toBe(true);
    expect(fake.requests.every(({ batch }) => batch.modelCalls!.length <= 4)).toBe(true);
    expect(hone.track.stats()).toMatchObject({ tracked: 14, stored: 14, queued: 0 });
  });

  it('retries 5xx and unreachable with the same eventIds until Hone takes them: nothing lost, nothing doubled', async () => {
    const fake = fakeHone();
    const { hone, problems } = clientFor(fake);
    fake.script.push({ status: 500, code: 'INTERNAL_SERVER_ERROR' }, 'network', { status: 503, code: 'SERVICE_UNAVAILABLE' });
    for (let n = 0; n < 5; n++) hone.track.modelCall(call(n));
    expect(await hone.track.flush()).toBe(true);

    expect(fake.requests).toHaveLength(4);
    const firstIds = fake.requests[0]!.batch.modelCalls!.map((item) => item.eventId);
    for (const { batch } of fake.requests) expect(batch.modelCalls!.map((item) => item.eventId)).toEqual(firstIds);
    expect(fake.storedIds).toEqual(firstIds);
    expect(hone.track.stats()).toMatchObject({ stored: 5, duplicates: 0, dropped: 0, retries: 3, reachable: true });
    expect(problems.map((problem) => problem.kind)).toEqual(['retrying', 'retrying', 'retrying']);
    expect(problems[1]).toMatchObject({ kind: 'retrying', attempt: 2, error: { code: 'NETWORK_ERROR' } });
  });

  it('counts a retried batch Hone had stored as duplicates, not again', async () => {
    const fake = fakeHone();
    const { hone } = clientFor(fake);
    hone.track.metric({ metricName: 'm', metricValue: 1, metricUnit: 'ms', eventId: 'already-there' });
    hone.track.metric({ metricName: 'm', metricValue: 2, metricUnit: 'ms' });
    fake.storedIds.push('already-there');
    await hone.track.flush();
    expect(hone.track.stats()).toMatchObject({ stored: 1, duplicates: 1, sent: 2 });
  });

  it('honours Retry-After on 429', async () => {
    const fake = fakeHone();
    const { hone, problems } = clientFor(fake);
    fake.script.push({ status: 429, code: 'TOO_MANY_REQUESTS', headers: { 'retry-after': '1' } });
    hone.track.modelCall(call(1));
    await hone.track.flush();
    expect(fake.requests).toHaveLength(2);
    expect(fake.requests[1]!.at - fake.requests[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(problems[0]).toMatchObject({ kind: 'retrying', delayMs: 1000, error: { status: 429, retryAfterMs: 1000 } });
    expect(hone.track.stats()).toMatchObject({ stored: 1, retries: 1, reachable: true });
  });

  it('drops a batch Hone refuses with a 4xx, counts it, tells onError, and goes on with the next', async () => {
    const fake = fakeHone();
    const { hone, problems } = clientFor(fake, { maxBatchItems: 2 });
    fake.script.push({ status: 401, code: 'UNAUTHORIZED' });
    for (let n = 0; n < 4; n++) hone.track.modelCall(call(n));
    await hone.track.flush();
    expect(hone.track.stats()).toMatchObject({ tracked: 4, dropped: 2, stored: 2, retries: 0, queued: 0 });
    expect(problems).toEqual([
      expect.objectContaining({ kind: 'refused', items: 2, error: expect.objectContaining({ code: 'UNAUTHORIZED', status: 401 }) }),
    ]);
    expect(hone.track.stats().lastError).toMatchObject({ kind: 'refused' });
  });

  it('drops a batch whose answer it cannot read, without throwing anywhere', async () => {
    const fake = fakeHone();
    const { hone, problems } = clientFor(fake);
    fake.script.push('not-ingest');
    hone.track.modelCall(call(1));
    expect(await hone.track.flush()).toBe(true);
    hone.track.modelCall(call(2));
    expect(await hone.track.flush()).toBe(true);
    expect(hone.track.stats()).toMatchObject({ dropped: 1, stored: 1 });
    expect(problems[0]).toMatchObject({ kind: 'refused', error: { code: 'BAD_RESPONSE' } });
  });

  it('halves a batch Hone finds too large (413) instead of dropping it', async () => {
    const fake = fakeHone();
    const { hone } = clientFor(fake);
    fake.script.push({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    for (let n = 0; n < 5; n++) hone.track.modelCall(call(n));
    await hone.track.flush();
    expect(fake.requests.map(({ batch }) => batch.modelCalls!.length)).toEqual([5, 3, 2]);
    expect(hone.track.stats()).toMatchObject({ stored: 5, dropped: 0 });
  });

  it('counts items Hone rejects inside a batch and hands them to onError with their fields', async () => {
    const fake = fakeHone({
      rejectWhen: (kind, item) => (kind === 'modelCalls' && (item.latencyMs as number) < 0 ? 'latencyMs' : undefined),
    });
    const { hone, problems } = clientFor(fake);
    hone.track.modelCall(call(1));
    hone.track.modelCall({ ...call(2), latencyMs: -1 });
    hone.track.metric({ metricName: 'm', metricValue: 1, metricUnit: 'ms' });
    await hone.track.flush();
    expect(hone.track.stats()).toMatchObject({ stored: 2, rejected: 1, sent: 3 });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      kind: 'rejected',
      items: 1,
      rejections: [{ kind: 'modelCalls', item: { latencyMs: -1 }, issues: [{ path: ['latencyMs'], message: 'bad latencyMs' }] }],
    });
    expect(problems[0]!.message).toContain('modelCalls.1.latencyMs');
  });

  it('keeps a bounded buffer while Hone is down: the oldest waiting items are dropped and counted, the rest arrive once', async () => {
    const fake = fakeHone();
    fake.setSteady('network');
    const { hone, problems } = clientFor(fake, { maxBatchItems: 2, maxBufferedItems: 5 });
    const ids = Array.from({ length: 12 }, (_, n) => `event-${n}`);
    hone.track.modelCall({ ...call(0), eventId: ids[0] });
    hone.track.modelCall({ ...call(1), eventId: ids[1] });
    await fake.nextRequest(); // event-0 and event-1 are in flight, retrying
    for (const eventId of ids.slice(2)) hone.track.modelCall({ ...call(2), eventId });
    expect(hone.track.stats()).toMatchObject({ tracked: 12, queued: 5, dropped: 7 });
    await Promise.resolve(); // onError is called on a microtask, never inside track()
    expect(problems.filter((problem) => problem.kind === 'overflow')).toHaveLength(1);

    fake.setSteady(undefined);
    expect(await hone.track.flush()).toBe(true);
    // The batch in flight is kept whole; of the waiting ones, the newest three survive.
    expect(fake.storedIds).toEqual(['event-0', 'event-1', 'event-9', 'event-10', 'event-11']);
    const stats = hone.track.stats();
    expect(stats).toMatchObject({ stored: 5, dropped: 7, queued: 0, duplicates: 0 });
    expect(stats.tracked).toBe(stats.queued + stats.stored + stats.duplicates + stats.rejected + stats.dropped);
  });

  it('never throws into the caller: not an object, an invalid Date, a throwing onError', () => {
    const fake = fakeHone();
    const hone = createHoneClient({
      url: 'http://hone.invalid',
      fetch: fake.fetch,
      track: {
        onError: () => {
          throw new Error('a broken hook');
        },
      },
    });
    clients.push(hone);
    expect(() => hone.track.modelCall(null as never)).not.toThrow();
    expect(() => hone.track.metric(42 as never)).not.toThrow();
    expect(() => hone.track.metric({ metricName: 'm', metricValue: 1, metricUnit: 'ms', at: new Date(Number.NaN) })).not.toThrow();
    expect(hone.track.stats()).toMatchObject({ tracked: 3, rejected: 3, queued: 0, lastError: { kind: 'invalid' } });
  });

  it('reports a throwing onError as lastError', async () => {
    const fake = fakeHone();
    const hone = createHoneClient({
      url: 'http://hone.invalid',
      fetch: fake.fetch,
      track: {
        onError: () => {
          throw new Error('a broken hook');
        },
      },
    });
    clients.push(hone);
    hone.track.modelCall(null as never);
    await Promise.resolve();
    expect(hone.track.stats().lastError).toMatchObject({ kind: 'hook', message: expect.stringContaining('a broken hook') });
  });

  it('flush waits while Hone is down (or until its timeout); close drops what is left and what comes after', async () => {
    const fake = fakeHone();
    fake.setSteady({ status: 503, code: 'SERVICE_UNAVAILABLE' });
    const { hone, problems } = clientFor(fake, { retryMaxDelayMs: 20 });
    for (let n = 0; n < 3; n++) hone.track.modelCall(call(n));
    expect(await hone.track.flush({ timeoutMs: 200 })).toBe(false);
    expect(hone.track.stats()).toMatchObject({ queued: 3, reachable: false });
    expect(hone.track.stats().retries).toBeGreaterThan(1);

    expect(await hone.track.close({ timeoutMs: 50 })).toBe(false);
    hone.track.modelCall(call(4));
    const requestsAfterClose = fake.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(fake.requests.length).toBeLessThanOrEqual(requestsAfterClose + 1); // at most the one already under way
    expect(hone.track.stats()).toMatchObject({ tracked: 4, stored: 0, dropped: 4, queued: 0 });
    expect(problems.at(-1)).toMatchObject({ kind: 'closed' });
  });

  it('registers exit hooks only when asked, and close() removes them', async () => {
    const before = { term: process.listenerCount('SIGTERM'), exit: process.listenerCount('beforeExit') };
    const fake = fakeHone();
    clientFor(fake);
    expect(process.listenerCount('SIGTERM')).toBe(before.term);
    const { hone } = clientFor(fake, { flushOnExit: true });
    expect(process.listenerCount('SIGTERM')).toBe(before.term + 1);
    expect(process.listenerCount('beforeExit')).toBe(before.exit + 1);
    await hone.track.close();
    expect(process.listenerCount('SIGTERM')).toBe(before.term);
    expect(process.listenerCount('beforeExit')).toBe(before.exit);
  });

  it('refuses options out of range when the client is made', () => {
    expect(() => createHoneClient({ url: 'http://hone.invalid', track: { maxBatchItems: 0 } })).toThrow(/maxBatchItems/);
    expect(() => createHoneClient({ url: 'http://hone.invalid', track: { maxBatchItems: 50, maxBufferedItems: 10 } })).toThrow(
      /must not exceed/,
    );
  });
});

describe('retryDelayMs', () => {
  const options = { baseMs: 100, maxMs: 10_000 };
  it('doubles per attempt, jittered between half and all of it, capped', () => {
    expect(retryDelayMs(1, options, () => 0)).toBe(50);
    expect(retryDelayMs(1, options, () => 1)).toBe(100);
    expect(retryDelayMs(4, options, () => 0.5)).toBe(600);
    expect(retryDelayMs(50, options, () => 1)).toBe(10_000);
    expect(retryDelayMs(50, options, () => 0)).toBe(5_000);
  });
  it('never waits less than Retry-After asked', () => {
    expect(retryDelayMs(1, { ...options, retryAfterMs: 3_000 }, () => 1)).toBe(3_000);
    expect(retryDelayMs(10, { ...options, retryAfterMs: 30_000 }, () => 1)).toBe(30_000);
  });
});
