// A crash during sustained ingestion, on PostgreSQL: `next start` is killed with SIGKILL (the whole process group, no
// shutdown) while hone.track streams into it, and started again on the same database and port, several times.
// Every item the client saw acknowledged (stored or duplicate) must be in the database, and none may be counted twice.
// The client's acknowledgements are read off the wire (a fetch that looks at each ingest answer), not from its counters.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHoneClient } from '../hone-client';
import { testDatabaseKind } from './database';
import { createServerDatabase, startHoneServer, type HoneServer, type ServerDatabase } from '../testing/hone-server';
import { callTotals, expectedRows, storedRows, TrackedStream, until } from '../testing/tracked-stream';

const KILLS = 3;
const TAG = 'tracked-kill';

type Kind = 'modelCalls' | 'metrics' | 'bugReports';
interface WireItem {
  eventId: string;
  latencyMs?: number;
  metricValue?: number;
}
interface IngestAnswerOnWire {
  outcomes: Record<Kind, ('stored' | 'duplicate' | 'rejected')[]>;
}

/** What the client was told: the eventIds acknowledged, calls and metrics by their number, how often each was stored. */
class Acknowledgements {
  readonly eventIds = new Set<string>();
  readonly calls = new Set<number>();
  readonly metrics = new Set<number>();
  readonly storedTimes = new Map<string, number>();
  requestsInFlight = 0;

  /** A fetch for the client that passes everything through and notes each ingest answer's outcomes. */
  readonly fetch: typeof globalThis.fetch = async (input, init) => {
    this.requestsInFlight++;
    try {
      const response = await globalThis.fetch(input, init);
      if ((input as string).includes('ingest.batch') && response.ok) {
        const [sent] = Object.values(JSON.parse(init?.body as string) as Record<string, Partial<Record<Kind, WireItem[]>>>);
        const [answer] = (await response.clone().json()) as [{ result?: { data?: IngestAnswerOnWire } }];
        if (sent && answer?.result?.data) this.note(sent, answer.result.data);
      }
      return response;
    } finally {
      this.requestsInFlight--;
    }
  };

  private note(sent: Partial<Record<Kind, WireItem[]>>, answer: IngestAnswerOnWire): void {
    for (const kind of ['modelCalls', 'metrics', 'bugReports'] as const) {
      (sent[kind] ?? []).forEach((item, index) => {
        const outcome = answer.outcomes[kind][index];
        if (outcome === 'rejected' || outcome === undefined) return;
        if (outcome === 'stored') this.storedTimes.set(item.eventId, (this.storedTimes.get(item.eventId) ?? 0) + 1);
        this.eventIds.add(item.eventId);
        if (kind === 'modelCalls') this.calls.add(item.latencyMs!);
        if (kind === 'metrics') this.metrics.add(item.metricValue!);
      });
    }
  }
}

describe.runIf(testDatabaseKind === 'postgres')('hone.track while the server is killed with SIGKILL and restarted', () => {
  let db: ServerDatabase;
  let server: HoneServer | undefined;

  beforeAll(async () => {
    db = await createServerDatabase('postgres');
  });

  afterAll(async () => {
    await server?.stop();
    await db?.drop();
  });

  it(`loses no acknowledged item and counts none twice across ${KILLS} kills`, async () => {
    server = await startHoneServer({ env: db.env });
    const port = server.port;
    const acknowledged = new Acknowledgements();
    const hone = createHoneClient({
      url: server.url,
      fetch: acknowledged.fetch,
      timeoutMs: 5_000,
      // Big enough that nothing is dropped while the server restarts: every item must end up acknowledged.
      track: { flushIntervalMs: 50, maxBatchItems: 200, maxBufferedItems: 1_000_000, retryBaseDelayMs: 50, retryMaxDelayMs: 500 },
    });
    const stream = new TrackedStream(hone, TAG);
    const producer = setInterval(() => stream.track(20), 10);
    const killedAtStored: number[] = [];
    try {
      for (let kill = 0; kill < KILLS; kill++) {
        const storedBefore = hone.track.stats().stored;
        await until(() => hone.track.stats().stored >= storedBefore + 1_000, 'a thousand more items stored', 120_000);
        // Mid-request when possible: a batch written but not answered, or a transaction cut off.
        await until(() => acknowledged.requestsInFlight > 0, 'a request in flight');
        killedAtStored.push(hone.track.stats().stored);
        await server.kill();
        const retries = hone.track.stats().retries;
        await until(() => hone.track.stats().retries > retries, 'the client to notice');
        server = await startHoneServer({ env: db.env, port });
      }
      await until(() => hone.track.stats().stored >= killedAtStored.at(-1)! + 1_000, 'the stream to go on after the last restart', 120_000);
    } finally {
      clearInterval(producer);
    }
    expect(await hone.track.close({ timeoutMs: 120_000 })).toBe(true);
    const stats = hone.track.stats();
    const rows = await storedRows(db, TAG);
    console.log(
      `kill -9 x${KILLS} during ingestion: ${stats.tracked} items tracked, ${stats.stored} stored, ${stats.duplicates} duplicates ` +
        `(answers lost in a crash, retried), ${stats.retries} retries; killed at ${killedAtStored.join(', ')} stored`,
    );

    // Every acknowledged item is stored, and none twice.
    for (const value of acknowledged.metrics) expect(rows.metrics).toContain(value);
    expect(new Set(rows.metrics).size).toBe(rows.metrics.length);
    for (const [model, acked] of callTotals([...acknowledged.calls])) {
      expect(rows.calls.get(model)?.totalCalls ?? 0).toBeGreaterThanOrEqual(acked.totalCalls);
    }
    expect([...acknowledged.storedTimes.values()].filter((times) => times > 1)).toEqual([]);

    // Nothing was dropped, so everything was acknowledged in the end: the rows are exactly the stream, once.
    expect(stats).toMatchObject({ dropped: 0, rejected: 0, queued: 0 });
    expect(stats.stored + stats.duplicates).toBe(stats.tracked);
    expect(acknowledged.eventIds.size).toBe(stats.tracked);
    expect(rows).toEqual(expectedRows(stream));
  }, 600_000);
});
