import { describe, expect, it } from 'vitest';
import type { RoutingRuleWarning } from '@/server/services/routing/check-rules';
import type { RuleEdit } from '@/server/services/routing/hit-rates';
import type { RuleHistory, RuleVersionDto } from '@/server/services/routing/rule-history';
import type { MeasuredOutcomes, RuleStats, VersionStats } from '@/server/services/routing/rule-stats';
import { bucketStartOf, displacedSummary, editMarkers, measuredSuccess, versionRows, warningsByRule } from './heuristics';

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
    const byRule = warningsByRule([
      warning(1, 'overlap'),
      warning(null, 'never_fires'),
      warning(2, 'matches_empty'),
      warning(1, 'never_fires'),
    ]);
    expect([...byRule.keys()]).toEqual([1, 2]);
    expect(byRule.get(1)!.map((w) => w.kind)).toEqual(['overlap', 'never_fires']);
    expect(warningsByRule(undefined).size).toBe(0);
  });
});

describe('rule figures', () => {
  const outcomes = (n: number, successes: number, interval: { low: number; high: number } | null): MeasuredOutcomes => ({
    n,
    successes,
    successRate: n ? (successes * 100) / n : null,
    successRateInterval: interval,
    meanLatencyMs: null,
    latencySamples: 0,
    meanCost: null,
    costSamples: 0,
  });

  it('shows a measured success rate with its interval and sample size, or says there is none', () => {
    expect(measuredSuccess(outcomes(4, 3, { low: 30.06, high: 95.44 }))).toBe('75.0% (30–95%, n=4)');
    expect(measuredSuccess(outcomes(1200, 600, null))).toBe('50.0% (n=1,200)');
    expect(measuredSuccess(outcomes(0, 0, null))).toBe('no outcomes');
  });

  it('names whom a shadow rule displaced, most first, rules with their version', () => {
    const displaced = [
      { versionId: 11, ruleId: 1, decisions: 2 },
      { versionId: null, ruleId: null, decisions: 5 },
      { versionId: 99, ruleId: 7, decisions: 1 },
    ];
    expect(displacedSummary(displaced, new Map([[11, 3]]))).toBe('default layer ×5, #1 v3 ×2, #7 ×1');
  });

  it('sets each version of the history beside its figures, null where it has none in the range', () => {
    const version = (versionId: number, n: number): RuleVersionDto => ({
      versionId,
      version: n,
      change: n === 1 ? 'created' : 'updated',
      changedBy: null,
      changedAt: '2026-01-01T00:00:00.000Z',
      pattern: 'p',
      preferredLayer: 'fast',
      preferredModel: null,
      priority: 0,
      state: 'active',
      reasoning: null,
      statedSuccessRate: 80,
      changes: [],
    });
    const history: RuleHistory = { ruleId: 1, exists: true, versions: [version(12, 2), version(10, 1)] };
    const figures = { versionId: 12, hits: 4 } as VersionStats;
    const rows = versionRows(history, { versions: [figures] } as RuleStats);
    expect(rows.map((r) => [r.version, r.stats?.hits ?? null])).toEqual([
      [2, 4],
      [1, null],
    ]);
    expect(versionRows(history, undefined).every((r) => r.stats === null)).toBe(true);
  });
});
