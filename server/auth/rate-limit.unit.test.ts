import { describe, expect, it } from 'vitest';
import { HoneError } from '../errors';
import { addressCaller, chargeCall, createRateLimiter, keyCaller } from './rate-limit';

describe('the rate limit (token bucket)', () => {
  it('allows a burst at once, then refuses, saying when the next token is back', () => {
    const limiter = createRateLimiter({ perSecond: 2, burst: 3 });
    for (let call = 0; call < 3; call++) expect(limiter.take('key:1', 1_000)).toBe(0);
    expect(limiter.take('key:1', 1_000)).toBe(1); // half a second to the next token, said as 1 s
    expect(limiter.take('key:1', 1_499)).toBe(1);
    expect(limiter.take('key:1', 1_500)).toBe(0);
    expect(limiter.take('key:1', 1_500)).toBe(1);
  });

  it('refills at the rate, never beyond the burst', () => {
    const limiter = createRateLimiter({ perSecond: 10, burst: 5 });
    for (let call = 0; call < 5; call++) limiter.take('a', 0);
    expect(limiter.take('a', 0)).toBeGreaterThan(0);
    // A minute idle refills to the burst (5), not to 600.
    for (let call = 0; call < 5; call++) expect(limiter.take('a', 60_000)).toBe(0);
    expect(limiter.take('a', 60_000)).toBe(1);
  });

  it('counts each caller alone: one over its limit does not hold up another', () => {
    const limiter = createRateLimiter({ perSecond: 1, burst: 1 });
    expect(limiter.take(keyCaller(1), 0)).toBe(0);
    expect(limiter.take(keyCaller(1), 0)).toBe(1);
    expect(limiter.take(keyCaller(2), 0)).toBe(0);
    expect(limiter.take(addressCaller('10.0.0.1'), 0)).toBe(0);
  });

  it('asks a slow rate to wait whole seconds until the next token', () => {
    const limiter = createRateLimiter({ perSecond: 0.1, burst: 1 });
    limiter.take('a', 0);
    expect(limiter.take('a', 0)).toBe(10);
    expect(limiter.take('a', 7_500)).toBe(3);
  });

  it('is off at 0 calls a second', () => {
    const limiter = createRateLimiter({ perSecond: 0, burst: 1 });
    let refused = 0;
    for (let call = 0; call < 10_000; call++) refused += limiter.take('a', 0);
    expect(refused).toBe(0);
  });

  it('keeps its memory bounded however many callers come and go, and keeps counting the recent ones', () => {
    const limiter = createRateLimiter({ perSecond: 1, burst: 2 });
    let refused = 0;
    for (let caller = 0; caller < 200_000; caller++) refused += limiter.take(`address:${caller}`, caller);
    expect(refused).toBe(0);
    expect(limiter.take('address:199999', 200_000)).toBe(0);
    expect(limiter.take('address:199999', 200_000)).toBe(1);
  });

  it('refuses with a 429 that names the limit and carries Retry-After; internal callers are never limited', () => {
    const limiter = createRateLimiter({ perSecond: 1, burst: 1 });
    chargeCall(keyCaller(7), limiter);
    const refusal = (() => {
      try {
        chargeCall(keyCaller(7), limiter);
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(HoneError);
    expect(refusal).toMatchObject({ code: 'TOO_MANY_REQUESTS', status: 429, retryAfterSeconds: 1 });
    expect((refusal as HoneError).message).toMatch(/^Too many calls: at most 1 per second \(1 at once\) per API key; retry in 1 s$/);
    for (let call = 0; call < 100; call++) chargeCall(null, limiter);
  });
});
