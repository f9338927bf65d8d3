// The routing change feed inside one test process: a save or delete reaches this process's listeners at once; on
// PostgreSQL, a second database client stands in for another server process (its own LISTEN connection, its own rule
// cache), so delivery between processes, reconnection and resync are tested without starting servers
// (routing-scale-out.test.ts does it with two `next start` processes).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openDatabase, type PrismaClient } from '../db/client';
import {
  announceRoutingChange,
  ROUTING_FEED_APPLICATION_NAME,
  subscribeRoutingChanges,
  type RoutingChange,
} from '../services/routing/change-feed';
import { createInnerContext } from '../trpc/context';
import { createCaller } from '../trpc/routers/_app';
import { testDatabaseKind, useTestDatabase } from './database';

const t = useTestDatabase();

/** The bound for an edit to reach another process. */
const PROPAGATION_MS = 1000;
/** Reconnection after a cut is backed off; on a loaded machine it may take a few seconds. */
const RECONNECT_DEADLINE_MS = 10_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A subscription that records what it is told, and waits for an event. */
function record(prisma: PrismaClient) {
  const events: RoutingChange[] = [];
  const waiters = new Set<() => void>();
  const unsubscribe = subscribeRoutingChanges(prisma, (change) => {
    events.push(change);
    for (const wake of waiters) wake();
  });
  return {
    events,
    changes: () => events.filter((event) => event.kind === 'change'),
    unsubscribe,
    /** Resolves with the first event from index `from` on that satisfies `wanted`, or fails after `timeoutMs`. */
    async next(wanted: (event: RoutingChange) => boolean, timeoutMs: number, from = 0): Promise<RoutingChange> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = events.slice(from).find(wanted);
        if (found) return found;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no such routing change within ${timeoutMs} ms; told: ${JSON.stringify(events)}`);
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, left);
          waiters.add(wake);
        });
      }
    },
  };
}

const isResync = (event: RoutingChange) => event.kind === 'resync';
const isChangeOf = (ruleId: number) => (event: RoutingChange) => event.kind === 'change' && event.detail.ruleId === ruleId;

/**
 * Resolves once `listener`'s process hears announcements made by `announcer`'s (its LISTEN connection is up): probes
 * are announced (with negative rule ids, which no rule has) until one arrives. Earlier probes were sent before it was
 * listening, or have arrived before it (PostgreSQL delivers notifications in commit order): none arrives later.
 */
async function feedUp(listener: ReturnType<typeof record>, announcer: PrismaClient): Promise<void> {
  const deadline = Date.now() + RECONNECT_DEADLINE_MS;
  const heard = (probe: number) => (event: RoutingChange) =>
    event.kind === 'change' && event.from === 'another-process' && event.detail.ruleId === -probe;
  let probes = 0;
  for (;;) {
    probes++;
    await announceRoutingChange(announcer, { ruleId: -probes });
    try {
      await listener.next(heard(probes), 250);
      break;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

describe(`routing change feed in one process (${testDatabaseKind})`, () => {
  it('tells this process of a created, updated and deleted rule by the time the call returns', async () => {
    const feed = record(t.db.prisma);
    try {
      const { heuristic } = await t.db.caller.routing.updateHeuristic({ pattern: 'feed-local', preferredLayer: 'deep' });
      expect(feed.changes()).toEqual([{ kind: 'change', from: 'this-process', detail: { ruleId: heuristic.id, change: 'created' } }]);
      await t.db.caller.routing.updateHeuristic({ id: heuristic.id, pattern: 'feed-local', preferredLayer: 'fast' });
      await t.db.caller.routing.deleteHeuristic({ id: heuristic.id });
      expect(feed.changes().map((event) => event.kind === 'change' && event.detail)).toEqual([
        { ruleId: heuristic.id, change: 'created' },
        { ruleId: heuristic.id, change: 'updated' },
        { ruleId: heuristic.id, change: 'deleted' },
      ]);
    } finally {
      feed.unsubscribe();
    }
  });

  it('stops telling a listener once it unsubscribed, and keeps telling the others when one throws', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const gone = record(t.db.prisma);
    gone.unsubscribe();
    const unsubscribeThrowing = subscribeRoutingChanges(t.db.prisma, () => {
      throw new Error('a listener that fails');
    });
    const kept = record(t.db.prisma);
    try {
      await announceRoutingChange(t.db.prisma, { ruleId: 7 });
      expect(gone.changes()).toEqual([]);
      expect(kept.changes()).toEqual([{ kind: 'change', from: 'this-process', detail: { ruleId: 7 } }]);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('a listener that fails'));
    } finally {
      warn.mockRestore();
      unsubscribeThrowing();
      kept.unsubscribe();
    }
  });

  it("tells a listener subscribed through another bundle's copy of the module (Next bundles instrumentation apart)", async () => {
    // The background jobs run in instrumentation's bundle and the event stream in a route file's under `next dev`: each
    // has its own copy of change-feed.ts (and of db/client.ts), as a fresh module registry gives here.
    vi.resetModules();
    const otherCopy = await import('../services/routing/change-feed');
    expect(otherCopy.subscribeRoutingChanges).not.toBe(subscribeRoutingChanges);
    const told: RoutingChange[] = [];
    const unsubscribe = otherCopy.subscribeRoutingChanges(t.db.prisma, (change) => told.push(change));
    try {
      await announceRoutingChange(t.db.prisma, { ruleId: 4242, change: 'updated' });
      expect(told.filter((event) => event.kind === 'change')).toEqual([
        { kind: 'change', from: 'this-process', detail: { ruleId: 4242, change: 'updated' } },
      ]);
    } finally {
      unsubscribe();
    }
  });

  it('invalidates the compiled rules of this process when a rule is saved', async () => {
    await t.db.caller.routing.updateHeuristic({ pattern: 'cache-local', preferredLayer: 'deep' });
    expect((await t.db.caller.routing.preview({ input: 'cache-local' })).layer).toBe('deep');
    await t.db.caller.routing.updateHeuristic({ pattern: 'cache-local', preferredLayer: 'fast' });
    expect((await t.db.caller.routing.preview({ input: 'cache-local' })).layer).toBe('fast');
  });
});

// A second client on the same PostgreSQL database: another process as far as the feed and the rule cache can tell.
describe.skipIf(testDatabaseKind === 'pglite')('routing change feed between processes (postgres)', () => {
  let other: Awaited<ReturnType<typeof openDatabase>>;
  let otherCaller: ReturnType<typeof createCaller>;

  beforeAll(async () => {
    other = await openDatabase({ kind: 'postgres', url: t.db.url! });
    otherCaller = createCaller(createInnerContext({ prisma: other.prisma }));
  });

  afterAll(async () => {
    await other?.close();
  });

  /** The backends of this database's LISTEN connections. */
  const feedBackends = async () =>
    (
      await t.db.prisma.$queryRaw<{ pid: number }[]>`
        SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = ${ROUTING_FEED_APPLICATION_NAME}`
    ).map((row) => row.pid);

  /** Waits until `read` answers `wanted`, failing after `timeoutMs`; resolves with the milliseconds it took. */
  async function within<T>(timeoutMs: number, read: () => Promise<T>, wanted: (value: T) => boolean): Promise<number> {
    const started = Date.now();
    let last: T;
    do {
      const asked = Date.now();
      last = await read();
      if (wanted(last)) return asked - started;
      await sleep(20);
    } while (Date.now() - started < timeoutMs);
    throw new Error(`not within ${timeoutMs} ms; last answer ${JSON.stringify(last)}`);
  }

  it('delivers a change committed by one process to the other within 1 s, and to the first only once', async () => {
    const there = record(other.prisma);
    const here = record(t.db.prisma);
    try {
      await feedUp(there, t.db.prisma);
      await feedUp(here, other.prisma);
      const saved = Date.now();
      const { heuristic } = await t.db.caller.routing.updateHeuristic({ pattern: 'feed-remote', preferredLayer: 'deep' });
      const told = await there.next(isChangeOf(heuristic.id), PROPAGATION_MS);
      expect(Date.now() - saved).toBeLessThan(PROPAGATION_MS);
      expect(told).toEqual({ kind: 'change', from: 'another-process', detail: { ruleId: heuristic.id, change: 'created' } });
      // This process's own notification comes back through LISTEN as well: it must not be told twice.
      await sleep(300);
      expect(here.events.filter(isChangeOf(heuristic.id))).toEqual([
        { kind: 'change', from: 'this-process', detail: { ruleId: heuristic.id, change: 'created' } },
      ]);
      expect(there.events.filter(isChangeOf(heuristic.id))).toHaveLength(1);
    } finally {
      there.unsubscribe();
      here.unsubscribe();
    }
  });

  it("makes the other process's decisions follow a create, an edit and a delete within 1 s", async () => {
    const decide = () => otherCaller.routing.preview({ input: 'please review the feed-cache change' });
    // Its compiled rules are loaded before the edit: only the feed can tell it of the change within its poll period.
    expect((await decide()).ruleId).toBeNull();
    const { heuristic } = await t.db.caller.routing.updateHeuristic({ pattern: 'feed-cache', preferredLayer: 'deep' });
    const createdMs = await within(PROPAGATION_MS, decide, (decision) => decision.ruleId === heuristic.id && decision.layer === 'deep');
    await t.db.caller.routing.updateHeuristic({ id: heuristic.id, pattern: 'feed-cache', preferredLayer: 'fast' });
    const editedMs = await within(PROPAGATION_MS, decide, (decision) => decision.layer === 'fast');
    await t.db.caller.routing.deleteHeuristic({ id: heuristic.id });
    const deletedMs = await within(PROPAGATION_MS, decide, (decision) => decision.ruleId === null);
    console.log(`change feed (in-process clients): created ${createdMs} ms, edited ${editedMs} ms, deleted ${deletedMs} ms`);
  });

  it('reconnects after its connection is killed, resyncs, and delivers again', async () => {
    const there = record(other.prisma);
    try {
      await feedUp(there, t.db.prisma);
      const before = await feedBackends();
      expect(before.length).toBeGreaterThan(0);
      // Compiled rules loaded, then a change the feed never announces (written behind Hone's back).
      const { heuristic } = await t.db.caller.routing.updateHeuristic({ pattern: 'feed-resync', preferredLayer: 'deep' });
      const decide = () => otherCaller.routing.preview({ input: 'feed-resync' });
      // Heard before deciding: a late notification would reload the rules after the write below.
      await there.next(isChangeOf(heuristic.id), PROPAGATION_MS);
      await within(PROPAGATION_MS, decide, (decision) => decision.layer === 'deep');
      await t.db.prisma
        .$executeRaw`UPDATE routing_rules SET preferred_layer = 'fast', updated_at = clock_timestamp() WHERE id = ${heuristic.id}`;
      expect((await decide()).layer).toBe('deep');

      const cut = there.events.length;
      await t.db.prisma.$queryRaw`SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = ${ROUTING_FEED_APPLICATION_NAME}`;
      await there.next(isResync, RECONNECT_DEADLINE_MS, cut);
      // The resync makes the next decision check the rules: the unannounced change is seen.
      expect((await decide()).layer).toBe('fast');
      const after = await feedBackends();
      expect(after.some((pid) => before.includes(pid))).toBe(false);

      // And the new connection delivers.
      const saved = Date.now();
      await t.db.caller.routing.updateHeuristic({ id: heuristic.id, pattern: 'feed-resync', preferredLayer: 'balanced' });
      await within(PROPAGATION_MS, decide, (decision) => decision.layer === 'balanced');
      expect(Date.now() - saved).toBeLessThan(2 * PROPAGATION_MS);
    } finally {
      there.unsubscribe();
    }
  });

  it('closes its LISTEN connection when the database client is closed', async () => {
    const third = await openDatabase({ kind: 'postgres', url: t.db.url! });
    const before = await feedBackends();
    const feed = record(third.prisma);
    await feed.next(isResync, RECONNECT_DEADLINE_MS);
    const opened = (await feedBackends()).filter((pid) => !before.includes(pid));
    expect(opened).toHaveLength(1);
    await third.close();
    await within(RECONNECT_DEADLINE_MS, feedBackends, (pids) => !pids.includes(opened[0]!));
  });
});
