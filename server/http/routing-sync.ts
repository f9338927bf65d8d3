// What a gateway's local router (`hone.router()` in the client package) syncs from: the routing snapshot, with its
// version as the ETag, and a server-sent event stream saying when the version changes, so an edit reaches every
// gateway within a second without each one polling.
import { authenticate } from '../auth/request-auth';
import type { PrismaClient } from '../db/client';
import { getPrisma } from '../db';
import { asHoneError, httpErrorResponse } from '../error-mapping';
import { subscribeRoutingChanges } from '../services/routing/change-feed';
import { routingSnapshot, routingSnapshotVersion } from '../services/routing/snapshot';
import { admitReader, admitToolless } from '../tools/pipeline';
import { checkHostAndOrigin } from './host-origin';
import { methodNotAllowedResponse } from './methods';

export const ROUTING_SNAPSHOT_ENDPOINT = '/api/routing/snapshot';
export const ROUTING_EVENTS_ENDPOINT = '/api/routing/events';

/** Proxies and load balancers close a connection silent for long (often 30-60 s): a comment this often keeps it open. */
export const HEARTBEAT_INTERVAL_MS = 15_000;

/** How soon an EventSource reconnects after the stream breaks (the SSE `retry:` field). */
const RECONNECT_DELAY_MS = 1_000;

const SERVED = 'GET, HEAD';

/** The host rule, a read key (bearer or the dashboard's session), and one call against the caller's rate limit. */
async function admittedDatabase(request: Request, endpoint: string): Promise<PrismaClient> {
  checkHostAndOrigin(request);
  const prisma = await getPrisma();
  const auth = await authenticate(prisma, request.headers);
  admitReader(auth, `GET ${endpoint}`);
  admitToolless(auth);
  return prisma;
}

/** A snapshot version as an entity tag. Versions are digits and dashes, so they need no escaping. */
export function entityTag(version: string): string {
  return `"${version}"`;
}

/** Whether an If-None-Match header names this tag (weak comparison, as RFC 9110 asks for If-None-Match). */
export function matchesIfNoneMatch(header: string | null, tag: string): boolean {
  if (header === null) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === tag);
}

/** `GET /api/routing/snapshot`: the active and shadow rules as the engine decides from them; 304 when unchanged. */
export async function handleRoutingSnapshotRequest(request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowedResponse(request, SERVED, ROUTING_SNAPSHOT_ENDPOINT);
  try {
    const prisma = await admittedDatabase(request, ROUTING_SNAPSHOT_ENDPOINT);
    // no-cache: a cache may keep it, but must ask again (with the tag) before every use.
    const headersFor = (version: string) => ({ etag: entityTag(version), 'cache-control': 'no-cache' });
    const ifNoneMatch = request.headers.get('if-none-match');
    if (ifNoneMatch !== null) {
      // A gateway that has the current snapshot is answered from its version alone.
      const version = await routingSnapshotVersion(prisma);
      if (matchesIfNoneMatch(ifNoneMatch, entityTag(version))) return new Response(null, { status: 304, headers: headersFor(version) });
    }
    const snapshot = await routingSnapshot(prisma);
    return Response.json(snapshot, { headers: headersFor(snapshot.version) });
  } catch (error) {
    return httpErrorResponse(asHoneError(error, `GET ${ROUTING_SNAPSHOT_ENDPOINT}`));
  }
}

/**
 * `GET /api/routing/events`: server-sent events. `event: snapshot` with `{ "version": ... }` once on connecting and
 * whenever the snapshot's version changes (told by the change feed), and a comment line every HEARTBEAT_INTERVAL_MS.
 * The stream ends when the client goes away.
 */
export async function handleRoutingEventsRequest(request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowedResponse(request, SERVED, ROUTING_EVENTS_ENDPOINT);
  try {
    const prisma = await admittedDatabase(request, ROUTING_EVENTS_ENDPOINT);
    return new Response(snapshotVersionEvents(prisma, request.signal), {
      headers: {
        'content-type': 'text/event-stream; charset=utf-8',
        // no-transform: a compressing proxy (or Next's own compression under `next dev`) would hold events back.
        'cache-control': 'no-store, no-transform',
        // nginx buffers responses by default, which would hold events back until the buffer fills.
        'x-accel-buffering': 'no',
      },
    });
  } catch (error) {
    return httpErrorResponse(asHoneError(error, `GET ${ROUTING_EVENTS_ENDPOINT}`));
  }
}

function snapshotVersionEvents(prisma: PrismaClient, signal: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let stop = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let stopped = false;
      let lastSent: string | null = null;
      const write = (text: string) => {
        if (!stopped) controller.enqueue(encoder.encode(text));
      };
      // Reads run one after another, so an older version read slowly is never sent after a newer one.
      let reading: Promise<void> = Promise.resolve();
      const sendVersion = () => {
        reading = reading.then(async () => {
          if (stopped) return;
          try {
            const version = await routingSnapshotVersion(prisma);
            if (version === lastSent) return;
            lastSent = version;
            write(`event: snapshot\ndata: ${JSON.stringify({ version })}\n\n`);
          } catch (error) {
            // The stream stays open (the database may come back); the gateway keeps its last snapshot meanwhile.
            write(`: snapshot unavailable: ${asHoneError(error, `GET ${ROUTING_EVENTS_ENDPOINT}`).message.replace(/\s+/g, ' ')}\n\n`);
          }
        });
      };
      // Subscribed before the first read, so that a change committed during it is not missed.
      const unsubscribe = subscribeRoutingChanges(prisma, sendVersion);
      const heartbeat = setInterval(() => write(': heartbeat\n\n'), HEARTBEAT_INTERVAL_MS);
      stop = () => {
        if (stopped) return;
        stopped = true;
        clearInterval(heartbeat);
        unsubscribe();
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = () => {
        stop();
        try {
          controller.close();
        } catch {
          // Already closed or cancelled by the server's response handling.
        }
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      write(`retry: ${RECONNECT_DELAY_MS}\n\n`);
      sendVersion();
    },
    cancel() {
      stop();
    },
  });
}
