import { describe, expect, it } from 'vitest';
import { parseDashboardParams, rangeOf, withParams } from './range';

const now = new Date('2026-03-10T14:25:00Z');

describe('dashboard URL params', () => {
  it('defaults to the last 7 days ending at the end of the current hour', () => {
    const params = parseDashboardParams({});
    expect(params).toEqual({ range: '7d', taskType: undefined });
    expect(rangeOf(params, now)).toEqual({ from: '2026-03-03T15:00:00.000Z', to: '2026-03-10T15:00:00.000Z' });
  });

  it('reads presets, a custom range of whole UTC days and the task type', () => {
    expect(rangeOf(parseDashboardParams({ range: '24h' }), now)).toEqual({
      from: '2026-03-09T15:00:00.000Z',
      to: '2026-03-10T15:00:00.000Z',
    });
    const custom = parseDashboardParams({ range: 'custom', from: '2026-02-01', to: '2026-02-03', taskType: ' coding ' });
    expect(custom).toEqual({ range: 'custom', fromDay: '2026-02-01', toDay: '2026-02-03', taskType: 'coding' });
    expect(rangeOf(custom, now)).toEqual({ from: '2026-02-01T00:00:00.000Z', to: '2026-02-04T00:00:00.000Z' });
  });

  it('falls back to the default for a malformed or reversed custom range and an unknown preset', () => {
    expect(parseDashboardParams({ range: 'custom', from: '2026-02-05', to: '2026-02-01' }).range).toBe('7d');
    expect(parseDashboardParams({ range: 'custom', from: 'yesterday', to: '2026-02-01' }).range).toBe('7d');
    expect(parseDashboardParams({ range: '1y' }).range).toBe('7d');
  });

  it('writes changes into the query string, dropping custom days when leaving custom', () => {
    const current = new URLSearchParams('range=custom&from=2026-02-01&to=2026-02-03&taskType=chat');
    expect(withParams(current, { range: '24h' })).toBe('?range=24h&taskType=chat');
    expect(withParams(current, { taskType: undefined })).toBe('?range=custom&from=2026-02-01&to=2026-02-03');
    expect(withParams(new URLSearchParams('range=24h'), { range: undefined })).toBe('');
  });
});
