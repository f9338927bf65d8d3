import { describe, expect, it } from 'vitest';
import type { RoutingSuggestion, RoutingSuggestions } from '@/server/services/suggestions/suggest';
import { suggestionRow, suggestionsView } from './suggestions';

const cheaper: RoutingSuggestion = {
  id: 'cheaper_model:rule-2:v5:small',
  kind: 'cheaper_model',
  ruleId: 2,
  versionId: 5,
  title: 'small is as good as big for rule 2 and cheaper',
  evidence: 'small succeeded in 96.0% of 200 calls…',
  sampleSize: 1200,
  interval: { low: 92.345, high: 97.81 },
  impact: 1,
  action: {
    shadowRule: {
      pattern: '(?:translate)',
      preferredLayer: 'deep',
      preferredModel: 'small',
      priority: 6,
      state: 'shadow',
      reasoning: 'r',
    },
    experiment: {
      name: 'rule 2: small vs control',
      ruleId: 2,
      arms: [
        { name: 'control', variant: { kind: 'control' } },
        { name: 'small', variant: { kind: 'model', model: 'small' } },
      ],
    },
  },
};

const neverHits: RoutingSuggestion = {
  ...cheaper,
  id: 'never_hits:rule-3:v1',
  kind: 'never_hits',
  ruleId: 3,
  interval: { low: 0, high: 0.384 },
  action: {
    shadowRule: { id: 3, pattern: 'x', preferredLayer: 'fast', preferredModel: null, priority: 0, state: 'shadow', reasoning: 'r' },
  },
};

const answer = (suggestions: RoutingSuggestion[], skipped = 0, omitted = 0): RoutingSuggestions => ({
  from: '2026-01-01T00:00:00.000Z',
  to: '2026-01-08T00:00:00.000Z',
  minOutcomes: 30,
  suggestions,
  skipped: Array.from({ length: skipped }, (_, i) => ({ kind: 'cheaper_model', ruleId: i + 1, model: 'm', sampleSize: 3, reason: 'few' })),
  omitted: { suggestions: 0, skipped: omitted },
});

describe('suggestions card', () => {
  it('labels the kind, formats n and the interval, and says what each button does', () => {
    expect(suggestionRow(cheaper)).toEqual({
      id: 'cheaper_model:rule-2:v5:small',
      kind: 'cheaper_model',
      kindLabel: 'Cheaper model',
      title: cheaper.title,
      evidence: cheaper.evidence,
      sampleSize: '1,200',
      interval: '92.3–97.8%',
      shadow: { label: 'Try as shadow rule', hint: 'Saves a new shadow rule /(?:translate)/ → deep / small, priority 6' },
      experiment: { hint: "Splits rule #2's traffic: control vs small" },
    });
  });

  it('says a never-hits shadow is an edit of the existing rule, and offers no experiment it does not have', () => {
    const row = suggestionRow(neverHits);
    expect(row.shadow?.hint).toBe('Sets rule #3 to shadow (an edit of that rule, a new version)');
    expect(row.experiment).toBeNull();
    expect(row.interval).toBe('0.0–0.4%');
  });

  it('keeps the server order and notes skipped candidates, those past the cap included', () => {
    const view = suggestionsView(answer([cheaper, neverHits], 2, 3));
    expect(view.rows.map((r) => r.id)).toEqual([cheaper.id, neverHits.id]);
    expect(view.skippedNote).toBe('5 candidate(s) skipped: fewer than 30 outcomes (or too few decisions) to judge them.');
    expect(suggestionsView(answer([]))).toEqual({ rows: [], skippedNote: null });
    expect(suggestionsView(undefined)).toEqual({ rows: [], skippedNote: null });
  });
});
