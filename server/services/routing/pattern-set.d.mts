// Types of pattern-set.mjs (plain JavaScript so the match worker can import it without a build step).

import type { CompiledPattern } from './pattern-compiler.mjs';

export interface CompiledPatternSet {
  /** Patterns left out because they do not compile: their index in the given order and why. */
  readonly unusable: readonly { index: number; reason: string }[];
  /** Each pattern compiled, by index; null for an unusable one. */
  readonly compiled: readonly (CompiledPattern | null)[];
  /** Index of the first pattern, in the given order, that matches the input (its first MATCHED_INPUT_CHARS characters), or -1. */
  firstMatchIndex(input: string): number;
  /** Indexes, in the given order, of every pattern that matches the input (its first MATCHED_INPUT_CHARS characters). */
  allMatchIndexes(input: string): number[];
}

/** Compiles patterns given in evaluation order, with a literal prefilter so a match does not run every pattern. */
export declare function compilePatternSet(patterns: readonly string[]): CompiledPatternSet;
