// Two `next start` processes on one PostgreSQL database: a rule saved, edited or deleted through one decides the
// other's `resolve_route` within 1 s (the change feed: NOTIFY, and each server's LISTEN connection), and a server
// whose LISTEN connection is killed reconnects and catches up with what it missed meanwhile.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTING_FEED_APPLICATION_NAME } from '../services/routing/change-feed';
import { createServerDatabase, startHoneServer, type HoneServer, type ServerDatabase } from '../testing/hone-server';
import { testDatabaseKind } from './database';

/** The bound for an edit to reach every other server process. */
const PROPAGATION_MS = 1000;
/** A server's first LISTEN connection, or its reconnection after a cut (backed off), on a loaded machine. */
const CONNECT_DEADLINE_MS = 10_000;

interface Decision {
  layer: string;
  model: string | null;
  ruleId: number | null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function call<T>(server: HoneServer, tool: string, body: unknown): Promise<T> {
  const response = await fetch(`${server.url}/tools/${tool}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  return (await response.json()) as T;
}

// The embedded database (PGlite) belongs to the one process that opened it: two servers cannot share it.
describe.skipIf(testDatabaseKind === 'pglite')(`rule changes reach every server (${testDatabaseKind})`, () => {
  let db: ServerDatabase;
  let first: HoneServer;
  let second: HoneServer;

  beforeAll(async () => {
    db = await createServerDatabase(testDatabaseKind);
    const start = () => startHoneServer({ env: { ...db.env, HONE_AUTH: 'off' } });
    [first, second] = await Promise.all([start(), start()]);
  });

  afterAll(async () => {
    await Promise.all([first, second].map((server) => server?.stop()));
    await db?.drop();
  });

  const save = (server: HoneServer, rule: Record<string, unknown>) =>
    call<{ heuristic: { id: number } }>(server, 'update_routing_heuristic', rule).then((answer) => answer.heuristic);
  const decide = (server: HoneServer, input: string) => call<Decision>(server, 'resolve_route', { input, dryRun: true });

  /**
   * Asks `server` until its decision on `input` is `wanted`; resolves with the time from `since` to the sending of the
   * first request answered so (when the change had reached the server at the latest), failing after `timeoutMs`.
   */
  async function decidesWithin(
    server: HoneServer,
    input: string,
    wanted: (decision: Decision) => boolean,
    since: number,
    timeoutMs: number,
  ) {
    let last: Decision;
    for (;;) {
      const asked = Date.now();
      last = await decide(server, input);
      if (wanted(last)) return asked - since;
      if (asked - since > timeoutMs) throw new Error(`not decided within ${timeoutMs} ms; last decision ${JSON.stringify(last)}`);
      await sleep(10);
    }
  }

  const feedBackends = () =>
    db.withPrisma(async (prisma) =>
      (
        await prisma.$queryRaw<{ pid: number }[]>`
          SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = ${ROUTING_FEED_APPLICATION_NAME}`
      ).map((row) => row.pid),
    );

  it("a rule saved, edited and deleted through one server decides the other's resolve_route within 1 s", async () => {
    // Both servers decide once (compiling their rules and opening their feeds); the first change may then take as long
    // as a LISTEN connection takes to open.
    expect((await decide(first, 'warm up')).ruleId).toBeNull();
    expect((await decide(second, 'warm up')).ruleId).toBeNull();
    const warmUp = await save(first, { pattern: 'warm up', preferredLayer: 'fast' });
    await decidesWithin(second, 'warm up', (decision) => decision.ruleId === warmUp.id, Date.now(), CONNECT_DEADLINE_MS);
    await within(2, async () => expect(await feedBackends()).toHaveLength(2));

    const input = 'please refactor the billing module';
    expect((await decide(second, input)).ruleId).toBeNull();
    let since = Date.now();
    const rule = await save(first, { pattern: 'refactor', preferredLayer: 'deep', preferredModel: 'model-a' });
    const createdMs = await decidesWithin(second, input, (d) => d.ruleId === rule.id && d.model === 'model-a', since, PROPAGATION_MS);

    since = Date.now();
    await save(first, { id: rule.id, pattern: 'refactor', preferredLayer: 'fast', preferredModel: 'model-b' });
    const editedMs = await decidesWithin(second, input, (d) => d.layer === 'fast' && d.model === 'model-b', since, PROPAGATION_MS);

    // The other way round, and a rule that takes over by priority.
    since = Date.now();
    const urgent = await save(second, { pattern: 'billing', preferredLayer: 'balanced', priority: 10 });
    const reverseMs = await decidesWithin(first, input, (d) => d.ruleId === urgent.id, since, PROPAGATION_MS);

    since = Date.now();
    await call(first, 'delete_routing_heuristic', { id: urgent.id });
    const deletedMs = await decidesWithin(second, input, (d) => d.ruleId === rule.id, since, PROPAGATION_MS);

    for (const ms of [createdMs, editedMs, reverseMs, deletedMs]) expect(ms).toBeLessThanOrEqual(PROPAGATION_MS);
    console.log(
      `rule change reached the other server after: created ${createdMs} ms, edited ${editedMs} ms, ` +
        `created on the second ${reverseMs} ms, deleted ${deletedMs} ms`,
    );
  });

  it('a server whose LISTEN connection is killed reconnects, resyncs what it missed, and hears changes again', async () => {
    const input = 'deploy the resync service';
    const rule = await save(first, { pattern: 'resync service', preferredLayer: 'deep', priority: 100 });
    await decidesWithin(second, input, (d) => d.ruleId === rule.id && d.layer === 'deep', Date.now(), CONNECT_DEADLINE_MS);
    const before = await feedBackends();
    expect(before).toHaveLength(2);

    // A change nobody announces (written behind Hone's back): the servers' compiled rules do not follow it by
    // themselves before their 30 s safety check, which the decision just made has reset.
    await db.withPrisma(
      (prisma) =>
        prisma.$executeRaw`UPDATE routing_rules SET preferred_layer = 'fast', updated_at = clock_timestamp() WHERE id = ${rule.id}`,
    );
    expect((await decide(second, input)).layer).toBe('deep');

    const cut = Date.now();
    await db.withPrisma(
      (prisma) => prisma.$queryRaw`SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = ${ROUTING_FEED_APPLICATION_NAME}`,
    );
    const resyncMs = await decidesWithin(second, input, (d) => d.layer === 'fast', cut, CONNECT_DEADLINE_MS);
    await within(CONNECT_DEADLINE_MS / 1000, async () => {
      const after = await feedBackends();
      expect(after).toHaveLength(2);
      expect(after.filter((pid) => before.includes(pid))).toEqual([]);
    });
    expect(second.output()).toContain('the routing change feed lost its database connection');

    const since = Date.now();
    await save(first, { id: rule.id, pattern: 'resync service', preferredLayer: 'balanced' });
    const afterMs = await decidesWithin(second, input, (d) => d.layer === 'balanced', since, PROPAGATION_MS);
    expect(afterMs).toBeLessThanOrEqual(PROPAGATION_MS);
    console.log(`after the LISTEN connections were killed: resynced in ${resyncMs} ms; next change reached in ${afterMs} ms`);
  });
});

/** Retries `check` for up to `seconds` seconds, then fails with its last error. */
async function within(seconds: number, check: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(50);
    }
  }
}
