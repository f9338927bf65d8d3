// Calls per caller, as a token bucket in memory: each caller (an API key, or with authentication off a connection's
// address) may make `burst` calls at once and `perSecond` calls a second after that. Per server process: N servers
// behind a balancer allow N times the rate. The pipeline charges one token per tool call (server/tools/pipeline.ts).
//
// Written here rather than taken from a package: the limiter runs on every call, so it must be synchronous and
// allocation-light, it must say exactly when a token will be back (Retry-After), and its memory must stay bounded
// however many callers come and go; the token bucket itself is three lines of arithmetic.
import { env } from '../env';
import { HoneError } from '../errors';
import { processWide } from '../process-wide';

export interface RateLimitSettings {
  /** Tokens added per second; 0 turns the limit off. */
  perSecond: number;
  /** Most tokens a caller can hold: the calls it may make at once after being idle. */
  burst: number;
}

export interface RateLimiter {
  readonly settings: RateLimitSettings;
  /** Takes one token from the caller's bucket: 0 when the call may go ahead, else the seconds until a token is back. */
  take(caller: string, now?: number): number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Past this many callers, those whose buckets have refilled (callers gone quiet) are forgotten, and if that is not
 * enough the least recently seen, down to half: forgetting a caller only gives it a full bucket again, and halving
 * keeps the cost of a sweep spread over many calls however many addresses come and go.
 */
const MAX_TRACKED_CALLERS = 10_000;

export function createRateLimiter(settings: RateLimitSettings): RateLimiter {
  const { perSecond, burst } = settings;
  const buckets = new Map<string, Bucket>();
  const refilled = (bucket: Bucket, now: number) => Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * perSecond);

  function forgetCallers(now: number): void {
    for (const [caller, bucket] of buckets) if (refilled(bucket, now) >= burst) buckets.delete(caller);
    // A Map iterates in insertion order, and take() re-inserts its caller: the first ones are the least recently seen.
    for (const caller of buckets.keys()) {
      if (buckets.size <= MAX_TRACKED_CALLERS / 2) break;
      buckets.delete(caller);
    }
  }

  return {
    settings,
    take(caller, now = performance.now()) {
      if (perSecond <= 0) return 0;
      const bucket = buckets.get(caller);
      const tokens = bucket ? refilled(bucket, now) : burst;
      if (tokens >= 1) {
        if (bucket) buckets.delete(caller);
        else if (buckets.size >= MAX_TRACKED_CALLERS) forgetCallers(now);
        buckets.set(caller, { tokens: tokens - 1, at: now });
        return 0;
      }
      return Math.max(1, Math.ceil((1 - tokens) / perSecond));
    },
  };
}

const KEY_CALLER = 'key:';
const ADDRESS_CALLER = 'address:';

/** Who a call is counted against: an API key (by id, whichever face or session carried it) ... */
export const keyCaller = (keyId: number) => `${KEY_CALLER}${keyId}`;
/** ... or, with authentication off, the address the connection came from. */
export const addressCaller = (address: string) => `${ADDRESS_CALLER}${address}`;

/** The server's limiter, from HONE_RATE_LIMIT_PER_SECOND and HONE_RATE_LIMIT_BURST (one per process, made on first use). */
export function rateLimiter(): RateLimiter {
  return processWide('rateLimiter', () =>
    createRateLimiter({ perSecond: env().HONE_RATE_LIMIT_PER_SECOND, burst: env().HONE_RATE_LIMIT_BURST }),
  );
}

/** Counts one call against `caller` (null: an internal caller, never limited); past the limit, a 429 saying when to retry. */
export function chargeCall(caller: string | null, limiter: RateLimiter = rateLimiter()): void {
  if (caller === null) return;
  const waitSeconds = limiter.take(caller);
  if (waitSeconds === 0) return;
  const { perSecond, burst } = limiter.settings;
  throw HoneError.retryLater(
    'TOO_MANY_REQUESTS',
    `Too many calls: at most ${perSecond} per second (${burst} at once) per ${caller.startsWith(KEY_CALLER) ? 'API key' : 'client address'}; ` +
      `retry in ${waitSeconds} s`,
    waitSeconds,
  );
}
