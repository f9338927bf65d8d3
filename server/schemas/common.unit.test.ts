import { describe, expect, it } from 'vitest';
import { parseEnv } from '../env';
import { databaseId, isoInstant, jsonObjectWithin, MAX_INT32, nonBlank, pageCursor } from './common';

const issuesOf = (result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  result.error?.issues.map((issue) => ({ path: issue.path, message: issue.message }));

describe('input helpers', () => {
  it('ids and cursors are positive int32', () => {
    expect(databaseId().safeParse(MAX_INT32).success).toBe(true);
    expect(issuesOf(databaseId().safeParse(MAX_INT32 + 1))).toEqual([{ path: [], message: `must be at most ${MAX_INT32} (no such id)` }]);
    expect(databaseId().safeParse(0).success).toBe(false);
    expect(databaseId().safeParse(1.5).success).toBe(false);
    expect(pageCursor.safeParse(2 ** 53).success).toBe(false);
  });

  it('dates are years 1970..9999 with an offset', () => {
    expect(isoInstant().safeParse('1970-01-01T00:00:00Z').success).toBe(true);
    expect(isoInstant().safeParse('9999-12-31T23:59:59.999Z').success).toBe(true);
    for (const bad of ['0000-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '9999-12-31T23:00:00-05:00', 'yesterday']) {
      expect(isoInstant().safeParse(bad).success, bad).toBe(false);
    }
  });

  it('text refuses U+0000 and lone surrogates after trimming rules', () => {
    expect(nonBlank(10).safeParse(' ok ').data).toBe('ok');
    expect(issuesOf(nonBlank(10).safeParse('a\u0000'))?.[0]?.message).toContain('U+0000');
    expect(nonBlank(10).safeParse('a\uDFFF').success).toBe(false);
  });

  it('JSON objects are held to the configured size and depth', () => {
    const schema = jsonObjectWithin(() => ({ maxBytes: 20, maxDepth: 2 }));
    expect(schema.safeParse({ a: { b: 1 } }).success).toBe(true);
    expect(issuesOf(schema.safeParse({ a: { b: {} } }))).toEqual([
      { path: ['a', 'b'], message: 'is nested too deeply (at most 2 levels of objects and arrays)' },
    ]);
    expect(issuesOf(schema.safeParse({ a: 'x'.repeat(20) }))?.[0]?.message).toMatch(/^must be at most 20 bytes as JSON/);
    // Bytes, not characters: 6 three-byte characters are 18 bytes of UTF-8, plus quotes and key.
    expect(schema.safeParse({ a: '€€€€€€' }).success).toBe(false);
    expect(schema.safeParse([1]).success).toBe(false);
  });

  it('reads HONE_MAX_JSON_BYTES and HONE_MAX_JSON_DEPTH, naming a wrong one', () => {
    expect(parseEnv({})).toMatchObject({ HONE_MAX_JSON_BYTES: 16_384, HONE_MAX_JSON_DEPTH: 8 });
    expect(parseEnv({ HONE_MAX_JSON_BYTES: '4096', HONE_MAX_JSON_DEPTH: '3' })).toMatchObject({
      HONE_MAX_JSON_BYTES: 4096,
      HONE_MAX_JSON_DEPTH: 3,
    });
    expect(() => parseEnv({ HONE_MAX_JSON_DEPTH: '100' })).toThrow(/HONE_MAX_JSON_DEPTH: must be from 1 to 32/);
    expect(() => parseEnv({ HONE_MAX_JSON_BYTES: 'lots' })).toThrow(/HONE_MAX_JSON_BYTES: /);
  });
});
