// hone.router() against `next start` on both databases: it decides in the test's process as the server's preview_route
// does, hears of an edit within a second through the event stream, keeps deciding while Hone is stopped (saying so in
// its status) and catches up after a restart. Also the two endpoints it syncs from. The router's parts alone (sampling,
// status, the event-stream reader): client-router.unit.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHoneClient, type HoneClient } from '../hone-client';
import { INGEST_ITEM_LISTS } from '../schemas/ingest';
import { createApiKey } from '../services/api-keys';
import { saveRoutingRule } from '../services/routing/rule-store';
import { testDatabaseKind } from './database';
import { createServerDatabase, startHoneServer, type HoneServer, type ServerDatabase } from '../testing/hone-server';
import { until } from '../testing/tracked-stream';

const SERVER_TEST_TIMEOUT_MS = 240_000;
/** The spine branch's ingest kinds: until merged, Hone refuses decisions sent by a gateway (the tracker drops them). */
const ingestTakesRouteDecisions = (INGEST_ITEM_LISTS as readonly string[]).includes('routeDecisions');

const RULES = [
  { pattern: '(?i)implement.*algorithm', preferredLayer: 'deep', preferredModel: 'claude-sonnet-4', priority: 10 },
  { pattern: '\\bsql\\b|database', preferredLayer: 'balanced', preferredModel: 'db-model', priority: 5 },
  { pattern: 'translate', preferredLayer: 'fast', priority: 5 },
  { pattern: 'urgent', preferredLayer: 'deep', priority: 20, state: 'inactive' },
  { pattern: 'algorithm', preferredLayer: 'fast', priority: 30, state: 'shadow' },
] as const;

const INPUTS = [
  'Please implement a sorting algorithm in Rust',
  'IMPLEMENT AN ALGORITHM for graphs',
  'optimize this sql query',
  'the database is slow',
  'translate this into French',
  'urgent: translate the contract',
  'an algorithm, but nothing to implement after it',
  'nothing any rule looks for',
  `${'padding '.repeat(256)}translate at the end of 2 KB`,
  'résumé: implementer un algorithme',
];

let db: ServerDatabase;
let server: HoneServer;
let writeKey: string;
let readKey: string;
let hone: HoneClient;

beforeAll(async () => {
  db = await createServerDatabase(testDatabaseKind);
  await db.withPrisma(async (prisma) => {
    writeKey = (await createApiKey(prisma, { name: 'router gateway', scope: 'write' })).key;
    readKey = (await createApiKey(prisma, { name: 'router reader', scope: 'read' })).key;
  });
  server = await startHoneServer({ env: { ...db.env, HONE_AUTH: 'required' } });
  hone = createHoneClient({ url: server.url, apiKey: writeKey });
  for (const rule of RULES) await hone.routing.updateHeuristic.mutate(rule);
}, SERVER_TEST_TIMEOUT_MS);

afterAll(async () => {
  await hone?.track.close({ timeoutMs: 1_000 });
  await server?.stop();
  await db?.drop();
});

async function snapshotResponse(headers: Record<string, string> = {}, key: string | null = readKey): Promise<Response> {
  return fetch(`${server.url}/api/routing/snapshot`, { headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers } });
}

