import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePattern, compilePatternSet, compileRuleSet } from './matcher';

/** The answer without a prefilter: every usable pattern, in order, until one matches. */
function firstMatchByRunningEvery(patterns: readonly string[]): (input: string) => number {
  const tests = patterns.map((pattern) => {
    const compilation = compilePattern(pattern);
    return compilation.ok ? (input: string) => compilation.compiled.test(input) : () => false;
  });
  return (input) => tests.findIndex((test) => test(input));
}

// Small alphabets so that random patterns and inputs share literals often, and matches are common.
const word = fc.constantFrom('ab', 'ba', 'abc', 'cab', 'x', 'xy', 'bug', 'Bug', 'fix', 'é', 'ſ', 'K', 'k', '😀');
const atom: fc.Arbitrary<string> = fc.oneof(
  word,
  fc.constantFrom('.', '\\d', '\\w', '[a-c]', '[^a]', '\\b', '\\B', '^', '$', '(?:)', '\\s', '[sz]'),
);
const piece = fc.tuple(atom, fc.constantFrom('', '', '', '*', '+', '?', '{2}', '{0,2}', '{1,3}')).map(([a, q]) => {
  if (q === '' || /^[\\^$]|^\(|^\[/.test(a) || a.length === 1) return a + q;
  return `(?:${a})${q}`;
});
const sequence = fc.array(piece, { minLength: 1, maxLength: 4 }).map((pieces) => pieces.join(''));
const group = fc.oneof(
  sequence,
  fc.array(sequence, { minLength: 2, maxLength: 3 }).map((alternatives) => `(${alternatives.join('|')})`),
);
const pattern = fc
  .tuple(fc.constantFrom('', '', '', '(?i)', '^', '(?i)^', '(?s)'), fc.array(group, { minLength: 1, maxLength: 3 }))
  .map(([flags, groups]) => flags + groups.join(''));
const inputText = fc
  .array(fc.oneof(word, fc.constantFrom(' ', '\n', 'a', 'b', 'c', 'B', 'A', '1', 'z', 's', 'S', 'K', 'é', 'É', '\ud83d')), {
    maxLength: 30,
  })
  .map((parts) => parts.join(''));

describe('the literal prefilter gives the answer of running every rule in order', () => {
  it('on random rule sets and inputs', () => {
    fc.assert(
      fc.property(
        fc.array(pattern, { minLength: 1, maxLength: 12 }),
        fc.array(inputText, { minLength: 1, maxLength: 6 }),
        (patterns, inputs) => {
          const set = compilePatternSet(patterns);
          const expected = firstMatchByRunningEvery(patterns);
          for (const input of inputs) expect(set.firstMatchIndex(input)).toBe(expected(input));
          const compiled = patterns.map((p) => compilePattern(p));
          for (const input of inputs) {
            const every = compiled.flatMap((c, index) => (c.ok && c.compiled.test(input) ? [index] : []));
            expect(set.allMatchIndexes(input)).toEqual(every);
          }
        },
      ),
      { numRuns: 300, seed: 20261126 },
    );
  });

  it('on realistic rules, case-insensitive ones included', () => {
    const rules = [
      '^(hi|hello|hey|thanks)\\b',
      '(?i)\\bsecurity review\\b',
      '\\b(refactor|debug|optimi[sz]e)\\b',
      '.*implement.*algorithm.*',
      '\\b(sql|query)\\b.*optimi[sz]e',
      '[A-Z]{2,}\\d+',
      'stack ?trace|exception|traceback',
    ].map((p, id) => ({ id, pattern: p }));
    const set = compileRuleSet(rules);
    const decide = (input: string) => set.firstMatch(input)?.id ?? null;
    expect(decide('hello there, please refactor')).toBe(0);
    expect(decide('Please do a SECURITY Review of this')).toBe(1);
    expect(decide('could you optimise this loop')).toBe(2);
    expect(decide('optimi and e apart do not match')).toBe(null);
    expect(decide('implement a sorting algorithm')).toBe(3);
    expect(decide('algorithm first, implement later')).toBe(null);
    expect(decide('this SQL query is slow, optimize it')).toBe(2);
    expect(decide('the sql is slow: can it be optimised')).toBe(4);
    expect(decide('error ABC123 happened')).toBe(5);
    expect(decide('a Traceback appeared')).toBe(null);
    expect(decide('a traceback appeared')).toBe(6);
    // U+212A KELVIN SIGN and U+017F LONG S match k and s case-insensitively in RE2.
    expect(compileRuleSet([{ pattern: '(?i)kiss' }]).firstMatch('\u212Ai\u017FS')).not.toBeNull();
  });
});

describe('required literals', () => {
  const required = (p: string) => {
    const compilation = compilePattern(p);
    if (!compilation.ok) throw new Error(compilation.reason);
    return compilation.compiled.requiredLiterals;
  };

  it('come from the parsed pattern: alternations, sequences, repetitions', () => {
    expect(required('\\b(refactor|debug|optimi[sz]e)\\b')).toEqual({
      anyOf: [{ literal: 'refactor' }, { literal: 'debug' }, { allOf: [{ literal: 'optimi' }, { literal: 'e' }] }],
    });
    expect(required('.*implement.*algorithm.*')).toEqual({ allOf: [{ literal: 'implement' }, { literal: 'algorithm' }] });
    expect(required('^fix(es)?')).toEqual({ literal: 'fix' });
    expect(required('x(?:yz)*w')).toEqual({ allOf: [{ literal: 'x' }, { literal: 'w' }] });
  });

  it('are lower case when matched case-insensitively, and ASCII only', () => {
    expect(required('(?i)\\bSecurity Review\\b')).toEqual({ literal: 'security review', caseInsensitive: true });
    expect(required('abc|(?i:DEF)')).toEqual({ anyOf: [{ literal: 'abc' }, { literal: 'def', caseInsensitive: true }] });
    expect(required('(?i)café')).toBeNull();
  });

  it('are none when a match can do without any: optional parts, classes, alternatives without one', () => {
    expect(required('(?:abc)?\\d+')).toBeNull();
    expect(required('abc|\\d')).toBeNull();
    expect(required('[A-Z]{2,}')).toBeNull();
  });
});
