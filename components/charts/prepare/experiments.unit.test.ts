import { describe, expect, it } from 'vitest';
import type { ExperimentDto } from '@/server/services/experiments/experiments';
import { armRows, experimentListRows, meanText, variantLabel, verdictBanner } from './experiments';

type Arm = ExperimentDto['arms'][number];

const arm = (over: Partial<Arm>): Arm => ({
  id: 1,
  position: 0,
  name: 'control',
  weight: 1,
  variant: { kind: 'control' },
  decisions: 0,
  outcomes: 0,
  successes: 0,
  successRate: null,
  successCi: null,
  latency: null,
  cost: null,
  diff: null,
  pValue: 1,
  likelihoodRatio: 1,
  stopped: false,
  stoppedAt: null,
  stopReason: null,
  ...over,
});

const experiment = (over: Partial<ExperimentDto> = {}): ExperimentDto => ({
  id: 7,
  name: 'Sonnet',
  ruleId: 3,
  taskType: null,
  status: 'running',
  alpha: 0.05,
  comparisonAlpha: 0.05,
  mixtureVariance: 0.0025,
  minOutcomes: 100,
  guard: true,
  createdAt: '2026-11-26T07:00:00.000Z',
  createdBy: null,
  stoppedAt: null,
  stopReason: null,
  promotedArmId: null,
  promotedVersionId: null,
  rule: { id: 3, pattern: 'refactor', layer: 'balanced', model: 'gpt-4o-mini', version: 2, versionId: 11, policyId: null },
  arms: [
    arm({
      decisions: 1200,
      outcomes: 1000,
      successes: 700,
      successRate: 0.7,
      successCi: { low: 0.6709, high: 0.7275 },
      latency: { mean: 812.4, n: 1000, ci: { low: 790.1, high: 834.7 } },
    }),
    arm({
      id: 2,
      position: 1,
      name: 'sonnet',
      variant: { kind: 'model', model: 'claude-sonnet-4' },
      decisions: 1180,
      outcomes: 1000,
      successes: 780,
      successRate: 0.78,
      successCi: { low: 0.7533, high: 0.8048 },
      diff: { effect: 0.08, ci: { low: 0.021, high: 0.139 }, latency: null, cost: null },
      pValue: 0.00042,
      cost: { mean: 0.0031, n: 1000, ci: { low: 0.003, high: 0.0032 } },
    }),
  ],
  verdict: {
    status: 'winner',
    armId: 2,
    armName: 'sonnet',
    effect: 8,
    effectCi: { low: 2.1, high: 13.9 },
    text: 'Arm "sonnet" beats the control by +8.0 points.',
  },
  ...over,
});

describe('experiment figures for the page', () => {
  it('arms table rows: counts, success with its interval, means with intervals, difference and p-value', () => {
    const [control, sonnet] = armRows(experiment());
    expect(control).toMatchObject({
      isControl: true,
      variant: 'control (the rule as it is)',
      decisions: '1,200',
      success: '70.0%',
      successCi: '67.1%–72.8%',
      latency: '812 ms (790 ms–835 ms)',
      diff: '—',
      pValue: '—',
      significance: 'none',
      promotable: true,
    });
    expect(sonnet).toMatchObject({
      variant: 'model claude-sonnet-4',
      diff: '+8.0 pts',
      diffCi: '+2.1 to +13.9',
      pValue: '0.0004',
      significance: 'better',
      cost: '$0.0031 ($0.0030–$0.0032)',
      state: 'running',
    });
  });

  it('a significant arm below minOutcomes is not marked, a stopped arm says so, a finished experiment promotes nothing', () => {
    const few = experiment({ minOutcomes: 5000 });
    expect(armRows(few)[1]?.significance).toBe('none');
    const done = experiment({ status: 'promoted' });
    expect(armRows(done).every((row) => !row.promotable)).toBe(true);
    const stopped = experiment();
    stopped.arms[1] = {
      ...stopped.arms[1]!,
      stopped: true,
      stopReason: 'guard: worse',
      diff: { effect: -0.1, ci: { low: -0.15, high: -0.05 }, latency: null, cost: null },
    };
    expect(armRows(stopped)[1]).toMatchObject({
      state: 'stopped',
      weight: '1 (stopped: 0)',
      stopReason: 'guard: worse',
      significance: 'worse',
      diff: '−10.0 pts',
    });
  });

  it('variant labels and means', () => {
    expect(variantLabel({ kind: 'layer', layer: 'deep', model: null })).toBe('layer deep (layer default model)');
    expect(variantLabel({ kind: 'layer', layer: 'fast' })).toBe('layer fast');
    expect(variantLabel({ kind: 'policy', policyId: 4 })).toBe('adaptive policy #4');
    expect(variantLabel({ kind: 'rule', model: 'm' })).toBe('rule change: model m');
    expect(meanText(null, String)).toBe('–');
    expect(meanText({ mean: 3, n: 1, ci: null }, String)).toBe('3');
  });

  it('verdict banners: tone and title', () => {
    expect(verdictBanner(experiment().verdict)).toEqual({
      tone: 'good',
      title: 'Winner: sonnet (+8.0 points)',
      text: 'Arm "sonnet" beats the control by +8.0 points.',
    });
    expect(verdictBanner({ status: 'control_wins', text: 't' }).tone).toBe('bad');
    expect(verdictBanner({ status: 'collecting', text: 't' })).toMatchObject({ tone: 'info', title: 'Collecting outcomes' });
    expect(verdictBanner({ status: 'stopped', text: 't' }).tone).toBe('neutral');
  });

  it('list rows sum decisions and outcomes over the arms', () => {
    expect(experimentListRows([experiment()])).toEqual([
      expect.objectContaining({
        id: 7,
        rule: '#3 /refactor/',
        taskType: 'all',
        arms: 2,
        decisions: '2,380',
        outcomes: '2,000',
        verdict: 'Winner: sonnet (+8.0 points)',
      }),
    ]);
    expect(experimentListRows([experiment({ rule: null })])[0]?.rule).toBe('#3 (deleted)');
  });
});
