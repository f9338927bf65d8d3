// Tells every server process on a database that routing rules changed, so that compiled rules and pushed snapshots
// follow an edit within a second instead of a poll's period. On PostgreSQL a change is NOTIFYed and each process keeps
// one LISTEN connection; the embedded database (PGlite) belongs to one process, so delivery there stays in-process.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { z } from 'zod';
import { KEEPALIVE_AFTER_MS, openedDatabase, type PrismaClient } from '../../db/client';
import { processWide } from '../../process-wide';

export const ROUTING_CHANGE_CHANNEL = 'hone_routing_rules';
/** How the LISTEN connection shows in pg_stat_activity (tests find it by this name to cut it). */
export const ROUTING_FEED_APPLICATION_NAME = 'hone-routing-feed';

export interface RoutingChangeDetail {
  ruleId?: number;
  versionId?: number;
  change?: 'created' | 'updated' | 'deleted';
}

/**
 * `change`: a rule change was committed, by this process or another one. `resync`: changes may have been missed (the
 * LISTEN connection was down, or was not up yet when the listener subscribed): reload everything.
 */
export type RoutingChange =
  { kind: 'change'; detail: RoutingChangeDetail; from: 'this-process' | 'another-process' } | { kind: 'resync'; reason: string };

export type RoutingChangeListener = (change: RoutingChange) => void;

const NotificationPayload = z.object({
  origin: z.string(),
  ruleId: z.number().int().optional(),
  versionId: z.number().int().optional(),
  change: z.enum(['created', 'updated', 'deleted']).optional(),
});

/** Reconnection waits this long after the first failure, doubling up to the maximum (each with jitter). */
const RECONNECT_FIRST_DELAY_MS = 100;
const RECONNECT_MAX_DELAY_MS = 5_000;

/** One database client's listeners, and its LISTEN connection on PostgreSQL once someone subscribed. */
class ChangeHub {
  /** Marks this process's own notifications, which its listeners were already given when the change was announced. */
  readonly origin = randomUUID();
  private readonly listeners = new Set<RoutingChangeListener>();
  private listenConnection: ListenConnection | null = null;
  private closed = false;

  constructor(private readonly postgres: ListenTarget | null) {}

  subscribe(listener: RoutingChangeListener): () => void {
    this.listeners.add(listener);
    if (this.postgres && !this.listenConnection && !this.closed) {
      this.listenConnection = new ListenConnection(this.postgres, {
        notified: (payload) => this.received(payload),
        listening: (reconnected) =>
          this.deliver({
            kind: 'resync',
            reason: reconnected
              ? 'the change feed reconnected to the database; changes made meanwhile were not announced to this process'
              : 'the change feed started listening; a change committed before then was not announced to this process',
          }),
      });
      this.listenConnection.start();
    }
    return () => void this.listeners.delete(listener);
  }

  async announce(detail: RoutingChangeDetail, notify: (payload: string) => Promise<void>): Promise<void> {
    this.deliver({ kind: 'change', detail, from: 'this-process' });
    if (!this.postgres) return;
    try {
      await notify(JSON.stringify({ origin: this.origin, ...detail }));
    } catch (error) {
      // The change is committed, so its caller is told it succeeded; other processes catch up by their safety poll.
      console.warn(
        `Hone: could not announce a routing rule change to other servers (${(error as Error).message}); ` +
          'they pick it up at their next rule check',
      );
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.listeners.clear();
    await this.listenConnection?.stop();
    this.listenConnection = null;
  }

  private received(payload: string): void {
    let detail: RoutingChangeDetail = {};
    try {
      const parsed = NotificationPayload.safeParse(JSON.parse(payload));
      if (parsed.success) {
        const { origin, ...rest } = parsed.data;
        if (origin === this.origin) return;
        detail = rest;
      }
    } catch {
      // Not Hone's payload (a NOTIFY by hand): still a reason to reload.
    }
    this.deliver({ kind: 'change', detail, from: 'another-process' });
  }

  private deliver(change: RoutingChange): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (error) {
        // One failing listener must not keep the change from the others.
        console.warn(`Hone: a routing change listener failed: ${(error as Error).message}`);
      }
    }
  }
}

interface ListenTarget {
  url: string;
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
}

