import { HoneError, type FieldIssue } from '../errors';
import { MAX_INPUT_DEPTH, unstorableValueIssues } from '../schemas/storable-values';

export { MAX_INPUT_DEPTH };

export interface RawInputGuardOptions {
  maxDepth?: number;
  /**
   * Top-level fields holding a batch's items (a tool's `itemLists`): their items are left to the tool's item schema,
   * which guards each one itself (server/schemas/ingest.ts), so one bad item is rejected alone instead of the call.
   */
  itemLists?: readonly string[];
}

/**
 * What is wrong with a tool's raw input before its schema sees it: nesting deeper than `maxDepth` (checked
 * without recursion, so 10,000 levels cost no more than 32), strings or keys PostgreSQL cannot store (U+0000,
 * lone surrogates), and keys that reach the prototype (`__proto__`, `constructor`, `prototype`), which a
 * parser would otherwise drop silently. Each issue's path names the field. The invocation pipeline turns a
 * non-empty answer into a 400 before parsing, so nothing is written.
 */
export function rawInputIssues(raw: unknown, { maxDepth = MAX_INPUT_DEPTH, itemLists = [] }: RawInputGuardOptions = {}): FieldIssue[] {
  return unstorableValueIssues(withoutListedItems(raw, itemLists), { maxDepth });
}

/** Throws the 400 for a raw input that rawInputIssues finds fault with, naming each field. */
export function refuseUnsafeRawInput(raw: unknown, options?: RawInputGuardOptions): void {
  const issues = rawInputIssues(raw, options);
  if (issues.length > 0) throw HoneError.invalidInput(issues);
}

/** The input with its item lists emptied (every other key kept as an own key, `__proto__` included, for the scan). */
function withoutListedItems(raw: unknown, itemLists: readonly string[]): unknown {
  if (itemLists.length === 0 || typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  return Object.fromEntries(Object.entries(raw).map(([key, value]) => [key, itemLists.includes(key) && Array.isArray(value) ? [] : value]));
}
