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

  it('with the sparse automaton kept for very large literal sets, too', () => {
    fc.assert(
      fc.property(
        fc.array(pattern, { minLength: 1, maxLength: 12 }),
        fc.array(inputText, { minLength: 1, maxLength: 6 }),
        (patterns, inputs) => {
          const set = compilePatternSet(patterns, { denseTableLimit: 0 });
          const expected = firstMatchByRunningEvery(patterns);
          for (const input of inputs) expect(set.firstMatchIndex(input)).toBe(expected(input));
        },
      ),
      { numRuns: 100, seed: 20261127 },
    );
  });

  it('when many patterns without literals are run as combined programs (more than one group of them)', () => {
    // 150 literal-free or single-character patterns, interleaved with literal ones: three groups of at most 64.
    const patterns = Array.from({ length: 300 }, (_, i) =>
      i % 2 === 0
        ? `\\b[A-Z]{2}\\d{${1 + (i % 7)},${8 + (i % 40)}}\\b|x{${i + 2}}`
        : i % 3 === 0
          ? `\\b(w${i}|v${i})\\b`
          : `\\d{3}-${i % 10}`,
    );
    const set = compilePatternSet(patterns);
    expect(set.unusable).toEqual([]);
    const expected = firstMatchByRunningEvery(patterns);
    const inputs = ['', 'no digits here', 'see AB1234', 'w9 and 123-9', 'x'.repeat(40), 'v3 w3', `${'x'.repeat(302)}`, '12-3 AB1'];
    for (const input of inputs) expect(set.firstMatchIndex(input)).toBe(expected(input));
  });

  it('on literal alternations between word boundaries, which the automaton decides without running them', () => {
    // Words that start or end with k, s (folded to U+212A, U+017F under (?i)), digits, _ or punctuation; inputs that
    // put them inside longer words, next to those folded letters, and past the automaton's few boundary checks.
    const piece = fc.constantFrom('ab', 'k', 's', 'ks', 'x1', '_', 'a-b', 'é', 'bug', 'Bug', '-', ' ', 'fix', 'ſ', 'K');
    const alternatives = fc.array(
      fc.array(piece, { minLength: 1, maxLength: 3 }).map((p) => p.join('')),
      { minLength: 1, maxLength: 4 },
    );
    const literalPattern = fc
      .tuple(fc.constantFrom('', '(?i)'), fc.constantFrom('', '\\b'), alternatives, fc.constantFrom('', '?'), fc.constantFrom('', '\\b'))
      .map(([flags, before, words, quest, after]) => `${flags}${before}(${words.join('|')})${quest ? '[sz]?' : ''}${after}`);
    const text = fc
      .array(fc.oneof(piece, fc.constantFrom('\u212a', '\u017f', 'A', '9', '.', 'abab', 'kk', 'ss')), { maxLength: 40 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(
        fc.array(literalPattern, { minLength: 1, maxLength: 8 }),
        fc.array(text, { minLength: 1, maxLength: 6 }),
        (patterns, inputs) => {
          const set = compilePatternSet(patterns);
          const expected = firstMatchByRunningEvery(patterns);
          for (const input of inputs) expect(set.firstMatchIndex(input)).toBe(expected(input));
        },
      ),
      { numRuns: 400, seed: 20261128 },
    );
    // Past the automaton's boundary checks of a literal (near misses first), the pattern is still decided right.
    const set = compilePatternSet(['\\b(bug|fix)\\b', '(?i)\\bsecurity review\\b']);
    const nearMisses = 'debug bugs prefix fixes '.repeat(12);
    expect(set.firstMatchIndex(nearMisses)).toBe(-1);
    expect(set.firstMatchIndex(`${nearMisses} a bug`)).toBe(0);
    expect(set.firstMatchIndex(`${'insecurity reviews '.repeat(12)} SECURITY REVIEW`)).toBe(1);
    expect(set.firstMatchIndex('insecurity reviews '.repeat(12))).toBe(-1);
    // Under (?i), k and s match U+212A and U+017F, which are not word characters: no boundary after them.
    const folded = compilePatternSet(['(?i)\\b(as|bs)\\b']);
    expect(folded.firstMatchIndex('a\u017f')).toBe(-1);
    expect(folded.firstMatchIndex('a\u017fx')).toBe(0);
    expect(folded.firstMatchIndex('AS.')).toBe(0);
  });

  it('on patterns anchored at the start, which are only tried there', () => {
    const set = compilePatternSet(['^(hi|hello)\\b', '(?i)^thanks', '^\\s*$', '(?m)^done$']);
    expect(set.firstMatchIndex('hello there')).toBe(0);
    expect(set.firstMatchIndex('oh, hello there')).toBe(-1);
    expect(set.firstMatchIndex('THANKS a lot')).toBe(1);
    expect(set.firstMatchIndex('  \n ')).toBe(2);
    expect(set.firstMatchIndex('first\ndone')).toBe(3);
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

describe('the first match and every match among collected patterns, in one pass', () => {
  it('gives the first match among the others, and all matches among the collected ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(pattern, fc.boolean()), { minLength: 1, maxLength: 12 }),
        fc.array(inputText, { minLength: 1, maxLength: 6 }),
        (flagged, inputs) => {
          const patterns = flagged.map(([p]) => p);
          const collect = flagged.map(([, c]) => c);
          const set = compilePatternSet(patterns);
          const tests = patterns.map((p) => {
            const compilation = compilePattern(p);
            return compilation.ok ? (input: string) => compilation.compiled.test(input) : () => false;
          });
          for (const input of inputs) {
            const matching = tests.flatMap((test, i) => (test(input) ? [i] : []));
            expect(set.firstMatchAndCollected(input, collect)).toEqual({
              first: matching.find((i) => !collect[i]) ?? -1,
              collected: matching.filter((i) => collect[i]),
            });
            // Interleaved with plain decisions, which share the set's per-decision state.
            expect(set.firstMatchIndex(input)).toBe(matching[0] ?? -1);
          }
        },
      ),
      { numRuns: 200, seed: 20261128 },
    );
  });

  it('names shadow-like rules after the deciding one too', () => {
    const set = compilePatternSet(['\\bdeploy\\b', '\\bdeploy', 'deploy', '\\d+']);
    expect(set.firstMatchAndCollected('deploy 3 times', [false, true, false, true])).toEqual({ first: 0, collected: [1, 3] });
    expect(set.firstMatchAndCollected('redeploy', [false, true, false, true])).toEqual({ first: 2, collected: [] });
    expect(set.firstMatchAndCollected('nothing', [true, true, true, true])).toEqual({ first: -1, collected: [] });
  });
});

