// hone.track against `next start` on both databases: what was tracked is what is stored, once, through lost answers,
// 5xx, refused connections, a full buffer and a server stopped and started again in the middle of a stream.
// Items carry their identity into the rows (a metric's value, a call's latency), so the database says which arrived.
// The buffering and backoff logic alone: client-tracker.unit.test.ts; kill -9 during ingestion: client-tracker-kill.test.ts.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHoneClient, type HoneClient, type HoneTrackerOptions, type HoneTrackerProblem, type HoneTrackerStats } from '../hone-client';
import { testDatabaseKind } from './database';
import { startFaultProxy, type FaultProxy } from '../testing/fault-proxy';
import { expectedRows, storedRows, TrackedStream, until } from '../testing/tracked-stream';
import { createServerDatabase, ROOT, startHoneServer, type HoneServer, type ServerDatabase } from '../testing/hone-server';

// Quick retries so a test spends its time on the server, not waiting.
const FAST: HoneTrackerOptions = { flushIntervalMs: 50, retryBaseDelayMs: 20, retryMaxDelayMs: 250, maxBatchItems: 40 };
const SERVER_TEST_TIMEOUT_MS = 240_000;

let db: ServerDatabase;

beforeAll(async () => {
  db = await createServerDatabase(testDatabaseKind);
});

afterAll(async () => {
  await db?.drop();
});

function expectConsistent(stats: HoneTrackerStats): void {
  expect(stats.tracked).toBe(stats.queued + stats.stored + stats.duplicates + stats.rejected + stats.dropped);
}

/** Runs `work` with a server on the database, and always stops it (PGlite's data can be read only without one). */
async function withServer<T>(work: (server: HoneServer) => Promise<T>, port?: number): Promise<T> {
  const server = await startHoneServer({ env: db.env, port });
  try {
    return await work(server);
  } finally {
    await server.stop();
  }
}

