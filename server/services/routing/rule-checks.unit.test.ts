import { describe, expect, it } from 'vitest';
import { CHECK_CORPUS } from './check-corpus';
import { compilePattern } from './matcher';
import { checkRoutingRuleSet, UNSAVED_RULE_ID, warningsConcerning, type CheckedRule, type RuleWarningKind } from './rule-checks';
import { witnessesOf } from './witnesses';

let nextId = 1;
const rule = (pattern: string, overrides: Partial<CheckedRule> = {}): CheckedRule => ({
  id: nextId++,
  pattern,
  priority: 0,
  state: 'active',
  layer: 'balanced',
  model: null,
  ...overrides,
});

const kinds = (report: ReturnType<typeof checkRoutingRuleSet>, ruleId: number): RuleWarningKind[] =>
  report.warnings.filter((w) => w.ruleId === ruleId).map((w) => w.kind);

describe('witnessesOf', () => {
  it.each([
    '.*implement.*algorithm.*',
    '(?i)\\b(refactor|migrate)\\b',
    'foo\\d{2,4}bar',
    '^\\s*$',
    '[^x]{3}y',
    '^(sql|SQL) query$',
    '\\p{Han}+',
    'a|b|c|d|e|f|g|h',
  ])('builds inputs that /%s/ matches, each different, within the cap', (pattern) => {
    const compilation = compilePattern(pattern);
    if (!compilation.ok) throw new Error(compilation.reason);
    const witnesses = witnessesOf(compilation.compiled, 10);
    expect(witnesses.length).toBeGreaterThan(0);
    expect(witnesses.length).toBeLessThanOrEqual(10);
    expect(new Set(witnesses).size).toBe(witnesses.length);
    for (const witness of witnesses) expect(compilation.compiled.test(witness)).toBe(true);
  });

  it('covers every branch of an alternation and varies a class', () => {
    const compilation = compilePattern('(alpha|beta|gamma)-\\d');
    if (!compilation.ok) throw new Error(compilation.reason);
    const witnesses = witnessesOf(compilation.compiled).join('\n');
    for (const branch of ['alpha-', 'beta-', 'gamma-']) expect(witnesses).toContain(branch);
    expect(new Set(witnessesOf(compilation.compiled).map((w) => /-(\d)/.exec(w)?.[1])).size).toBeGreaterThan(1);
  });

  it('builds nothing for a pattern that cannot match', () => {
    const compilation = compilePattern('a^b');
    if (!compilation.ok) throw new Error(compilation.reason);
    expect(witnessesOf(compilation.compiled)).toEqual([]);
  });
});

describe('unusable', () => {
  it('reports a stored pattern the engine refuses, with the reason, and checks the other rules', () => {
    const bad = rule('(?=a)b');
    const good = rule('hello');
    const report = checkRoutingRuleSet([bad, good], []);
    const warning = report.warnings.find((w) => w.ruleId === bad.id)!;
    expect(warning.kind).toBe('unusable');
    expect(warning.evidence.reason).toMatch(/lookaround/);
    expect(warning.message).toContain('(?=a)b');
    expect(kinds(report, good.id)).toEqual([]);
  });
});

