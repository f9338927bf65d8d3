// Types of pattern-compiler.mjs (plain JavaScript so the match worker can import it without a build step).

export declare const MATCHED_INPUT_CHARS: number;
export declare const MAX_PROGRAM_SIZE: number;
export declare const MAX_LOOPS: number;
export declare const MAX_SEQUENTIAL_CLASS_STEPS: number;

/** A condition on which literals (exact, case-sensitive UTF-16 strings) occur in an input. */
export type RequiredLiterals =
  | {
      readonly literal: string;
      readonly caseInsensitive?: boolean;
      /** Found only where no word character (ASCII letter, digit, _) precedes it: the pattern has `\b` before it. */
      readonly wordBefore?: boolean;
      /** Found only where no word character follows it: the pattern has `\b` after it. */
      readonly wordAfter?: boolean;
    }
  | { readonly allOf: readonly RequiredLiterals[] }
  | { readonly anyOf: readonly RequiredLiterals[] };

export interface CompiledPattern {
  readonly pattern: string;
  /** The pattern in RE2 syntax (JavaScript syntax translated), as RE2 compiles it. */
  readonly source: string;
  /** Whether every match starts at the beginning of the input (`^…` without the m flag): a failing run is then short. */
  readonly anchoredAtStart: boolean;
  /** What the pattern cannot match without: an input lacking it is not matched. Null when nothing can be shown. */
  readonly requiredLiterals: RequiredLiterals | null;
  /**
   * Character classes (ranges [lo, hi, …] in code points) the input must hold a character of each, or the pattern
   * cannot match. Empty when nothing can be shown.
   */
  readonly requiredClasses: readonly (readonly number[])[];
  /** Whether the pattern matches anywhere in the first MATCHED_INPUT_CHARS characters of the input. */
  test(input: string): boolean;
}

export type PatternCompilation = { ok: true; compiled: CompiledPattern } | { ok: false; reason: string };

/** The part of an input that rules look at: its first MATCHED_INPUT_CHARS characters. */
export declare function boundedInput(input: string): string;

/** Compiles a pattern, or says why it cannot be used. Never throws for a bad pattern. */
export declare function compilePattern(pattern: string): PatternCompilation;
