import { HoneError, type FieldIssue } from '../errors';
import { unstorableValueIssues } from '../schemas/storable-values';

/** How deep a tool's raw input may nest anywhere (the input object itself is level 1). */
export const MAX_INPUT_DEPTH = 32;

/**
 * What is wrong with a tool's raw input before its schema sees it: nesting deeper than `maxDepth` (checked
 * without recursion, so 10,000 levels cost no more than 32), strings or keys PostgreSQL cannot store (U+0000,
 * lone surrogates), and keys that reach the prototype (`__proto__`, `constructor`, `prototype`), which a
 * parser would otherwise drop silently. Each issue's path names the field. The invocation pipeline turns a
 * non-empty answer into a 400 before parsing, so nothing is written.
 */
export function rawInputIssues(raw: unknown, { maxDepth = MAX_INPUT_DEPTH }: { maxDepth?: number } = {}): FieldIssue[] {
  return unstorableValueIssues(raw, { maxDepth });
}

/** Throws the 400 for a raw input that rawInputIssues finds fault with, naming each field. */
export function refuseUnsafeRawInput(raw: unknown, options?: { maxDepth?: number }): void {
  const issues = rawInputIssues(raw, options);
  if (issues.length > 0) throw HoneError.invalidInput(issues);
}
