import { describe, expect, it } from 'vitest';
import { equivalentPattern, judgeRoutingFigures, type RoutingFigures, type RuleRow } from './suggest';

const rule = (id: number, pattern: string, preferredModel: string, createdAt = new Date('2026-01-01T00:00:00Z')): RuleRow => ({
  id,
  pattern,
  preferredLayer: 'deep',
  preferredModel,
  priority: 0,
  state: 'active',
  versionId: id * 10,
  createdAt,
});

const calls = (modelId: string, taskType: string, n: number, successes: number, cost: number) => ({
  modelId,
  taskType,
  n,
  successes,
  costSum: n * cost,
  costCount: n,
});

describe('equivalentPattern', () => {
  it('wraps the pattern in a non-capturing group, again while the result is taken, and gives up past the length limit', () => {
    expect(equivalentPattern('^a|b$', new Set(['^a|b$']))).toBe('(?:^a|b$)');
    expect(equivalentPattern('x', new Set(['x', '(?:x)']))).toBe('(?:(?:x))');
    expect(equivalentPattern('y'.repeat(997), new Set())).toBeNull();
  });
});

describe('judgeRoutingFigures', () => {
  const figures: RoutingFigures = {
    rules: [rule(1, 'alpha', 'big'), rule(2, 'beta', 'big')],
    outcomes: [],
    // Rule 2 decides ten times as often as rule 1: the same cheaper model saves ten times as much there.
    hits: [
      { ruleId: 1, taskType: 'chat', hits: 10 },
      { ruleId: 2, taskType: 'chat', hits: 100 },
    ],
    decisions: 110,
    models: [calls('big', 'chat', 100, 90, 0.05), calls('small', 'chat', 200, 192, 0.005)],
  };

  it('orders by kind, then expected impact, then id; the same figures give the same answer', () => {
    const { suggestions } = judgeRoutingFigures(figures, { from: new Date('2026-02-01T00:00:00Z'), minOutcomes: 30 });
    expect(suggestions.map((s) => s.id)).toEqual(['cheaper_model:rule-2:v20:small', 'cheaper_model:rule-1:v10:small']);
    expect(suggestions[0]!.impact).toBeCloseTo(4.5, 9); // 100 hits × $0.045 saved
    const reversed = { ...figures, rules: [...figures.rules].reverse(), hits: [...figures.hits].reverse() };
    expect(judgeRoutingFigures(reversed, { from: new Date('2026-02-01T00:00:00Z'), minOutcomes: 30 })).toEqual(
      judgeRoutingFigures(figures, { from: new Date('2026-02-01T00:00:00Z'), minOutcomes: 30 }),
    );
  });

  it('compares models only on the task types both served and the rule served', () => {
    const other = { ...figures, models: [calls('big', 'chat', 100, 90, 0.05), calls('small', 'poetry', 200, 200, 0.001)] };
    expect(judgeRoutingFigures(other, { from: new Date('2026-02-01T00:00:00Z'), minOutcomes: 30 }).suggestions).toEqual([]);
  });
});
