import { describe, expect, it } from 'vitest';
import { compilePattern, compileRuleSet, MATCHED_INPUT_CHARS, patternProblem } from './matcher';

const matches = (pattern: string, input: string) => {
  const compilation = compilePattern(pattern);
  if (!compilation.ok) throw new Error(`${pattern} ${compilation.reason}`);
  return compilation.compiled.test(input);
};

describe('the matcher keeps JavaScript meaning for the common syntax', () => {
  // The spec's rule, the demo's rules and everyday syntax: RE2 and RegExp must agree on every input.
  const patterns = [
    '.*implement.*algorithm.*',
    '\\b(refactor|migrate)\\b',
    'stack ?trace|exception|traceback',
    '^(hi|hello|hey|thanks)\\b',
    '\\b(summari[sz]e|tl;?dr)\\b',
    '\\b(sql|query)\\b.*optimi[sz]e',
    '[A-Z]{2,}\\d+',
    '\\d{3}-\\d{4}$',
    '^$',
    'a.c',
    '(?<word>deploy)s?',
    '\\u0041\\x42\\cJ?',
    '[^]x',
    'path\\/to',
  ];
  const inputs = [
    '',
    'please implement a sorting algorithm',
    'implement the ALGORITHM',
    'algorithm then implement',
    'refactor this',
    'prefactoring',
    'Stack trace: exception at line 3',
    'hi there',
    'this, hi',
    'summarise the text; tl;dr',
    'sql: please optimise',
    'optimise the sql',
    'ABC123',
    'call 555-1234',
    'call 555-1234\n',
    'abc a\nc',
    'deploys',
    'AB\n',
    'AB',
    '\nx',
    'a path/to file',
    'héllo wörld implement ünïcode algorithm 😀',
  ];
  it.each(patterns)('%s', (pattern) => {
    for (const input of inputs) expect(matches(pattern, input), JSON.stringify(input)).toBe(new RegExp(pattern).test(input));
  });

  it('takes (?i) for case-insensitive matching', () => {
    expect(matches('(?i)implement.*algorithm', 'IMPLEMENT an Algorithm')).toBe(true);
    expect(matches('implement.*algorithm', 'IMPLEMENT an Algorithm')).toBe(false);
  });
});

describe('patterns the linear-time matcher cannot run are refused with the reason', () => {
  it.each([
    ['\\s*\\s*\\s*(?=X)', /lookaround/],
    ['(?=.*implement)(?=.*algorithm)', /lookaround/],
    ['(?!x)y', /lookaround/],
    ['(?<=a)b', /lookaround/],
    ['(a)\\1', /backreference/],
    ['(?<n>a)\\k<n>', /backreference/],
    ['(a{1,99}b{1,99}c{1,99}){1,99}', /repeats too much.*RE2: .*invalid repeat count/],
    ['a{1001}', /repeats too much/],
    ['(.*a){51}', /51 loops/],
    ['.*a'.repeat(51), /51 loops/],
    ['(', /not a valid regular expression/],
    ['\\p{L}{1000}\\p{N}', /has 1,001 character-class steps in sequence.*more than the 64 allowed/],
    ['[a-z]{65}', /65 character-class steps/],
    ['.{100}x', /100 character-class steps/],
    ['(?i)' + 'abcdefgh'.repeat(9), /72 character-class steps/],
    ['(\\p{L}\\d){33}', /66 character-class steps/],
  ])('%s', (pattern, reason) => {
    expect(patternProblem(pattern)).toMatch(reason);
  });

  it('accepts what RE2 runs in linear time, exponential-backtracking shapes included', () => {
    for (const pattern of ['(a+)+$', '(a|a)*$', '([a-z]+)*@', 'y'.repeat(1000), '(.*a){50}', 'a\\\\k<n>'])
      expect(patternProblem(pattern), pattern).toBeNull();
  });

  it('accepts the rules of the spec and the demo, class steps inside loops, and up to 64 class steps in sequence', () => {
    const accepted = [
      '.*implement.*algorithm.*',
      '(?i)implement.*algorithm',
      '\\b(fix|bug)\\b',
      '(?i)\\b(refactor|migrate|rename)\\b',
      '[a-z]{64}',
      '(?i)' + 'abcdefgh'.repeat(8),
      '\\p{L}+\\p{N}',
      '(?:[a-z]+\\d){50}',
      '[ab]*a[ab]{62}\\d',
    ];
    for (const pattern of accepted) expect(patternProblem(pattern), pattern).toBeNull();
  });

  it('treats an escaped backslash before k<…> as a literal, not a backreference', () => {
    expect(matches('a\\\\k<n>', 'a\\k<n>')).toBe(true);
  });
});

describe('compileRuleSet', () => {
  const rules = [
    { id: 1, pattern: '(?=x)x' },
    { id: 2, pattern: 'deploy' },
    { id: 3, pattern: 'deploy|ship' },
  ];

  it('answers the first matching rule in the given order and leaves out rules that do not compile', () => {
    const ruleSet = compileRuleSet(rules);
    expect(ruleSet.firstMatch('deploy it')?.id).toBe(2);
    expect(ruleSet.firstMatch('ship it')?.id).toBe(3);
    expect(ruleSet.firstMatch('x')).toBeNull();
    expect(ruleSet.unusable).toEqual([{ rule: rules[0], reason: expect.stringMatching(/lookaround/) }]);
  });

  it('looks only at the first 32 KiB of the input', () => {
    const ruleSet = compileRuleSet([{ pattern: 'needle' }]);
    expect(ruleSet.firstMatch('x'.repeat(MATCHED_INPUT_CHARS - 6) + 'needle')).not.toBeNull();
    expect(ruleSet.firstMatch('x'.repeat(MATCHED_INPUT_CHARS - 5) + 'needle')).toBeNull();
  });

  it('matches (a+)+$ on a hostile input in linear time', () => {
    const ruleSet = compileRuleSet([{ pattern: '(a+)+$' }]);
    const started = performance.now();
    expect(ruleSet.firstMatch('a'.repeat(MATCHED_INPUT_CHARS - 1) + '!')).toBeNull();
    // A backtracking engine needs longer than the age of the universe here; a generous bound is enough to tell.
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
