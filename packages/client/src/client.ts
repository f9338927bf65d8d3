import { createTRPCClient, httpBatchLink, type TRPCClient, type TRPCClientError, type TRPCLink } from '@trpc/client';
import { observable } from '@trpc/server/observable';
import { HoneClientError, parseRetryAfter } from './errors.js';
import { createLocalRouter, type HoneLocalRouter, type HoneRouterOptions } from './local-router.js';
import type { HoneErrorShape, HoneRouter } from './router.js';
import { createTracker, type HoneTracker, type HoneTrackerOptions } from './tracker.js';
import { API_VERSION, API_VERSION_HEADER, isCompatibleApiVersion } from './version.js';

// `| undefined` on every option: a caller compiling with exactOptionalPropertyTypes can pass `apiKey: process.env.X`.
export interface HoneClientOptions {
  /** Where Hone runs, e.g. `http://localhost:3000` (the tRPC endpoint `/api/trpc` is appended). */
  url: string;
  /** An API key (`npm run apikey -- create` on the Hone side); needed when Hone runs with HONE_AUTH=required. */
  apiKey?: string | undefined;
  /** A call without an answer after this long fails with code TIMEOUT. Default 10 000 ms; `Infinity` waits forever. */
  timeoutMs?: number | undefined;
  /** Aborting it fails every call still running (and every later one) with code ABORTED. Per call: `{ signal }`. */
  signal?: AbortSignal | undefined;
  /** Calls made in the same tick travel as one HTTP request; this caps how many share one. */
  maxBatchSize?: number | undefined;
  /** Another fetch (a proxy agent, a test double); the global `fetch` by default. */
  fetch?: typeof globalThis.fetch | undefined;
  /** How `hone.track` batches, retries and buffers (see HoneTrackerOptions for the defaults). */
  track?: HoneTrackerOptions | undefined;
}

export type HoneClient = TRPCClient<HoneRouter> & {
  /** Fire-and-forget recording in batches: `hone.track.modelCall({...})`, `.metric`, `.bugReport`, `.flush()`, `.stats()`. */
  readonly track: HoneTracker;
  /**
   * A local router: decides in this process from a synced snapshot of Hone's routing rules, reporting decisions
   * through `track`. Each call makes one (with its own stream); make one per process and `close()` it on shutdown.
   */
  router(options?: HoneRouterOptions): HoneLocalRouter;
};

export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * The typed client: `hone.modelPerformance.update.mutate({...})`, `hone.modelPerformance.analyze.query({...})`.
 * Every failure is a HoneClientError. Uses `fetch` only, so it runs on Node 20+, Deno, Bun and edge runtimes.
 */
