import { describe, expect, it } from 'vitest';
import { draftVerdict } from './draft-rule';

describe('draftVerdict', () => {
  const draft = { pattern: '\\bsql\\b', preferredLayer: 'deep', preferredModel: 'gpt-4o', priority: 50 };

  it('wins when it matches and no saved rule of higher priority matched', () => {
    expect(draftVerdict(draft, 'optimise this sql', null)).toEqual({ kind: 'would-win', layer: 'deep', model: 'gpt-4o', policy: null });
    // Equal priority: the just-saved rule is the most recently updated, so it goes first.
    expect(draftVerdict(draft, 'optimise this sql', { ruleId: 3, priority: 50 })).toMatchObject({ kind: 'would-win' });
  });

  it('names the policy, not the model, when the rule names an adaptive policy', () => {
    expect(draftVerdict({ ...draft, policy: 'sql models' }, 'optimise this sql', null)).toEqual({
      kind: 'would-win',
      layer: 'deep',
      model: null,
      policy: 'sql models',
    });
  });

  it('is shadowed by a matching saved rule of higher priority', () => {
    expect(draftVerdict(draft, 'optimise this sql', { ruleId: 3, priority: 80 })).toEqual({
      kind: 'shadowed',
      byRuleId: 3,
      byPriority: 80,
    });
  });

  it('says so when it does not match or does not compile', () => {
    expect(draftVerdict(draft, 'hello', null)).toEqual({ kind: 'no-match' });
    expect(draftVerdict({ ...draft, pattern: '(' }, 'sql', null)).toEqual({ kind: 'invalid' });
    // Valid JavaScript, but not a pattern the router can run: it would be refused on save.
    expect(draftVerdict({ ...draft, pattern: 'sql(?=!)' }, 'sql!', null)).toEqual({ kind: 'invalid' });
    expect(draftVerdict({ ...draft, pattern: '' }, 'sql', null)).toEqual({ kind: 'no-match' });
  });
});
