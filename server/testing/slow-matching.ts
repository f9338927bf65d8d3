// Inputs and patterns for tests of the time limit on rule matching.

/**
 * A reproducible string of a's and b's: re2js's DFA gives up on it, so a pattern like `[ab]*a[ab]{62}\d` runs its NFA
 * over every live thread (about 250 ms per 32 KiB here) while passing the save check. It starts with a 0, where no
 * such pattern can match: the matcher skips a pattern whose required characters are absent (a digit here).
 */
export function randomAbs(length: number): string {
  let seed = 7;
  return Array.from({ length }, (_, i) => {
    if (i === 0) return '0';
    seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
    return seed & 0x4000 ? 'a' : 'b';
  }).join('');
}
