// Types of pattern-compiler.mjs (plain JavaScript so the match worker can import it without a build step).

export declare const MATCHED_INPUT_CHARS: number;
export declare const MAX_PROGRAM_SIZE: number;
export declare const MAX_LOOPS: number;
export declare const MAX_SEQUENTIAL_CLASS_STEPS: number;

/**
 * A condition on which literals occur in an input: exact UTF-16 strings, or with `caseInsensitive` lower-case ASCII
 * searched in the input folded by `foldedForLiterals`.
 */
export type RequiredLiterals =
  | { readonly literal: string; readonly caseInsensitive?: true }
  | { readonly allOf: readonly RequiredLiterals[] }
  | { readonly anyOf: readonly RequiredLiterals[] };

export interface CompiledPattern {
  readonly pattern: string;
  /** What the pattern cannot match without: an input lacking it is not matched. Null when nothing can be shown. */
  readonly requiredLiterals: RequiredLiterals | null;
  /** re2js's simplified syntax tree of the (translated) pattern, for tools reasoning about what it matches. */
  readonly syntaxTree: PatternSyntaxNode;
  /** Whether the pattern matches anywhere in the first MATCHED_INPUT_CHARS characters of the input. */
  test(input: string): boolean;
}

export type PatternCompilation = { ok: true; compiled: CompiledPattern } | { ok: false; reason: string };

/** The part of an input that rules look at: its first MATCHED_INPUT_CHARS characters. */
export declare function boundedInput(input: string): string;

/** The input as case-insensitive ASCII literals are searched in (lower case, with U+017F LONG S as s). */
export declare function foldedForLiterals(input: string): string;

/** Compiles a pattern, or says why it cannot be used. Never throws for a bad pattern. */
export declare function compilePattern(pattern: string): PatternCompilation;

/** re2js syntax tree operators. */
export declare const SYNTAX_OP: {
  readonly NO_MATCH: 0;
  readonly EMPTY_MATCH: 1;
  readonly LITERAL: 2;
  readonly CHAR_CLASS: 3;
  readonly ANY_CHAR_NOT_NL: 4;
  readonly ANY_CHAR: 5;
  readonly BEGIN_LINE: 6;
  readonly END_LINE: 7;
  readonly BEGIN_TEXT: 8;
  readonly END_TEXT: 9;
  readonly WORD_BOUNDARY: 10;
  readonly NO_WORD_BOUNDARY: 11;
  readonly CAPTURE: 12;
  readonly STAR: 13;
  readonly PLUS: 14;
  readonly QUEST: 15;
  readonly REPEAT: 16;
  readonly CONCAT: 17;
  readonly ALTERNATE: 18;
};

/** The case-folding flag of a syntax tree node. */
export declare const FOLD_CASE: number;

/** A node of re2js's simplified syntax tree. */
export interface PatternSyntaxNode {
  readonly op: number;
  readonly flags: number;
  /** Literal: its code points; character class: pairs of inclusive code point ranges. */
  readonly runes: Int32Array;
  readonly subs: readonly PatternSyntaxNode[];
  /** Counted repetition bounds (max -1: unbounded). */
  readonly min: number;
  readonly max: number;
}
