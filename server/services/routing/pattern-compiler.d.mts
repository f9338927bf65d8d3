// Types of pattern-compiler.mjs (plain JavaScript so the match worker can import it without a build step).

export declare const MATCHED_INPUT_CHARS: number;
export declare const MAX_PROGRAM_SIZE: number;
export declare const MAX_LOOPS: number;
export declare const MAX_SEQUENTIAL_CLASS_STEPS: number;

export interface CompiledPattern {
  readonly pattern: string;
  /** Whether the pattern matches anywhere in the first MATCHED_INPUT_CHARS characters of the input. */
  test(input: string): boolean;
}

export type PatternCompilation = { ok: true; compiled: CompiledPattern } | { ok: false; reason: string };

/** The part of an input that rules look at: its first MATCHED_INPUT_CHARS characters. */
export declare function boundedInput(input: string): string;

/** Compiles a pattern, or says why it cannot be used. Never throws for a bad pattern. */
export declare function compilePattern(pattern: string): PatternCompilation;