describe(`hone.track against next start (${testDatabaseKind})`, () => {
  it(
    'stores what was tracked, once: through lost answers, 503s from a proxy and refused connections',
    async () => {
      const problems: HoneTrackerProblem[] = [];
      const { stream, stats, proxyCounts } = await withServer(async (server) => {
        const proxy = await startFaultProxy(server.url);
        try {
          const hone = createHoneClient({ url: proxy.url, track: { ...FAST, onError: (problem) => problems.push(problem) } });
          const stream = new TrackedStream(hone, 'track-faults');

          stream.track(150);
          expect(await hone.track.flush()).toBe(true);
          expect(hone.track.stats()).toMatchObject({ stored: 150, duplicates: 0, retries: 0, reachable: true });

          // Hone stores these batches, but their answers never come back: the retries are duplicates, not new rows.
          proxy.next('lose-answer', 3);
          stream.track(150);
          expect(await hone.track.flush()).toBe(true);
          expect(hone.track.stats().duplicates).toBeGreaterThan(0);

          await outage(hone, proxy, 'unavailable', () => stream.track(100));
          await outage(hone, proxy, 'reset', () => stream.track(100));
          expect(hone.track.stats().reachable).toBe(true);
          expect(problems.some((problem) => problem.kind === 'retrying' && problem.error.code === 'BAD_RESPONSE')).toBe(true);
          expect(problems.some((problem) => problem.kind === 'retrying' && problem.error.code === 'NETWORK_ERROR')).toBe(true);

          // Two items Hone refuses: counted as rejected, reported with their field, not stored.
          hone.track.modelCall({ modelId: 'track-a', taskType: 'track-faults', success: true, latencyMs: -1, cost: 0 });
          hone.track.metric({ metricName: 'track-faults', metricValue: Number.NaN, metricUnit: 'n' });
          expect(await hone.track.close()).toBe(true);
          return { stream, stats: hone.track.stats(), proxyCounts: proxy.counts() };
        } finally {
          await proxy.close();
        }
      });

      expect(proxyCounts['lose-answer']).toBe(3);
      // A batch whose answer was lost was stored the first time: its retry's items count as duplicates, not stored.
      expect(stats).toMatchObject({ tracked: 502, rejected: 2, dropped: 0, queued: 0 });
      expect(stats.stored + stats.duplicates).toBe(500);
      expect(stats.duplicates).toBeGreaterThan(0);
      expect(stats.sent).toBe(stats.stored + stats.duplicates + stats.rejected);
      expectConsistent(stats);
      const rejected = problems.filter((problem) => problem.kind === 'rejected');
      expect(rejected.flatMap((problem) => problem.rejections.map((r) => r.issues[0]?.path[0]))).toEqual(
        expect.arrayContaining(['latencyMs', 'metricValue']),
      );
      expect(await storedRows(db, 'track-faults')).toEqual(expectedRows(stream));
    },
    SERVER_TEST_TIMEOUT_MS,
  );

  it(
    'keeps only the newest waiting items (and the batch in flight) when the buffer fills while Hone is unreachable',
    async () => {
      const { stats } = await withServer(async (server) => {
        const proxy = await startFaultProxy(server.url);
        try {
          proxy.setMode('reset');
          const hone = createHoneClient({ url: proxy.url, track: { ...FAST, maxBatchItems: 5, maxBufferedItems: 10 } });
          for (let n = 0; n < 50; n++) hone.track.metric({ metricName: 'track-overflow', metricValue: n, metricUnit: 'n' });
          expect(hone.track.stats()).toMatchObject({ tracked: 50, queued: 10, dropped: 40 });
          await until(() => hone.track.stats().retries >= 2, 'two retries');
          proxy.setMode('pass');
          expect(await hone.track.close()).toBe(true);
          return { stats: hone.track.stats() };
        } finally {
          await proxy.close();
        }
      });
      expect(stats).toMatchObject({ stored: 10, dropped: 40, queued: 0, duplicates: 0 });
      expect(stats.lastError).toMatchObject({ kind: 'retrying' });
      expect((await storedRows(db, 'track-overflow')).metrics).toEqual([0, 1, 2, 3, 4, 45, 46, 47, 48, 49]);
    },
    SERVER_TEST_TIMEOUT_MS,
  );

  it(
    'flushOnExit sends what a process tracked when it ends or gets SIGTERM; without it, the timers do not hold the process',
    async () => {
      const runs = await withServer(async (server) => ({
        ended: await runTrackAndExit(server.url, 'track-exit-end', 30, 'end'),
        terminated: await runTrackAndExit(server.url, 'track-exit-sigterm', 30, 'sigterm'),
        abandoned: await runTrackAndExit(server.url, 'track-exit-none', 30, 'no-flush'),
      }));
      expect(runs.ended, runs.ended.output).toMatchObject({ code: 0 });
      // The flush done, the signal ends the process as it would have without the tracker.
      expect(runs.terminated, runs.terminated.output).toMatchObject({ signal: 'SIGTERM' });
      expect(runs.abandoned, runs.abandoned.output).toMatchObject({ code: 0 });
      const all = Array.from({ length: 30 }, (_, n) => n);
      expect((await storedRows(db, 'track-exit-end')).metrics).toEqual(all);
      expect((await storedRows(db, 'track-exit-sigterm')).metrics).toEqual(all);
      expect((await storedRows(db, 'track-exit-none')).metrics).toEqual([]);
    },
    SERVER_TEST_TIMEOUT_MS,
  );

  it(
    'delivers once what was tracked while the server was stopped and started again in the middle of a stream',
    async () => {
      let server = await startHoneServer({ env: db.env });
      // Room for everything tracked while the server is down (a restart on a busy machine takes many seconds).
      const hone = createHoneClient({ url: server.url, track: { ...FAST, maxBufferedItems: 1_000_000 } });
      const stream = new TrackedStream(hone, 'track-restart');
      // A steady stream, as a gateway's: 10 items every 20 ms, whatever happens to the server.
      const producer = setInterval(() => stream.track(10), 20);
      try {
        await until(() => hone.track.stats().stored >= 200, '200 items stored');
        await server.stop();
        await until(() => hone.track.stats().retries >= 3 && hone.track.stats().reachable === false, 'retries while stopped');
        const trackedWhileDown = hone.track.stats().tracked;
        server = await startHoneServer({ env: db.env, port: server.port });
        await until(() => hone.track.stats().stored >= trackedWhileDown + 100, 'the stream to go on after the restart');
      } finally {
        clearInterval(producer);
      }
      expect(await hone.track.close({ timeoutMs: 60_000 })).toBe(true);
      await server.stop();

      const stats = hone.track.stats();
      expect(stats).toMatchObject({ dropped: 0, rejected: 0, queued: 0 });
      expect(stats.stored + stats.duplicates).toBe(stats.tracked);
      expectConsistent(stats);
      expect(await storedRows(db, 'track-restart')).toEqual(expectedRows(stream));
      expect(stats.tracked).toBe(stream.calls.length + stream.metrics.length + stream.bugs);
    },
    SERVER_TEST_TIMEOUT_MS,
  );
});

/** Runs server/testing/track-and-exit.ts to its end (sending SIGTERM once it has tracked, in `sigterm` mode). */
function runTrackAndExit(url: string, tag: string, count: number, mode: 'end' | 'no-flush' | 'sigterm') {
  return new Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'server/testing/track-and-exit.ts'), url, tag, String(count), mode],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (mode === 'sigterm' && output.includes('tracked')) child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => resolve({ code, signal, output }));
  });
}

/** Hone out of reach through the proxy for a while (items keep coming), then back. */
async function outage(hone: HoneClient, proxy: FaultProxy, mode: 'unavailable' | 'reset', trackSome: () => void): Promise<void> {
  const retriesBefore = hone.track.stats().retries;
  proxy.setMode(mode);
  trackSome();
  await until(() => hone.track.stats().retries >= retriesBefore + 3, `three retries while the proxy is ${mode}`);
  expect(hone.track.stats().reachable).toBe(false);
  proxy.setMode('pass');
  expect(await hone.track.flush()).toBe(true);
}
