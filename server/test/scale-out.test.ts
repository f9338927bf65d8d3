// Two `next start` processes on one PostgreSQL database, each taking half of a concurrent ingest load, some batches
// retried against the other server: what both servers stored adds up exactly. Servers keep nothing of their own that
// the totals depend on; the database's unique eventIds and atomic upserts are the whole agreement between them.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServerDatabase, startHoneServer, type HoneServer, type ServerDatabase } from '../testing/hone-server';
import { testDatabaseKind } from './database';

const BATCHES = 40;
const CALLS_PER_BATCH = 50;
const METRICS_PER_BATCH = 10;
/** Every RETRIED_EVERY-th batch is sent again to the other server: at once (racing the original) or after it. */
const RETRIED_EVERY = 4;

interface IngestAnswer {
  stored: number;
  duplicates: number;
  rejected: number;
  outcomes: { modelCalls: string[]; metrics: string[] };
}

function batch(b: number) {
  return {
    modelCalls: Array.from({ length: CALLS_PER_BATCH }, (_, i) => ({
      eventId: randomUUID(),
      modelId: `model-${i % 3}`,
      taskType: `task-${(b + i) % 2}`,
      success: (b + i) % 5 !== 0,
      latencyMs: 10 + ((b * CALLS_PER_BATCH + i) % 500),
      cost: 0.001,
    })),
    metrics: Array.from({ length: METRICS_PER_BATCH }, () => ({
      eventId: randomUUID(),
      metricName: 'scale_out',
      metricValue: 1,
      metricUnit: 'count',
    })),
  };
}

// The embedded database (PGlite) belongs to the one process that opened it: two servers cannot share it.
describe.skipIf(testDatabaseKind === 'pglite')(`two servers on one PostgreSQL database (${testDatabaseKind})`, () => {
  let db: ServerDatabase;
  let servers: HoneServer[] = [];

  beforeAll(async () => {
    db = await createServerDatabase(testDatabaseKind);
    servers = await Promise.all([0, 1].map(() => startHoneServer({ env: { ...db.env, HONE_AUTH: 'off' } })));
  });

  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await db?.drop();
  });

  async function ingest(server: HoneServer, body: ReturnType<typeof batch>): Promise<IngestAnswer> {
    const response = await fetch(`${server.url}/tools/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as IngestAnswer;
  }

  it('counts every item once across both servers, retries against the other server included', async () => {
    const batches = Array.from({ length: BATCHES }, (_, b) => batch(b));
    const itemsPerBatch = CALLS_PER_BATCH + METRICS_PER_BATCH;
    // Batch b goes to server b % 2; a retried one also to the other server, racing it (even b) or once it is answered.
    const answers = await Promise.all(
      batches.map(async (body, b) => {
        const [home, other] = [servers[b % 2]!, servers[(b + 1) % 2]!];
        if (b % RETRIED_EVERY !== 0) return [await ingest(home, body)];
        if (b % (2 * RETRIED_EVERY) === 0) return Promise.all([ingest(home, body), ingest(other, body)]);
        const first = await ingest(home, body);
        return [first, await ingest(other, body)];
      }),
    );

    answers.forEach((sent, b) => {
      // Each item is stored by exactly one of the sends of its batch; every other send finds it a duplicate.
      expect(
        sent.reduce((sum, answer) => sum + answer.stored, 0),
        `batch ${b}`,
      ).toBe(itemsPerBatch);
      expect(
        sent.reduce((sum, answer) => sum + answer.duplicates, 0),
        `batch ${b}`,
      ).toBe(itemsPerBatch * (sent.length - 1));
      for (const answer of sent) expect(answer.rejected).toBe(0);
      for (let i = 0; i < CALLS_PER_BATCH; i++)
        expect(
          sent.filter((answer) => answer.outcomes.modelCalls[i] === 'stored'),
          `batch ${b} call ${i}`,
        ).toHaveLength(1);
    });

    const sent = batches.flatMap((body) => body.modelCalls);
    const expected = new Map<string, { calls: number; successes: number; latency: number }>();
    for (const call of sent) {
      const key = `${call.modelId}/${call.taskType}`;
      const totals = expected.get(key) ?? { calls: 0, successes: 0, latency: 0 };
      expected.set(key, {
        calls: totals.calls + 1,
        successes: totals.successes + Number(call.success),
        latency: totals.latency + call.latencyMs,
      });
    }
    await db.withPrisma(async (prisma) => {
      const lifetime = await prisma.modelPerformance.findMany();
      expect(lifetime).toHaveLength(expected.size);
      for (const row of lifetime) {
        const totals = expected.get(`${row.modelId}/${row.taskType}`)!;
        expect({ calls: Number(row.totalCalls), successes: Number(row.successes), latency: row.latencySumMs }).toEqual(totals);
      }
      const hourly = await prisma.modelCallHourly.aggregate({ _sum: { calls: true, successes: true } });
      expect(hourly._sum).toEqual({ calls: sent.length, successes: sent.filter((call) => call.success).length });
      expect(await prisma.performanceMetric.count({ where: { metricName: 'scale_out' } })).toBe(BATCHES * METRICS_PER_BATCH);
    });
  });
});
