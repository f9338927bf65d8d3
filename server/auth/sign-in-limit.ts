// Failed sign-ins per client address, in memory (per process: enough to make guessing keys slow, which is its
// job; the keys themselves are long random strings).

export const SIGN_IN_WINDOW_MS = 60_000;
export const MAX_FAILED_SIGN_INS_PER_ADDRESS = 10;
/** A ceiling over every address together: the client address comes from X-Forwarded-For, which a client can vary. */
export const MAX_FAILED_SIGN_INS_OVERALL = 100;

export interface SignInLimiter {
  /** Seconds to wait before trying again, or 0 when this address may try now. */
  retryAfterSeconds(address: string, now?: number): number;
  recordFailure(address: string, now?: number): void;
}

export function createSignInLimiter({
  windowMs = SIGN_IN_WINDOW_MS,
  perAddress = MAX_FAILED_SIGN_INS_PER_ADDRESS,
  overall = MAX_FAILED_SIGN_INS_OVERALL,
} = {}): SignInLimiter {
  const failures = new Map<string, number[]>();
  let allFailures: number[] = [];
  const recent = (times: number[], now: number) => times.filter((time) => now - time < windowMs);
  const waitFor = (times: number[], limit: number, now: number) =>
    times.length >= limit ? Math.max(1, Math.ceil((times[times.length - limit]! + windowMs - now) / 1000)) : 0;

  return {
    retryAfterSeconds(address, now = Date.now()) {
      const mine = recent(failures.get(address) ?? [], now);
      if (mine.length) failures.set(address, mine);
      else failures.delete(address);
      allFailures = recent(allFailures, now);
      return Math.max(waitFor(mine, perAddress, now), waitFor(allFailures, overall, now));
    },
    recordFailure(address, now = Date.now()) {
      // Addresses that stopped trying are forgotten, so varying the address cannot grow the map without bound.
      if (failures.size > 10_000) for (const [key, times] of failures) if (!recent(times, now).length) failures.delete(key);
      failures.set(address, [...recent(failures.get(address) ?? [], now), now]);
      allFailures = [...recent(allFailures, now), now];
    },
  };
}

const holder = globalThis as typeof globalThis & { honeSignInLimiter?: SignInLimiter };

/** The server's limiter (one per process, created on first use). */
export function signInLimiter(): SignInLimiter {
  holder.honeSignInLimiter ??= createSignInLimiter();
  return holder.honeSignInLimiter;
}

/** The client's address as the server saw it: the first X-Forwarded-For entry (Next sets it from the socket). */
export function clientAddress(headers: Headers): string {
  return headers.get('x-forwarded-for')?.split(',')[0]!.trim() || headers.get('x-real-ip')?.trim() || 'unknown';
}
