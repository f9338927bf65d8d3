import { describe, expect, it } from 'vitest';
import type { RoutingPolicyView } from '@/server/services/adaptive/policy-read';
import { defaultShareSeries, shareLines, shareSeriesOptions } from './adaptive';

const policies: Pick<RoutingPolicyView, 'id' | 'name' | 'history'>[] = [
  {
    id: 1,
    name: 'coding models',
    history: [
      {
        taskType: '',
        models: ['a', 'b'],
        points: [{ at: '2026-01-01T00:00:00.000Z', shares: { a: 0.5, b: 0.5 } }],
      },
      {
        taskType: 'coding',
        models: ['a', 'b', 'c'],
        points: [
          { at: '2026-01-01T00:00:00.000Z', shares: { a: 0.5, b: 0.5 } },
          { at: '2026-01-01T00:01:00.000Z', shares: { a: 0.9, b: 0.05, c: 0.05 } },
        ],
      },
      { taskType: 'empty', models: [], points: [] },
    ],
  },
  { id: 2, name: 'no history' },
];

describe('adaptive shares over time', () => {
  it('offers each policy and task type with a history, the all-task-types row last', () => {
    const options = shareSeriesOptions(policies);
    expect(options).toEqual([
      { key: '1:coding', label: 'coding models · coding', policyId: 1, taskType: 'coding' },
      { key: '1:', label: 'coding models · all task types', policyId: 1, taskType: '' },
    ]);
    expect(defaultShareSeries(options, '')).toBe('1:');
    expect(defaultShareSeries(options, 'writing')).toBe('1:coding');
    expect(defaultShareSeries([], 'coding')).toBeNull();
  });

  it('draws one line per model in percent, breaking where a model had no share', () => {
    expect(shareLines(policies, '1:coding')).toEqual({
      series: [
        { key: 's_share_a', label: 'a' },
        { key: 's_share_b', label: 'b' },
        { key: 's_share_c', label: 'c' },
      ],
      rows: [
        { t: '2026-01-01T00:00:00.000Z', s_share_a: 50, s_share_b: 50, s_share_c: null },
        { t: '2026-01-01T00:01:00.000Z', s_share_a: 90, s_share_b: 5, s_share_c: 5 },
      ],
    });
    expect(shareLines(policies, '1:').rows).toHaveLength(1);
  });

  it('is empty for an unknown or missing choice', () => {
    expect(shareLines(policies, null)).toEqual({ rows: [], series: [] });
    expect(shareLines(policies, '2:coding')).toEqual({ rows: [], series: [] });
    expect(shareLines(policies, '9:')).toEqual({ rows: [], series: [] });
  });
});