/** The dedicated LISTEN connection: outside the pool (a pooled connection is shared and returned), reconnecting on loss. */
class ListenConnection {
  private client: pg.Client | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private failures = 0;
  private everListened = false;
  private stopped = false;

  constructor(
    private readonly target: ListenTarget,
    private readonly on: { notified(payload: string): void; listening(reconnected: boolean): void },
  ) {}

  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.target.url,
      application_name: ROUTING_FEED_APPLICATION_NAME,
      connectionTimeoutMillis: this.target.connectTimeoutMs,
      // A database that hangs on LISTEN is given up on and connected to again, as the pool gives up on a statement.
      query_timeout: this.target.queryTimeoutMs,
      // A database host that vanished without closing the connection is noticed by keepalive, not by a silent LISTEN.
      keepAlive: true,
      keepAliveInitialDelayMillis: KEEPALIVE_AFTER_MS,
    });
    this.client = client;
    client.on('notification', (message) => {
      if (message.channel === ROUTING_CHANGE_CHANNEL) this.on.notified(message.payload ?? '');
    });
    // Kept for the client's whole life: an 'error' event without a listener would end the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the connection was closed')));
    try {
      await client.connect();
      await client.query(`LISTEN ${ROUTING_CHANGE_CHANNEL}`);
    } catch (error) {
      this.lost(client, error as Error);
      return;
    }
    if (this.client !== client) return; // stopped or lost meanwhile
    const reconnected = this.everListened;
    if (this.failures > 0) console.log('Hone: the routing change feed is listening again');
    this.everListened = true;
    this.failures = 0;
    this.on.listening(reconnected);
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.client !== client) return; // an earlier connection's late event, or stopped
    this.client = null;
    void client.end().catch(() => {});
    if (this.stopped) return;
    if (this.failures === 0) console.warn(`Hone: the routing change feed lost its database connection (${error.message}); reconnecting`);
    const ceiling = Math.min(RECONNECT_MAX_DELAY_MS, RECONNECT_FIRST_DELAY_MS * 2 ** this.failures);
    this.failures++;
    // Jitter spreads the reconnections of many servers after a database restart.
    this.retryTimer = setTimeout(
      () => {
        this.retryTimer = null;
        if (!this.stopped) void this.connect();
      },
      ceiling * (0.5 + Math.random() / 2),
    );
    this.retryTimer.unref();
  }
}

// One hub per client in the process, whichever bundle's copy of this module announces or subscribes: the background
// jobs' announcements reach the route files' event streams, and one LISTEN connection serves them all.
const hubs = () => processWide('routingChangeHubs', () => new WeakMap<PrismaClient, ChangeHub>());

/** A client not made by `openDatabase` has no known target: its changes are told in-process only. */
function hubFor(prisma: PrismaClient): ChangeHub {
  let hub = hubs().get(prisma);
  if (hub) return hub;
  const database = openedDatabase(prisma);
  const target = database?.target;
  hub = new ChangeHub(
    target?.kind === 'postgres'
      ? { url: target.url, connectTimeoutMs: target.deadlines?.connectMs, queryTimeoutMs: target.deadlines?.queryMs }
      : null,
  );
  hubs().set(prisma, hub);
  const closing = hub;
  database?.onClose(async () => {
    if (hubs().get(prisma) === closing) hubs().delete(prisma);
    await closing.close();
  });
  return hub;
}

/**
 * Tells this process's listeners at once, and every other process on the same PostgreSQL database through NOTIFY,
 * that a rule change was committed. Call it after the commit: a notification sent from inside a transaction that
 * then rolls back is never delivered, but listeners here would already have acted on it.
 */
export async function announceRoutingChange(prisma: PrismaClient, detail: RoutingChangeDetail = {}): Promise<void> {
  await hubFor(prisma).announce(detail, async (payload) => {
    await prisma.$executeRaw`SELECT pg_notify(${ROUTING_CHANGE_CHANNEL}, ${payload})`;
  });
}

/**
 * Calls `listener` on every committed rule change on this database (`change`), and whenever changes may have been
 * missed (`resync`). The first subscription on a PostgreSQL database opens this process's LISTEN connection; it stays
 * open, reconnecting when lost, until the database client is closed.
 */
export function subscribeRoutingChanges(prisma: PrismaClient, listener: RoutingChangeListener): () => void {
  return hubFor(prisma).subscribe(listener);
}
