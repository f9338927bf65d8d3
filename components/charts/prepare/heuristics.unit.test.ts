import { describe, expect, it } from 'vitest';
import type { RoutingRuleWarning } from '@/server/services/routing/check-rules';
import type { RuleEdit } from '@/server/services/routing/hit-rates';
import { bucketStartOf, editMarkers, warningsByRule } from './heuristics';

const days = ['2026-01-01T00:00:00.000Z', '2026-01-02T00:00:00.000Z', '2026-01-03T00:00:00.000Z'];

const edit = (at: string, ruleId: number, version: number, change: RuleEdit['change'], fields: string[] = []): RuleEdit => ({
  at,
  ruleId,
  version,
  versionId: ruleId * 100 + version,
  change,
  pattern: `rule${ruleId}`,
  fields,
  changedBy: null,
});

describe('edit markers', () => {
  it('puts each edit at the start of its bucket', () => {
    expect(bucketStartOf('2026-01-02T13:45:10.123Z', 'day')).toBe('2026-01-02T00:00:00.000Z');
    expect(bucketStartOf('2026-01-02T13:45:10.123Z', 'hour')).toBe('2026-01-02T13:00:00.000Z');
  });

  it('marks one edit by rule and version, several in a bucket by their count, and says what each changed', () => {
    const markers = editMarkers(
      [
        edit('2026-01-01T09:00:00.000Z', 3, 2, 'updated', ['pattern', 'priority']),
        edit('2026-01-03T01:00:00.000Z', 4, 1, 'created'),
        edit('2026-01-03T05:00:00.000Z', 3, 3, 'deleted'),
      ],
      days,
      'day',
    );
    expect(markers).toEqual([
      { t: days[0], label: '#3 v2', details: ['#3 v2 changed pattern, priority /rule3/'] },
      { t: days[2], label: '2 edits', details: ['#4 v1 created /rule4/', '#3 v3 deleted /rule3/'] },
    ]);
  });

  it('leaves out edits outside the chart, and names the author when known', () => {
    const outside = edit('2025-12-31T23:59:59.000Z', 1, 2, 'updated', ['state']);
    const byKey = { ...edit('2026-01-02T10:00:00.000Z', 1, 3, 'updated', ['state']), changedBy: 'ops key' };
    expect(editMarkers([outside, byKey], days, 'day')).toEqual([
      { t: days[1], label: '#1 v3', details: ['#1 v3 changed state /rule1/ by ops key'] },
    ]);
  });
});

describe('warnings by rule', () => {
  const warning = (ruleId: number | null, kind: RoutingRuleWarning['kind']): RoutingRuleWarning => ({
    ruleId,
    kind,
    message: `${kind} of ${ruleId}`,
    evidence: {},
  });

  it('groups stored rules’ warnings and drops the unsaved candidate’s', () => {
    const byRule = warningsByRule([warning(1, 'overlap'), warning(null, 'never_fires'), warning(2, 'matches_empty'), warning(1, 'never_fires')]);
    expect([...byRule.keys()]).toEqual([1, 2]);
    expect(byRule.get(1)!.map((w) => w.kind)).toEqual(['overlap', 'never_fires']);
    expect(warningsByRule(undefined).size).toBe(0);
  });
});