describe('never_fires', () => {
  it('reports a rule whose every input a higher-priority rule matches, naming it, from its own pattern alone', () => {
    const broad = rule('implement', { priority: 10, layer: 'deep' });
    const narrow = rule('implement.*algorithm', { priority: 0, layer: 'fast' });
    const report = checkRoutingRuleSet([broad, narrow], []);
    const warning = report.warnings.find((w) => w.kind === 'never_fires')!;
    expect(warning).toMatchObject({ ruleId: narrow.id, evidence: { otherRuleIds: [broad.id], samples: { matched: 0, takenEarlier: 0 } } });
    expect(warning.evidence.witnesses!.matched).toBeGreaterThanOrEqual(3);
    expect(warning.evidence.witnesses!.takenEarlier).toBe(warning.evidence.witnesses!.matched);
    expect(warning.message).toContain(`rule #${broad.id}`);
    expect(kinds(report, broad.id)).toEqual([]);
  });

  it('is cleared by a single sample the rule takes itself', () => {
    const early = rule('postgres[x 7]?sql', { priority: 5 });
    // Its witnesses put nothing, "x", " " or "7" between the words: all taken by the rule above.
    const late = rule('postgres.*sql', { priority: 1, layer: 'deep' });
    expect(kinds(checkRoutingRuleSet([early, late], ['postgres sql']), late.id)).toEqual(['never_fires']);
    expect(kinds(checkRoutingRuleSet([early, late], ['postgres sql', 'postgres and sql']), late.id)).toEqual([]);
  });

  it('does not report a rule that a sample shows firing, though its witnesses are all taken earlier', () => {
    const early = rule('deploy', { priority: 3 });
    const late = rule('deploy|rollback now', { priority: 1, layer: 'fast' });
    const withoutSamples = checkRoutingRuleSet([early, late], []);
    // /deploy|rollback now/ has a witness "rollback now" that /deploy/ does not take: not shadowed at all.
    expect(kinds(withoutSamples, late.id)).not.toContain('never_fires');

    const shadowed = rule('deploy (prod|staging)', { priority: 1, layer: 'fast' });
    expect(kinds(checkRoutingRuleSet([early, shadowed], []), shadowed.id)).toContain('never_fires');
  });

  it('uses samples as evidence and names every rule that takes them', () => {
    const a = rule('^alpha', { priority: 9 });
    const b = rule('^beta', { priority: 8 });
    const c = rule('(alpha|beta) release', { priority: 1, layer: 'deep' });
    const report = checkRoutingRuleSet([a, b, c], ['alpha release notes', 'beta release plan', 'gamma']);
    const warning = report.warnings.find((w) => w.ruleId === c.id && w.kind === 'never_fires');
    // Its witnesses include "alpha release" bare and inside prose: prose ones start elsewhere, escaping ^alpha.
    expect(warning).toBeUndefined();
    const anchoredLate = rule('^(alpha|beta) release', { priority: 1, layer: 'deep' });
    const report2 = checkRoutingRuleSet([a, b, anchoredLate], ['alpha release notes', 'beta release plan', 'gamma']);
    const shadow = report2.warnings.find((w) => w.ruleId === anchoredLate.id && w.kind === 'never_fires')!;
    expect(shadow.evidence.otherRuleIds!.sort()).toEqual([a.id, b.id].sort());
    expect(shadow.evidence.samples).toEqual({ matched: 2, takenEarlier: 2 });
  });

  it('takes a single witness as evidence: for an anchored literal it is the only input the rule matches', () => {
    const early = rule('deploy', { priority: 2 });
    const late = rule('^deploy prod$', { priority: 1, layer: 'deep' });
    const warning = checkRoutingRuleSet([early, late], []).warnings[0]!;
    expect(warning).toMatchObject({ ruleId: late.id, kind: 'never_fires', evidence: { witnesses: { matched: 1, takenEarlier: 1 } } });
  });

  it('needs the minimum count of samples when no witness can be built', () => {
    // With no witnesses (capped at 0), the samples alone are the evidence and need the minimum count.
    const early = rule('sample', { priority: 2 });
    const late = rule('sample (one|two)', { priority: 1, layer: 'deep' });
    const withSamples = checkRoutingRuleSet([early, late], ['sample one', 'sample two'], { maxWitnessesPerRule: 0, minEvidence: 3 });
    expect(kinds(withSamples, late.id)).toEqual([]);
    const enough = checkRoutingRuleSet([early, late], ['sample one', 'sample two', 'sample one!'], {
      maxWitnessesPerRule: 0,
      minEvidence: 3,
    });
    expect(kinds(enough, late.id)).toEqual(['never_fires']);
  });

  it('counts only active rules as taking inputs, and says a shadow rule would never decide', () => {
    const inactive = rule('refactor', { priority: 9, state: 'inactive' });
    const shadowAhead = rule('refactor', { id: 900, priority: 8, state: 'shadow' });
    const late = rule('refactor the (api|cli)', { priority: 1 });
    expect(kinds(checkRoutingRuleSet([inactive, shadowAhead, late], []), late.id)).toEqual([]);

    const active = rule('refactor', { priority: 9 });
    const shadowBehind = rule('refactor the (api|cli)', { priority: 1, state: 'shadow' });
    const report = checkRoutingRuleSet([active, shadowBehind], []);
    expect(report.warnings.find((w) => w.ruleId === shadowBehind.id)!.message).toContain('would never decide');
  });

  it('checks an unsaved rule under UNSAVED_RULE_ID', () => {
    const early = rule('(?i)translate', { priority: 1 });
    const candidate = { ...rule('translate (this|that) into french'), id: UNSAVED_RULE_ID };
    const warning = checkRoutingRuleSet([early, candidate], []).warnings[0]!;
    expect(warning).toMatchObject({ ruleId: UNSAVED_RULE_ID, kind: 'never_fires' });
    expect(warning.message).toMatch(/^The rule being written can never fire/);
  });
});

