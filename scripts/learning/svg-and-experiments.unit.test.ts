import { describe, expect, it } from 'vitest';
import { emptyArm } from '../../server/services/experiments/statistics';
import { ACCURACY_DEFAULTS, addOutcome, experimentAccuracy, peek, simulateExperiment } from './experiment-accuracy';
import { niceStep, regretCurvesSvg } from './svg';

describe('the regret curves SVG', () => {
  it('picks 1/2/5 tick steps', () => {
    expect(niceStep(50_000)).toBe(10_000);
    expect(niceStep(2700)).toBe(1000);
    expect(niceStep(130)).toBe(50);
    expect(niceStep(0)).toBe(1);
  });

  it('draws one path per strategy with its legend, the marks, and escapes text', () => {
    const svg = regretCurvesSvg({
      title: 'Regret <test>',
      subtitle: 'a & b',
      series: [
        {
          label: 'static',
          points: [
            { requests: 0, regret: 0 },
            { requests: 100, regret: 40 },
          ],
        },
        {
          label: 'adaptive',
          points: [
            { requests: 0, regret: 0 },
            { requests: 100, regret: 5 },
          ],
        },
      ],
      marks: [{ at: 40, label: 'degrades' }],
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/<path /g)).toHaveLength(2);
    expect(svg).toContain('>static</text>');
    expect(svg).toContain('>adaptive</text>');
    expect(svg).toContain('>degrades</text>');
    expect(svg).toContain('Regret &lt;test&gt;');
    expect(svg).toContain('a &amp; b');
  });
});

describe('the in-process experiment runs', () => {
  const options = { ...ACCURACY_DEFAULTS, seed: 1 };

  it('finds a large effect in either direction, the candidate winning or the control', () => {
    expect(simulateExperiment(0, [0.5, 0.9], options)).toMatchObject({ status: 'winner', armIndex: 1 });
    expect(simulateExperiment(1, [0.9, 0.5], options)).toMatchObject({ status: 'control_wins', armIndex: 0 });
  });

  it("with Hone's defaults, keeps A/A false positives of seed 2 (7/100 at alpha 0.05) under 5 and A/B verdicts right", () => {
    const { ab, aa } = experimentAccuracy(100, { ...ACCURACY_DEFAULTS, seed: 2 });
    expect(aa.falsePositives).toBeLessThan(5);
    expect(ab.correct).toBeGreaterThanOrEqual(95);
  }, 60_000);

  it('is reproducible for a seed and run', () => {
    expect(simulateExperiment(3, [0.8, 0.85], options)).toEqual(simulateExperiment(3, [0.8, 0.85], options));
  });

  it('keeps the running minimum p-value between looks, as the server stores it', () => {
    const arms = [emptyArm('control'), emptyArm('candidate')];
    for (let i = 0; i < 300; i++) {
      addOutcome(arms[0]!, { success: i % 10 < 5, latencyMs: 100, cost: 0.001 });
      addOutcome(arms[1]!, { success: i % 10 < 8, latencyMs: 100, cost: 0.001 });
    }
    peek(arms);
    const low = arms[1]!.minPValue;
    expect(low).toBeLessThan(0.05);
    // Later outcomes that erase the difference do not raise the stored minimum.
    for (let i = 0; i < 3000; i++) addOutcome(arms[0]!, { success: i % 10 < 8, latencyMs: 100, cost: 0.001 });
    peek(arms);
    expect(arms[1]!.minPValue).toBe(low);
    expect(arms[0]!.outcomes).toBe(3300);
  });
});
