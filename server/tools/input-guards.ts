import type { FieldIssue } from '../errors';

// Minimal version: the full guard (JSON depth, lone surrogates) is written elsewhere and replaces this file.

const NUL = '\u0000';

/** What a raw input holds that no schema should see: `__proto__` keys (objects drop them silently) and U+0000. */
export function rawInputIssues(raw: unknown): FieldIssue[] {
  const issues: FieldIssue[] = [];
  // A stack, not recursion: JSON nested thousands deep must not overflow the call stack here.
  const pending: { value: unknown; path: (string | number)[] }[] = [{ value: raw, path: [] }];
  while (pending.length) {
    const { value, path } = pending.pop()!;
    if (typeof value === 'string') {
      if (value.includes(NUL)) issues.push({ path, message: 'must not contain the NUL character (U+0000)' });
    } else if (Array.isArray(value)) {
      value.forEach((item, index) => pending.push({ value: item, path: [...path, index] }));
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        if (key === '__proto__') issues.push({ path: [...path, key], message: 'is not allowed as a key' });
        else if (key.includes(NUL)) issues.push({ path: [...path, key], message: 'must not contain the NUL character (U+0000)' });
        else pending.push({ value: item, path: [...path, key] });
      }
    }
  }
  return issues;
}
