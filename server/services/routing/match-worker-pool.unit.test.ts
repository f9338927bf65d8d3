import { monitorEventLoopDelay } from 'node:perf_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RoutingSnapshot } from './engine';
import { MatchWorkerPool, matchWorkerPool, matchWorkerScript, type UnusablePattern } from './match-worker-pool';
import { MATCHED_INPUT_CHARS } from './engine';
import { randomAbs } from '../../testing/slow-matching';

const slowPatterns = Array.from({ length: 8 }, (_, k) => `[ab]*a[ab]{62}[0-${k}]`);

/** A snapshot of active rules with these patterns, in this order (and shadow rules with the others). */
function snapshotOf(patterns: readonly string[], shadowPatterns: readonly string[] = []): RoutingSnapshot {
  const rule = (pattern: string, index: number, state: 'active' | 'shadow') => ({
    ruleId: index + 1,
    versionId: 100 + index,
    version: 1,
    pattern,
    layer: 'fast' as const,
    model: null,
    priority: 0,
    state,
    reasoning: null,
  });
  return {
    version: 'test',
    defaultLayer: 'balanced',
    rules: [...patterns.map((p, i) => rule(p, i, 'active')), ...shadowPatterns.map((p, i) => rule(p, patterns.length + i, 'shadow'))],
    sampling: { storeInputs: true, samplesPerHour: 0 },
  };
}

const matched = (ruleIndex: number, shadowIndices: number[] = []) => ({ kind: 'matched', match: { ruleIndex, shadowIndices } });
const none = matched(-1);

let pool: MatchWorkerPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
  vi.restoreAllMocks();
});

describe('MatchWorkerPool', () => {
  it("is one per process: another bundle's copy of the module gets the same pool, so one worker thread", async () => {
    vi.resetModules();
    const otherCopy = await import('./match-worker-pool');
    expect(otherCopy.matchWorkerPool).not.toBe(matchWorkerPool);
    expect(otherCopy.matchWorkerPool()).toBe(matchWorkerPool());
  });

  it('answers the index of the first matching pattern, and reports the patterns it cannot compile', async () => {
    pool = new MatchWorkerPool();
    const unusable = vi.fn<(list: UnusablePattern[]) => void>();
    const set = pool.register(snapshotOf(['(?=x)x', 'deploy', 'deploy|ship']), unusable);
    expect(await pool.match(set, 'ship it', 1000)).toEqual(matched(2));
    expect(await pool.match(set, 'deploy it', 1000)).toEqual(matched(1));
    expect(await pool.match(set, 'x', 1000)).toEqual(none);
    expect(unusable).toHaveBeenCalledTimes(1);
    const [reported] = unusable.mock.calls[0]!;
    expect(reported.map(({ index }) => index)).toEqual([0]);
    expect(reported[0]!.reason).toMatch(/lookaround/);
  });

  it('answers every matching shadow rule beside the first active one', async () => {
    pool = new MatchWorkerPool();
    const set = pool.register(snapshotOf(['deploy', 'ship'], ['deploy|ship', 'never', 'ship']));
    expect(await pool.match(set, 'ship it', 1000)).toEqual(matched(1, [2, 4]));
    expect(await pool.match(set, 'nothing', 1000)).toEqual(none);
  });

  it('looks at the first 32 KiB of the input only', async () => {
    pool = new MatchWorkerPool();
    const set = pool.register(snapshotOf(['needle']));
    expect(await pool.match(set, 'x'.repeat(MATCHED_INPUT_CHARS - 6) + 'needle', 1000)).toEqual(matched(0));
    expect(await pool.match(set, 'x'.repeat(MATCHED_INPUT_CHARS - 5) + 'needle', 1000)).toEqual(none);
  });

  it('cuts off a slow match without blocking the event loop, then answers the next job with a fresh worker', async () => {
    pool = new MatchWorkerPool();
    const slow = pool.register(snapshotOf(slowPatterns));
    const ordinary = pool.register(snapshotOf(['deploy']));
    expect(await pool.match(slow, 'warm up', 1000)).toEqual(none);
    const histogram = monitorEventLoopDelay({ resolution: 10 });
    histogram.enable();
    const [cutOff, next] = await Promise.all([pool.match(slow, randomAbs(MATCHED_INPUT_CHARS), 100), pool.match(ordinary, 'deploy', 5000)]);
    histogram.disable();
    expect(cutOff).toEqual({ kind: 'cut-off', why: 'matching took longer than 100 ms' });
    expect(next).toEqual(matched(0));
    // Run here, the eight patterns would block the loop for about two seconds.
    expect(histogram.max / 1e6).toBeLessThan(100);
    // The slow set is compiled again in the new worker when it is matched again.
    expect(await pool.match(slow, 'b1', 1000)).toEqual(none);
  });

  it('answers a match that waited too long behind others as cut off, without waiting for its turn', async () => {
    pool = new MatchWorkerPool();
    const slow = pool.register(snapshotOf(slowPatterns));
    const ordinary = pool.register(snapshotOf(['deploy']));
    expect(await pool.match(slow, 'warm up', 1000)).toEqual(none);
    const running = pool.match(slow, randomAbs(MATCHED_INPUT_CHARS), 1500);
    // Queued behind a match of about two seconds, with a wait limit of 20 x 10 ms.
    expect(await pool.match(ordinary, 'deploy', 10)).toEqual({ kind: 'cut-off', why: 'it waited more than 200 ms behind other matches' });
    // Whether it ends or is cut off depends on this machine's speed; either way it is answered.
    expect(['matched', 'cut-off']).toContain((await running).kind);
  });

  it('still answers a set released while a match on it was queued', async () => {
    pool = new MatchWorkerPool();
    const set = pool.register(snapshotOf(['ship']));
    const pending = pool.match(set, 'ship', 1000);
    pool.release(set);
    expect(await pending).toEqual(matched(0));
    expect(await pool.match(set, 'ship', 1000)).toEqual(matched(0));
  });

  it('answers cut off at once when the worker cannot start, naming why', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    pool = new MatchWorkerPool(matchWorkerScript().replace('match-worker.mjs', 'no-such-worker.mjs'));
    const set = pool.register(snapshotOf(['ship']));
    const answers = await Promise.all([pool.match(set, 'ship', 1000), pool.match(set, 'ship', 1000)]);
    for (const answer of answers) expect(answer.kind === 'cut-off' && answer.why).toMatch(/match worker failed/);
    expect(error).toHaveBeenCalled();
  });
});