describe(`hone.router() against next start (${testDatabaseKind})`, () => {
  it('serves the snapshot with its version as ETag, 304 when unchanged, and needs a key', async () => {
    const first = await snapshotResponse();
    expect(first.status).toBe(200);
    const snapshot = (await first.json()) as { version: string; rules: { pattern: string; state: string }[] };
    const tag = first.headers.get('etag');
    expect(tag).toBe(`"${snapshot.version}"`);
    // Active and shadow rules, in evaluation order; the inactive one is left out.
    expect(snapshot.rules.map((rule) => [rule.pattern, rule.state])).toEqual([
      ['algorithm', 'shadow'],
      ['(?i)implement.*algorithm', 'active'],
      ['translate', 'active'],
      ['\\bsql\\b|database', 'active'],
    ]);

    const unchanged = await snapshotResponse({ 'if-none-match': tag! });
    expect(unchanged.status).toBe(304);
    expect(unchanged.headers.get('etag')).toBe(tag);
    expect(await unchanged.text()).toBe('');
    expect((await snapshotResponse({ 'if-none-match': `"other", W/${tag!}` })).status).toBe(304);
    expect((await snapshotResponse({ 'if-none-match': '"an-old-version"' })).status).toBe(200);

    expect((await snapshotResponse({}, null)).status).toBe(401);
    const post = await fetch(`${server.url}/api/routing/snapshot`, { method: 'POST', headers: { authorization: `Bearer ${readKey}` } });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('streams the snapshot version on connect (server-sent events), and ends the stream when the client leaves', async () => {
    const { version } = (await (await snapshotResponse()).json()) as { version: string };
    const leave = new AbortController();
    const response = await fetch(`${server.url}/api/routing/events`, {
      headers: { authorization: `Bearer ${readKey}` },
      signal: leave.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    let received = '';
    while (!received.includes('event: snapshot')) received += new TextDecoder().decode((await reader.read()).value);
    expect(received).toContain(`data: ${JSON.stringify({ version })}`);
    leave.abort();
    await expect(reader.read()).rejects.toThrow();
    expect((await fetch(`${server.url}/api/routing/events`)).status).toBe(401);
  });

  it('decides locally as the server decides (preview_route), shadow rules included', async () => {
    const router = hone.router({ reportDecisions: false });
    try {
      expect(await router.ready({ timeoutMs: 30_000 })).toBe(true);
      expect(router.status()).toMatchObject({ state: 'fresh', lastError: null });
      for (const input of INPUTS) {
        const local = router.decide(input, { taskType: 'coding' });
        const remote = await hone.routing.preview.query({ input });
        expect({ input, layer: local.layer, model: local.model, ruleId: local.ruleId, pattern: local.pattern }).toEqual({
          input,
          layer: remote.layer,
          model: remote.model,
          ruleId: remote.ruleId,
          pattern: remote.pattern,
        });
        expect(local.snapshotVersion).toBe(router.status().snapshotVersion);
        expect(local.decisionId).toMatch(/^[0-9a-f-]{36}$/);
      }
      // The shadow rule never decides; it says it would have, and whom it displaced.
      const shadowed = router.decide('implement an algorithm');
      expect(shadowed.pattern).toBe('(?i)implement.*algorithm');
      expect(shadowed.shadow).toEqual([expect.objectContaining({ wouldDecide: true, displacedVersionId: shadowed.versionId })]);
      const overDefault = router.decide('an algorithm alone');
      expect(overDefault).toMatchObject({ ruleId: null, layer: 'balanced' });
      expect(overDefault.shadow).toEqual([expect.objectContaining({ wouldDecide: true, displacedVersionId: null })]);
    } finally {
      await router.close();
    }
  });

  it('applies an edit within 1 s, through the event stream (polling set far slower)', async () => {
    const router = hone.router({ reportDecisions: false, pollIntervalMs: 600_000 });
    try {
      expect(await router.ready({ timeoutMs: 30_000 })).toBe(true);
      await until(() => router.status().streaming, 'the event stream to open', 30_000);
      const rule = (await hone.routing.listHeuristics.query({ activeOnly: true })).find((r) => r.pattern === 'translate')!;
      expect(router.decide('translate this').layer).toBe('fast');

      await hone.routing.updateHeuristic.mutate({ id: rule.id, pattern: 'translate', preferredLayer: 'deep' });
      const savedAt = performance.now();
      await until(() => router.decide('translate this').layer === 'deep', 'the edit to reach the router', 5_000);
      const elapsedMs = performance.now() - savedAt;
      console.log(`edit reached hone.router() ${elapsedMs.toFixed(0)} ms after the save's answer (${testDatabaseKind})`);
      expect(elapsedMs).toBeLessThan(1_000);
      expect(router.status()).toMatchObject({ state: 'fresh', streaming: true });
    } finally {
      await router.close();
    }
  });

  it(
    'keeps deciding while Hone is stopped (status stale), and catches up with a change made meanwhile after a restart',
    async () => {
      const router = hone.router({ pollIntervalMs: 200 });
      let decidedWhileDown: string[] = [];
      try {
        expect(await router.ready({ timeoutMs: 30_000 })).toBe(true);
        const before = router.decide('optimize this sql query', { taskType: 'restart' });
        expect(before.model).toBe('db-model');

        await server.stop();
        await until(() => router.status().state === 'stale', 'the router to notice Hone is gone', 30_000);
        const status = router.status();
        expect(status.lastError).toMatch(/snapshot/);
        expect(status.snapshotVersion).toBe(before.snapshotVersion);
        const whileDown = Array.from({ length: 5 }, () => router.decide('optimize this sql query', { taskType: 'restart' }));
        for (const decision of whileDown) {
          expect(decision).toMatchObject({ model: 'db-model', ruleId: before.ruleId, snapshotVersion: before.snapshotVersion });
        }
        decidedWhileDown = whileDown.map((decision) => decision.decisionId);

        // A change made while the router could not hear of it (another server, an admin script).
        await db.withPrisma((prisma) =>
          saveRoutingRule(prisma, { pattern: '\\bsql\\b|database', preferredLayer: 'deep', preferredModel: 'sql-deep' }),
        );
        server = await startHoneServer({ env: { ...db.env, HONE_AUTH: 'required' }, port: server.port });
        await until(
          () => router.decide('optimize this sql query').model === 'sql-deep',
          'the router to catch up after the restart',
          60_000,
        );
        expect(router.status()).toMatchObject({ state: 'fresh', lastError: null });
      } finally {
        await router.close();
      }

      if (!ingestTakesRouteDecisions) {
        console.log('decisions made while Hone was down: delivery not checked (needs the spine branch: ingest routeDecisions)');
        return;
      }
      expect(await hone.track.flush({ timeoutMs: 60_000 })).toBe(true);
      await server.stop();
      const stored = await db.withPrisma(
        (prisma) => prisma.$queryRaw<{ id: string }[]>`SELECT decision_id::text AS id FROM routing_decisions WHERE task_type = 'restart'`,
      );
      server = await startHoneServer({ env: { ...db.env, HONE_AUTH: 'required' }, port: server.port });
      expect(stored.map((row) => row.id)).toEqual(expect.arrayContaining(decidedWhileDown));
    },
    SERVER_TEST_TIMEOUT_MS,
  );
});