describe('overlap', () => {
  it('reports equal-priority rules that both match an input and route it differently', () => {
    const ahead = rule('\\bsql\\b', { layer: 'fast' });
    const behind = rule('optimi[sz]e', { layer: 'deep' });
    const report = checkRoutingRuleSet([ahead, behind], ['please optimize this sql query']);
    const warning = report.warnings.find((w) => w.kind === 'overlap')!;
    expect(warning).toMatchObject({
      ruleId: behind.id,
      evidence: { otherRuleIds: [ahead.id], examples: ['please optimize this sql query'] },
    });
    expect(warningsConcerning(report.warnings, ahead.id)).toEqual([warning]);
  });

  it('finds overlaps in witnesses when no sample shows one', () => {
    const ahead = rule('error', { layer: 'fast' });
    const behind = rule('(error|warning) in (prod|staging)', { layer: 'deep' });
    // Not a never_fires: "warning in prod" escapes /error/.
    expect(kinds(checkRoutingRuleSet([ahead, behind], []), behind.id)).toEqual(['overlap']);
  });

  it('says when overlapping rules route to the same place: only the attribution of hits is at stake', () => {
    const ahead = rule('error', { layer: 'fast' });
    const behind = rule('error|warning', { layer: 'fast' });
    const warning = checkRoutingRuleSet([ahead, behind], []).warnings[0]!;
    expect(warning).toMatchObject({ ruleId: behind.id, kind: 'overlap' });
    expect(warning.message).toContain('both route to the same place');
  });

  it('is silent for different priorities, disjoint rules and inactive rules', () => {
    const a = rule('error', { layer: 'fast', priority: 1 });
    const b = rule('error (in|at) prod', { layer: 'deep', priority: 0 });
    const d = rule('^hello$', { layer: 'deep', priority: 1 });
    const e = rule('error', { id: 901, layer: 'deep', priority: 1, state: 'inactive' });
    const report = checkRoutingRuleSet([a, d, e, b], ['error in prod', 'hello']);
    expect(report.warnings.filter((w) => w.kind === 'overlap')).toEqual([]);
  });
});