describe('required character classes', () => {
  const classes = (p: string) => {
    const compilation = compilePattern(p);
    if (!compilation.ok) throw new Error(compilation.reason);
    return compilation.compiled.requiredClasses;
  };

  it('come from classes a match cannot do without', () => {
    expect(classes('[\\u0400-\\u04ff]{2}')).toEqual([
      [0x400, 0x4ff],
      [0x400, 0x4ff],
    ]);
    expect(classes('\\b\\d+ ?[-+] ?\\d')).toEqual([
      [48, 57],
      [43, 43, 45, 45],
      [48, 57],
    ]);
    expect(classes('a?\\d*|x')).toEqual([]);
    // A case-folded class is left out rather than folded again.
    expect(classes('(?i)[a-c]')).toEqual([]);
  });

  it('keep a literal-free pattern from running on input without them, with the same answers', () => {
    const patterns = ['[\\u0400-\\u04ff]{3,}', '\\b\\d+ ?[-+*/] ?\\d+\\b', '😀\\d'];
    const set = compilePatternSet(patterns);
    const expected = firstMatchByRunningEvery(patterns);
    for (const input of ['plain prose', 'привет', 'when 2 + 2 is 4', 'no 2 digits + ops', '😀7', '\ud83d7']) {
      expect(set.firstMatchIndex(input)).toBe(expected(input));
    }
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
      anyOf: [
        { literal: 'refactor', wordBefore: true, wordAfter: true },
        { literal: 'debug', wordBefore: true, wordAfter: true },
        {
          allOf: [
            { literal: 'optimi', wordBefore: true },
            { literal: 'e', wordAfter: true },
          ],
        },
      ],
    });
    expect(required('.*implement.*algorithm.*')).toEqual({ allOf: [{ literal: 'implement' }, { literal: 'algorithm' }] });
    expect(required('^fix(es)?')).toEqual({ literal: 'fix' });
    expect(required('x(?:yz)*w')).toEqual({ allOf: [{ literal: 'x' }, { literal: 'w' }] });
  });

  it('are marked where the pattern puts a word boundary next to them, when they start or end with a word character', () => {
    expect(required('\\b(milox|mimix)\\b')).toEqual({
      allOf: [
        { literal: 'mi', wordBefore: true },
        {
          anyOf: [
            { literal: 'lox', wordAfter: true },
            { literal: 'mix', wordAfter: true },
          ],
        },
      ],
    });
    expect(required('\\b-x\\b')).toEqual({ literal: '-x', wordAfter: true });
    expect(required('\\b(?:ab)+c')).toEqual({ allOf: [{ literal: 'ab', wordBefore: true }, { literal: 'c' }] });
  });

  it('at a word boundary keep a rule from running on a longer word, with the same answers', () => {
    const patterns = ['\\b(test|tests)\\b', '\\btest', 'test\\b', '\\b_x\\b', 'x\\b\\.y'];
    const set = compilePatternSet(patterns);
    const expected = firstMatchByRunningEvery(patterns);
    for (const input of ['the latest build', 'latest tests', 'testing', 'attest', 'a test.', '_x_', '(_x)', 'x.y', 'xx.y', 'test']) {
      expect(set.firstMatchIndex(input)).toBe(expected(input));
    }
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
