// The hostile-input generators say what they send: raw JSON arrives as written, keys stay own keys, a query carries
// what a URL can, and the fixed cases touch every field of a tool.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ingestTool } from '../tools/ingest';
import { recordMetricTool } from '../tools/metrics';
import { tools } from '../tools/registry';
import { deepJson, fixedHostileCases, hostileInputs, jsonText, percentEncode, queryText, RawJson, toolShape } from './hostile-input';

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

describe('jsonText', () => {
  it('splices raw JSON as written and keeps a __proto__ key as an own key', () => {
    const value = { latencyMs: new RawJson('1e400'), skipped: undefined };
    Object.defineProperty(value, '__proto__', { value: { polluted: true }, enumerable: true });
    expect(jsonText(value)).toBe('{"latencyMs":1e400,"__proto__":{"polluted":true}}');
    expect(JSON.parse(jsonText(value)).latencyMs).toBe(Infinity);
  });

  it('nests 100,000 levels without a stack', () => {
    expect(jsonText({ context: deepJson(100_000) })).toHaveLength('{"context":}'.length + 100_000 * 6 + 1);
  });
});

describe('percentEncode', () => {
  it('round-trips well-formed text through a query, U+0000 and emoji included', () => {
    for (const text of ['a b&c=d', '\u0000', '🚀é', '%ZZ', '+']) {
      expect(new URLSearchParams(`k=${percentEncode(text)}`).get('k')).toBe(text);
    }
  });

  it('writes a lone surrogate as the bytes UTF-8 would give it, which arrive as U+FFFD', () => {
    expect(percentEncode('a\uD800')).toBe('a%ED%A0%80');
    expect(new URLSearchParams(`k=${percentEncode('\uDC00')}`).get('k')).toBe('\uFFFD\uFFFD\uFFFD');
  });

  it('makes one query parameter per field, JSON for objects', () => {
    expect(queryText({ limit: 5, context: { a: [1] }, name: 'x y' })).toBe('limit=5&context=%7B%22a%22%3A%5B1%5D%7D&name=x%20y');
  });
});

describe('fixedHostileCases', () => {
  it('puts U+0000 in every text and JSON field of a tool, all in one input', () => {
    const [nul] = fixedHostileCases(recordMetricTool, recordMetricTool.example);
    expect(nul!.mustName).toEqual(['name', 'unit', 'context', 'recordedAt']);
    const input = JSON.parse(decode(nul!.body));
    expect(input.name).toContain('\u0000');
    expect(input.value).toBe(156.7);
  });

  it('nests every field of every tool 1,000 levels deep in one case', () => {
    for (const tool of tools) {
      const fields = [...toolShape(tool).properties.keys()];
      const deep = fixedHostileCases(tool, {}).find((hostile) => hostile.steps[0]!.startsWith('every field nested'));
      if (fields.length === 0) continue;
      expect(deep!.mustName, tool.name).toEqual(fields);
    }
  });

  it("poisons a batch's item alone in its list: U+0000 in its text, its JSON nested 1,000 levels", () => {
    const poisoned = fixedHostileCases(ingestTool, ingestTool.example).filter((hostile) => hostile.poisonedItem);
    expect(poisoned.map((hostile) => hostile.poisonedItem)).toEqual([
      ['modelCalls', 0],
      ['metrics', 0],
      ['metrics', 0],
      ['bugReports', 0],
    ]);
    const deep = JSON.parse(decode(poisoned[2]!.body));
    expect(Object.keys(deep)).toEqual(['metrics']);
    expect(JSON.stringify(deep.metrics[0].context)).toHaveLength(6 * 1_000 + 1);
  });
});

describe('hostileInputs', () => {
  it('makes cases of every kind from an example, each with bytes to send and the fields it touched', () => {
    const cases = fc.sample(hostileInputs(recordMetricTool, recordMetricTool.example), { numRuns: 300, seed: 7 });
    const known = new Set(toolShape(recordMetricTool).properties.keys());
    expect(cases.some((hostile) => hostile.fields.length === 0)).toBe(true);
    expect(cases.some((hostile) => hostile.fields.some((field) => !known.has(field)))).toBe(true);
    expect(cases.some((hostile) => hostile.steps.some((step) => step.startsWith('without')))).toBe(true);
    expect(cases.some((hostile) => hostile.steps.some((step) => step.startsWith('bytes')))).toBe(true);
    for (const hostile of cases) {
      expect(hostile.body).toBeInstanceOf(Uint8Array);
      expect(typeof hostile.query()).toBe('string');
    }
  });
});
