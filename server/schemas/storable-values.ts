import type { FieldIssue } from '../errors';

// What PostgreSQL (text and jsonb, on the server and in PGlite) cannot store, and what JavaScript must not be
// handed as an object key. Pure functions with no imports at run time: the input schemas (shared with the
// dashboard's forms) and the invocation pipeline's raw-input guard both use them.

/** How deep a tool's raw input may nest anywhere (the input object itself is level 1). */
export const MAX_INPUT_DEPTH = 32;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether a text holds a lone surrogate: String.prototype.isWellFormed where the runtime has it (Node 20, current
 * browsers), a native scan many times cheaper than the regular expression, which older browsers fall back to. Every
 * string of every input (each field of a batch's thousands of items, twice) goes through here.
 */
const hasLoneSurrogate: (text: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (text) => !(text as string & { isWellFormed(): boolean }).isWellFormed()
    : (text) => LONE_SURROGATE.test(text);

/** Why PostgreSQL cannot store this text, or undefined when it can. */
export function unstorableTextReason(text: string): string | undefined {
  if (text.includes('\u0000')) return 'must not contain the character U+0000 (NUL)';
  if (hasLoneSurrogate(text)) return 'must not contain a lone UTF-16 surrogate (U+D800..U+DFFF)';
  return undefined;
}

/**
 * Keys that reach an object's prototype machinery: a parser silently drops `__proto__`, and code that merges
 * stored metadata into an object could be steered by `constructor`/`prototype`. Refused by name instead.
 */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** A key as it can be shown in an error (itself JSON and stored in logs): unstorable characters replaced. */
export function printableKey(key: string): string {
  return key.replace(/\u0000/g, '\uFFFD').replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');
}

export interface ScanOptions {
  /** Containers (objects, arrays) nested deeper than this are refused; the value itself is level 1. */
  maxDepth: number;
  /** Stop after this many issues: a hostile input must not produce a hostile error. */
  maxIssues?: number;
}

/**
 * Every place in a JSON-like value that cannot be stored or is nested too deep, each with the path to it
 * (prefixed by `basePath`). Walks with an explicit stack and does not descend past `maxDepth`, so a value
 * nested 100,000 levels deep (or a cyclic one passed in-process) costs at most `maxDepth` levels of work.
 */
export function unstorableValueIssues(
  value: unknown,
  { maxDepth, maxIssues = 20 }: ScanOptions,
  basePath: (string | number)[] = [],
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  // A value's path is its parent's plus its key, spelled out only for an issue: most scans find none, and an input's
  // every value (a batch's thousands of item fields) would otherwise copy its path.
  const pathOf = (frame: Frame | null, last?: string | number): (string | number)[] => {
    const keys: (string | number)[] = last === undefined ? [] : [last];
    for (let f = frame; f !== null && f.parent !== null; f = f.parent) keys.push(f.key);
    return [...basePath, ...keys.reverse()];
  };
  const stack: Frame[] = [{ value, parent: null, key: 0, depth: 0 }];
  while (stack.length > 0 && issues.length < maxIssues) {
    const frame = stack.pop()!;
    const { value: current, depth } = frame;
    if (typeof current === 'string') {
      const reason = unstorableTextReason(current);
      if (reason) issues.push({ path: pathOf(frame), message: reason });
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > maxDepth) {
      issues.push({ path: pathOf(frame), message: `is nested too deeply (at most ${maxDepth} levels of objects and arrays)` });
      continue;
    }
    const first = stack.length;
    if (Array.isArray(current)) {
      for (let index = 0; index < current.length; index++)
        stack.push({ value: current[index], parent: frame, key: index, depth: depth + 1 });
    } else {
      for (const key of Object.keys(current)) {
        const keyIssue = badKeyReason(key);
        if (keyIssue) issues.push({ path: pathOf(frame, printableKey(key)), message: keyIssue });
        else stack.push({ value: (current as Record<string, unknown>)[key], parent: frame, key, depth: depth + 1 });
      }
    }
    // Reversed so the values' issues come out in the input's order.
    for (let i = first, j = stack.length - 1; i < j; i++, j--) [stack[i], stack[j]] = [stack[j]!, stack[i]!];
  }
  return issues.slice(0, maxIssues);
}

/** A value met by unstorableValueIssues' walk: its key in its parent (the root's is unused). */
interface Frame {
  value: unknown;
  parent: Frame | null;
  key: string | number;
  depth: number;
}

function badKeyReason(key: string): string | undefined {
  if (FORBIDDEN_KEYS.has(key)) return `key "${key}" is not allowed`;
  const reason = unstorableTextReason(key);
  return reason && `key ${reason}`;
}