describe('matches_empty and matches_almost_everything', () => {
  it('reports a pattern that matches the empty string', () => {
    const r = rule('(please)?');
    expect(kinds(checkRoutingRuleSet([r], []), r.id)).toEqual(['matches_empty', 'matches_almost_everything']);
    const anchored = rule('^$');
    expect(kinds(checkRoutingRuleSet([anchored], []), anchored.id)).toEqual(['matches_empty']);
  });

  it('judges breadth on the built-in corpus when few samples are stored', () => {
    const broad = rule('[a-z ]');
    const report = checkRoutingRuleSet([broad], ['only one sample']);
    const warning = report.warnings.find((w) => w.kind === 'matches_almost_everything')!;
    expect(warning.evidence.share).toMatchObject({ basis: 'corpus', of: CHECK_CORPUS.length });
    expect(report.checked.corpusUsed).toBe(true);
    expect(kinds(checkRoutingRuleSet([rule('(?i)algorithm')], []), nextId - 1)).toEqual([]);
  });

  it('judges breadth on the samples when there are enough, with a configurable share', () => {
    const r = rule('report');
    const samples = [...Array.from({ length: 17 }, (_, i) => `report ${i}`), 'a', 'b', 'c'];
    expect(kinds(checkRoutingRuleSet([r], samples), r.id)).toEqual([]); // 85%
    const warning = checkRoutingRuleSet([r], samples, { almostEverythingShare: 0.85 }).warnings[0]!;
    expect(warning).toMatchObject({ kind: 'matches_almost_everything', evidence: { share: { matched: 17, of: 20, basis: 'samples' } } });
  });
});

describe('bounds and focus', () => {
  it('caps samples and their length', () => {
    const r = rule('needle$');
    const long = `${'x'.repeat(5000)}needle`;
    const report = checkRoutingRuleSet([r], [long, ...Array.from({ length: 30 }, () => 'hay')], { maxSamples: 10 });
    expect(report.checked.samples).toBe(10);
    expect(report.checked.complete).toBe(true);
  });

  it('stops at the time budget and says the report is incomplete', () => {
    const rules = Array.from({ length: 40 }, (_, i) => rule(`word${i}|common`, { layer: i % 2 ? 'fast' : 'deep' }));
    const report = checkRoutingRuleSet(rules, [], { budgetMs: 0 });
    expect(report.checked.complete).toBe(false);
  });

  it('names for each rule the warnings concerning it, whichever side of them it is on', () => {
    const a = rule('alpha', { priority: 5 });
    const b = rule('alpha beta', { priority: 1 }); // shadowed by a
    const c = rule('gamma', { layer: 'fast', priority: 1 });
    const d = rule('gamma|delta', { layer: 'deep', priority: 1 }); // overlaps c
    const all = checkRoutingRuleSet([a, b, c, d], []);
    expect(all.warnings.map((w) => [w.ruleId, w.kind])).toEqual([
      [b.id, 'never_fires'],
      [d.id, 'overlap'],
    ]);
    expect(warningsConcerning(all.warnings, a.id).map((w) => w.ruleId)).toEqual([b.id]);
    expect(warningsConcerning(all.warnings, c.id).map((w) => w.ruleId)).toEqual([d.id]);
  });

  it('with a focus, answers exactly the warnings concerning that rule', () => {
    const rules = [
      rule('(?i)deploy', { priority: 5, layer: 'fast' }),
      rule('deploy (prod|staging)', { priority: 5, layer: 'deep', state: 'shadow' }),
      rule('rollback|deploy', { priority: 5, layer: 'deep' }),
      rule('(a)\\1', { priority: 4 }),
      rule('sql', { priority: 3, layer: 'fast' }),
      rule('optimi[sz]e', { priority: 3, layer: 'deep' }),
      rule('optimi[sz]e (the|this) (query|sql)', { priority: 1, layer: 'balanced' }),
      rule('(please)?', { priority: -1, layer: 'balanced', state: 'inactive' }),
      rule('^$', { priority: -2, layer: 'fast' }),
    ];
    const samples = ['deploy to prod now', 'optimize this sql', 'rollback please', 'sql', 'nothing at all'];
    const all = checkRoutingRuleSet(rules, samples);
    expect(new Set(all.warnings.map((w) => w.kind))).toEqual(
      new Set(['never_fires', 'overlap', 'unusable', 'matches_empty', 'matches_almost_everything']),
    );
    for (const { id } of rules) {
      expect(checkRoutingRuleSet(rules, samples, { focusRuleId: id }).warnings).toEqual(warningsConcerning(all.warnings, id));
    }
  });
});
