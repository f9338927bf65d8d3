// Types of pattern-set.mjs (plain JavaScript so the match worker can import it without a build step).

import type { CompiledPattern } from './pattern-compiler.mjs';

export interface CompiledPatternSet {
  /** Patterns left out because they do not compile: their index in the given order and why. */
  readonly unusable: readonly { index: number; reason: string }[];
  /** Each pattern compiled, by index; null for an unusable one. */
  readonly compiled: readonly (CompiledPattern | null)[];
  /** Index of the first pattern, in the given order, that matches the input (its first MATCHED_INPUT_CHARS characters), or -1. */
  firstMatchIndex(input: string): number;
  /**
   * In one pass: the first matching pattern among those not flagged in `collect` (-1 when none), and every matching
   * pattern among those flagged, in order (shadow rules: counted whenever they match, never deciding). `collect` is
   * indexed like the patterns given.
   */
  firstMatchAndCollected(input: string, collect: ArrayLike<unknown>): { first: number; collected: number[] };
  /** Indexes, in the given order, of every pattern that matches the input (its first MATCHED_INPUT_CHARS characters). */
  allMatchIndexes(input: string): number[];
}

/** Compiles patterns given in evaluation order, with a literal prefilter so a match does not run every pattern. */
export declare function compilePatternSet(patterns: readonly string[], options?: { denseTableLimit?: number }): CompiledPatternSet;

/** Above this many transition-table cells, the literal automaton keeps sparse transitions (memory over speed). */
export declare const DENSE_TABLE_LIMIT: number;
