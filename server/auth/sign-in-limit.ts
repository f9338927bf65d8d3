// Failed sign-ins per client address, in memory (per process: enough to make guessing keys slow, which is its
// job; the keys themselves are long random strings). The address is the connection's (CLIENT_ADDRESS_HEADER), so a
// client can neither dodge the limit nor pin its failures on another address; there is no limit over all addresses
// together, which would let one client lock everybody out.
import { CLIENT_ADDRESS_HEADER } from '../http/methods';
import { processWide } from '../process-wide';

export const SIGN_IN_WINDOW_MS = 60_000;
export const MAX_FAILED_SIGN_INS_PER_ADDRESS = 10;

export interface SignInLimiter {
  /** Seconds to wait before trying again, or 0 when this address may try now. */
  retryAfterSeconds(address: string, now?: number): number;
  recordFailure(address: string, now?: number): void;
}

export function createSignInLimiter({ windowMs = SIGN_IN_WINDOW_MS, perAddress = MAX_FAILED_SIGN_INS_PER_ADDRESS } = {}): SignInLimiter {
  const failures = new Map<string, number[]>();
  const recent = (times: number[], now: number) => times.filter((time) => now - time < windowMs);
  const waitFor = (times: number[], limit: number, now: number) =>
    times.length >= limit ? Math.max(1, Math.ceil((times[times.length - limit]! + windowMs - now) / 1000)) : 0;

  return {
    retryAfterSeconds(address, now = Date.now()) {
      const mine = recent(failures.get(address) ?? [], now);
      if (mine.length) failures.set(address, mine);
      else failures.delete(address);
      return waitFor(mine, perAddress, now);
    },
    recordFailure(address, now = Date.now()) {
      // Addresses that stopped trying are forgotten, so varying the address cannot grow the map without bound.
      if (failures.size > 10_000) for (const [key, times] of failures) if (!recent(times, now).length) failures.delete(key);
      failures.set(address, [...recent(failures.get(address) ?? [], now), now]);
    },
  };
}

/** The server's limiter (one per process, created on first use). */
export function signInLimiter(): SignInLimiter {
  return processWide('signInLimiter', createSignInLimiter);
}

/** The client's address as the connection showed it (behind a reverse proxy: the proxy's). */
export function clientAddress(headers: Headers): string {
  return headers.get(CLIENT_ADDRESS_HEADER)?.trim() || 'unknown';
}
