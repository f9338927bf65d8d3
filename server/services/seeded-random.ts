/**
 * mulberry32: a small, fast 32-bit generator, uniform in [0, 1), the same sequence for the same seed on every run.
 * Used wherever a result must be reproducible: the adaptive policies' Monte-Carlo draws, the demo seed, benchmarks,
 * the learning simulator and seeded tests.
 */
export function mulberry32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
