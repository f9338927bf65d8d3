import { describe, expect, it } from 'vitest';
import { HoneError } from '../errors';
import { MAX_INPUT_DEPTH, rawInputIssues, refuseUnsafeRawInput } from './input-guards';

const nested = (levels: number, leaf: unknown = 1): unknown => {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
};

describe('rawInputIssues', () => {
  it('accepts ordinary input, paired surrogates (emoji) included', () => {
    expect(rawInputIssues({ name: 'latency 🚀', value: 1, context: { tags: ['a', { b: null }] } })).toEqual([]);
    expect(rawInputIssues(undefined)).toEqual([]);
    expect(rawInputIssues('plain')).toEqual([]);
  });

  it('refuses U+0000 in a string, naming the field', () => {
    expect(rawInputIssues({ category: 'rout\u0000ing' })).toEqual([{ path: ['category'], message: expect.stringContaining('U+0000') }]);
    expect(rawInputIssues({ list: ['ok', 'b\u0000d'] })).toEqual([{ path: ['list', 1], message: expect.stringContaining('U+0000') }]);
  });

  it('refuses lone surrogates, high or low, and keeps well-formed pairs', () => {
    expect(rawInputIssues({ a: 'x\uD800' })[0]?.path).toEqual(['a']);
    expect(rawInputIssues({ a: '\uDC00x' })[0]?.path).toEqual(['a']);
    expect(rawInputIssues({ a: '\uD83D\uDE80' })).toEqual([]);
  });

  it('refuses __proto__, constructor and prototype keys by name (a parser would drop __proto__ silently)', () => {
    const raw = JSON.parse('{"metadata":{"__proto__":{"admin":true},"ok":1,"nested":{"constructor":1,"prototype":2}}}');
    expect(rawInputIssues(raw)).toEqual([
      { path: ['metadata', '__proto__'], message: 'key "__proto__" is not allowed' },
      { path: ['metadata', 'nested', 'constructor'], message: 'key "constructor" is not allowed' },
      { path: ['metadata', 'nested', 'prototype'], message: 'key "prototype" is not allowed' },
    ]);
  });

  it('refuses a key PostgreSQL cannot store, showing it without the bad character', () => {
    expect(rawInputIssues({ context: { 'a\u0000b': 1 } })).toEqual([
      { path: ['context', 'a\uFFFDb'], message: expect.stringMatching(/^key .*U\+0000/) },
    ]);
  });

  it(`accepts ${MAX_INPUT_DEPTH} levels and refuses one more, at the path where it gets too deep`, () => {
    expect(rawInputIssues(nested(MAX_INPUT_DEPTH))).toEqual([]);
    const issues = rawInputIssues(nested(MAX_INPUT_DEPTH + 1));
    expect(issues).toHaveLength(1);
    expect(issues[0]!.path).toEqual(Array(MAX_INPUT_DEPTH).fill('a'));
    expect(issues[0]!.message).toContain(`at most ${MAX_INPUT_DEPTH} levels`);
    expect(rawInputIssues({ a: [[[1]]] }, { maxDepth: 3 })[0]?.path).toEqual(['a', 0, 0]);
  });

  it('walks 100,000 levels of arrays or objects without recursion (no stack overflow)', () => {
    const deepArray = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    expect(rawInputIssues({ context: deepArray })).toHaveLength(1);
    expect(rawInputIssues(nested(100_000))).toHaveLength(1);
  });

  it('stops at a cyclic value passed in-process instead of looping', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(rawInputIssues(cyclic)).toHaveLength(1);
  });

  it('reports at most 20 issues, so a hostile input does not make a hostile error', () => {
    const raw = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, '\u0000']));
    expect(rawInputIssues(raw)).toHaveLength(20);
  });

  it('refuseUnsafeRawInput throws a BAD_REQUEST HoneError naming each field, and passes clean input', () => {
    expect(() => refuseUnsafeRawInput({ name: 'ok' })).not.toThrow();
    const error = (() => {
      try {
        refuseUnsafeRawInput({ name: 'a\u0000', metadata: JSON.parse('{"__proto__":1}') });
      } catch (caught) {
        return caught as HoneError;
      }
      throw new Error('expected a refusal');
    })();
    expect(error).toBeInstanceOf(HoneError);
    expect(error.status).toBe(400);
    expect(error.issues.map((issue) => issue.path.join('.'))).toEqual(['name', 'metadata.__proto__']);
    expect(error.message).toMatch(
      /^name: must not contain the character U\+0000 \(NUL\); metadata\.__proto__: key "__proto__" is not allowed$/,
    );
  });

  it("leaves a batch's item lists to the item schema and still guards the rest of the input", () => {
    const raw = JSON.parse('{"metrics": [{"unit": "m\\u0000s"}, {"__proto__": 1}], "note": "a\\u0000", "__proto__": []}') as unknown;
    expect(rawInputIssues(raw).map((issue) => issue.path.join('.'))).toEqual([
      '__proto__',
      'metrics.0.unit',
      'metrics.1.__proto__',
      'note',
    ]);
    expect(rawInputIssues(raw, { itemLists: ['metrics'] }).map((issue) => issue.path.join('.'))).toEqual(['__proto__', 'note']);
    // A listed field that is not a list is guarded like any other value.
    expect(rawInputIssues({ metrics: { unit: '\u0000' } }, { itemLists: ['metrics'] })).toHaveLength(1);
  });
});