export function createHoneClient(options: HoneClientOptions): HoneClient {
  const { url, apiKey, timeoutMs = DEFAULT_TIMEOUT_MS, signal, maxBatchSize = 50 } = options;
  if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be a positive number of milliseconds, got ${timeoutMs}`);
  const endpoint = new URL('/api/trpc', url).toString();
  const trpc = createTRPCClient<HoneRouter>({
    links: [
      honeCallLink({ timeoutMs, signal }),
      httpBatchLink({
        url: endpoint,
        maxItems: maxBatchSize,
        headers: () => (apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
        fetch: versionCheckingFetch(options.fetch ?? ((input, init) => globalThis.fetch(input, init)), endpoint),
      }),
    ],
  });
  const track = createTracker(trpc, options.track);
  const router = (routerOptions?: HoneRouterOptions) =>
    createLocalRouter(
      { url, apiKey, timeoutMs, tracker: track, fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)) },
      routerOptions,
    );
  // tRPC's client is a proxy that reads every property as a procedure path; `track` and `router` are answered before it.
  return new Proxy(trpc, {
    get: (target, key, receiver): unknown => (key === 'track' ? track : key === 'router' ? router : Reflect.get(target, key, receiver)),
  }) as HoneClient;
}

/**
 * Refuses an answer from a server of another major API version (before its body is read as data of the
 * wrong shape), and anything that is not a JSON answer (a proxy's HTML page), with the status it came with.
 */
function versionCheckingFetch(baseFetch: typeof globalThis.fetch, endpoint: string): typeof globalThis.fetch {
  return async (input, init) => {
    const response = await baseFetch(input, init);
    const serverVersion = response.headers.get(API_VERSION_HEADER);
    if (serverVersion !== null && !isCompatibleApiVersion(serverVersion)) {
      await response.body?.cancel();
      throw new HoneClientError(
        `Hone at ${endpoint} speaks API version ${serverVersion}, but this client speaks API version ${API_VERSION}: ` +
          `use a @hone/client release made for API ${serverVersion}`,
        { code: 'VERSION_MISMATCH', status: response.status, serverApiVersion: serverVersion },
      );
    }
    const contentType = response.headers.get('content-type') ?? '';
    if (!contentType.includes('json')) {
      await response.body?.cancel();
      throw new HoneClientError(`${endpoint} answered ${response.status} with ${contentType || 'no content type'}, not a Hone response`, {
        code: 'BAD_RESPONSE',
        status: response.status,
        retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      });
    }
    return response;
  };
}

/** Per call: the timeout, the client's and the call's AbortSignal, and every failure turned into a HoneClientError. */
function honeCallLink({ timeoutMs, signal: clientSignal }: { timeoutMs: number; signal?: AbortSignal }): TRPCLink<HoneRouter> {
  return () =>
    ({ op, next }) =>
      observable((observer) => {
        const signals = [op.signal, clientSignal].filter((s): s is AbortSignal => s != null);
        const aborted = signals.find((s) => s.aborted);
        if (aborted) {
          observer.error(abortError(op.path, aborted));
          return () => {};
        }
        let settled = false;
        const finish = () => {
          settled = true;
          clearTimeout(timer);
          for (const s of signals) s.removeEventListener('abort', onAbort);
        };
        // Giving up on a call unsubscribes from the HTTP link, which aborts the request once no call in it waits.
        const giveUp = (error: HoneClientError) => {
          if (settled) return;
          finish();
          observer.error(error);
          downstream.unsubscribe();
        };
        const onAbort = (event: Event) => giveUp(abortError(op.path, event.target as AbortSignal));
        const timer = Number.isFinite(timeoutMs)
          ? setTimeout(
              () =>
                giveUp(
                  new HoneClientError(`${op.path}: no answer from Hone within ${timeoutMs} ms`, {
                    code: 'TIMEOUT',
                    status: null,
                    path: op.path,
                  }),
                ),
              timeoutMs,
            )
          : undefined;
        for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
        const downstream = next(op).subscribe({
          next: (result) => observer.next(result),
          error: (error) => {
            if (settled) return;
            finish();
            observer.error(toHoneClientError(error, op.path));
          },
          complete: () => {
            if (settled) return;
            finish();
            observer.complete();
          },
        });
        return () => {
          if (!settled) finish();
          downstream.unsubscribe();
        };
      });
}

function abortError(path: string, signal: AbortSignal): HoneClientError {
  return new HoneClientError(`${path}: aborted by the caller`, { code: 'ABORTED', status: null, path, cause: signal.reason });
}

function toHoneClientError(error: TRPCClientError<HoneRouter>, path: string): HoneClientError {
  // Raised by versionCheckingFetch for the whole batch: each call gets its own copy, naming its procedure.
  const transport = error instanceof HoneClientError ? error : error.cause instanceof HoneClientError ? error.cause : undefined;
  if (transport) {
    const { code, status, issues, serverApiVersion, retryAfterMs, cause } = transport;
    return new HoneClientError(transport.message, { code, status, issues, serverApiVersion, retryAfterMs, path, cause });
  }

  const response = error.meta?.response as Response | undefined;
  // A 429 or 503 may say when to come back; the header is on the HTTP answer that carried this call.
  const retryAfterMs = parseRetryAfter(response?.headers.get('retry-after'));
  const data = error.data as HoneErrorShape['data'] | undefined;
  if (data && typeof data.code === 'string') {
    return new HoneClientError(error.message, {
      code: data.code,
      status: data.httpStatus ?? null,
      issues: data.issues ?? [],
      path: data.path ?? path,
      retryAfterMs,
      shape: error.shape as HoneErrorShape | undefined,
      cause: error,
    });
  }
  if (response) {
    return new HoneClientError(`${path}: Hone answered ${response.status} with something other than a tRPC result (${error.message})`, {
      code: 'BAD_RESPONSE',
      status: response.status,
      path,
      retryAfterMs,
      cause: error,
    });
  }
  return new HoneClientError(`${path}: cannot reach Hone (${describeCause(error)})`, {
    code: 'NETWORK_ERROR',
    status: null,
    path,
    cause: error,
  });
}

/** Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND) is in its cause. */
function describeCause(error: Error): string {
  const messages: string[] = [];
  for (let cause: unknown = error; cause instanceof Error && messages.length < 4; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    messages.push(typeof code === 'string' ? `${cause.message} [${code}]` : cause.message);
  }
  return [...new Set(messages)].join(': ');
}
